import { LayeredContext, requestContext } from '../iam/context.js';
import { evaluate, type PolicySet } from '../iam/evaluate.js';
import type { ContextValue, EvaluationResult } from '../iam/types.js';
import { principalContext } from '../snapshot/principal-context.js';
import type { Principal, Snapshot } from '../snapshot/types.js';

/** A request a rule asks about: the action, the resource, and keys the request itself sets (lower-case). */
export interface ProbeRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
  /** Equal for equal requests; route checks carry one already. */
  readonly key?: string;
}

/**
 * Evaluates the requests rules ask about, with statements, once per distinct
 * principal (`decisionKey`) and request: every principal of a group gets the
 * same answer, so a sweep costs what the distinct policy sets cost.
 */
export class Prober {
  private readonly results = new Map<string, Map<string, EvaluationResult>>();
  private readonly facts = new Map<string, Map<string, ContextValue>>();
  private readonly resources = new Map<string, Map<string, ContextValue>>();
  private readonly identityOnly = new WeakMap<PolicySet, PolicySet>();

  constructor(
    private readonly snapshot: Snapshot,
    private readonly now: Date,
  ) {}

  evaluate(principal: Principal, request: ProbeRequest): EvaluationResult {
    return this.run(principal.decisionKey, principal.policies, principal, request);
  }

  /**
   * The request judged on the principal's identity policies alone: what they
   * lack shows even where an SCP or the boundary blocks first.
   */
  evaluateIdentity(principal: Principal, request: ProbeRequest): EvaluationResult {
    let set = this.identityOnly.get(principal.policies);
    if (!set) {
      set = { identity: principal.policies.identity, boundary: undefined, scps: [] };
      this.identityOnly.set(principal.policies, set);
    }
    return this.run(`identity|${principal.decisionKey}`, set, principal, request);
  }

  /** Evaluate `policies` for the principal's facts, remembered under `cacheKey` and the request. */
  private run(cacheKey: string, policies: PolicySet, principal: Principal, request: ProbeRequest): EvaluationResult {
    let results = this.results.get(cacheKey);
    if (!results) {
      results = new Map();
      this.results.set(cacheKey, results);
    }
    const key =
      request.key ??
      `${request.action}|${request.resource}|${Object.entries(request.context ?? {})
        .sort()
        .join(';')}`;
    let result = results.get(key);
    if (!result) {
      const layers = [this.factsOf(principal), this.resourceContext(request.resource)];
      if (request.context) layers.push(new Map(Object.entries(request.context)));
      result = evaluate(policies, {
        action: request.action,
        resource: request.resource,
        context: new LayeredContext(layers),
      });
      results.set(key, result);
    }
    return result;
  }

  allows(principal: Principal, request: ProbeRequest): boolean {
    return this.evaluate(principal, request).decision === 'Allowed';
  }

  /** Whether every deciding check of a route is allowed. */
  allowsRoute(principal: Principal, route: { readonly checks: readonly (ProbeRequest & { advisory?: true })[] }) {
    return route.checks.every((check) => check.advisory === true || this.allows(principal, check));
  }

  private factsOf(principal: Principal): Map<string, ContextValue> {
    let facts = this.facts.get(principal.decisionKey);
    if (!facts) {
      facts = principalContext(principal, this.snapshot.account);
      this.facts.set(principal.decisionKey, facts);
    }
    return facts;
  }

  private resourceContext(resource: string): Map<string, ContextValue> {
    let ctx = this.resources.get(resource);
    if (!ctx) {
      ctx = requestContext(resource, this.now);
      this.resources.set(resource, ctx);
    }
    return ctx;
  }
}
