import type { Cohort } from '../reconcile/access.js';
import { type DenyStatement, one, sorted } from './deny-document.js';

const MANTLE = 'bedrock-mantle:CreateInference';

/** bedrock-mantle is authorised on the project with the model as a condition key: one statement per set of Regions. */
export function mantleDenyList(items: readonly { modelId: string; region: string }[], cohort: Cohort): DenyStatement[] {
  const allRegions = sorted(cohort.cells.map((c) => c.region));
  const regionsByModel = new Map<string, Set<string>>();
  for (const { modelId, region } of items) {
    const set = regionsByModel.get(modelId) ?? new Set<string>();
    set.add(region);
    regionsByModel.set(modelId, set);
  }
  const byRegions = new Map<string, string[]>();
  for (const [modelId, regions] of regionsByModel) {
    const everywhere = !cohort.grants.allowsAnywhere('invoke', modelId);
    const key = everywhere ? '*' : sorted(regions).join(',');
    byRegions.set(key, [...(byRegions.get(key) ?? []), modelId]);
  }
  return [...byRegions.entries()].map(([regions, models], i) => ({
    Sid: `BedrockGuardUnapprovedMantle${i === 0 ? '' : i + 1}`,
    Effect: 'Deny' as const,
    Action: MANTLE,
    Resource: '*',
    Condition: {
      StringEquals: {
        'bedrock-mantle:Model': one(sorted(models)),
        ...(regions === '*' || regions === allRegions.join(',')
          ? {}
          : { 'aws:RequestedRegion': one(regions.split(',')) }),
      },
    },
  }));
}

/**
 * The allow-list form for bedrock-mantle: in each set of Regions with the same
 * granted models, deny every other model; everywhere else, deny it all.
 */
export function mantleAllowList(cohort: Cohort): DenyStatement[] {
  const invoke = cohort.grants.grants.filter((g) => g.features.has('invoke'));
  const sid = (i: number) => `BedrockGuardUnapprovedMantle${i === 0 ? '' : i + 1}`;
  if (invoke.length === 0) return [{ Sid: sid(0), Effect: 'Deny', Action: MANTLE, Resource: '*' }];
  const globsByRegion = new Map<string, string[]>();
  for (const g of invoke)
    for (const r of g.regions) globsByRegion.set(r, [...(globsByRegion.get(r) ?? []), ...g.models]);
  const regionsByGlobs = new Map<string, string[]>();
  for (const [region, globs] of globsByRegion) {
    const key = sorted(globs).join(',');
    regionsByGlobs.set(key, [...(regionsByGlobs.get(key) ?? []), region]);
  }
  const statements: DenyStatement[] = [...regionsByGlobs.entries()].map(([globs, regions], i) => ({
    Sid: sid(i),
    Effect: 'Deny',
    Action: MANTLE,
    Resource: '*',
    Condition: {
      StringNotLike: { 'bedrock-mantle:Model': one(globs.split(',')) },
      StringEquals: { 'aws:RequestedRegion': one(sorted(regions)) },
    },
  }));
  statements.push({
    Sid: sid(statements.length),
    Effect: 'Deny',
    Action: MANTLE,
    Resource: '*',
    Condition: { StringNotEquals: { 'aws:RequestedRegion': one(sorted(globsByRegion.keys())) } },
  });
  return statements;
}
