import type { DesiredState } from '../desired/grants.js';
import { GUARD_PATH, isGuardInlineName, isGuardPolicyArn } from '../plan/guard-owned.js';
import type { Plan, PutDenyAction, RemoveDenyAction } from '../plan/types.js';
import type { Snapshot } from '../snapshot/types.js';

/** The actions of a plan that write to IAM. */
export type DenyAction = PutDenyAction | RemoveDenyAction;

export const denyActions = (plan: Plan): DenyAction[] =>
  plan.actions.filter((a): a is DenyAction => a.type === 'put-deny' || a.type === 'remove-deny');

/**
 * Puts before removes: when a principal's deny moves (inline ↔ managed) the
 * new one is in place before the old one goes, so it is never unguarded.
 */
export const writeOrder = (actions: readonly DenyAction[]): DenyAction[] => [
  ...actions.filter((a) => a.type === 'put-deny'),
  ...actions.filter((a) => a.type === 'remove-deny'),
];

export interface SafetyContext {
  readonly snapshot: Snapshot;
  readonly desired: DesiredState;
  /** Principal ARN → why it is never written to (the identity running the guard). */
  readonly protectedPrincipals: ReadonlyMap<string, string>;
}

/**
 * Why an action must not be carried out, checked again right before writing
 * whatever the plan says: the guard writes only its own policies, never to
 * the identity running it or to a service-linked role, and never puts a deny
 * on an exempt principal. (Taking the guard's own deny off a principal that
 * became exempt is allowed: that is the revert the exemption asks for.)
 */
export function refusal(action: DenyAction, ctx: SafetyContext): string | undefined {
  const owned =
    action.mechanism === 'managed'
      ? action.policyArn !== undefined && isGuardPolicyArn(action.policyArn) && isGuardInlineName(action.policyName)
      : isGuardInlineName(action.policyName);
  if (!owned) return `${action.policyArn ?? action.policyName} is not a guard-owned policy (path ${GUARD_PATH})`;
  const principal = ctx.snapshot.principal(action.principal);
  // A deny whose principal is gone guards nobody: removing it is the only write allowed without one.
  if (!principal) {
    return action.type === 'remove-deny' && action.mechanism === 'managed'
      ? undefined
      : 'the principal is not in the captured account';
  }
  const guarded = ctx.protectedPrincipals.get(principal.arn);
  if (guarded) return `never written to: ${guarded}`;
  if (principal.serviceLinked) return 'service-linked role: managed by AWS, never written to';
  const { exemptReason } = ctx.desired.grantsFor(principal);
  return action.type === 'put-deny' && exemptReason ? `exempt: ${exemptReason}` : undefined;
}

/** Thrown before the first write when a plan changes more than the blast-radius limit allows. */
export class BlastRadiusError extends Error {
  override readonly name = 'BlastRadiusError';
  constructor(
    readonly changes: number,
    readonly limit: number,
  ) {
    super(`the plan changes ${changes} guard denies, more than the limit of ${limit}; nothing was written`);
  }
}
