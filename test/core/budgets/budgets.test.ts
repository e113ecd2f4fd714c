import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetDenyName } from '../../../shared/core/budgets/budget-deny.js';
import {
  budgetIds,
  budgetModelGlobs,
  budgetsFor,
  increments,
  MAX_BUDGET_ID_LENGTH,
} from '../../../shared/core/budgets/budgets.js';
import { isInvalidRecord, parseInvocationLog, type UsageRecord } from '../../../shared/core/budgets/invocation-log.js';
import { resolveUsage } from '../../../shared/core/budgets/usage.js';
import { DesiredState } from '../../../shared/core/desired/grants.js';
import { parsePolicyFile } from '../../../shared/core/policy-file/parse.js';
import type { PolicyFile } from '../../../shared/core/policy-file/types.js';
import type { Principal, Snapshot } from '../../../shared/core/snapshot/types.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { DEMO_DIR } from '../../support/snapshot-fixtures.js';

const DEMO_POLICY = fileURLToPath(new URL('../../../examples/demo/bedrock-guard.yaml', import.meta.url));
const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';
const NOVA_MICRO = 'amazon.nova-micro-v1:0';

function policyOf(text: string): PolicyFile {
  const { policy, issues } = parsePolicyFile(text, 'x.yaml');
  if (!policy) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return policy;
}

/** A small file over the demo account: `budgets` is YAML for the `budgets:` list. */
const withBudgets = (budgets: string, teams = '') =>
  policyOf(`
version: 1
regions: [us-east-1, us-east-2, us-west-2]
exempt: ['arn:aws:iam::*:role/PlatformAdmin']
models:
  standard: [amazon.nova-micro-v1:0, amazon.nova-lite-v1:0]
  premium: ['anthropic.claude-3-opus-*', deepseek.r1-v1:0]
  other: [meta.llama3-3-70b-instruct-v1:0]
teams:
  - name: data-science
    principals: { tags: { team: data-science } }
    models: [standard, premium]
  - name: everyone
    principals: 'arn:aws:iam::*:role/*'
    models: [standard]
${teams}
budgets:
${budgets}
`);

const records: UsageRecord[] = readFileSync(
  fileURLToPath(new URL('../../fixtures/invocation-logs/records.jsonl', import.meta.url)),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const r = parseInvocationLog(l);
    if (isInvalidRecord(r)) throw new Error(r.invalid);
    return r;
  });

describe('budgets', () => {
  let demo: Snapshot;
  let demoPolicy: PolicyFile;
  const principal = (name: string): Principal => {
    const p = demo.principals.find((x) => x.name === name);
    if (!p) throw new Error(name);
    return p;
  };
  beforeAll(async () => {
    demo = await readSnapshotFolder(DEMO_DIR);
    demoPolicy = policyOf(readFileSync(DEMO_POLICY, 'utf8'));
  });

  describe('budgetIds', () => {
    it('names the demo budgets by team, sets and window', () => {
      expect(budgetIds(demoPolicy)).toEqual(['data-science.premium.1d', 'playground.premium.1d']);
    });

    it('keeps an id when the file is reordered or a limit changes, and sorts the sets', () => {
      const a = withBudgets(`
  - { team: data-science, models: [standard, premium], window: 6h, max: { invocations: 10 } }
  - { team: everyone, models: [standard], window: month, max: { inputTokens: 10 } }`);
      const b = withBudgets(`
  - { team: everyone, models: [standard], window: month, max: { inputTokens: 99 } }
  - { team: data-science, models: [premium, standard], window: 6h, max: { outputTokens: 5 } }`);
      expect(budgetIds(a)).toEqual(['data-science.premium+standard.6h', 'everyone.standard.month']);
      expect(budgetIds(b)).toEqual(['everyone.standard.month', 'data-science.premium+standard.6h']);
    });

    it('tells apart budgets alike but for their limits, in file order', () => {
      const p = withBudgets(`
  - { team: data-science, models: [premium], window: 1d, max: { invocations: 10 } }
  - { team: data-science, models: [premium], window: 1d, max: { inputTokens: 10 } }
  - { team: data-science, models: [premium], window: 1d, max: { outputTokens: 10 } }`);
      expect(budgetIds(p)).toEqual([
        'data-science.premium.1d',
        'data-science.premium.1d-2',
        'data-science.premium.1d-3',
      ]);
    });

    it('makes unsafe and long team names IAM-safe, short and still distinct', () => {
      const long = 'a'.repeat(200);
      const p = withBudgets(
        `
  - { team: 'ML Platform #1', models: [standard], window: 1d, max: { invocations: 1 } }
  - { team: 'ML Platform_#1', models: [standard], window: 1d, max: { invocations: 1 } }
  - { team: '${long}', models: [standard], window: 1d, max: { invocations: 1 } }`,
        `
  - { name: 'ML Platform #1', principals: 'arn:aws:iam::*:role/ml', models: [standard] }
  - { name: 'ML Platform_#1', principals: 'arn:aws:iam::*:role/ml2', models: [standard] }
  - { name: '${long}', principals: 'arn:aws:iam::*:role/long', models: [standard] }`,
      );
      const ids = budgetIds(p);
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) {
        expect(id.length).toBeLessThanOrEqual(MAX_BUDGET_ID_LENGTH);
        expect(id).toMatch(/^[\w+=,.@-]+$/);
        expect(budgetDenyName(id).length).toBeLessThanOrEqual(128);
      }
      expect(ids[0]).toMatch(/^ML-Platform--1\.standard\.1d-[0-9a-f]{8}$/);
      expect(ids[2]).toMatch(/^a+-[0-9a-f]{8}$/);
      // Stable: the same file gives the same ids.
      expect(budgetIds(p)).toEqual(ids);
    });
  });

  describe('budgetModelGlobs', () => {
    it("counts only the sets the budget's team is granted", () => {
      const p = withBudgets(`
  - { team: everyone, models: [standard, premium], window: 1d, max: { invocations: 1 } }`);
      expect(budgetModelGlobs(p, p.budgets[0] as PolicyFile['budgets'][number])).toEqual([
        'amazon.nova-micro-v1:0',
        'amazon.nova-lite-v1:0',
      ]);
    });
  });

  describe('budgetsFor', () => {
    it("finds the demo's budgets for the principals of their teams and models of their sets", () => {
      const desired = new DesiredState(demoPolicy);
      const ids = (name: string, model: string) =>
        budgetsFor(demoPolicy, desired, principal(name), model).map((m) => [m.id, m.index]);
      expect(ids('DataScience', OPUS)).toEqual([['data-science.premium.1d', 0]]);
      expect(ids('DataScience', 'deepseek.r1-v1:0')).toEqual([['data-science.premium.1d', 0]]);
      // BatchJobs carries the data-science tag: that team's budget counts its calls too.
      expect(ids('BatchJobs', OPUS)).toEqual([['data-science.premium.1d', 0]]);
      expect(ids('Playground', OPUS)).toEqual([['playground.premium.1d', 1]]);
      expect(ids('DataScience', NOVA_MICRO)).toEqual([]); // standard has no budget
      expect(ids('AppBackend', OPUS)).toEqual([]); // no team of its has a budget
      expect(ids('ReadOnly', OPUS)).toEqual([]); // in no team
    });

    it('returns the budget itself with its id', () => {
      const desired = new DesiredState(demoPolicy);
      const [match] = budgetsFor(demoPolicy, desired, principal('Playground'), OPUS);
      expect(match?.budget).toBe(demoPolicy.budgets[1]);
      expect(match?.budget.max).toEqual({ inputTokens: 200000, outputTokens: 50000, invocations: 500 });
    });

    it('matches model globs, and every budget of every team of the principal', () => {
      const p = withBudgets(`
  - { team: data-science, models: [premium], window: 1d, max: { invocations: 10 } }
  - { team: data-science, models: [premium], window: month, max: { invocations: 100 } }
  - { team: everyone, models: [standard], window: 1h, max: { invocations: 5 } }`);
      const desired = new DesiredState(p);
      const ids = (name: string, model: string) => budgetsFor(p, desired, principal(name), model).map((m) => m.id);
      expect(ids('DataScience', 'anthropic.claude-3-opus-20240229-v1:0')).toEqual([
        'data-science.premium.1d',
        'data-science.premium.month',
      ]);
      expect(ids('DataScience', NOVA_MICRO)).toEqual(['everyone.standard.1h']);
      expect(ids('AppBackend', NOVA_MICRO)).toEqual(['everyone.standard.1h']);
      expect(ids('AppBackend', 'anthropic.claude-3-opus-20240229-v1:0')).toEqual([]);
      expect(ids('AppBackend', 'meta.llama3-3-70b-instruct-v1:0')).toEqual([]);
    });

    it('counts nothing for exempt principals: the file exempt list and service-linked roles', () => {
      const p = withBudgets(`
  - { team: everyone, models: [standard], window: 1d, max: { invocations: 5 } }`);
      const desired = new DesiredState(p);
      expect(budgetsFor(p, desired, principal('PlatformAdmin'), NOVA_MICRO)).toEqual([]);
      expect(budgetsFor(p, desired, principal('AWSServiceRoleForOrganizations'), NOVA_MICRO)).toEqual([]);
      expect(budgetsFor(p, desired, principal('BreakGlass'), NOVA_MICRO)).toHaveLength(1);
      // The guard's own identity, protected by the caller, is exempt as well.
      const guarded = new DesiredState(p, new Map([[principal('BreakGlass').arn, 'the identity running the guard']]));
      expect(budgetsFor(p, guarded, principal('BreakGlass'), NOVA_MICRO)).toEqual([]);
    });

    it("never counts a set the budget's team isn't granted", () => {
      const p = withBudgets(`
  - { team: everyone, models: [premium, standard], window: 1d, max: { invocations: 5 } }`);
      const desired = new DesiredState(p);
      // DataScience is in `everyone` too and is granted premium through data-science: still not this budget's.
      expect(budgetsFor(p, desired, principal('DataScience'), OPUS)).toEqual([]);
      expect(budgetsFor(p, desired, principal('DataScience'), NOVA_MICRO)).toHaveLength(1);
    });
  });

  describe('increments', () => {
    it('adds tokens and one invocation to each matched budget, in the window of the call', () => {
      const p = withBudgets(`
  - { team: data-science, models: [premium], window: 1d, max: { invocations: 10 } }
  - { team: data-science, models: [premium], window: month, max: { invocations: 100 } }`);
      const ds = principal('DataScience');
      const matches = budgetsFor(p, new DesiredState(p), ds, OPUS);
      const record = { ...(records[3] as UsageRecord), caller: 'arn:aws:sts::111122223333:assumed-role/DataScience/x' };
      expect(increments(record, ds.arn, matches)).toEqual([
        {
          counterKey: `data-science.premium.1d#${ds.arn}#2025-11-18T00:00:00Z`,
          budgetId: 'data-science.premium.1d',
          principal: ds.arn,
          windowStart: '2025-11-18T00:00:00Z',
          windowEnd: '2025-11-19T00:00:00Z',
          requestId: 'e4a1b2c3-d4e5-4f60-8a7b-1c2d3e4f5a6b',
          inputTokens: 5900,
          outputTokens: 350,
          invocations: 1,
        },
        {
          counterKey: `data-science.premium.month#${ds.arn}#2025-11-01T00:00:00Z`,
          budgetId: 'data-science.premium.month',
          principal: ds.arn,
          windowStart: '2025-11-01T00:00:00Z',
          windowEnd: '2025-12-01T00:00:00Z',
          requestId: 'e4a1b2c3-d4e5-4f60-8a7b-1c2d3e4f5a6b',
          inputTokens: 5900,
          outputTokens: 350,
          invocations: 1,
        },
      ]);
    });

    it('counts a call with no token counts as one invocation of 0 tokens', () => {
      const p = withBudgets(`
  - { team: everyone, models: [standard], window: 1d, max: { invocations: 10 } }`);
      const role = principal('AppBackend');
      const matches = budgetsFor(p, new DesiredState(p), role, NOVA_MICRO);
      const record = { ...(records[1] as UsageRecord), inputTokens: 0, outputTokens: 0 };
      expect(increments(record, role.arn, matches)).toMatchObject([
        { inputTokens: 0, outputTokens: 0, invocations: 1 },
      ]);
    });

    it('counts nothing for a failed call', () => {
      const desired = new DesiredState(demoPolicy);
      const failed = records[4] as UsageRecord;
      expect(failed.errorCode).toBe('ThrottlingException');
      const matches = budgetsFor(demoPolicy, desired, principal('Playground'), 'deepseek.r1-v1:0');
      expect(matches).toHaveLength(1);
      expect(increments(failed, principal('Playground').arn, matches)).toEqual([]);
    });

    it('takes another window function (for tests and replays)', () => {
      const desired = new DesiredState(demoPolicy);
      const matches = budgetsFor(demoPolicy, desired, principal('Playground'), OPUS);
      const [inc] = increments(records[3] as UsageRecord, principal('Playground').arn, matches, () => ({
        start: 'S',
        end: 'E',
      }));
      expect(inc).toMatchObject({
        counterKey: `playground.premium.1d#${principal('Playground').arn}#S`,
        windowEnd: 'E',
      });
    });

    it('meters the fixture log end to end: parse, resolve, match, increment', () => {
      const desired = new DesiredState(demoPolicy);
      const out = records.flatMap((r) => {
        const { principal: p, modelId } = resolveUsage(r, demo);
        if (!p || !modelId) return [];
        return increments(r, p.arn, budgetsFor(demoPolicy, desired, p, modelId));
      });
      // Only the Playground's successful Opus call counts: the DeepSeek call failed, and the rest
      // are standard models (no budget) or principals without budgets.
      expect(out.map((i) => [i.counterKey, i.inputTokens, i.outputTokens, i.invocations])).toEqual([
        [`playground.premium.1d#${principal('Playground').arn}#2025-11-18T00:00:00Z`, 5900, 350, 1],
      ]);
    });
  });
});
