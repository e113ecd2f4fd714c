import { beforeAll, describe, expect, it } from 'vitest';
import { budgetDeny, budgetDenyName } from '../../../shared/core/budgets/budget-deny.js';
import { budgetIds } from '../../../shared/core/budgets/budgets.js';
import { applyToFiles, guardPoliciesIn, withoutBudgetDenies } from '../../../shared/core/plan/apply-to-files.js';
import { budgetDenies } from '../../../shared/core/plan/budget-denies.js';
import { documentSize, existingDenies, isGuardInlineName } from '../../../shared/core/plan/guard-owned.js';
import { planFromFiles, type PlanOptions, type PlanWork } from '../../../shared/core/plan/plan.js';
import { DEFAULT_QUOTAS, type IamQuotas } from '../../../shared/core/plan/quotas.js';
import type { PlanAction, PutDenyAction } from '../../../shared/core/plan/types.js';
import type { Budget, PolicyFile } from '../../../shared/core/policy-file/types.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';
import type { Principal } from '../../../shared/core/snapshot/types.js';
import { readPolicyFile } from '../../../shared/policy-file/read.js';
import { readSnapshotFiles } from '../../../shared/snapshot/read-folder.js';
import type { InlineJson, PrincipalJson } from '../../support/snapshot-fixtures.js';

/**
 * Budget denies (`bedrock-guard-budget-<id>`, written by the metering
 * function) on the demo account: the plan leaves live ones alone, removes
 * expired ones, and counts them against the inline quota.
 */
const DEMO = 'examples/demo';
const ACCOUNT = '111122223333';
const NOW = new Date('2025-11-18T12:00:00Z');
const LIVE_END = '2025-11-19T00:00:00Z';
const EXPIRED_END = '2025-11-18T00:00:00Z';
const DATA_SCIENCE = `arn:aws:iam::${ACCOUNT}:role/DataScience`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;

let files: SnapshotFiles;
let policy: PolicyFile;
/** The demo account with the guard's denies applied: its plan is alerts only. */
let deployed: SnapshotFiles;
let baseline: PlanWork;
let name: string;

beforeAll(async () => {
  files = await readSnapshotFiles(`${DEMO}/snapshot`);
  policy = (await readPolicyFile(`${DEMO}/bedrock-guard.yaml`)).policy;
  deployed = applyToFiles(files, plan(files).changes);
  baseline = plan(deployed);
  name = budgetDenyName(budgetIds(policy)[0] as string);
});

const plan = (f: SnapshotFiles, options: PlanOptions = {}) => planFromFiles(f, policy, { now: NOW, ...options });
const denyUntil = (end: string) => budgetDeny(policy, policy.budgets[0] as Budget, end);
const puts = (work: PlanWork) => work.plan.actions.filter((a): a is PutDenyAction => a.type === 'put-deny');

/** The files with one more inline policy on a user or role. */
function withInline(f: SnapshotFiles, arn: string, policyName: string, document: unknown): SnapshotFiles {
  const iam = f.iam as Record<string, PrincipalJson[]>;
  const key = arn.includes(':user/') ? 'UserPolicyList' : 'RolePolicyList';
  const list = arn.includes(':user/') ? 'UserDetailList' : 'RoleDetailList';
  const entries = (iam[list] ?? []).map((e) =>
    e.Arn === arn
      ? { ...e, [key]: [...((e[key] as InlineJson[]) ?? []), { PolicyName: policyName, PolicyDocument: document }] }
      : e,
  );
  return { ...f, iam: { ...iam, [list]: entries } };
}

const principalOf = (f: SnapshotFiles, arn: string) => buildSnapshot(f).principal(arn) as Principal;
const inlineNames = (f: SnapshotFiles, arn: string) =>
  principalOf(f, arn)
    .policies.identity.filter((p) => p.source.kind === 'inline' && p.source.id === arn)
    .map((p) => p.source.name);

describe('a live budget deny', () => {
  it('is guard-owned, but not the plan’s deny', () => {
    const live = withInline(deployed, DATA_SCIENCE, name, denyUntil(LIVE_END));
    const principal = principalOf(live, DATA_SCIENCE);
    expect(isGuardInlineName(name)).toBe(true);
    expect(existingDenies(buildSnapshot(live), principal).map((d) => d.policyName)).toStrictEqual([
      'bedrock-guard-deny-role-DataScience',
    ]);
    expect(budgetDenies(principal)).toStrictEqual([
      expect.objectContaining({
        mechanism: 'inline',
        policyName: name,
        budgetId: 'data-science.premium.1d',
        expiry: LIVE_END,
      }),
    ]);
    expect(guardPoliciesIn(live)).toStrictEqual({ denies: true, budgetDenies: true });
    expect(guardPoliciesIn(withoutBudgetDenies(live))).toStrictEqual({ denies: true, budgetDenies: false });
    expect(withoutBudgetDenies(deployed)).toBe(deployed);
  });

  it('is left in place: no action, the same findings and matrix, and the self-check passes', () => {
    const work = plan(withInline(deployed, DATA_SCIENCE, name, denyUntil(LIVE_END)));
    expect(work.plan.actions).toStrictEqual(baseline.plan.actions);
    expect(work.plan.actions.some((a) => a.type !== 'alert')).toBe(false);
    expect(work.plan.findings).toStrictEqual(baseline.plan.findings);
    expect(work.plan.matrix).toStrictEqual(baseline.plan.matrix);
    expect(work.plan.warnings).toStrictEqual([]);
    expect(work.plan.selfCheck).toStrictEqual({ passed: true, problems: [] });
  });

  it('is never taken for a stray copy when the plan’s deny changes or moves', () => {
    // The plan's deny goes from managed to inline (no attachment free), beside the budget deny.
    const quotas: IamQuotas = { ...DEFAULT_QUOTAS, attachedManagedPolicies: { role: 0, user: 0 } };
    const work = plan(withInline(files, DATA_SCIENCE, name, denyUntil(LIVE_END)), { quotas });
    const own = work.plan.actions.filter((a) => a.principal === DATA_SCIENCE);
    expect(own).toStrictEqual([expect.objectContaining({ type: 'put-deny', mechanism: 'inline' })]);
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('does not shape the plan’s deny: the same puts as without it', () => {
    const work = plan(withInline(files, DATA_SCIENCE, name, denyUntil(LIVE_END)));
    expect(puts(work)).toStrictEqual(puts(plan(files)));
    expect(work.plan.selfCheck).toStrictEqual({ passed: true, problems: [] });
  });
});

describe('an expired budget deny', () => {
  const removal = (end: string): PlanAction => ({
    type: 'remove-deny',
    principal: DATA_SCIENCE,
    principalKind: 'role',
    mechanism: 'inline',
    policyName: name,
    reason: `budget deny expired at ${end}`,
  });

  it('is removed: one remove-deny, and once applied it is gone, nothing else changed, and a re-plan is clean', () => {
    const expired = withInline(deployed, DATA_SCIENCE, name, denyUntil(EXPIRED_END));
    const work = plan(expired);
    expect(work.plan.actions.filter((a) => a.type !== 'alert')).toStrictEqual([removal(EXPIRED_END)]);
    expect(work.plan.selfCheck).toStrictEqual({ passed: true, problems: [] });
    const after = applyToFiles(expired, work.changes);
    expect(inlineNames(after, DATA_SCIENCE)).not.toContain(name);
    expect(after).toStrictEqual(deployed);
    expect(plan(after).plan.actions).toStrictEqual(baseline.plan.actions);
  });

  it('is removed at its very end (IAM’s DateLessThan no longer holds then)', () => {
    const work = plan(withInline(deployed, DATA_SCIENCE, name, denyUntil(NOW.toISOString())));
    expect(work.plan.actions.filter((a) => a.type !== 'alert')).toStrictEqual([removal(NOW.toISOString())]);
  });

  it('is removed beside the plan’s own put, which it does not replace', () => {
    const work = plan(withInline(files, DATA_SCIENCE, name, denyUntil(EXPIRED_END)));
    const own = work.plan.actions.filter((a) => a.principal === DATA_SCIENCE);
    expect(own).toStrictEqual([
      expect.objectContaining({ type: 'put-deny', policyName: 'bedrock-guard-deny-role-DataScience' }),
      removal(EXPIRED_END),
    ]);
    expect(work.plan.selfCheck).toStrictEqual({ passed: true, problems: [] });
  });

  it('is left on the identity running the guard', () => {
    const protectedPrincipals = new Map([[DATA_SCIENCE, 'the identity running the guard']]);
    const work = plan(withInline(deployed, DATA_SCIENCE, name, denyUntil(EXPIRED_END)), { protectedPrincipals });
    expect(work.plan.actions.filter((a) => a.principal === DATA_SCIENCE && a.type !== 'alert')).toStrictEqual([]);
  });
});

describe('a budget deny without its end', () => {
  it('is left in place, with a warning', () => {
    const edited = {
      Version: '2012-10-17',
      Statement: denyUntil(LIVE_END).Statement.map(({ Condition: _dropped, ...s }) => s),
    };
    const work = plan(withInline(deployed, DATA_SCIENCE, name, edited));
    expect(work.plan.actions).toStrictEqual(baseline.plan.actions);
    expect(work.plan.warnings).toStrictEqual([
      `role DataScience: the budget deny ${name} carries no end (DateLessThan aws:CurrentTime) any more, so it does not lift itself; the guard leaves it: delete it once the budget should allow again.`,
    ]);
  });
});

describe('the inline quota', () => {
  /** Bob's own inline policy and the plan's deny for him, as IAM counts them. */
  let own: number;
  let deny: number;
  const budget = () => documentSize(denyUntil(LIVE_END));

  beforeAll(() => {
    const bob = principalOf(files, BOB);
    own = bob.policies.identity.reduce(
      (n, p) => n + documentSize({ Version: '2012-10-17', Statement: p.statements.map((s) => s.raw) }),
      0,
    );
    deny = (puts(plan(files)).find((p) => p.principal === BOB) as PutDenyAction).size;
  });

  /** A user quota with room for bob's policy and the deny, not for a budget deny besides. */
  const tight = (attachments: number): IamQuotas => ({
    ...DEFAULT_QUOTAS,
    inlineChars: { ...DEFAULT_QUOTAS.inlineChars, user: own + deny + budget() - 1 },
    attachedManagedPolicies: { ...DEFAULT_QUOTAS.attachedManagedPolicies, user: attachments },
  });

  it('counts a budget deny: the plan’s inline deny moves to a managed policy when its update no longer fits beside one', () => {
    // An older, shorter inline deny of the guard's: it fitted beside the budget deny, its update does not.
    const older = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'BedrockGuardLongTermApiKeyUse', Effect: 'Deny', Action: 'bedrock:CallWithBearerToken', Resource: '*' },
      ],
    };
    expect(own + documentSize(older) + budget()).toBeLessThanOrEqual(tight(10).inlineChars.user);
    const stale = withInline(files, BOB, 'bedrock-guard-deny-user-bob', older);
    expect(plan(stale, { quotas: tight(10) }).plan.actions.filter((a) => a.principal === BOB)).toStrictEqual([
      expect.objectContaining({ type: 'put-deny', change: 'update', mechanism: 'inline' }),
    ]);

    const work = plan(withInline(stale, BOB, name, denyUntil(LIVE_END)), { quotas: tight(10) });
    expect(work.plan.actions.filter((a) => a.principal === BOB)).toStrictEqual([
      expect.objectContaining({ type: 'put-deny', change: 'create', mechanism: 'managed' }),
      expect.objectContaining({ type: 'remove-deny', mechanism: 'inline', policyName: 'bedrock-guard-deny-user-bob' }),
    ]);
    expect(work.plan.selfCheck).toStrictEqual({ passed: true, problems: [] });
  });

  it('counts a budget deny: with no managed attachment free, the deny fits nowhere and is a finding', () => {
    expect(puts(plan(files, { quotas: tight(0) })).find((p) => p.principal === BOB)).toMatchObject({
      mechanism: 'inline',
    });
    const work = plan(withInline(files, BOB, name, denyUntil(LIVE_END)), { quotas: tight(0) });
    expect(puts(work).find((p) => p.principal === BOB)).toBeUndefined();
    const finding = work.plan.findings.find((f) => f.rule === 'deny-exceeds-quota' && f.principal === BOB);
    expect(finding?.message).toContain(`${own + budget()} of ${own + deny + budget() - 1} characters used`);
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('counts an expired budget deny too: it is removed only after the plan’s puts', () => {
    const work = plan(withInline(files, BOB, name, denyUntil(EXPIRED_END)), { quotas: tight(0) });
    expect(work.plan.actions.filter((a) => a.principal === BOB)).toStrictEqual([
      expect.objectContaining({ type: 'remove-deny', policyName: name }),
    ]);
    expect(work.plan.findings.some((f) => f.rule === 'deny-exceeds-quota' && f.principal === BOB)).toBe(true);
  });
});
