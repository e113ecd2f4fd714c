import { groupBy } from '../group-by.js';
import type { PolicyFile, RuleId } from '../policy-file/types.js';
import { reconcile, type Reconciliation } from '../reconcile/reconcile.js';
import { RULES } from '../reconcile/rules/index.js';
import type { Finding } from '../reconcile/types.js';
import { buildSnapshot } from '../snapshot/build.js';
import type { SnapshotFiles } from '../snapshot/files.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { accessReport } from './access-report.js';
import { type DenyChange, guardPoliciesIn, withoutBudgetDenies, withoutGuardPolicies } from './apply-to-files.js';
import { tidyBudgetDenies } from './budget-denies.js';
import { existingDenies, strayDenies } from './guard-owned.js';
import { placeDeny, removeDeny } from './place-deny.js';
import { DEFAULT_QUOTAS, type IamQuotas } from './quotas.js';
import { selfCheck } from './self-check.js';
import { synthesizeDeny } from './synthesize-deny.js';
import type { AlertAction, Plan, PlanAction, PutDenyAction, RemoveDenyAction } from './types.js';

export interface PlanOptions {
  readonly now?: Date;
  readonly quotas?: IamQuotas;
  /** Label of the policy file in reports. */
  readonly policyFile?: string;
  /** The policy file's warnings, carried into the plan's reports (with the plan's own). */
  readonly warnings?: readonly string[];
  /** `files` already built, when the caller needed it first (it is not built twice). */
  readonly snapshot?: Snapshot;
  /** Called between phases, for progress on long runs. */
  readonly progress?: (phase: string) => void;
  /** Principal ARN → why the guard must not act on it, e.g. the identity running the guard. */
  readonly protectedPrincipals?: ReadonlyMap<string, string>;
}

/** Everything a plan is computed from, kept for `apply` and the self-check. */
export interface PlanWork {
  readonly plan: Plan;
  readonly changes: readonly DenyChange[];
  readonly actual: Snapshot;
  readonly reconciliation: Reconciliation;
}

/** Findings about the same thing, before and after the guard's denies (folded findings by model alone). */
const findingKey = (f: Finding) =>
  `${f.rule}|${f.principal}|${f.model ?? ''}|${f.routes ? '' : `${f.region ?? ''}|${f.route ?? ''}|${f.resources.join(',')}`}`;

/**
 * Desired × observed → findings → actions, like `terraform plan`. The excess
 * is judged on the account without the guard's own denies (so a deny that is
 * no longer needed shows up), then each finding is marked open or contained
 * by the account as it is, budget denies aside: they lift themselves at their
 * window's end, so they contain nothing for good. Budget denies are the
 * metering function's: the plan only removes the expired ones.
 * Pure: files and the policy in, the plan out.
 */
export function planFromFiles(files: SnapshotFiles, policy: PolicyFile, options: PlanOptions = {}): PlanWork {
  const now = options.now ?? new Date();
  const quotas = options.quotas ?? DEFAULT_QUOTAS;
  const progress = options.progress ?? (() => undefined);
  progress('reading the snapshot');
  const actual = options.snapshot ?? buildSnapshot(files);
  const held = guardPoliciesIn(files);
  const raw = held.denies || held.budgetDenies ? buildSnapshot(withoutGuardPolicies(files)) : actual;
  progress(`reconciling ${raw.principals.length} principals`);
  const { protectedPrincipals } = options;
  const rawRec = reconcile(raw, policy, { now, protectedPrincipals });
  const standing = held.denies && held.budgetDenies ? buildSnapshot(withoutBudgetDenies(files)) : actual;
  const openKeys = held.denies
    ? new Set(reconcile(standing, policy, { now, protectedPrincipals }).findings.map(findingKey))
    : undefined;
  const statusOf = (f: Finding): Finding =>
    f.status === 'open' && openKeys && !openKeys.has(findingKey(f)) ? { ...f, status: 'contained' } : f;

  progress('planning denies');
  const enforce = new Set<RuleId>(
    RULES.filter((r) => r.containable && policy.rules[r.id].mode === 'enforce').map((r) => r.id),
  );
  const byPrincipal = groupBy(rawRec.findings, (f) => f.principal);

  const findings: Finding[] = rawRec.findings.map(statusOf);
  const actions: PlanAction[] = [];
  const quotaFailed = new Set<string>();
  const planned = new Set<string>();
  const { partition, accountId } = actual.account;

  for (const cohort of rawRec.cohorts) {
    if (cohort.grants.exemptReason) continue;
    const own = (byPrincipal.get((cohort.principals[0] as Principal).arn) ?? []).filter((f) => f.mode === 'enforce');
    if (own.length === 0) continue;
    const deny = synthesizeDeny({
      cohort,
      enforce,
      partition,
      account: accountId,
      profiles: actual.inferenceProfiles,
      findings: own,
    });
    if (!deny) continue;
    for (const { arn } of cohort.principals) {
      const principal = actual.principal(arn) as Principal;
      planned.add(arn);
      const placement = placeDeny(actual, principal, deny, quotas, cohort.grants);
      if (placement.kind === 'over-quota') {
        quotaFailed.add(arn);
        findings.push(placement.finding);
      } else if (placement.kind === 'put') {
        actions.push(placement.put, ...placement.removals);
      }
    }
  }
  for (const principal of actual.principals) {
    // The guard never writes to its own identity, not even to take a deny away.
    if (planned.has(principal.arn) || protectedPrincipals?.has(principal.arn)) continue;
    const { exemptReason } = rawRec.desired.grantsFor(principal);
    const reason = exemptReason
      ? `the principal is exempt (${exemptReason})`
      : 'the principal no longer has access the policy file does not grant';
    for (const existing of existingDenies(actual, principal)) actions.push(removeDeny(principal, existing, reason));
  }
  // A stray policy that a put names again is reused by that put (attached anew), not removed.
  const reused = new Set(actions.flatMap((a) => (a.type === 'put-deny' && a.policyArn ? [a.policyArn] : [])));
  const strays = strayDenies(actual).filter((a) => !reused.has(a.policyArn as string));
  const budgets = tidyBudgetDenies(actual, now, protectedPrincipals);
  actions.push(...strays, ...budgets.removals, ...alerts(findings));

  const changes = actions.flatMap(changeOf);
  progress('checking the plan against the snapshot');
  const check = selfCheck({ files, changes, policy, before: rawRec, quotaFailed, now });
  const matrix = accessReport(rawRec, enforce, quotaFailed);
  const drift = actions.some((a) => a.type !== 'alert') || findings.some((f) => f.status === 'open');
  const plan: Plan = {
    account: accountId,
    partition,
    generatedAt: now.toISOString(),
    policyFile: options.policyFile ?? policy.source.file,
    findings,
    actions,
    matrix,
    warnings: [...(options.warnings ?? []), ...budgets.warnings],
    selfCheck: check,
    drift,
  };
  return { plan, changes, actual, reconciliation: rawRec };
}

/** One alert per principal and rule for open findings that no deny contains. */
function alerts(findings: readonly Finding[]): AlertAction[] {
  const byKey = new Map<string, AlertAction>();
  for (const f of findings) {
    if (f.status !== 'open' || f.mode !== 'alert' || f.rule === 'deny-exceeds-quota') continue;
    const key = `${f.principal}|${f.rule}`;
    const existing = byKey.get(key);
    byKey.set(
      key,
      existing
        ? { ...existing, findings: existing.findings + 1 }
        : {
            type: 'alert',
            principal: f.principal,
            principalKind: f.principalKind,
            rule: f.rule,
            severity: f.severity,
            findings: 1,
          },
    );
  }
  return [...byKey.values()];
}

/** The change a deny action makes to the snapshot files, for the self-check (and `apply`). */
function changeOf(action: PlanAction): DenyChange[] {
  const { principal, mechanism, policyName } = action as PutDenyAction | RemoveDenyAction;
  const arn = 'policyArn' in action && action.policyArn ? { policyArn: action.policyArn } : {};
  switch (action.type) {
    case 'put-deny':
      return [{ type: 'put', principal, mechanism, policyName, ...arn, document: action.policy }];
    case 'remove-deny':
      return [{ type: 'remove', principal, mechanism, policyName, ...arn }];
    default:
      return [];
  }
}
