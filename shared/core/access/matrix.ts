import { bedrockRoutes, type Route, type RouteCheck } from '../bedrock/routes.js';
import { contextFrom, LayeredContext, requestContext } from '../iam/context.js';
import { decide } from '../iam/evaluate.js';
import type { ContextValue } from '../iam/types.js';
import { principalContext } from '../snapshot/principal-context.js';
import type { Principal, PrincipalKind, Snapshot } from '../snapshot/types.js';

export interface MatrixQuery {
  readonly models: readonly string[];
  readonly regions: readonly string[];
  /** Principals to decide for; every principal in the snapshot by default. */
  readonly principals?: readonly Principal[];
  readonly context?: Readonly<Record<string, ContextValue>>;
  readonly now?: Date;
}

/** One model in one Region for a group of principals: the routes IAM lets them take. */
export interface AccessCell {
  readonly modelId: string;
  readonly region: string;
  /** Every route to the model (the denominator). */
  readonly routes: readonly Route[];
  readonly allowed: readonly Route[];
}

/** The access shared by every principal with the same `decisionKey`. */
export interface AccessGroup {
  readonly principals: readonly Principal[];
  /** By `cellKey(modelId, region)`. */
  readonly cells: ReadonlyMap<string, AccessCell>;
}

export const cellKey = (modelId: string, region: string) => `${modelId}|${region}`;

interface CellPlan {
  readonly routes: Route[];
  /** Per route, the ids of its deciding checks. */
  readonly routeChecks: number[][];
  /** The ids of the cell's distinct deciding checks. */
  readonly checkIds: number[];
}

interface PlannedCheck {
  readonly check: RouteCheck;
  /** The principal-independent part of the request context. */
  readonly context: Map<string, ContextValue>;
}

/**
 * Decide every route of every model in every Region for a set of principals.
 *
 * Costs stay proportional to what differs: principals with the same
 * `decisionKey` are decided once; a cell's routes and each check's request
 * context are built once per principal kind; and a check shared by several
 * routes or cells (the same action, resource and context, such as the
 * bearer-token check) is decided once per group. Only decisions are kept;
 * `explainModel` gives the statements for any cell on demand.
 */
export function accessMatrix(snapshot: Snapshot, query: MatrixQuery): AccessGroup[] {
  const now = query.now ?? new Date();
  const overrides = contextFrom(query.context ?? {});
  const groups = new Map<string, Principal[]>();
  for (const p of query.principals ?? snapshot.principals) {
    const list = groups.get(p.decisionKey);
    if (list) list.push(p);
    else groups.set(p.decisionKey, [p]);
  }

  // Every distinct check gets a small integer id, so per-group decisions live in a flat array.
  const checks: PlannedCheck[] = [];
  const checkIds = new Map<string, number>();
  const idOf = (check: RouteCheck): number => {
    let id = checkIds.get(check.key);
    if (id === undefined) {
      id = checks.length;
      const context = requestContext(check.resource, now);
      for (const [k, v] of overrides) context.set(k, v);
      for (const [k, v] of Object.entries(check.context)) context.set(k, v);
      checks.push({ check, context });
      checkIds.set(check.key, id);
    }
    return id;
  };
  const plans = new Map<string, CellPlan>();
  const planFor = (modelId: string, region: string, kind: PrincipalKind): CellPlan => {
    const key = `${cellKey(modelId, region)}|${kind}`;
    let plan = plans.get(key);
    if (!plan) {
      const routes = bedrockRoutes(snapshot, { modelId, region, principalKind: kind });
      const routeChecks = routes.map((r) => r.checks.filter((c) => !c.advisory).map(idOf));
      plan = { routes, routeChecks, checkIds: [...new Set(routeChecks.flat())] };
      plans.set(key, plan);
    }
    return plan;
  };
  const cellPlans = query.models.flatMap((modelId) =>
    query.regions.map((region) => ({ modelId, region, key: cellKey(modelId, region) })),
  );

  const out: AccessGroup[] = [];
  // Plan every cell first so that the number of distinct checks is known.
  const kinds = new Set([...groups.values()].map((g) => (g[0] as Principal).kind));
  for (const kind of kinds) for (const c of cellPlans) planFor(c.modelId, c.region, kind);

  const UNKNOWN = 2;
  for (const principals of groups.values()) {
    const representative = principals[0] as Principal;
    const base = principalContext(representative, snapshot.account);
    const verdicts = new Uint8Array(checks.length).fill(UNKNOWN);
    const cells = new Map<string, AccessCell>();
    for (const { modelId, region, key } of cellPlans) {
      const plan = planFor(modelId, region, representative.kind);
      for (const id of plan.checkIds) {
        if (verdicts[id] !== UNKNOWN) continue;
        const { check, context } = checks[id] as PlannedCheck;
        const request = {
          action: check.action,
          resource: check.resource,
          context: new LayeredContext([base, context]),
        };
        verdicts[id] = decide(representative.policies, request) === 'Allowed' ? 1 : 0;
      }
      const allowed = plan.routes.filter((_, i) => (plan.routeChecks[i] as number[]).every((id) => verdicts[id] === 1));
      cells.set(key, { modelId, region, routes: plan.routes, allowed });
    }
    out.push({ principals, cells });
  }
  return out;
}
