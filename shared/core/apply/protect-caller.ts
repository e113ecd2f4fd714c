import { resolvePrincipal } from '../explain/resolve-principal.js';
import type { Snapshot } from '../snapshot/types.js';

/**
 * The user or role the guard runs as (an assumed-role session maps to its
 * role), as the protected-principal map the planner and the safety rails
 * take: never planned against, never written to.
 */
export function protectCaller(snapshot: Snapshot, callerArn: string): ReadonlyMap<string, string> {
  try {
    const { principal } = resolvePrincipal(snapshot, callerArn);
    return new Map([[principal.arn, `the identity running bedrock-guard (${callerArn})`]]);
  } catch {
    return new Map(); // The account root or a federated user: no IAM principal the guard could write to.
  }
}
