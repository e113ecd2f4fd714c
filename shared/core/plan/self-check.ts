import type { PolicyFile, RuleId } from '../policy-file/types.js';
import type { Cohort } from '../reconcile/access.js';
import { Prober } from '../reconcile/prober.js';
import { type Reconciliation, runRules } from '../reconcile/reconcile.js';
import { buildSnapshot } from '../snapshot/build.js';
import type { SnapshotFiles } from '../snapshot/files.js';
import type { Principal } from '../snapshot/types.js';
import { applyToFiles, type DenyChange, withoutBudgetDenies } from './apply-to-files.js';
import type { SelfCheck } from './types.js';

export interface SelfCheckInput {
  readonly files: SnapshotFiles;
  readonly changes: readonly DenyChange[];
  readonly policy: PolicyFile;
  /** The reconcile of the account without guard denies: what the file grants that IAM allows. */
  readonly before: Reconciliation;
  /** Principals whose deny could not be planned; their excess is expected to stay open. */
  readonly quotaFailed: ReadonlySet<string>;
  readonly now: Date;
}

const SHOWN = 20;

/**
 * Apply the plan to the snapshot in memory and reconcile again: no enforced
 * finding may stay open, and every route the file grants that IAM allowed
 * must still be allowed. Budget denies are left out after the plan as they
 * were before it (`before` is reconciled without guard policies): they block
 * granted routes until their window ends, by design, and contain nothing for
 * good, so neither check may count on them.
 *
 * Two facts keep this proportional to the distinct cases rather than to the
 * account. Principals of one cohort have the same policies, facts, grants
 * and planned deny, so they end in the same state: one principal per cohort
 * is replayed. And a plan only adds denies, which never allow anything new:
 * the findings after it are among those before, so only the routes IAM
 * allowed before (granted and excess) and the enforced feature and API-key
 * probes are asked again, on the planned policies.
 */
export function selfCheck(input: SelfCheckInput): SelfCheck {
  const { before, policy, now } = input;
  const representatives = new Set(before.cohorts.map((c) => (c.principals[0] as Principal).arn));
  const files = onlyPrincipals(input.files, representatives);
  const changes = input.changes.filter((c) => representatives.has(c.principal));
  const snapshot = buildSnapshot(withoutBudgetDenies(applyToFiles(files, changes)));
  const prober = new Prober(snapshot, now);
  const enforced = (rule: string) => policy.rules[rule as RuleId]?.mode === 'enforce';
  const problems: string[] = [];
  const cohorts: Cohort[] = [];
  for (const cohort of before.cohorts) {
    const principal = snapshot.principal((cohort.principals[0] as Principal).arn) as Principal;
    cohorts.push({ principals: [principal], grants: cohort.grants, cells: [] });
    const contained = !cohort.grants.exemptReason && !input.quotaFailed.has(principal.arn);
    for (const cell of cohort.cells) {
      const where = `${cell.modelId} in ${cell.region}`;
      for (const route of cell.granted) {
        if (!prober.allowsRoute(principal, route)) {
          problems.push(`granted access lost: ${principal.arn} can no longer use ${where} via ${route.id}`);
        }
      }
      if (!contained) continue;
      for (const { route, rule } of cell.excess) {
        if (enforced(rule) && prober.allowsRoute(principal, route)) {
          problems.push(`still open after the plan: ${rule} for ${principal.arn}: ${where} via ${route.id}`);
        }
      }
    }
  }
  // Findings that are not routes (features, API-key creation) come from the rules' probes: ask them again.
  const ctx = { snapshot, policy, desired: before.desired, scope: before.scope, cohorts, prober };
  for (const f of runRules(ctx, (rule) => rule.containable)) {
    if (f.mode !== 'enforce' || f.status !== 'open' || input.quotaFailed.has(f.principal)) continue;
    problems.push(`still open after the plan: ${f.rule} for ${f.principal}: ${f.message}`);
  }
  const shown = problems.slice(0, SHOWN);
  if (problems.length > SHOWN) shown.push(`… and ${problems.length - SHOWN} more`);
  return { passed: problems.length === 0, problems: shown };
}

/** The snapshot files with only the given users and roles (groups, policies and the catalogue kept whole). */
function onlyPrincipals(files: SnapshotFiles, arns: ReadonlySet<string>): SnapshotFiles {
  const iam = files.iam as Record<string, unknown>;
  const keep = (key: string) =>
    Array.isArray(iam[key]) ? (iam[key] as { Arn?: unknown }[]).filter((e) => arns.has(e.Arn as string)) : iam[key];
  return { ...files, iam: { ...iam, UserDetailList: keep('UserDetailList'), RoleDetailList: keep('RoleDetailList') } };
}
