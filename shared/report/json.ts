import { statementJson } from '../core/explain/json.js';
import type { Plan } from '../core/plan/types.js';
import type { Finding } from '../core/reconcile/types.js';

/** The stable JSON form of a plan (`plan --json`). Changing a field is a breaking change. */

export function findingJson(f: Finding) {
  return {
    rule: f.rule,
    severity: f.severity,
    mode: f.mode,
    status: f.status,
    principal: f.principal,
    principalKind: f.principalKind,
    model: f.model ?? null,
    region: f.region ?? null,
    ...(f.regions ? { regions: f.regions } : {}),
    route: f.route ?? null,
    ...(f.routes ? { routes: f.routes } : {}),
    resources: f.resources,
    message: f.message,
    evidence: f.evidence.map(statementJson),
    remediation: f.remediation,
    ...(f.exemptReason ? { exemptReason: f.exemptReason } : {}),
    ...(f.position ? { policyFileLine: f.position.line } : {}),
  };
}

/** Counts by status, severity, rule and action type, for dashboards and the report header. */
export function planSummary(plan: Plan) {
  const count = <T extends string>(values: readonly T[]) => {
    const out: Partial<Record<T, number>> = {};
    for (const v of values) out[v] = (out[v] ?? 0) + 1;
    return out;
  };
  const principals = new Set(plan.findings.filter((f) => f.status === 'open').map((f) => f.principal));
  return {
    findings: plan.findings.length,
    byStatus: count(plan.findings.map((f) => f.status)),
    openBySeverity: count(plan.findings.filter((f) => f.status === 'open').map((f) => f.severity)),
    byRule: count(plan.findings.map((f) => f.rule)),
    principalsWithOpenFindings: principals.size,
    actions: count(plan.actions.map((a) => (a.type === 'put-deny' ? `${a.type}:${a.change}` : a.type))),
  };
}

export function planJson(plan: Plan) {
  return {
    account: plan.account,
    partition: plan.partition,
    generatedAt: plan.generatedAt,
    policyFile: plan.policyFile,
    drift: plan.drift,
    summary: planSummary(plan),
    findings: plan.findings.map(findingJson),
    actions: plan.actions,
    selfCheck: plan.selfCheck,
    warnings: plan.warnings,
    matrix: plan.matrix,
  };
}
