import type { SnapshotFiles } from '../snapshot/files.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import type { PrincipalRef, Touch } from './touch.js';

/** The principals an event's plan covers: some users and roles, or the whole account. */
export type Scope = { readonly kind: 'account' } | { readonly kind: 'principals'; readonly arns: ReadonlySet<string> };

/**
 * What an event puts in scope: SCP changes and model-access changes can
 * change anyone's access, so the whole account; otherwise the users and roles
 * the event names or acted as, the members of the groups it changed, and
 * whoever a changed managed policy is attached to (`extra`, read from IAM).
 */
export function scopeOf(
  touch: Touch,
  snapshot: Snapshot,
  extra: { readonly principals: readonly PrincipalRef[]; readonly groups: readonly string[] },
): Scope {
  if (touch.scps || touch.concern === 'model-access') return { kind: 'account' };
  const refs = new Set([...touch.principals, ...extra.principals].map((r) => `${r.kind}/${r.name}`));
  const groups = new Set([...touch.groups, ...extra.groups]);
  const arns = new Set<string>();
  for (const p of snapshot.principals) {
    if (refs.has(`${p.kind}/${p.name}`) || p.groups.some((g) => groups.has(g))) arns.add(p.arn);
    else if (touch.changedPolicies.some((arn) => usesPolicy(p, arn))) arns.add(p.arn);
  }
  return { kind: 'principals', arns };
}

/** Attached to the principal, through one of its groups, or its boundary. */
const usesPolicy = (p: Principal, arn: string): boolean =>
  p.boundaryArn === arn || p.policies.identity.some((c) => c.source.kind === 'managed' && c.source.id === arn);

export const inScope = (scope: Scope, arn: string): boolean => scope.kind === 'account' || scope.arns.has(arn);

/**
 * The files with only the in-scope users and roles (groups, managed
 * policies, SCPs and the catalogue kept), so that planning one event's
 * principals costs what they cost, not what the account does.
 */
export function filesInScope(files: SnapshotFiles, scope: Scope): SnapshotFiles {
  if (scope.kind === 'account') return files;
  const iam = files.iam as Record<string, unknown>;
  const keep = (key: string) =>
    ((iam[key] ?? []) as Record<string, unknown>[]).filter((e) => scope.arns.has(String(e.Arn)));
  return { ...files, iam: { ...iam, UserDetailList: keep('UserDetailList'), RoleDetailList: keep('RoleDetailList') } };
}
