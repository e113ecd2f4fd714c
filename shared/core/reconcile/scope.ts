import { modelIdOf } from '../bedrock/arns.js';
import type { Snapshot } from '../snapshot/types.js';

/** The models and Regions a reconcile sweeps. */
export interface Scope {
  /** Catalogue models first, then models only named in policies, each sorted. */
  readonly models: readonly string[];
  /** Models no catalogue lists: every route to them counts, since the catalogue can't vouch either way. */
  readonly uncatalogued: ReadonlySet<string>;
  readonly regions: readonly string[];
}

/**
 * Every model the account could reach: the Bedrock catalogue of each Region,
 * plus models that IAM policies name by ARN (a policy may grant a model the
 * captured catalogue doesn't list, e.g. one the catalogue of a Region left out).
 */
export function sweepScope(snapshot: Snapshot): Scope {
  const catalogued = new Set(snapshot.foundationModels.map((m) => m.modelId));
  const named = new Set<string>();
  const seen = new Set<object>();
  const visit = (statements: readonly { raw: Readonly<Record<string, unknown>> }[]) => {
    for (const s of statements) {
      if (seen.has(s.raw)) continue;
      seen.add(s.raw);
      for (const key of ['Resource', 'NotResource']) {
        const value = s.raw[key];
        for (const arn of Array.isArray(value) ? value : [value]) {
          if (typeof arn !== 'string' || /[*?$]/.test(arn)) continue;
          const id = modelIdOf(arn);
          if (id && !catalogued.has(id)) named.add(id);
        }
      }
    }
  };
  for (const p of snapshot.principals) {
    for (const policy of p.policies.identity) visit(policy.statements);
    if (p.policies.boundary) visit(p.policies.boundary.statements);
  }
  return {
    models: [...[...catalogued].sort(), ...[...named].sort()],
    uncatalogued: named,
    regions: snapshot.account.regions,
  };
}
