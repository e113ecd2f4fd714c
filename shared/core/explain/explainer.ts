import { contextFrom, LayeredContext, requestContext } from '../iam/context.js';
import { evaluate } from '../iam/evaluate.js';
import type { AuthorizationRequest, ContextValue, EvaluationResult } from '../iam/types.js';
import { principalContext } from '../snapshot/principal-context.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { resolvePrincipal } from './resolve-principal.js';

export interface ExplainInput {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Caller overrides; they win over everything derived. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export interface Explanation {
  readonly principal: Principal;
  readonly request: AuthorizationRequest & { readonly context: LayeredContext };
  readonly result: EvaluationResult;
}

/** Request-derived contexts kept per resource; bounded for batches of many distinct ARNs. */
const RESOURCE_CONTEXTS_LIMIT = 10_000;

/**
 * Explains requests against one snapshot at one instant. Each principal's
 * facts and each resource's derived keys are built once and layered (never
 * copied) under the overrides, so a batch of many requests costs little more
 * than its evaluations.
 */
export class Explainer {
  private readonly principals = new Map<string, { principal: Principal; facts: Map<string, ContextValue> }>();
  private readonly resources = new Map<string, Map<string, ContextValue>>();
  private readonly overrides: Map<string, ContextValue>;

  constructor(
    private readonly snapshot: Snapshot,
    private readonly now: Date = new Date(),
    overrides: Readonly<Record<string, ContextValue>> = {},
  ) {
    this.overrides = contextFrom(overrides);
  }

  /**
   * Why may (or may not) a principal do an action on a resource? The context
   * is derived from the snapshot (principal ARN, account, type, tags, user
   * name; Region from the resource ARN; the current time), then the
   * explainer's overrides, then the request's own `context`.
   */
  explain(input: ExplainInput): Explanation {
    const { principal, facts } = this.principalFacts(input.principal);
    const layers = [facts, this.resourceContext(input.resource), this.overrides];
    if (input.context) layers.push(contextFrom(input.context));
    const request = { action: input.action, resource: input.resource, context: new LayeredContext(layers) };
    return { principal, request, result: evaluate(principal.policies, request) };
  }

  /** A principal's request-context facts; an assumed-role session ARN sets `aws:userid`'s session. */
  principalFacts(arn: string): { principal: Principal; facts: Map<string, ContextValue> } {
    let entry = this.principals.get(arn);
    if (!entry) {
      const { principal, sessionName } = resolvePrincipal(this.snapshot, arn);
      const facts = principalContext(principal, this.snapshot.account);
      if (sessionName && principal.kind === 'role') facts.set('aws:userid', `${principal.id}:${sessionName}`);
      entry = { principal, facts };
      this.principals.set(arn, entry);
    }
    return entry;
  }

  private resourceContext(resource: string): Map<string, ContextValue> {
    let ctx = this.resources.get(resource);
    if (!ctx) {
      if (this.resources.size >= RESOURCE_CONTEXTS_LIMIT) this.resources.clear();
      ctx = requestContext(resource, this.now);
      this.resources.set(resource, ctx);
    }
    return ctx;
  }
}
