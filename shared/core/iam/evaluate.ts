import { type CompiledPolicy, type CompiledStatement, statementApplies } from './policy.js';
import type { AuthorizationRequest, Decision, EvaluationResult, StatementRef } from './types.js';

/** One level of the organisation tree (root, each OU, the account) and the SCPs attached there. */
export interface ScpLevel {
  readonly target: string;
  readonly policies: readonly CompiledPolicy[];
}

/** Everything that governs one principal's requests in its own account. */
export interface PolicySet {
  readonly identity: readonly CompiledPolicy[];
  readonly boundary: CompiledPolicy | undefined;
  /** Root first, account last; empty when the account has no SCPs or they don't apply. */
  readonly scps: readonly ScpLevel[];
}

function ref(policy: CompiledPolicy, s: CompiledStatement): StatementRef {
  return { policy: policy.source, index: s.index, sid: s.sid, effect: s.effect };
}

/** Matching statements of one effect across policies, in policy order. */
function matching(
  policies: readonly CompiledPolicy[],
  effect: 'Allow' | 'Deny',
  request: AuthorizationRequest,
  action: string,
  out: StatementRef[],
): void {
  for (const policy of policies) {
    for (const s of policy.statementsFor(action)) {
      if (s.effect === effect && statementApplies(s, request)) out.push(ref(policy, s));
    }
  }
}

/**
 * AWS's evaluation logic for a request within the principal's account:
 * an explicit Deny in any SCP, boundary or identity policy wins; otherwise
 * every SCP level, the identity policies, and the boundary (when set) must
 * each hold a matching Allow.
 *
 * @example
 * evaluate(set, { action: 'bedrock:InvokeModel', resource: modelArn, context })
 * // → { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'boundary' } }
 */
export function evaluate(set: PolicySet, request: AuthorizationRequest): EvaluationResult {
  const action = request.action.toLowerCase();

  const denies: StatementRef[] = [];
  for (const level of set.scps) matching(level.policies, 'Deny', request, action, denies);
  if (set.boundary) matching([set.boundary], 'Deny', request, action, denies);
  matching(set.identity, 'Deny', request, action, denies);
  const firstDeny = denies[0];
  if (firstDeny) {
    const { layer, target } = firstDeny.policy;
    return {
      decision: 'ExplicitlyDenied',
      statements: denies,
      blockedBy: target === undefined ? { layer } : { layer, target },
    };
  }

  const allows: StatementRef[] = [];
  for (const level of set.scps) {
    const before = allows.length;
    matching(level.policies, 'Allow', request, action, allows);
    if (allows.length === before) {
      return { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'scp', target: level.target } };
    }
  }
  const identityStart = allows.length;
  matching(set.identity, 'Allow', request, action, allows);
  if (allows.length === identityStart) {
    return { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'identity' } };
  }
  if (set.boundary) {
    const before = allows.length;
    matching([set.boundary], 'Allow', request, action, allows);
    if (allows.length === before) {
      return { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'boundary' } };
    }
  }
  // Identity statements first: they are what granted the access.
  const ordered = [...allows.slice(identityStart), ...allows.slice(0, identityStart)];
  return { decision: 'Allowed', statements: ordered };
}

function anyApplies(
  policies: readonly CompiledPolicy[],
  effect: 'Allow' | 'Deny',
  request: AuthorizationRequest,
  action: string,
) {
  for (const policy of policies) {
    for (const s of policy.statementsFor(action)) {
      if (s.effect === effect && statementApplies(s, request)) return true;
    }
  }
  return false;
}

/**
 * The decision alone, as `evaluate` would give it, without collecting
 * statements: for sweeps over millions of requests (the access matrix).
 */
export function decide(set: PolicySet, request: AuthorizationRequest): Decision {
  const action = request.action.toLowerCase();
  for (const level of set.scps) if (anyApplies(level.policies, 'Deny', request, action)) return 'ExplicitlyDenied';
  if (set.boundary && anyApplies([set.boundary], 'Deny', request, action)) return 'ExplicitlyDenied';
  if (anyApplies(set.identity, 'Deny', request, action)) return 'ExplicitlyDenied';
  for (const level of set.scps) if (!anyApplies(level.policies, 'Allow', request, action)) return 'ImplicitlyDenied';
  if (!anyApplies(set.identity, 'Allow', request, action)) return 'ImplicitlyDenied';
  if (set.boundary && !anyApplies([set.boundary], 'Allow', request, action)) return 'ImplicitlyDenied';
  return 'Allowed';
}
