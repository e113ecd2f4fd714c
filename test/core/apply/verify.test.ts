import { describe, expect, it } from 'vitest';
import { verifyApplied } from '../../../shared/core/apply/verify.js';
import { applyToFiles } from '../../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../../shared/core/plan/plan.js';
import type { CellState, MatrixRow, Plan, PlanAction } from '../../../shared/core/plan/types.js';
import type { Finding } from '../../../shared/core/reconcile/types.js';
import { ACCOUNT_ID, accountFiles, CLAUDE, invokeAll, LITE, NOVA } from '../../support/account-builder.js';
import { appTeam } from '../../support/policy-file.js';
import { NOW } from '../../support/snapshot-fixtures.js';

const APP = `arn:aws:iam::${ACCOUNT_ID}:role/App`;
const OTHER = `arn:aws:iam::${ACCOUNT_ID}:role/Other`;
const touched = new Set([APP]);

const plan = (parts: Partial<Pick<Plan, 'actions' | 'findings' | 'matrix'>>): Plan => ({
  account: ACCOUNT_ID,
  partition: 'aws',
  generatedAt: NOW.toISOString(),
  policyFile: 'test.yaml',
  findings: [],
  actions: [],
  matrix: { models: [], regions: [], rows: [] },
  warnings: [],
  selfCheck: { passed: true, problems: [] },
  drift: false,
  ...parts,
});
const empty = plan({});

const putDeny = (principal: string): PlanAction => ({
  type: 'put-deny',
  change: 'update',
  principal,
  principalKind: 'role',
  mechanism: 'managed',
  policyName: 'bedrock-guard-deny-role-App',
  policy: {},
  size: 2,
  quota: 6144,
  rules: ['unapproved-model-access'],
});

const finding = (principal: string, overrides: Partial<Finding> = {}): Finding => ({
  rule: 'unapproved-model-access',
  severity: 'high',
  mode: 'enforce',
  status: 'open',
  principal,
  principalKind: 'role',
  model: CLAUDE,
  resources: [],
  message: `can invoke ${CLAUDE}`,
  evidence: [],
  remediation: 'narrow the policy',
  ...overrides,
});

const row = (principal: string, cells: CellState[]): MatrixRow => ({
  principal,
  principalKind: 'role',
  teams: ['apps'],
  exempt: false,
  cells,
});
const matrix = (models: string[], ...rows: MatrixRow[]) => ({ models, regions: ['us-east-1'], rows });

describe('verifyApplied', () => {
  it('finds nothing when the account now matches the plan', () => {
    const before = plan({ matrix: matrix([NOVA, CLAUDE], row(APP, ['approved', 'excess'])) });
    const after = plan({ matrix: matrix([NOVA, CLAUDE], row(APP, ['approved', 'contained'])) });
    expect(verifyApplied(before, after, touched)).toEqual([]);
  });

  it('reports a deny change still planned for a touched principal', () => {
    const removal: PlanAction = {
      type: 'remove-deny',
      principal: APP,
      principalKind: 'role',
      mechanism: 'inline',
      policyName: 'bedrock-guard-deny-copy',
      reason: 'stray copy',
    };
    expect(verifyApplied(empty, plan({ actions: [putDeny(APP), removal] }), touched)).toEqual([
      `${APP}: still planned after apply: put-deny bedrock-guard-deny-role-App`,
      `${APP}: still planned after apply: remove-deny bedrock-guard-deny-copy`,
    ]);
  });

  it('reports a budget deny removal still planned, but not one whose window ended since the plan', () => {
    const expired: PlanAction = {
      type: 'remove-deny',
      principal: APP,
      principalKind: 'role',
      mechanism: 'inline',
      policyName: 'bedrock-guard-budget-apps.standard.1d',
      reason: 'budget deny expired at 2025-11-19T00:00:00Z',
    };
    expect(verifyApplied(empty, plan({ actions: [expired] }), touched)).toEqual([]);
    expect(verifyApplied(plan({ actions: [expired] }), plan({ actions: [expired] }), touched)).toEqual([
      `${APP}: still planned after apply: remove-deny bedrock-guard-budget-apps.standard.1d`,
    ]);
  });

  it('does not count alerts as unfinished work', () => {
    const alert: PlanAction = {
      type: 'alert',
      principal: APP,
      principalKind: 'role',
      rule: 'unapproved-model-access',
      severity: 'high',
      findings: 1,
    };
    expect(verifyApplied(empty, plan({ actions: [alert] }), touched)).toEqual([]);
  });

  it('reports an enforced finding still open on a touched principal', () => {
    expect(verifyApplied(empty, plan({ findings: [finding(APP)] }), touched)).toEqual([
      `${APP}: still open after apply: unapproved-model-access: can invoke ${CLAUDE}`,
    ]);
  });

  it('ignores findings that are contained, exempt, in alert mode, or that no deny can fit', () => {
    const after = plan({
      findings: [
        finding(APP, { status: 'contained' }),
        finding(APP, { status: 'exempt' }),
        finding(APP, { mode: 'alert' }),
        finding(APP, { rule: 'deny-exceeds-quota' }),
      ],
    });
    expect(verifyApplied(empty, after, touched)).toEqual([]);
  });

  it('reports an approved cell that became denied', () => {
    const before = plan({ matrix: matrix([NOVA, LITE], row(APP, ['approved', 'approved'])) });
    const after = plan({ matrix: matrix([NOVA, LITE], row(APP, ['approved', 'denied'])) });
    expect(verifyApplied(before, after, touched)).toEqual([`${APP}: lost approved access to ${LITE} (now denied)`]);
  });

  it('matches cells by model, not by column', () => {
    const before = plan({ matrix: matrix([NOVA, LITE], row(APP, ['approved', 'excess'])) });
    const after = plan({ matrix: matrix([LITE, NOVA], row(APP, ['contained', 'approved'])) });
    expect(verifyApplied(before, after, touched)).toEqual([]);
  });

  it('reports approved access as gone when the row or the model column is gone', () => {
    const before = plan({ matrix: matrix([NOVA], row(APP, ['approved'])) });
    expect(verifyApplied(before, plan({ matrix: matrix([NOVA]) }), touched)).toEqual([
      `${APP}: lost approved access to ${NOVA} (now gone)`,
    ]);
    expect(verifyApplied(before, plan({ matrix: matrix([LITE], row(APP, ['none'])) }), touched)).toEqual([
      `${APP}: lost approved access to ${NOVA} (now gone)`,
    ]);
  });

  it('says nothing about principals the apply did not touch', () => {
    const before = plan({ matrix: matrix([NOVA], row(APP, ['approved']), row(OTHER, ['approved'])) });
    const after = plan({
      actions: [putDeny(OTHER)],
      findings: [finding(OTHER)],
      matrix: matrix([NOVA], row(APP, ['approved']), row(OTHER, ['denied'])),
    });
    expect(verifyApplied(before, after, touched)).toEqual([]);
    expect(verifyApplied(before, after, new Set([APP, OTHER]))).toHaveLength(3);
  });
});

describe('verifyApplied on real plans', () => {
  const files = accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] });
  const policy = appTeam(['standard']);
  const before = planFromFiles(files, policy, { now: NOW });

  it('passes once the plan is applied', () => {
    const after = planFromFiles(applyToFiles(files, before.changes), policy, { now: NOW });
    expect(verifyApplied(before.plan, after.plan, touched)).toEqual([]);
  });

  it('fails when the writes did not happen', () => {
    const problems = verifyApplied(before.plan, before.plan, touched);
    expect(problems[0]).toBe(`${APP}: still planned after apply: put-deny bedrock-guard-deny-role-App`);
    expect(problems.some((p) => p.startsWith(`${APP}: still open after apply: unapproved-model-access`))).toBe(true);
  });
});
