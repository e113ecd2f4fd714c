import { modelIdOf } from '../bedrock/arns.js';
import type { Route } from '../bedrock/routes.js';
import type { Grants } from '../desired/grants.js';
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
  const allowList = (feature: Feature) => {
    const granted = grants.grants.filter((g) => g.features.has(feature));
    return sorted(granted.flatMap((g) => [...g.regions].flatMap((r) => g.models.map((m) => fm(r, m)))));
  };
  const modelFamily = (sid: string, actions: readonly string[], feature: Feature, kinds: Set<string>, extra = {}) => {
    const items = excess.filter((e) => kinds.has(e.route.kind) && !grants.allows(feature, e.modelId, e.region));
    if (items.length === 0) return;
    const head = { Sid: sid, Effect: 'Deny' as const, Action: one(actions) };
    const byDeny: DenyStatement = { ...head, Resource: one(denyList(feature, items)), ...extra };
    if (!allowListOk) {
      statements.push(byDeny);
      return;
    }
    const byAllow: DenyStatement = grants.grants.some((g) => g.features.has(feature))
      ? { ...head, NotResource: [...allowList(feature), accountScoped], ...extra }
      : { ...head, Resource: fm('*', '*'), ...extra };
    statements.push(documentSize(byAllow) < documentSize(byDeny) ? byAllow : byDeny);
  };

  modelFamily('BedrockGuardUnapprovedModels', INVOKE, 'invoke', DIRECT_KINDS, { Condition: DIRECT_ONLY });
  const profiles = excess.filter((e) => PROFILE_KINDS.has(e.route.kind) && e.route.via);
  if (profiles.length > 0) {
    const arns = profiles.map(({ route, modelId }) =>
      route.kind !== 'application-profile' && !grantedAnywhere(grants, 'invoke', modelId, cohort)
        ? `arn:${partition}:bedrock:*:${account}:inference-profile/*.${modelId}`
        : (route.via as string),
    );
    const head = { Sid: 'BedrockGuardUnapprovedProfiles', Effect: 'Deny' as const, Action: INVOKE };
    const byDeny: DenyStatement = { ...head, Resource: one(sorted(arns)) };
    // The allow-list form judges the model checks made through a profile, which carry the profile's ARN.
    const granted = grantedProfiles(input, grants);
    const byAllow: DenyStatement = {
      ...head,
      Resource: fm('*', '*'),
      Condition:
        granted.length > 0
          ? { Null: { 'bedrock:InferenceProfileArn': 'false' }, ArnNotLike: { 'bedrock:InferenceProfileArn': granted } }
          : { Null: { 'bedrock:InferenceProfileArn': 'false' } },
    };
    statements.push(allowListOk && documentSize(byAllow) < documentSize(byDeny) ? byAllow : byDeny);
  }
  modelFamily('BedrockGuardUnapprovedBatch', ['bedrock:CreateModelInvocationJob'], 'batch', new Set(['batch']));
  const provisioned = excess.filter((e) => e.route.kind === 'provisioned' && e.route.via);
  if (provisioned.length > 0) {
    const arns = grants.hasFeature('provisioned-throughput')
      ? sorted(provisioned.map((e) => e.route.via as string))
      : [`arn:${partition}:bedrock:*:${account}:provisioned-model/*`];
    statements.push({ Sid: 'BedrockGuardUnapprovedProvisioned', Effect: 'Deny', Action: INVOKE, Resource: one(arns) });
  }
  statements.push(
    ...mantleStatements(
      excess.filter((e) => e.route.kind === 'mantle'),
      cohort,
    ),
  );

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

/** Profiles the file lets the principal call: system profiles of granted models in granted Regions, and matching application profiles. */
function grantedProfiles(input: DenyInput, grants: Grants): string[] {
  const { partition, account } = input;
  const system = grants.grants
    .filter((g) => g.features.has('invoke'))
    .flatMap((g) =>
      [...g.regions].flatMap((r) =>
        g.models.map((m) => `arn:${partition}:bedrock:${r}:${account}:inference-profile/*.${m}`),
      ),
    );
  const application = input.profiles
    .filter((p) => p.type === 'APPLICATION')
    .filter((p) =>
      p.modelArns.every((arn) => {
        const id = modelIdOf(arn);
        return id !== undefined && grants.allows('invoke', id, p.region);
      }),
    )
    .map((p) => p.arn);
  return sorted([...system, ...application]);
}

/** Whether any Region grants the feature on the model (so a deny must name Regions, not the whole model). */
function grantedAnywhere(grants: Grants, feature: Feature, modelId: string, cohort: Cohort): boolean {
  return cohort.cells.some((c) => c.modelId === modelId && grants.allows(feature, modelId, c.region));
}

/** bedrock-mantle is authorised on the project with the model as a condition key: one statement per set of Regions. */
function mantleStatements(items: readonly { modelId: string; region: string }[], cohort: Cohort): DenyStatement[] {
  if (items.length === 0) return [];
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
    Action: 'bedrock-mantle:CreateInference',
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
