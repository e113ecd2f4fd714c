import type { Route } from '../../bedrock/routes.js';
import type { StatementRef } from '../../iam/types.js';
import { allowingStatements, type FindingFields, makeFinding, type Rule, type RuleContext } from '../rule.js';
import type { Finding } from '../types.js';

interface Fold {
  readonly regions: string[];
  readonly routes: string[];
  readonly kinds: Set<string>;
  readonly resources: Set<string>;
  readonly evidence: Map<string, StatementRef>;
}

/**
 * Findings for every allowed route the file does not grant, attributed to
 * `rule` (the model isn't granted, a feature isn't, or it is a long-term API
 * key). Every principal × model × Region × route counts; they are folded into
 * one finding per principal and model (its Regions, routes, checked ARNs and
 * granting statements), computed once per cohort and shared by its principals.
 */
export function routeExcessFindings(
  ctx: RuleContext,
  rule: Rule,
  describe: (modelId: string, regions: readonly string[]) => { why: string; remediation: string },
): Finding[] {
  const findings: Finding[] = [];
  for (const cohort of ctx.cohorts) {
    const representative = cohort.principals[0];
    if (!representative) continue;
    const folds = new Map<string, Fold>();
    for (const cell of cohort.cells) {
      for (const { route, rule: id } of cell.excess) {
        if (id !== rule.id) continue;
        let fold = folds.get(cell.modelId);
        if (!fold) {
          fold = { regions: [], routes: [], kinds: new Set(), resources: new Set(), evidence: new Map() };
          folds.set(cell.modelId, fold);
        }
        addRoute(ctx, fold, cell.region, route, representative);
      }
    }
    for (const [modelId, fold] of folds) {
      const { why, remediation } = describe(modelId, fold.regions);
      const kinds = [...fold.kinds].join(', ');
      const fields: FindingFields = {
        model: modelId,
        regions: fold.regions,
        route: kinds,
        routes: fold.routes,
        resources: [...fold.resources],
        message: `can use ${modelId} in ${fold.regions.join(', ')} through ${kinds}; ${why}`,
        evidence: [...fold.evidence.values()],
        remediation,
      };
      for (const principal of cohort.principals)
        findings.push(makeFinding(ctx, rule, principal, cohort.grants, fields));
    }
  }
  return findings;
}

function addRoute(
  ctx: RuleContext,
  fold: Fold,
  region: string,
  route: Route,
  representative: Parameters<typeof allowingStatements>[1],
) {
  if (!fold.regions.includes(region)) fold.regions.push(region);
  fold.routes.push(`${route.id}@${region}`);
  fold.kinds.add(route.kind);
  for (const c of route.checks) if (!c.advisory) fold.resources.add(c.resource);
  for (const s of allowingStatements(ctx, representative, route.checks)) {
    fold.evidence.set(`${s.policy.id}|${s.policy.name}|${s.index}`, s);
  }
}
