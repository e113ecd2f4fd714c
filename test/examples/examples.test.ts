import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyToFiles } from '../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../shared/core/plan/plan.js';
import { loadPolicyFile } from '../../shared/core/policy-file/parse.js';
import { readSnapshotFiles } from '../../shared/snapshot/read-folder.js';
import { NOW } from '../support/snapshot-fixtures.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** What each seed scenario must produce: open findings as "rule principal ×count", and actions as "type principal". */
const EXPECTED: Record<string, { findings: string[]; actions: string[] }> = {
  demo: {
    findings: [
      'cross-region-profile-gaps AppBackend ×1',
      'unapproved-feature bob ×1',
      'unapproved-model-access ContractorRole ×12',
      'unapproved-model-access DataScience ×2',
    ],
    actions: ['alert AppBackend', 'put-deny ContractorRole', 'put-deny DataScience', 'put-deny bob'],
  },
  govcloud: {
    findings: ['unapproved-model-access BedrockAppService ×6', 'unapproved-model-access jdoe ×1'],
    actions: ['put-deny BedrockAppService', 'put-deny jdoe'],
  },
  'cross-region-profile': {
    findings: [
      'cross-region-profile-gaps ChatApp ×1',
      'cross-region-profile-gaps ChatAppFixed ×1',
      'cross-region-profile-gaps ChatAppNoGet ×1',
    ],
    actions: ['alert ChatApp', 'alert ChatAppFixed', 'alert ChatAppNoGet'],
  },
  'cross-region-profile-scp-exempt': {
    findings: ['cross-region-profile-gaps ChatApp ×1', 'cross-region-profile-gaps ChatAppNoGet ×1'],
    actions: ['alert ChatApp', 'alert ChatAppNoGet'],
  },
  'playground-team': {
    findings: [
      'unapproved-feature BuildersCI ×1',
      'unapproved-feature Playground ×7',
      'unapproved-model-access Playground ×5',
    ],
    actions: ['put-deny BuildersCI', 'put-deny Playground'],
  },
  'custom-model-import': {
    findings: ['custom-model-import-role BedrockImportLoose ×3', 'unapproved-feature ModelEvaluator ×1'],
    actions: ['alert BedrockImportLoose', 'put-deny ModelEvaluator'],
  },
  'iam-hygiene': {
    findings: [
      'full-access-managed-policy LegacyMLPipeline ×1',
      'full-access-managed-policy sam ×1',
      'long-term-api-keys ci-bot ×2',
      'long-term-api-keys sam ×3',
      'unapproved-feature LegacyMLPipeline ×10',
      'unapproved-feature sam ×9',
      'unapproved-model-access LegacyMLPipeline ×1',
      'unapproved-model-access omar ×1',
      'unapproved-model-access sam ×2',
    ],
    actions: [
      'alert LegacyMLPipeline',
      'alert sam',
      'put-deny LegacyMLPipeline',
      'put-deny ci-bot',
      'put-deny omar',
      'put-deny sam',
    ],
  },
};

const short = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

async function planExample(name: string) {
  const dir = join(EXAMPLES, name);
  const files = await readSnapshotFiles(join(dir, 'snapshot'));
  const path = join(dir, 'bedrock-guard.yaml');
  const { policy, warnings } = loadPolicyFile(readFileSync(path, 'utf8'), path);
  return { files, policy, warnings, work: planFromFiles(files, policy, { now: NOW }) };
}

describe('examples', () => {
  it('has an expectation for every example folder with a policy file', () => {
    const folders = readdirSync(EXAMPLES).filter((d) => {
      try {
        readFileSync(join(EXAMPLES, d, 'bedrock-guard.yaml'));
        return true;
      } catch {
        return false;
      }
    });
    expect(folders.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    it('plans what its README says, and passes the self-check', async () => {
      const { work, warnings } = await planExample(name);
      expect(warnings).toEqual([]);
      const counts = new Map<string, number>();
      for (const f of work.plan.findings.filter((x) => x.status === 'open')) {
        const key = `${f.rule} ${short(f.principal)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect([...counts].map(([k, n]) => `${k} ×${n}`).sort()).toEqual(expected.findings);
      expect(work.plan.actions.map((a) => `${a.type} ${short(a.principal)}`).sort()).toEqual(expected.actions);
      expect(work.plan.selfCheck).toEqual({ passed: true, problems: [] });
    });

    it('is stable once applied: the next plan changes nothing and contains what it denied', async () => {
      const { files, policy, work } = await planExample(name);
      const again = planFromFiles(applyToFiles(files, work.changes), policy, { now: NOW });
      expect(again.plan.actions.filter((a) => a.type !== 'alert')).toEqual([]);
      const enforced = work.plan.findings.filter((f) => f.mode === 'enforce' && f.status === 'open').length;
      expect(again.plan.findings.filter((f) => f.status === 'contained').length).toBe(enforced);
    });
  });
});
