import { decideRoutes, type RouteDecision } from '../bedrock/decide.js';
import { bedrockRoutes } from '../bedrock/routes.js';
import { contextFrom, mergeContexts, requestContext } from '../iam/context.js';
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
  readonly now?: Date;
}

export interface Explanation {
  readonly principal: Principal;
  readonly request: AuthorizationRequest;
  readonly result: EvaluationResult;
}

function baseContext(snapshot: Snapshot, principal: Principal, sessionName: string | undefined) {
  const ctx = principalContext(principal, snapshot.account);
  if (sessionName && principal.kind === 'role') ctx.set('aws:userid', `${principal.id}:${sessionName}`);
  return ctx;
}

/**
 * Why may (or may not) a principal do an action on a resource? The request
 * context is derived from the snapshot (principal ARN, account, type, tags,
 * user name; Region from the resource ARN; the current time) and the
 * caller's `context` overrides any of it.
 */
export function explainRequest(snapshot: Snapshot, input: ExplainInput): Explanation {
  const { principal, sessionName } = resolvePrincipal(snapshot, input.principal);
  const context = mergeContexts(
    baseContext(snapshot, principal, sessionName),
    requestContext(input.resource, input.now ?? new Date()),
    contextFrom(input.context ?? {}),
  );
  const request = { action: input.action, resource: input.resource, context };
  return { principal, request, result: evaluate(principal.policies, request) };
}

export interface ModelExplainInput {
  readonly principal: string;
  readonly modelId: string;
  readonly region: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
  readonly now?: Date;
}

export interface ModelExplanation {
  readonly principal: Principal;
  readonly modelId: string;
  readonly region: string;
  readonly routes: readonly RouteDecision[];
}

/** Can a principal use a model in a Region, and by which routes? Each route names its failing check. */
export function explainModel(snapshot: Snapshot, input: ModelExplainInput): ModelExplanation {
  const { principal, sessionName } = resolvePrincipal(snapshot, input.principal);
  const now = input.now ?? new Date();
  const base = baseContext(snapshot, principal, sessionName);
  const overrides = contextFrom(input.context ?? {});
  const routes = bedrockRoutes(snapshot, {
    modelId: input.modelId,
    region: input.region,
    principalKind: principal.kind,
  });
  const decided = decideRoutes(routes, (check) => {
    const context = mergeContexts(base, requestContext(check.resource, now), overrides, contextFrom(check.context));
    return evaluate(principal.policies, { action: check.action, resource: check.resource, context });
  });
  return { principal, modelId: input.modelId, region: input.region, routes: decided };
}
