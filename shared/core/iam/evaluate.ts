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

/** A statement with the policy it belongs to. */
interface Candidate {
  readonly policy: CompiledPolicy;
  readonly statement: CompiledStatement;
}

/**
 * The statements of a policy set that can take part in one action's
 * decision, by layer and effect; built once per policy set and action, so a
 * request only tests resources and conditions.
 */
interface ActionPlan {
  /** Every Deny: SCP levels, then the boundary, then identity policies. */
  readonly denies: readonly Candidate[];
  readonly scpAllows: readonly { readonly target: string; readonly allows: readonly Candidate[] }[];
  readonly identityAllows: readonly Candidate[];
  /** `undefined` when the principal has no permissions boundary. */
  readonly boundaryAllows: readonly Candidate[] | undefined;
}

const plans = new WeakMap<PolicySet, Map<string, ActionPlan>>();

function candidates(policies: readonly CompiledPolicy[], action: string, effect: 'Allow' | 'Deny'): Candidate[] {
  const out: Candidate[] = [];
  for (const policy of policies) {
    for (const statement of policy.statementsFor(action))
      if (statement.effect === effect) out.push({ policy, statement });
  }
  return out;
}

function planFor(set: PolicySet, action: string): ActionPlan {
  let byAction = plans.get(set);
  if (!byAction) {
    byAction = new Map();
    plans.set(set, byAction);
  }
  let plan = byAction.get(action);
  if (!plan) {
    const boundary = set.boundary ? [set.boundary] : [];
    plan = {
      denies: [
        ...set.scps.flatMap((level) => candidates(level.policies, action, 'Deny')),
        ...candidates(boundary, action, 'Deny'),
        ...candidates(set.identity, action, 'Deny'),
      ],
      scpAllows: set.scps.map((level) => ({
        target: level.target,
        allows: candidates(level.policies, action, 'Allow'),
      })),
      identityAllows: candidates(set.identity, action, 'Allow'),
      boundaryAllows: set.boundary ? candidates(boundary, action, 'Allow') : undefined,
    };
    byAction.set(action, plan);
  }
  return plan;
}

function ref({ policy, statement }: Candidate): StatementRef {
  return { policy: policy.source, index: statement.index, sid: statement.sid, effect: statement.effect };
}

function collect(list: readonly Candidate[], request: AuthorizationRequest, out: StatementRef[]): void {
  for (const c of list) if (statementApplies(c.statement, request)) out.push(ref(c));
}

function anyApplies(list: readonly Candidate[], request: AuthorizationRequest): boolean {
  for (const c of list) if (statementApplies(c.statement, request)) return true;
  return false;
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
  const plan = planFor(set, request.action.toLowerCase());

  const denies: StatementRef[] = [];
  collect(plan.denies, request, denies);
  const firstDeny = denies[0];
  if (firstDeny) {
    const { layer, target } = firstDeny.policy;
    return {
      decision: 'ExplicitlyDenied',
      statements: denies,
      blockedBy: target === undefined ? { layer } : { layer, target },
    };
  }

  const scpAllows: StatementRef[] = [];
  for (const level of plan.scpAllows) {
    const before = scpAllows.length;
    collect(level.allows, request, scpAllows);
    if (scpAllows.length === before) {
      return { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'scp', target: level.target } };
    }
  }
  // Identity statements first: they are what granted the access.
  const allows: StatementRef[] = [];
  collect(plan.identityAllows, request, allows);
  if (allows.length === 0) {
    return { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'identity' } };
  }
  if (plan.boundaryAllows) {
    const before = allows.length;
    collect(plan.boundaryAllows, request, allows);
    if (allows.length === before) {
      return { decision: 'ImplicitlyDenied', statements: [], blockedBy: { layer: 'boundary' } };
    }
  }
  for (const s of scpAllows) allows.push(s);
  return { decision: 'Allowed', statements: allows };
}

/**
 * The decision alone, as `evaluate` would give it, without collecting
 * statements: for sweeps over millions of requests (the access matrix).
 */
export function decide(set: PolicySet, request: AuthorizationRequest): Decision {
  const plan = planFor(set, request.action.toLowerCase());
  if (anyApplies(plan.denies, request)) return 'ExplicitlyDenied';
  for (const level of plan.scpAllows) if (!anyApplies(level.allows, request)) return 'ImplicitlyDenied';
  if (!anyApplies(plan.identityAllows, request)) return 'ImplicitlyDenied';
  if (plan.boundaryAllows && !anyApplies(plan.boundaryAllows, request)) return 'ImplicitlyDenied';
  return 'Allowed';
}
