import type { Route } from '../bedrock/routes.js';
import { accessMatrix, cellKey } from '../access/matrix.js';
import type { DesiredState, Grants } from '../desired/grants.js';
import type { RuleId } from '../policy-file/types.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { routeFeature, routeKeyFeature } from './features.js';
import type { Scope } from './scope.js';

/** Why an allowed route breaks the file, as the rule that reports it. */
export type ExcessRule = Extract<RuleId, 'unapproved-model-access' | 'unapproved-feature' | 'long-term-api-keys'>;

export interface ExcessRoute {
  readonly route: Route;
  readonly rule: ExcessRule;
}

/** One model in one Region for a cohort: what IAM allows, and how that compares with the file. */
export interface CohortCell {
  readonly modelId: string;
  readonly region: string;
  /** Every route to the model in the Region. */
  readonly routes: readonly Route[];
  /** Routes IAM allows that the file grants. */
  readonly granted: readonly Route[];
  /** Routes IAM allows that the file does not grant. */
  readonly excess: readonly ExcessRoute[];
}

/** Principals with the same decisions (IAM) and the same grants (the file): judged once. */
export interface Cohort {
  readonly principals: readonly Principal[];
  readonly grants: Grants;
  readonly cells: readonly CohortCell[];
}

/** Whether the file grants a route of a model in a Region. */
export function routeGranted(grants: Grants, route: Route, modelId: string, region: string): boolean {
  if (!grants.allows(routeFeature(route.kind), modelId, region)) return false;
  const key = routeKeyFeature(route.kind);
  return key === undefined || grants.hasFeature(key);
}

function excessRule(grants: Grants, route: Route, modelId: string, region: string): ExcessRule {
  if (!grants.grantsModel(modelId, region)) return 'unapproved-model-access';
  return routeKeyFeature(route.kind) === 'long-term-api-keys' ? 'long-term-api-keys' : 'unapproved-feature';
}

/**
 * Every principal × model × Region × route that IAM allows, split into what
 * the file grants and what it doesn't. Routes the catalogue says can't serve
 * the model (not offered in the Region, or not on demand) are left out unless
 * no catalogue lists the model at all.
 */
export function analyseAccess(snapshot: Snapshot, desired: DesiredState, scope: Scope, now: Date): Cohort[] {
  const groups = accessMatrix(snapshot, { models: scope.models, regions: scope.regions, now });
  const cohorts: Cohort[] = [];
  for (const group of groups) {
    const byGrants = new Map<string, { grants: Grants; principals: Principal[] }>();
    for (const p of group.principals) {
      const grants = desired.grantsFor(p);
      const entry = byGrants.get(grants.key);
      if (entry) entry.principals.push(p);
      else byGrants.set(grants.key, { grants, principals: [p] });
    }
    for (const { grants, principals } of byGrants.values()) {
      const cells: CohortCell[] = [];
      for (const modelId of scope.models) {
        const counts = !scope.uncatalogued.has(modelId);
        for (const region of scope.regions) {
          const cell = group.cells.get(cellKey(modelId, region));
          if (!cell) continue;
          const granted: Route[] = [];
          const excess: ExcessRoute[] = [];
          for (const route of cell.allowed) {
            if (counts && route.unavailable) continue;
            if (routeGranted(grants, route, modelId, region)) granted.push(route);
            else excess.push({ route, rule: excessRule(grants, route, modelId, region) });
          }
          cells.push({ modelId, region, routes: cell.routes, granted, excess });
        }
      }
      cohorts.push({ principals, grants, cells });
    }
  }
  return cohorts;
}
