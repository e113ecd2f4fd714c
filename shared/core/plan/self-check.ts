import type { PolicyFile } from '../policy-file/types.js';
import type { Cohort } from '../reconcile/access.js';
import { reconcile, type Reconciliation } from '../reconcile/reconcile.js';
import { buildSnapshot } from '../snapshot/build.js';
import type { SnapshotFiles } from '../snapshot/files.js';
import type { Principal } from '../snapshot/types.js';
import { applyToFiles, type DenyChange } from './apply-to-files.js';
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
 * must still be allowed.
 *
 * Principals of one cohort have the same policies, facts, grants and planned
 * deny, so they end in the same state: the check replays one principal per
 * cohort (every principal, in accounts where each is its own cohort), which
 * keeps it proportional to the distinct cases rather than to the account.
 */
export function selfCheck(input: SelfCheckInput): SelfCheck {
  const representatives = new Set(input.before.cohorts.map((c) => (c.principals[0] as Principal).arn));
  const files = onlyPrincipals(input.files, representatives);
  const changes = input.changes.filter((c) => representatives.has(c.principal));
  // Only rules a deny can contain decide the check; the others are untouched by the plan.
  const after = reconcile(buildSnapshot(applyToFiles(files, changes)), input.policy, {
    now: input.now,
    only: (rule) => rule.containable,
  });
  const problems: string[] = [];
  for (const f of after.findings) {
    if (f.mode !== 'enforce' || f.status !== 'open' || input.quotaFailed.has(f.principal)) continue;
    problems.push(`still open after the plan: ${f.rule} for ${f.principal}: ${f.message}`);
  }
  const afterCohort = new Map<string, Cohort>();
  const afterIndex = new Map<Cohort, number>();
  for (const [i, c] of after.cohorts.entries()) {
    afterIndex.set(c, i);
    for (const p of c.principals) afterCohort.set(p.arn, c);
  }
  const compared = new Map<string, string[]>();
  const keysOf = new Map<Cohort, Set<string>>();
  const granted = (c: Cohort) => {
    let keys = keysOf.get(c);
    if (!keys) {
      keys = new Set(
        c.cells.flatMap((cell) => cell.granted.map((r) => `${cell.modelId} in ${cell.region} via ${r.id}`)),
      );
      keysOf.set(c, keys);
    }
    return keys;
  };
  for (const [i, c] of input.before.cohorts.entries()) {
    for (const p of c.principals.slice(0, 1)) {
      const next = afterCohort.get(p.arn);
      const pair = `${i}|${next ? afterIndex.get(next) : -1}`;
      let lost = compared.get(pair);
      if (!lost) {
        const kept = next ? granted(next) : new Set<string>();
        lost = [...granted(c)].filter((k) => !kept.has(k));
        compared.set(pair, lost);
      }
      for (const k of lost) problems.push(`granted access lost: ${p.arn} can no longer use ${k}`);
    }
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
