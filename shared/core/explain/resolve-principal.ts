import { UsageError } from '../../errors.js';
import { parseArn } from '../iam/arn.js';
import type { Principal, Snapshot } from '../snapshot/types.js';

export interface ResolvedPrincipal {
  readonly principal: Principal;
  /** Set when the caller named an assumed-role session; fills `aws:userid`. */
  readonly sessionName: string | undefined;
}

/** What finding a caller needs from a snapshot. */
type Principals = Pick<Snapshot, 'account' | 'principals' | 'principal'>;

/**
 * The principal a request comes from: a user or role ARN, or an assumed-role
 * session ARN (`arn:aws:sts::…:assumed-role/Name/session`), which is how
 * CloudTrail, invocation logs and error messages name a role's caller. The
 * session ARN carries no role path: its role is found by name, in the
 * snapshot's account. Undefined for any other caller.
 */
export function findPrincipal(snapshot: Principals, arn: string): ResolvedPrincipal | undefined {
  const direct = snapshot.principal(arn);
  if (direct) return { principal: direct, sessionName: undefined };
  const parsed = parseArn(arn);
  if (parsed?.service !== 'sts' || !parsed.resource.startsWith('assumed-role/')) return undefined;
  if (parsed.account !== snapshot.account.accountId) return undefined;
  const [, roleName, sessionName] = parsed.resource.split('/');
  const role = snapshot.principals.find((p) => p.kind === 'role' && p.name === roleName);
  return role ? { principal: role, sessionName } : undefined;
}

/** {@link findPrincipal}, or a usage error with the principals it may have meant. */
export function resolvePrincipal(snapshot: Snapshot, arn: string): ResolvedPrincipal {
  const found = findPrincipal(snapshot, arn);
  if (found) return found;
  throw new UsageError(
    `--principal ${arn} is not a user or role in the snapshot of account ${snapshot.account.accountId}`,
    {
      hint: suggestion(snapshot, arn),
    },
  );
}

function suggestion(snapshot: Snapshot, arn: string): string {
  const name = arn.slice(arn.lastIndexOf('/') + 1).toLowerCase();
  const close = snapshot.principals.filter(
    (p) => p.name.toLowerCase().includes(name) || name.includes(p.name.toLowerCase()),
  );
  const pick = (close.length > 0 ? close : snapshot.principals).slice(0, 5).map((p) => p.arn);
  return pick.length > 0 ? `Did you mean ${pick.join(', ')}?` : 'The snapshot has no users or roles.';
}
