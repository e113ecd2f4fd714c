import type { RouteDecision } from '../bedrock/decide.js';
import type { EvaluationResult, StatementRef } from '../iam/types.js';
import type { Explanation, ModelExplanation } from './explain.js';

/** The stable JSON forms of explanations (`explain --json`, `--batch`). Changing a field is a breaking change. */

export interface StatementJson {
  readonly layer: string;
  readonly policy: string;
  readonly policyName: string;
  readonly policyType: string;
  readonly target?: string;
  readonly statementIndex: number;
  readonly sid: string | null;
  readonly effect: string;
}

export function statementJson(s: StatementRef): StatementJson {
  const { policy } = s;
  return {
    layer: policy.layer,
    policy: policy.kind === 'inline' ? `${policy.id}/${policy.name}` : policy.id,
    policyName: policy.name,
    policyType: policy.kind,
    ...(policy.target === undefined ? {} : { target: policy.target }),
    statementIndex: s.index,
    sid: s.sid ?? null,
    effect: s.effect,
  };
}

function resultJson(r: EvaluationResult) {
  return {
    decision: r.decision,
    blockedBy: r.blockedBy ?? null,
    statements: r.statements.map(statementJson),
  };
}

export function explanationJson(e: Explanation) {
  return {
    principal: e.principal.arn,
    action: e.request.action,
    resource: e.request.resource,
    ...resultJson(e.result),
  };
}

function routeJson(d: RouteDecision) {
  return {
    id: d.route.id,
    kind: d.route.kind,
    apis: d.route.apis,
    via: d.route.via ?? null,
    allowed: d.allowed,
    unavailable: d.route.unavailable ?? null,
    failing: d.failing
      ? { action: d.failing.check.action, resource: d.failing.check.resource, ...resultJson(d.failing.result) }
      : null,
    checks: d.checks.map((c) => ({
      action: c.check.action,
      resource: c.check.resource,
      purpose: c.check.purpose,
      advisory: c.check.advisory === true,
      ...resultJson(c.result),
    })),
  };
}

export function modelExplanationJson(m: ModelExplanation) {
  return {
    principal: m.principal.arn,
    model: m.modelId,
    region: m.region,
    allowedRoutes: m.routes.filter((r) => r.allowed).map((r) => r.route.id),
    routes: m.routes.map(routeJson),
  };
}
