import { modelIdOf } from '../bedrock/arns.js';
import type { Route } from '../bedrock/routes.js';
import type { Grant, Grants } from '../desired/grants.js';
import type { Feature, RuleId } from '../policy-file/types.js';
import type { Cohort } from '../reconcile/access.js';
import { ACCOUNT_FEATURES, BEDROCK_CREDENTIAL_SERVICE } from '../reconcile/features.js';
import type { Finding } from '../reconcile/types.js';
import type { InferenceProfile } from '../snapshot/types.js';
import { documentSize } from './guard-owned.js';

export interface DenyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface DenyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly DenyStatement[];
}

export interface SynthesizedDeny {
  readonly document: DenyDocument;
  readonly rules: readonly RuleId[];
}

export interface DenyInput {
  readonly cohort: Cohort;
  /** Containable rules the file enforces. */
  readonly enforce: ReadonlySet<RuleId>;
  readonly partition: string;
  readonly account: string;
  /** The catalogue's inference profiles, for the allow-list of application profiles. */
  readonly profiles: readonly InferenceProfile[];
  /** The enforce-mode findings of one principal of the cohort (they are the same for all). */
  readonly findings: readonly Finding[];
}

const INVOKE = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
const DIRECT_KINDS = new Set(['invoke', 'invoke-stream', 'async', 'api-key', 'api-key-long-term']);
const PROFILE_KINDS = new Set(['cross-region-profile', 'global-profile', 'application-profile']);
/** Direct calls only: a call through an inference profile carries bedrock:InferenceProfileArn. */
const DIRECT_ONLY = { Null: { 'bedrock:InferenceProfileArn': 'true' } };

const one = <T>(list: readonly T[]): T | readonly T[] => (list.length === 1 ? (list[0] as T) : list);
const sorted = (set: Iterable<string>): string[] => [...new Set(set)].sort();

/**
 * The guard's deny for one cohort: the smallest readable policy that removes
 * exactly the enforced excess and nothing the file grants. Each family of
 * routes gets one statement; where a family has both forms, the shorter of a
 * deny-list (`Resource`: the excess ARNs) and an allow-list (`NotResource`:
 * what the file grants) wins. An allow-list also covers models the account
 * can't reach yet, so it is used only when every rule it stands for is enforced.
 */
export function synthesizeDeny(input: DenyInput): SynthesizedDeny | undefined {
  const { cohort, enforce, partition, account } = input;
  const { grants } = cohort;
  const fm = (region: string, model: string) => `arn:${partition}:bedrock:${region}::foundation-model/${model}`;
  const accountScoped = `arn:${partition}:bedrock:*:${account}:*`;
  const rules = new Set<RuleId>();
  const statements: DenyStatement[] = [];

  const excess: { route: Route; modelId: string; region: string }[] = [];
  for (const cell of cohort.cells) {
    for (const e of cell.excess) {
      if (!enforce.has(e.rule)) continue;
      rules.add(e.rule);
      excess.push({ route: e.route, modelId: cell.modelId, region: cell.region });
    }
  }
  const allowListOk = enforce.has('unapproved-model-access') && enforce.has('unapproved-feature');

  // A model family's deny-list: the whole model where the feature is granted nowhere, else each Region.
  const denyList = (feature: Feature, items: readonly { modelId: string; region: string }[]) =>
    sorted(
      items.map(({ modelId, region }) =>
        grantedAnywhere(grants, feature, modelId, cohort) ? fm(region, modelId) : fm('*', modelId),
      ),
    );
  // The allow-list: every granted model ARN; factored into models × Regions when the grants are that shape.
  const allowList = (feature: Feature, head: Omit<DenyStatement, 'Resource' | 'NotResource'>): DenyStatement[] => {
    const granted = grants.grants.filter((g) => g.features.has(feature));
    if (granted.length === 0) return [{ ...head, Resource: fm('*', '*') }];
    const shape = productOf(granted);
    if (!shape) {
      const arns = granted.flatMap((g) => [...g.regions].flatMap((r) => g.models.map((m) => fm(r, m))));
      return [{ ...head, NotResource: [...sorted(arns), accountScoped] }];
    }
    return [
      { ...head, NotResource: [...shape.models.map((m) => fm('*', m)), accountScoped] },
      {
        ...head,
        Sid: `${head.Sid}Regions`,
        Resource: fm('*', '*'),
        Condition: { ...head.Condition, StringNotEquals: { 'aws:RequestedRegion': one(shape.regions) } },
      },
    ];
  };
  const pushSmaller = (byDeny: DenyStatement[], byAllow: DenyStatement[] | undefined) =>
    statements.push(...(byAllow && allowListOk && documentSize(byAllow) < documentSize(byDeny) ? byAllow : byDeny));
  const modelFamily = (
    sid: string,
    actions: readonly string[],
    feature: Feature,
    kinds: Set<string>,
    direct: boolean,
  ) => {
    const items = excess.filter((e) => kinds.has(e.route.kind) && !grants.allows(feature, e.modelId, e.region));
    if (items.length === 0) return;
    const head = {
      Sid: sid,
      Effect: 'Deny' as const,
      Action: one(actions),
      ...(direct ? { Condition: DIRECT_ONLY } : {}),
    };
    pushSmaller([{ ...head, Resource: one(denyList(feature, items)) }], allowList(feature, head));
  };

  modelFamily('BedrockGuardUnapprovedModels', INVOKE, 'invoke', DIRECT_KINDS, true);
  const profiles = excess.filter((e) => PROFILE_KINDS.has(e.route.kind) && e.route.via);
  if (profiles.length > 0) {
    const arns = profiles.map(({ route, modelId }) =>
      route.kind !== 'application-profile' && !grantedAnywhere(grants, 'invoke', modelId, cohort)
        ? `arn:${partition}:bedrock:*:${account}:inference-profile/*.${modelId}`
        : (route.via as string),
    );
    const head = { Sid: 'BedrockGuardUnapprovedProfiles', Effect: 'Deny' as const, Action: INVOKE };
    pushSmaller([{ ...head, Resource: one(sorted(arns)) }], profileAllowList(input, head));
  }
  modelFamily('BedrockGuardUnapprovedBatch', ['bedrock:CreateModelInvocationJob'], 'batch', new Set(['batch']), false);
  const provisioned = excess.filter((e) => e.route.kind === 'provisioned' && e.route.via);
  if (provisioned.length > 0) {
    const arns = grants.hasFeature('provisioned-throughput')
      ? sorted(provisioned.map((e) => e.route.via as string))
      : [`arn:${partition}:bedrock:*:${account}:provisioned-model/*`];
    statements.push({ Sid: 'BedrockGuardUnapprovedProvisioned', Effect: 'Deny', Action: INVOKE, Resource: one(arns) });
  }
  const mantle = excess.filter((e) => e.route.kind === 'mantle');
  if (mantle.length > 0) {
    const byDeny = mantleDenyList(mantle, cohort);
    const byAllow = allowListOk ? mantleAllowList(cohort) : byDeny;
    statements.push(...(documentSize(byAllow) < documentSize(byDeny) ? byAllow : byDeny));
  }

  const keyRoutes = excess.filter((e) => grants.allows('invoke', e.modelId, e.region));
  for (const [kind, service] of [
    ['api-key', 'bedrock'],
    ['mantle-api-key', 'bedrock-mantle'],
  ] as const) {
    if (!keyRoutes.some((e) => e.route.kind === kind)) continue;
    statements.push({
      Sid: `BedrockGuardShortTermApiKeys${service === 'bedrock' ? '' : 'Mantle'}`,
      Effect: 'Deny',
      Action: `${service}:CallWithBearerToken`,
      Resource: '*',
      Condition: { StringEquals: { [`${service}:BearerTokenType`]: 'SHORT_TERM' } },
    });
  }

  const longTerm =
    keyRoutes.some((e) => e.route.kind === 'api-key-long-term') ||
    input.findings.some((f) => f.rule === 'long-term-api-keys' && f.route === 'create-service-specific-credential');
  if (longTerm && enforce.has('long-term-api-keys')) {
    rules.add('long-term-api-keys');
    statements.push(
      {
        Sid: 'BedrockGuardLongTermApiKeyCreation',
        Effect: 'Deny',
        Action: 'iam:CreateServiceSpecificCredential',
        Resource: '*',
        Condition: { StringEquals: { 'iam:ServiceSpecificCredentialServiceName': BEDROCK_CREDENTIAL_SERVICE } },
      },
      {
        Sid: 'BedrockGuardLongTermApiKeyUse',
        Effect: 'Deny',
        Action: 'bedrock:CallWithBearerToken',
        Resource: '*',
        Condition: { StringEquals: { 'bedrock:BearerTokenType': 'LONG_TERM' } },
      },
    );
  }

  if (enforce.has('unapproved-feature')) {
    const features = new Set(input.findings.filter((f) => f.rule === 'unapproved-feature').map((f) => f.route));
    const actions = ACCOUNT_FEATURES.filter((spec) => features.has(spec.feature)).flatMap((spec) => spec.denyActions);
    if (actions.length > 0) {
      rules.add('unapproved-feature');
      statements.push({ Sid: 'BedrockGuardUnapprovedFeatures', Effect: 'Deny', Action: one(actions), Resource: '*' });
    }
  }
  if (statements.length === 0) return undefined;
  return { document: { Version: '2012-10-17', Statement: statements }, rules: [...rules].sort() };
}

/** Models × Regions, when every grant of a feature covers the same Regions (the usual policy file). */
function productOf(granted: readonly Grant[]): { models: string[]; regions: string[] } | undefined {
  const regions = sorted((granted[0] as Grant).regions);
  const same = granted.every((g) => sorted(g.regions).join(',') === regions.join(','));
  return same ? { models: sorted(granted.flatMap((g) => g.models)), regions } : undefined;
}

/**
 * The allow-list form for inference profiles judges the model checks made
 * through a profile, which carry its ARN in bedrock:InferenceProfileArn:
 * system profiles of granted models in granted Regions, and application
 * profiles whose models are all granted, pass.
 */
function profileAllowList(input: DenyInput, head: Omit<DenyStatement, 'Resource' | 'NotResource'>): DenyStatement[] {
  const { partition, account, cohort } = input;
  const { grants } = cohort;
  const invoke = grants.grants.filter((g) => g.features.has('invoke'));
  const shape = invoke.length > 0 ? productOf(invoke) : undefined;
  const profile = (region: string, model: string) =>
    `arn:${partition}:bedrock:${region}:${account}:inference-profile/*.${model}`;
  const system = shape
    ? shape.models.map((m) => profile('*', m))
    : invoke.flatMap((g) => [...g.regions].flatMap((r) => g.models.map((m) => profile(r, m))));
  const application = input.profiles
    .filter((p) => p.type === 'APPLICATION')
    .filter((p) =>
      p.modelArns.every((arn) => {
        const id = modelIdOf(arn);
        return id !== undefined && grants.allows('invoke', id, p.region);
      }),
    )
    .map((p) => p.arn);
  const granted = sorted([...system, ...application]);
  const throughProfile = { Null: { 'bedrock:InferenceProfileArn': 'false' } };
  const statements: DenyStatement[] = [
    {
      ...head,
      Resource: `arn:${partition}:bedrock:*::foundation-model/*`,
      Condition:
        granted.length > 0
          ? { ...throughProfile, ArnNotLike: { 'bedrock:InferenceProfileArn': granted } }
          : throughProfile,
    },
  ];
  if (shape) {
    // Factored: the profile patterns name every Region, so calls from Regions the file doesn't grant are denied here.
    statements.push({
      ...head,
      Sid: `${head.Sid}Regions`,
      Resource: [
        `arn:${partition}:bedrock:*:${account}:application-inference-profile/*`,
        `arn:${partition}:bedrock:*:${account}:inference-profile/*`,
      ],
      Condition: { StringNotEquals: { 'aws:RequestedRegion': one(shape.regions) } },
    });
  }
  return statements;
}

/** Whether any Region grants the feature on the model (so a deny must name Regions, not the whole model). */
function grantedAnywhere(grants: Grants, feature: Feature, modelId: string, cohort: Cohort): boolean {
  return cohort.cells.some((c) => c.modelId === modelId && grants.allows(feature, modelId, c.region));
}

const MANTLE = 'bedrock-mantle:CreateInference';

/** bedrock-mantle is authorised on the project with the model as a condition key: one statement per set of Regions. */
function mantleDenyList(items: readonly { modelId: string; region: string }[], cohort: Cohort): DenyStatement[] {
  const allRegions = sorted(cohort.cells.map((c) => c.region));
  const regionsByModel = new Map<string, Set<string>>();
  for (const { modelId, region } of items) {
    const set = regionsByModel.get(modelId) ?? new Set<string>();
    set.add(region);
    regionsByModel.set(modelId, set);
  }
  const byRegions = new Map<string, string[]>();
  for (const [modelId, regions] of regionsByModel) {
    const everywhere = !grantedAnywhere(cohort.grants, 'invoke', modelId, cohort);
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
function mantleAllowList(cohort: Cohort): DenyStatement[] {
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
