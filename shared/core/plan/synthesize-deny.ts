import type { Route } from '../bedrock/routes.js';
import { productOf } from '../desired/grants.js';
import type { Feature, RuleId } from '../policy-file/types.js';
import type { Cohort } from '../reconcile/access.js';
import { ACCOUNT_FEATURES, BEDROCK_CREDENTIAL_SERVICE } from '../reconcile/features.js';
import type { Finding } from '../reconcile/types.js';
import type { InferenceProfile } from '../snapshot/types.js';
import { type DenyDocument, type DenyStatement, one, sorted, type StatementHead } from './deny-document.js';
import { documentSize } from './guard-owned.js';
import { mantleAllowList, mantleDenyList } from './mantle-deny.js';
import { profileAllowList } from './profile-deny.js';

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
        grants.allowsAnywhere(feature, modelId) ? fm(region, modelId) : fm('*', modelId),
      ),
    );
  // The allow-list: every granted model ARN; factored into models × Regions when the grants are that shape.
  const allowList = (feature: Feature, head: StatementHead): DenyStatement[] => {
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
      route.kind !== 'application-profile' && !grants.allowsAnywhere('invoke', modelId)
        ? `arn:${partition}:bedrock:*:${account}:inference-profile/*.${modelId}`
        : (route.via as string),
    );
    const head = { Sid: 'BedrockGuardUnapprovedProfiles', Effect: 'Deny' as const, Action: INVOKE };
    pushSmaller([{ ...head, Resource: one(sorted(arns)) }], profileAllowList({ ...input, head }));
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
