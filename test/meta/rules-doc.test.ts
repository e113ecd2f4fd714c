import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../shared/core/policy-file/types.js';
import { rulesMarkdown } from '../../shared/core/reconcile/rules-doc.js';
import { RULES } from '../../shared/core/reconcile/rules/index.js';

const RULES_DOC = 'docs/rules.md';
const POLICY_DOC = 'docs/policy-file.md';

describe('docs/rules.md', () => {
  const committed = readFileSync(RULES_DOC, 'utf8');

  it('is committed and up to date (run `npm run docs` after changing a rule)', async () => {
    const options = (await resolveConfig(RULES_DOC)) ?? {};
    const expected = await format(rulesMarkdown(), { ...options, parser: 'markdown' });
    expect(committed, `${RULES_DOC} is stale: run \`npm run docs\` and commit it`).toBe(expected);
  });

  it('has a section for every rule in the registry, and the plan-level deny-exceeds-quota', () => {
    for (const rule of RULES) expect(committed, rule.id).toContain(`\n## ${rule.id}\n`);
    expect(committed).toContain('\n## deny-exceeds-quota\n');
  });

  it('mentions every rule id the policy-file reference uses', () => {
    const policyDoc = readFileSync(POLICY_DOC, 'utf8');
    const used = RULE_IDS.filter((id) => policyDoc.includes(id));
    expect(used.length).toBeGreaterThan(0);
    for (const id of used) expect(committed, id).toContain(id);
  });

  it('names every statement Sid the deny synthesis writes', () => {
    const source = readFileSync('shared/core/plan/synthesize-deny.ts', 'utf8');
    const sids = new Set(source.match(/BedrockGuard[A-Za-z]+/g) ?? []);
    expect(sids.size).toBeGreaterThan(5);
    for (const sid of sids) expect(committed, sid).toContain(sid);
  });
});

describe('docs/policy-file.md', () => {
  it('links to rules.md', () => {
    expect(readFileSync(POLICY_DOC, 'utf8')).toMatch(/\]\((?:\.\/)?rules\.md(?:#[\w-]*)?\)/);
  });
});
