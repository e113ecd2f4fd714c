import { groupBy } from '../group-by.js';
import type { Cohort } from '../reconcile/access.js';
import { type DenyStatement, one, sorted } from './deny-document.js';

const MANTLE = 'bedrock-mantle:CreateInference';
const sid = (i: number) => `BedrockGuardUnapprovedMantle${i === 0 ? '' : i + 1}`;

/** bedrock-mantle is authorised on the project with the model as a condition key: one statement per set of Regions. */
export function mantleDenyList(items: readonly { modelId: string; region: string }[], cohort: Cohort): DenyStatement[] {
  const allRegions = sorted(cohort.cells.map((c) => c.region)).join(',');
  const models = [...groupBy(items, (i) => i.modelId)].map(([modelId, own]) => ({
    modelId,
    // A model granted nowhere is denied in every Region, including ones the snapshot doesn't cover.
    regions: cohort.grants.allowsAnywhere('invoke', modelId) ? sorted(own.map((i) => i.region)).join(',') : '*',
  }));
  return [...groupBy(models, (m) => m.regions)].map(([regions, same], i) => ({
    Sid: sid(i),
    Effect: 'Deny' as const,
    Action: MANTLE,
    Resource: '*',
    Condition: {
      StringEquals: {
        'bedrock-mantle:Model': one(sorted(same.map((m) => m.modelId))),
        ...(regions === '*' || regions === allRegions ? {} : { 'aws:RequestedRegion': one(regions.split(',')) }),
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
  if (invoke.length === 0) return [{ Sid: sid(0), Effect: 'Deny', Action: MANTLE, Resource: '*' }];
  const grantsByRegion = groupBy(
    invoke.flatMap((g) => [...g.regions].map((region) => ({ region, models: g.models }))),
    (x) => x.region,
  );
  const regions = [...grantsByRegion].map(([region, own]) => ({
    region,
    globs: sorted(own.flatMap((x) => x.models)).join(','),
  }));
  const statements: DenyStatement[] = [...groupBy(regions, (r) => r.globs)].map(([globs, same], i) => ({
    Sid: sid(i),
    Effect: 'Deny',
    Action: MANTLE,
    Resource: '*',
    Condition: {
      StringNotLike: { 'bedrock-mantle:Model': one(globs.split(',')) },
      StringEquals: { 'aws:RequestedRegion': one(sorted(same.map((r) => r.region))) },
    },
  }));
  statements.push({
    Sid: sid(statements.length),
    Effect: 'Deny',
    Action: MANTLE,
    Resource: '*',
    Condition: { StringNotEquals: { 'aws:RequestedRegion': one(sorted(grantsByRegion.keys())) } },
  });
  return statements;
}
