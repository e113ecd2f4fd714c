import { decideRoutes, type RouteDecision } from '../bedrock/decide.js';
import { bedrockRoutes, type Route } from '../bedrock/routes.js';
import { contextFrom, overlay, requestContext } from '../iam/context.js';
import { evaluate } from '../iam/evaluate.js';
import type { ContextValue, RequestContext } from '../iam/types.js';
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

/** The decisions shared by every principal with the same `decisionKey`. */
export interface AccessGroup {
  readonly principals: readonly Principal[];
  /** Route decisions per `model|region` cell. */
  readonly cells: ReadonlyMap<string, readonly RouteDecision[]>;
}

export const cellKey = (modelId: string, region: string) => `${modelId}|${region}`;

/**
 * Decide every route of every model in every Region for a set of principals.
 * Principals whose policies (and the principal facts those policies read) are
 * identical share one `decisionKey` and are decided once; routes and the
 * request part of each check's context are built once per cell.
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

  // Per cell and principal kind: the routes, and each check's principal-independent context.
  const cellRoutes = new Map<string, { routes: Route[]; contexts: Map<object, RequestContext> }>();
  const routesFor = (modelId: string, region: string, kind: PrincipalKind) => {
    const key = `${cellKey(modelId, region)}|${kind}`;
    let entry = cellRoutes.get(key);
    if (!entry) {
      const routes = bedrockRoutes(snapshot, { modelId, region, principalKind: kind });
      const contexts = new Map<object, RequestContext>();
      for (const route of routes) {
        for (const check of route.checks) {
          const request = requestContext(check.resource, now);
          for (const [k, v] of overrides) request.set(k, v);
          for (const [k, v] of Object.entries(check.context)) request.set(k, v);
          contexts.set(check, request);
        }
      }
      entry = { routes, contexts };
      cellRoutes.set(key, entry);
    }
    return entry;
  };

  const out: AccessGroup[] = [];
  for (const principals of groups.values()) {
    const representative = principals[0] as Principal;
    const base = principalContext(representative, snapshot.account);
    const cells = new Map<string, readonly RouteDecision[]>();
    for (const modelId of query.models) {
      for (const region of query.regions) {
        const { routes, contexts } = routesFor(modelId, region, representative.kind);
        const decided = decideRoutes(routes, (check) =>
          evaluate(representative.policies, {
            action: check.action,
            resource: check.resource,
            context: overlay(base, contexts.get(check) as RequestContext),
          }),
        );
        cells.set(cellKey(modelId, region), decided);
      }
    }
    out.push({ principals, cells });
  }
  return out;
}

/** Every model id the snapshot knows of: the catalogue's, and those named by inference profiles. */
export function catalogueModelIds(snapshot: Snapshot): string[] {
  const ids = new Set(snapshot.foundationModels.map((m) => m.modelId));
  return [...ids].sort();
}
