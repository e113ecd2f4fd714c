import type { SnapshotFiles } from '../../shared/core/snapshot/files.js';
import { AmazonBedrockFullAccess } from './aws-managed-policies.js';

/**
 * Snapshot files written in code for rule and plan tests: a few principals
 * with inline statements, a catalogue and inference profiles, in the exact
 * shapes of `get-account-authorization-details`, `list-foundation-models`
 * and `list-inference-profiles`.
 */
export const ACCOUNT_ID = '111122223333';
export const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
export const NOVA = 'amazon.nova-micro-v1:0';
export const LITE = 'amazon.nova-lite-v1:0';
export const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
export const fm = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
export const usProfile = (id: string, region = 'us-east-1') =>
  `arn:aws:bedrock:${region}:${ACCOUNT_ID}:inference-profile/us.${id}`;
export const FULL_ACCESS_ARN = 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess';

export interface PrincipalSpec {
  readonly kind?: 'role' | 'user';
  readonly name: string;
  readonly statements?: readonly unknown[];
  readonly managed?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly groups?: readonly string[];
  readonly trust?: unknown;
  readonly boundary?: string;
  /** Extra inline policies by name (e.g. an existing guard deny). */
  readonly inline?: Readonly<Record<string, unknown>>;
}

export interface AccountSpec {
  readonly principals: readonly PrincipalSpec[];
  readonly models?: readonly string[];
  readonly regions?: readonly string[];
  /** US geographic profiles for these models, in every Region, to every Region. */
  readonly profiles?: readonly string[];
  /** Extra managed policies: ARN → document. */
  readonly policies?: Readonly<Record<string, unknown>>;
  readonly scps?: readonly unknown[];
  readonly groups?: Readonly<Record<string, readonly unknown[]>>;
  /** Provisioned throughput in us-east-1: name → model id. */
  readonly provisioned?: Readonly<Record<string, string>>;
}

export const provisionedArn = (name: string) => `arn:aws:bedrock:us-east-1:${ACCOUNT_ID}:provisioned-model/${name}`;

const tagList = (tags: Readonly<Record<string, string>> = {}) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function accountFiles(spec: AccountSpec): SnapshotFiles {
  const regions = spec.regions ?? REGIONS;
  const models = spec.models ?? [NOVA, LITE, CLAUDE];
  const policies: Record<string, unknown> = { [FULL_ACCESS_ARN]: AmazonBedrockFullAccess, ...spec.policies };
  const entry = (p: PrincipalSpec) => {
    const kind = p.kind ?? 'role';
    const inline = [
      ...(p.statements
        ? [{ PolicyName: 'bedrock', PolicyDocument: { Version: '2012-10-17', Statement: p.statements } }]
        : []),
      ...Object.entries(p.inline ?? {}).map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
    ];
    return {
      [kind === 'user' ? 'UserName' : 'RoleName']: p.name,
      [kind === 'user' ? 'UserId' : 'RoleId']: `${kind === 'user' ? 'AIDA' : 'AROA'}${p.name.toUpperCase()}`,
      Arn: `arn:aws:iam::${ACCOUNT_ID}:${kind}/${p.name}`,
      Path: '/',
      [kind === 'user' ? 'UserPolicyList' : 'RolePolicyList']: inline,
      AttachedManagedPolicies: (p.managed ?? []).map((PolicyArn) => ({ PolicyArn })),
      Tags: tagList(p.tags),
      ...(kind === 'user' ? { GroupList: p.groups ?? [] } : {}),
      ...(kind === 'role'
        ? {
            AssumeRolePolicyDocument: p.trust ?? {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
          }
        : {}),
      ...(p.boundary
        ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: p.boundary } }
        : {}),
    };
  };
  return {
    account: { accountId: ACCOUNT_ID, partition: 'aws', regions },
    iam: {
      UserDetailList: spec.principals.filter((p) => p.kind === 'user').map(entry),
      RoleDetailList: spec.principals.filter((p) => p.kind !== 'user').map(entry),
      GroupDetailList: Object.entries(spec.groups ?? {}).map(([GroupName, statements]) => ({
        GroupName,
        Arn: `arn:aws:iam::${ACCOUNT_ID}:group/${GroupName}`,
        GroupPolicyList: [{ PolicyName: 'group', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
        AttachedManagedPolicies: [],
      })),
      Policies: Object.entries(policies).map(([Arn, Document]) => ({
        Arn,
        PolicyName: Arn.slice(Arn.lastIndexOf('/') + 1),
        Path: Arn.includes(':policy/bedrock-guard/') ? '/bedrock-guard/' : '/',
        DefaultVersionId: 'v1',
        PolicyVersionList: [{ Document, VersionId: 'v1', IsDefaultVersion: true }],
      })),
    },
    ...(spec.scps
      ? {
          scps: {
            levels: [
              {
                target: 'r-root',
                policies: [
                  {
                    Id: 'p-full',
                    Name: 'FullAWSAccess',
                    Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
                  },
                  ...spec.scps.map((s, i) => ({ Id: `p-${i}`, Name: `scp${i}`, Content: JSON.stringify(s) })),
                ],
              },
            ],
          },
        }
      : {}),
    foundationModels: Object.fromEntries(
      regions.map((r) => [
        r,
        {
          modelSummaries: models.map((id) => ({
            modelId: id,
            modelArn: fm(r, id),
            inferenceTypesSupported: ['ON_DEMAND'],
          })),
        },
      ]),
    ),
    ...(spec.provisioned
      ? {
          provisionedModels: {
            'us-east-1': {
              provisionedModelSummaries: Object.entries(spec.provisioned).map(([name, id]) => ({
                provisionedModelName: name,
                provisionedModelArn: provisionedArn(name),
                modelArn: fm('us-east-1', id),
                foundationModelArn: fm('us-east-1', id),
                status: 'InService',
              })),
            },
          },
        }
      : {}),
    inferenceProfiles: Object.fromEntries(
      regions.map((r) => [
        r,
        {
          inferenceProfileSummaries: (spec.profiles ?? []).map((id) => ({
            inferenceProfileId: `us.${id}`,
            inferenceProfileArn: usProfile(id, r),
            type: 'SYSTEM_DEFINED',
            models: regions.map((d) => ({ modelArn: fm(d, id) })),
          })),
        },
      ]),
    ),
  };
}

/** An Allow statement. */
export const allow = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});

/** Invoke and stream on every foundation model: the over-broad grant most scenarios start from. */
export const invokeAll = allow(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], fm('*', '*'));

/** Invoke and stream on Nova Micro in every Region. */
export const invokeNova = allow(
  ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
  REGIONS.map((r) => fm(r, NOVA)),
);
