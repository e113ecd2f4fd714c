/**
 * A large, realistic account generated in memory, for benchmarks and scale
 * tests: `get-account-authorization-details`, SCP levels and a Bedrock
 * catalogue in the snapshot folder's formats (PRODUCT.md §3.1).
 *
 * Principals are spread over about fifty policy "shapes" the way real
 * accounts are: a few shared customer managed policies used by many roles,
 * AWS managed policies, team ABAC policies that read `aws:PrincipalTag/team`,
 * permissions boundaries, users in groups (one group's policy reads
 * `${aws:username}`), a service-linked role, and a sprinkling of one-off
 * inline policies. The same seed always gives the same account.
 */
import type { SnapshotFiles } from '../../shared/core/snapshot/files.js';
import {
  AdministratorAccess,
  AmazonBedrockFullAccess,
  AmazonBedrockReadOnly,
  AWSOrganizationsServiceTrustPolicy,
  FullAWSAccess,
} from './aws-managed-policies.js';

export interface SyntheticAccountOptions {
  /** Users and roles in total (service-linked role included). */
  readonly principals: number;
  /** Distinct foundation-model ids in the catalogue. */
  readonly models: number;
  readonly regions: readonly string[];
  readonly seed?: number;
  readonly accountId?: string;
  /** URL-encode every policy document, as the raw API and moto return them (default: objects, as the AWS CLI prints them). */
  readonly urlEncoded?: boolean;
}

type Doc = { Version: '2012-10-17'; Statement: Record<string, unknown>[] };
type Json = Record<string, unknown>;

const INVOKE = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
const TEAMS = [
  'ml-platform',
  'data-science',
  'search',
  'support-bots',
  'payments',
  'marketing',
  'research',
  'risk',
  'mobile',
  'analytics',
  'security',
  'contractors',
];
const SHAPES = 50;
const CREATED = Date.UTC(2023, 0, 1);

/** Real model ids first, so small catalogues look like the real one. */
const REAL_MODELS: readonly (readonly [string, string, string])[] = [
  ['amazon.nova-micro-v1:0', 'Nova Micro', 'Amazon'],
  ['amazon.nova-lite-v1:0', 'Nova Lite', 'Amazon'],
  ['amazon.nova-pro-v1:0', 'Nova Pro', 'Amazon'],
  ['anthropic.claude-3-haiku-20240307-v1:0', 'Claude 3 Haiku', 'Anthropic'],
  ['anthropic.claude-sonnet-4-20250514-v1:0', 'Claude Sonnet 4', 'Anthropic'],
  ['anthropic.claude-3-opus-20240229-v1:0', 'Claude 3 Opus', 'Anthropic'],
  ['deepseek.r1-v1:0', 'DeepSeek-R1', 'DeepSeek'],
  ['meta.llama3-8b-instruct-v1:0', 'Llama 3 8B Instruct', 'Meta'],
  ['meta.llama3-3-70b-instruct-v1:0', 'Llama 3.3 70B Instruct', 'Meta'],
  ['mistral.mistral-large-2402-v1:0', 'Mistral Large (24.02)', 'Mistral AI'],
  ['cohere.command-r-v1:0', 'Command R', 'Cohere'],
  ['amazon.titan-embed-text-v2:0', 'Titan Text Embeddings V2', 'Amazon'],
  ['amazon.titan-text-express-v1', 'Titan Text G1 - Express', 'Amazon'],
  ['cohere.embed-english-v3', 'Embed English', 'Cohere'],
  ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'Claude 3.5 Sonnet', 'Anthropic'],
];
const PROVIDERS: readonly (readonly [string, string])[] = [
  ['amazon', 'Amazon'],
  ['anthropic', 'Anthropic'],
  ['meta', 'Meta'],
  ['mistral', 'Mistral AI'],
  ['cohere', 'Cohere'],
  ['deepseek', 'DeepSeek'],
  ['qwen', 'Qwen'],
];

/** mulberry32: small, fast and good enough for test data. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick<T>(list: readonly T[]): T {
      return list[Math.floor(next() * list.length)] as T;
    },
    sample<T>(list: readonly T[], n: number): T[] {
      const copy = [...list];
      const out: T[] = [];
      while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(next() * copy.length), 1)[0] as T);
      return out;
    },
  };
}
type Rng = ReturnType<typeof prng>;

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const uniqueId = (rng: Rng, prefix: string) => {
  let s = prefix;
  for (let i = 0; i < 17; i++) s += ID_CHARS[rng.int(32)];
  return s;
};
const date = (rng: Rng) => new Date(CREATED + rng.int(3 * 365) * 86_400_000).toISOString().replace('.000Z', '+00:00');
const doc = (...Statement: Record<string, unknown>[]): Doc => ({ Version: '2012-10-17', Statement });
const pad = (n: number, width = 5) => String(n).padStart(width, '0');

/** The geography prefix of cross-Region inference profiles for a Region (`us`, `eu`, `apac`, …). */
function geographyOf(region: string): string {
  if (region.startsWith('ap-')) return 'apac';
  if (region.startsWith('us-gov-')) return 'us-gov';
  return region.split('-')[0] ?? region;
}

interface Model {
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  /** Region → inference types there. */
  readonly regions: ReadonlyMap<string, readonly string[]>;
  readonly global: boolean;
}

function catalogue(rng: Rng, count: number, regions: readonly string[]): Model[] {
  const out: Model[] = [];
  for (let i = 0; i < count; i++) {
    const real = REAL_MODELS[i];
    const [prefix, provider] = PROVIDERS[i % PROVIDERS.length] as readonly [string, string];
    const id = real?.[0] ?? `${prefix}.synthetic-${pad(i, 4)}-v1:0`;
    const profileOnly = rng.chance(0.2);
    const available = rng.sample(regions, Math.max(1, Math.ceil(regions.length * (0.5 + rng.next() / 2))));
    const inRegions = new Map<string, readonly string[]>();
    // Keep the Region order stable, as per-Region listings are.
    for (const r of regions) {
      if (available.includes(r))
        inRegions.set(r, profileOnly ? ['INFERENCE_PROFILE'] : ['ON_DEMAND', 'INFERENCE_PROFILE']);
    }
    out.push({
      id,
      name: real?.[1] ?? `Synthetic ${provider} model ${i}`,
      provider: real?.[2] ?? provider,
      regions: inRegions,
      global: (real?.[2] ?? provider) === 'Anthropic' && i % 2 === 0,
    });
  }
  return out;
}

interface Built {
  readonly foundationModels: Json;
  readonly inferenceProfiles: Json;
  /** Geographic profile ARNs (in their first source Region) with the model each routes to. */
  readonly geoProfiles: { arn: string; model: Model; destinations: string[] }[];
  readonly applicationProfiles: { arn: string; team: string; modelArn: string }[];
}

function buildCatalogue(rng: Rng, models: readonly Model[], regions: readonly string[], account: string): Built {
  const fm = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
  const profileArn = (region: string, id: string) => `arn:aws:bedrock:${region}:${account}:inference-profile/${id}`;
  const modelSummaries = new Map<string, Json[]>(regions.map((r) => [r, []]));
  const profileSummaries = new Map<string, Json[]>(regions.map((r) => [r, []]));
  const geoProfiles: Built['geoProfiles'] = [];
  const stamp = '2025-01-15T00:00:00+00:00';

  for (const m of models) {
    for (const [region, types] of m.regions) {
      modelSummaries.get(region)?.push({
        modelArn: fm(region, m.id),
        modelId: m.id,
        modelName: m.name,
        providerName: m.provider,
        inputModalities: ['TEXT'],
        outputModalities: [m.id.includes('embed') ? 'EMBEDDING' : 'TEXT'],
        responseStreamingSupported: !m.id.includes('embed'),
        customizationsSupported: [],
        inferenceTypesSupported: types,
        modelLifecycle: { status: 'ACTIVE' },
      });
    }
    const byGeography = new Map<string, string[]>();
    for (const region of m.regions.keys()) {
      const g = geographyOf(region);
      byGeography.set(g, [...(byGeography.get(g) ?? []), region]);
    }
    for (const [g, destinations] of byGeography) {
      const profileOnly = destinations.some((r) => m.regions.get(r)?.length === 1);
      if (destinations.length < 2 && !profileOnly) continue;
      const id = `${g}.${m.id}`;
      for (const source of destinations) {
        profileSummaries.get(source)?.push({
          inferenceProfileName: `${g.toUpperCase()} ${m.name}`,
          description: `Routes requests to ${m.name} in ${destinations.join(', ')}.`,
          createdAt: stamp,
          updatedAt: stamp,
          inferenceProfileArn: profileArn(source, id),
          models: destinations.map((d) => ({ modelArn: fm(d, m.id) })),
          inferenceProfileId: id,
          status: 'ACTIVE',
          type: 'SYSTEM_DEFINED',
        });
      }
      geoProfiles.push({ arn: profileArn(destinations[0] as string, id), model: m, destinations });
    }
    if (m.global) {
      for (const source of m.regions.keys()) {
        profileSummaries.get(source)?.push({
          inferenceProfileName: `Global ${m.name}`,
          description: `Routes requests to ${m.name} in all supported commercial AWS Regions.`,
          createdAt: stamp,
          updatedAt: stamp,
          inferenceProfileArn: profileArn(source, `global.${m.id}`),
          models: [{ modelArn: fm(source, m.id) }, { modelArn: `arn:aws:bedrock:::foundation-model/${m.id}` }],
          inferenceProfileId: `global.${m.id}`,
          status: 'ACTIVE',
          type: 'SYSTEM_DEFINED',
        });
      }
    }
  }

  const applicationProfiles: Built['applicationProfiles'] = [];
  const home = regions[0] as string;
  const homeModels = models.filter((m) => m.regions.get(home)?.includes('ON_DEMAND'));
  for (const team of TEAMS.slice(0, 8)) {
    const m = homeModels.length > 0 ? rng.pick(homeModels) : undefined;
    if (!m) break;
    const id = uniqueId(rng, '').toLowerCase().slice(0, 12);
    const arn = `arn:aws:bedrock:${home}:${account}:application-inference-profile/${id}`;
    applicationProfiles.push({ arn, team, modelArn: fm(home, m.id) });
    profileSummaries.get(home)?.push({
      inferenceProfileName: `${team}-${m.id.split('.')[1]?.split(':')[0]}`,
      description: `${m.name} for ${team}, tagged team=${team}`,
      createdAt: stamp,
      updatedAt: stamp,
      inferenceProfileArn: arn,
      models: [{ modelArn: fm(home, m.id) }],
      inferenceProfileId: id,
      status: 'ACTIVE',
      type: 'APPLICATION',
    });
  }

  return {
    foundationModels: Object.fromEntries([...modelSummaries].map(([r, list]) => [r, { modelSummaries: list }])),
    inferenceProfiles: Object.fromEntries(
      [...profileSummaries].map(([r, list]) => [r, { inferenceProfileSummaries: list }]),
    ),
    geoProfiles,
    applicationProfiles,
  };
}

/** An allow for some models: directly in some Regions, and through their geographic profiles with every destination. */
function modelAccess(rng: Rng, built: Built, models: readonly Model[], sid: string): Record<string, unknown>[] {
  const chosen = rng.sample(models, 2 + rng.int(6));
  const direct = chosen.flatMap((m) =>
    [...m.regions]
      .filter(([, types]) => types.includes('ON_DEMAND'))
      .slice(0, 2)
      .map(([r]) => `arn:aws:bedrock:${r}::foundation-model/${m.id}`),
  );
  const profiles = built.geoProfiles.filter((p) => chosen.includes(p.model)).slice(0, 4);
  const out: Record<string, unknown>[] = [];
  if (direct.length > 0) out.push({ Sid: `${sid}Direct`, Effect: 'Allow', Action: INVOKE, Resource: direct });
  if (profiles.length > 0) {
    out.push({
      Sid: `${sid}Profiles`,
      Effect: 'Allow',
      Action: [...INVOKE, 'bedrock:GetInferenceProfile'],
      Resource: profiles.map((p) => p.arn),
    });
    out.push({
      Sid: `${sid}Destinations`,
      Effect: 'Allow',
      Action: INVOKE,
      Resource: profiles.flatMap((p) =>
        p.destinations.map((d) => `arn:aws:bedrock:${d}::foundation-model/${p.model.id}`),
      ),
      Condition: { ArnLike: { 'bedrock:InferenceProfileArn': profiles.map((p) => p.arn) } },
    });
  }
  return out;
}

interface Managed {
  readonly arn: string;
  readonly name: string;
  readonly document: Doc;
  readonly path?: string;
  readonly versions?: number;
}

interface Shape {
  readonly managed: readonly string[];
  readonly inline: readonly { name: string; document: Doc }[];
  readonly boundary: string | undefined;
  /** The shape's policies read `aws:PrincipalTag/team`. */
  readonly abac: boolean;
}

/**
 * A synthetic account of `principals` users and roles and a catalogue of
 * `models` model ids across `regions`. Builds with `buildSnapshot`.
 *
 * @example
 * const files = syntheticAccount({ principals: 10_000, models: 100, regions: ['us-east-1', 'us-west-2'], seed: 42 });
 * const snapshot = buildSnapshot(files);
 */
export function syntheticAccount(options: SyntheticAccountOptions): SnapshotFiles {
  const { principals, models: modelCount, regions } = options;
  if (regions.length === 0) throw new Error('syntheticAccount: give at least one Region');
  const account = options.accountId ?? '210987654321';
  const rng = prng(options.seed ?? 1);
  const models = catalogue(rng, modelCount, regions);
  const built = buildCatalogue(rng, models, regions, account);
  const policyArn = (name: string) => `arn:aws:iam::${account}:policy/${name}`;

  // ---- managed policies ----
  const managed: Managed[] = [
    {
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      name: 'AdministratorAccess',
      document: AdministratorAccess as Doc,
    },
    {
      arn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
      name: 'AmazonBedrockFullAccess',
      document: AmazonBedrockFullAccess as Doc,
    },
    {
      arn: 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
      name: 'AmazonBedrockReadOnly',
      document: AmazonBedrockReadOnly as Doc,
    },
    {
      arn: 'arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy',
      name: 'AWSOrganizationsServiceTrustPolicy',
      path: '/aws-service-role/',
      document: AWSOrganizationsServiceTrustPolicy as Doc,
    },
  ];
  const tiers: string[] = [];
  for (let t = 1; t <= 10; t++) {
    const name = `BedrockModelsTier${t}`;
    tiers.push(policyArn(name));
    managed.push({
      arn: policyArn(name),
      name,
      versions: 1 + rng.int(4),
      document: doc(...modelAccess(rng, built, models, `Tier${t}`), {
        Sid: 'BrowseCatalogue',
        Effect: 'Allow',
        Action: ['bedrock:ListFoundationModels', 'bedrock:GetFoundationModel', 'bedrock:ListInferenceProfiles'],
        Resource: '*',
      }),
    });
  }
  const abacArn = policyArn('TeamApplicationProfiles');
  managed.push({
    arn: abacArn,
    name: 'TeamApplicationProfiles',
    document: doc(
      {
        Sid: 'InvokeOwnTeamsApplicationProfiles',
        Effect: 'Allow',
        Action: INVOKE,
        Resource: `arn:aws:bedrock:*:${account}:application-inference-profile/*`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
      },
      {
        Sid: 'ModelsBehindApplicationProfiles',
        Effect: 'Allow',
        Action: INVOKE,
        Resource: 'arn:aws:bedrock:*::foundation-model/*',
        Condition: {
          ArnLike: { 'bedrock:InferenceProfileArn': `arn:aws:bedrock:*:${account}:application-inference-profile/*` },
        },
      },
    ),
  });
  const premiumArn = policyArn('PremiumModelsByTeam');
  const premium = models.filter((m) => m.provider === 'Anthropic' || m.provider === 'DeepSeek');
  managed.push({
    arn: premiumArn,
    name: 'PremiumModelsByTeam',
    document: doc({
      Sid: 'PremiumModelsForApprovedTeams',
      Effect: 'Allow',
      Action: INVOKE,
      Resource: premium.length > 0 ? premium.map((m) => `arn:aws:bedrock:*::foundation-model/${m.id}`) : '*',
      Condition: { StringEquals: { 'aws:PrincipalTag/team': ['data-science', 'research', 'ml-platform'] } },
    }),
  });
  const batchArn = policyArn('BatchInference');
  managed.push({
    arn: batchArn,
    name: 'BatchInference',
    document: doc(
      {
        Sid: 'BatchJobs',
        Effect: 'Allow',
        Action: ['bedrock:CreateModelInvocationJob', 'bedrock:GetModelInvocationJob', 'bedrock:StopModelInvocationJob'],
        Resource: [`arn:aws:bedrock:*:${account}:model-invocation-job/*`, 'arn:aws:bedrock:*::foundation-model/*'],
      },
      {
        Sid: 'PassBatchRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${account}:role/BedrockBatchServiceRole`,
        Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      },
    ),
  });
  const boundaries = [policyArn('DeveloperBoundary'), policyArn('ContractorBoundary')];
  managed.push(
    {
      arn: boundaries[0] as string,
      name: 'DeveloperBoundary',
      document: doc(
        {
          Sid: 'Ceiling',
          Effect: 'Allow',
          Action: ['bedrock:*', 's3:Get*', 's3:List*', 'iam:PassRole'],
          Resource: '*',
        },
        {
          Sid: 'NoDeepSeek',
          Effect: 'Deny',
          Action: INVOKE,
          Resource: [
            'arn:aws:bedrock:*::foundation-model/deepseek.*',
            'arn:aws:bedrock:*:*:inference-profile/*deepseek.*',
          ],
        },
      ),
    },
    {
      arn: boundaries[1] as string,
      name: 'ContractorBoundary',
      document: doc(
        { Sid: 'Ceiling', Effect: 'Allow', Action: [...INVOKE, 'bedrock:Get*', 'bedrock:List*'], Resource: '*' },
        {
          Sid: 'NoAnthropic',
          Effect: 'Deny',
          Action: INVOKE,
          Resource: [
            'arn:aws:bedrock:*::foundation-model/anthropic.*',
            'arn:aws:bedrock:*:*:inference-profile/*anthropic.*',
          ],
        },
      ),
    },
  );

  // Inline documents shared by several shapes (copy-pasted policies are common).
  const sharedInline = Array.from({ length: 12 }, (_, i) => ({
    name: `bedrock-access-${i}`,
    document: doc(...modelAccess(rng, built, models, `Inline${i}`)),
  }));

  // ---- shapes ----
  const shapes: Shape[] = [];
  for (let i = 0; i < SHAPES; i++) {
    const abac = i % 7 === 3;
    const picks = new Set<string>();
    if (i === 0) picks.add('arn:aws:iam::aws:policy/AdministratorAccess');
    else if (i % 11 === 1) picks.add('arn:aws:iam::aws:policy/AmazonBedrockFullAccess');
    else if (i % 9 === 2) picks.add('arn:aws:iam::aws:policy/AmazonBedrockReadOnly');
    else {
      for (const t of rng.sample(tiers, 1 + rng.int(2))) picks.add(t);
      if (rng.chance(0.2)) picks.add(batchArn);
      if (rng.chance(0.15)) picks.add(premiumArn);
    }
    if (abac) picks.add(abacArn);
    const inline = rng.chance(0.35) ? [rng.pick(sharedInline)] : [];
    shapes.push({
      managed: [...picks],
      inline,
      boundary: rng.chance(0.15) ? rng.pick(boundaries) : undefined,
      abac,
    });
  }
  const shapeFor = () => shapes[Math.floor(rng.next() ** 2 * SHAPES)] as Shape;

  // ---- groups and principals ----
  const groups: Json[] = [
    group(
      account,
      'ml-engineers',
      [{ name: 'ml-engineers-invoke', document: (sharedInline[0] as { document: Doc }).document }],
      [tiers[0] as string],
    ),
    group(account, 'analysts', [], ['arn:aws:iam::aws:policy/AmazonBedrockReadOnly', tiers[1] as string]),
    group(
      account,
      'self-service',
      [
        {
          name: 'manage-own-credentials',
          document: doc({
            Sid: 'OwnCredentials',
            Effect: 'Allow',
            Action: ['iam:ChangePassword', 'iam:GetUser', 'iam:ListServiceSpecificCredentials'],
            Resource: `arn:aws:iam::${account}:user/\${aws:username}`,
          }),
        },
      ],
      [],
    ),
    group(account, 'contractors', [], [tiers[2] as string]),
  ];

  const users: Json[] = [];
  const roles: Json[] = [];
  const userCount = Math.round(principals * 0.03);
  const slrCount = principals >= 10 ? 1 : 0;
  const roleCount = principals - userCount - slrCount;
  const attached = (arns: readonly string[]) =>
    arns.map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn }));
  const tagsFor = (shape: Shape, team: string) => {
    const tags = [{ Key: 'team', Value: shape.abac || rng.chance(0.8) ? team : 'unassigned' }];
    if (rng.chance(0.5)) tags.push({ Key: 'cost-center', Value: `cc-${1000 + rng.int(40)}` });
    return tags;
  };
  const personal = (n: number) => {
    const m = rng.pick(models);
    const region = rng.pick([...m.regions.keys()]);
    return {
      name: `one-off-${pad(n)}`,
      document: doc({
        Sid: `OneOff${n}`,
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: `arn:aws:bedrock:${region}::foundation-model/${m.id}`,
      }),
    };
  };
  const boundaryOf = (arn: string | undefined) =>
    arn
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } }
      : {};

  for (let n = 0; n < userCount; n++) {
    const name = `user-${pad(n)}`;
    const memberOf = rng.sample(['ml-engineers', 'analysts', 'contractors'], 1 + rng.int(2));
    if (rng.chance(0.1)) memberOf.push('self-service');
    const team = rng.pick(TEAMS);
    users.push({
      Path: '/',
      UserName: name,
      UserId: uniqueId(rng, 'AIDA'),
      Arn: `arn:aws:iam::${account}:user/${name}`,
      CreateDate: date(rng),
      UserPolicyList: rng.chance(0.05)
        ? [personal(n)].map((p) => ({ PolicyName: p.name, PolicyDocument: p.document }))
        : [],
      GroupList: memberOf,
      AttachedManagedPolicies: [],
      ...boundaryOf(memberOf.includes('contractors') ? boundaries[1] : undefined),
      Tags: [{ Key: 'team', Value: team }],
    });
  }

  const trusts = [
    doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    doc({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    doc({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${account}:saml-provider/CorporateIdP` },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    }),
    doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }),
  ];
  const purposes = ['inference', 'notebook', 'pipeline', 'api', 'worker', 'batch', 'eval', 'agent'];
  for (let n = 0; n < roleCount; n++) {
    const shape = shapeFor();
    const team = rng.pick(TEAMS);
    const name = `${team}-${rng.pick(purposes)}-${pad(n)}`;
    const inline = [...shape.inline];
    if (rng.chance(0.01)) inline.push(personal(n));
    roles.push({
      Path: '/',
      RoleName: name,
      RoleId: uniqueId(rng, 'AROA'),
      Arn: `arn:aws:iam::${account}:role/${name}`,
      CreateDate: date(rng),
      AssumeRolePolicyDocument: rng.pick(trusts),
      InstanceProfileList: [],
      RolePolicyList: inline.map((p) => ({ PolicyName: p.name, PolicyDocument: p.document })),
      AttachedManagedPolicies: attached(shape.managed),
      ...boundaryOf(shape.boundary),
      Tags: tagsFor(shape, team),
      RoleLastUsed: rng.chance(0.7) ? { LastUsedDate: date(rng), Region: rng.pick(regions) } : {},
    });
  }
  if (slrCount > 0) {
    roles.push({
      Path: '/aws-service-role/organizations.amazonaws.com/',
      RoleName: 'AWSServiceRoleForOrganizations',
      RoleId: uniqueId(rng, 'AROA'),
      Arn: `arn:aws:iam::${account}:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations`,
      CreateDate: date(rng),
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { Service: 'organizations.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      InstanceProfileList: [],
      RolePolicyList: [],
      AttachedManagedPolicies: attached([
        'arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy',
      ]),
      Tags: [],
      RoleLastUsed: {},
    });
  }

  // ---- Policies[] with versions (only the default one counts) ----
  const Policies = managed.map((m) => {
    const versions = m.versions ?? 1;
    const stamp = date(rng);
    return {
      PolicyName: m.name,
      PolicyId: uniqueId(rng, 'ANPA'),
      Arn: m.arn,
      Path: m.path ?? '/',
      DefaultVersionId: `v${versions}`,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: stamp,
      UpdateDate: stamp,
      PolicyVersionList: Array.from({ length: versions }, (_, i) => ({
        // Older versions granted less; they must never count.
        Document: i === 0 ? m.document : doc({ Effect: 'Allow', Action: 'bedrock:List*', Resource: '*' }),
        VersionId: `v${versions - i}`,
        IsDefaultVersion: i === 0,
        CreateDate: stamp,
      })),
    };
  });
  const counts = new Map<string, number>();
  for (const e of [...users, ...roles, ...groups]) {
    for (const a of e.AttachedManagedPolicies as { PolicyArn: string }[])
      counts.set(a.PolicyArn, (counts.get(a.PolicyArn) ?? 0) + 1);
  }
  for (const p of Policies) p.AttachmentCount = counts.get(p.Arn) ?? 0;

  const iam: Json = {
    UserDetailList: users,
    GroupDetailList: groups,
    RoleDetailList: roles,
    Policies,
    IsTruncated: false,
  };

  // ---- SCPs: root → OU → account ----
  const geographies = [...new Set(regions.map(geographyOf))];
  const scp = (Id: string, Name: string, content: unknown) => ({ Id, Name, Content: JSON.stringify(content) });
  const fullAws = scp('p-FullAWSAccess', 'FullAWSAccess', FullAWSAccess);
  const scps = {
    levels: [
      { target: 'r-sy47', policies: [fullAws] },
      {
        target: 'ou-sy47-w0rk10ad',
        policies: [
          fullAws,
          scp('p-regions01', 'DenyOutsideApprovedRegions', {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyAllOutsideApprovedRegions',
                Effect: 'Deny',
                NotAction: ['iam:*', 'organizations:*', 'sts:*', 'support:*', 'route53:*', 'cloudfront:*', 'bedrock:*'],
                Resource: '*',
                Condition: { StringNotEquals: { 'aws:RequestedRegion': regions } },
              },
              {
                Sid: 'DenyBedrockOutsideApprovedRegionsExceptThroughProfiles',
                Effect: 'Deny',
                Action: 'bedrock:*',
                Resource: '*',
                Condition: {
                  StringNotEquals: { 'aws:RequestedRegion': regions },
                  ArnNotLike: {
                    'bedrock:InferenceProfileArn': [
                      ...geographies.map((g) => `arn:aws:bedrock:*:*:inference-profile/${g}.*`),
                      'arn:aws:bedrock:*:*:application-inference-profile/*',
                    ],
                  },
                },
              },
            ],
          }),
        ],
      },
      {
        target: account,
        policies: [
          fullAws,
          scp('p-apikeys01', 'DenyLongTermBedrockApiKeys', {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                Action: 'bedrock:CallWithBearerToken',
                Resource: '*',
                Condition: { StringEquals: { 'bedrock:BearerTokenType': 'LONG_TERM' } },
              },
            ],
          }),
        ],
      },
    ],
  };

  return {
    account: { accountId: account, partition: 'aws', regions: [...regions] },
    iam: options.urlEncoded ? urlEncode(iam) : iam,
    scps,
    foundationModels: built.foundationModels,
    inferenceProfiles: built.inferenceProfiles,
  };
}

function group(account: string, name: string, inline: { name: string; document: Doc }[], managed: string[]): Json {
  return {
    Path: '/',
    GroupName: name,
    GroupId: `AGPA${name
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .padEnd(17, 'X')
      .slice(0, 17)}`,
    Arn: `arn:aws:iam::${account}:group/${name}`,
    CreateDate: '2024-01-01T00:00:00+00:00',
    GroupPolicyList: inline.map((p) => ({ PolicyName: p.name, PolicyDocument: p.document })),
    AttachedManagedPolicies: managed.map((arn) => ({
      PolicyName: arn.slice(arn.lastIndexOf('/') + 1),
      PolicyArn: arn,
    })),
  };
}

/** Every policy document as `encodeURIComponent(JSON.stringify(doc))`, as GetAccountAuthorizationDetails returns it raw. */
function urlEncode(iam: Json): Json {
  const enc = (d: unknown) => encodeURIComponent(JSON.stringify(d));
  const inline = (list: unknown) => (list as Json[]).map((p) => ({ ...p, PolicyDocument: enc(p.PolicyDocument) }));
  return {
    ...iam,
    UserDetailList: (iam.UserDetailList as Json[]).map((u) => ({ ...u, UserPolicyList: inline(u.UserPolicyList) })),
    GroupDetailList: (iam.GroupDetailList as Json[]).map((g) => ({ ...g, GroupPolicyList: inline(g.GroupPolicyList) })),
    RoleDetailList: (iam.RoleDetailList as Json[]).map((r) => ({
      ...r,
      AssumeRolePolicyDocument: enc(r.AssumeRolePolicyDocument),
      RolePolicyList: inline(r.RolePolicyList),
    })),
    Policies: (iam.Policies as Json[]).map((p) => ({
      ...p,
      PolicyVersionList: (p.PolicyVersionList as Json[]).map((v) => ({ ...v, Document: enc(v.Document) })),
    })),
  };
}
