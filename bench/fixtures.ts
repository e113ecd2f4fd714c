// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
/**
 * A fixed, Bedrock-flavoured workload for the evaluator bench: one role per
 * policy set (hand-written sets for the common Bedrock patterns plus a few
 * from the differential test's generator), one SCP hierarchy for the account,
 * and N seeded requests. Written out as a snapshot folder (PRODUCT.md §3.1)
 * and a JSONL batch for the CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { requestContext } from '../shared/core/iam/context.js';
import {
  ACCOUNT,
  type PolicyDoc,
  type PrincipalFacts,
  type RequestSpec,
  requestArb,
  scenarioArb,
} from '../test/differential/arbitraries.js';
import { AmazonBedrockFullAccess, FullAWSAccess as FullAWSAccessDoc } from '../test/support/aws-managed-policies.js';

export interface PolicySetFixture {
  readonly role: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly identity: readonly PolicyDoc[];
  readonly boundary?: PolicyDoc;
}

export interface Workload {
  readonly sets: readonly PolicySetFixture[];
  /** Root first, account last; shared by every role. */
  readonly scps: readonly { readonly target: string; readonly policies: readonly PolicyDoc[] }[];
  readonly requests: readonly (RequestSpec & { readonly principal: string })[];
}

const FullAWSAccess = FullAWSAccessDoc as PolicyDoc;
const v = (...Statement: PolicyDoc['Statement']): PolicyDoc => ({ Version: '2012-10-17', Statement });
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const CLAUDE = 'anthropic.claude-sonnet-4-20250514-v1:0';
const GLOBAL_PROFILE = `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/global.${CLAUDE}`;

/** The hand-written sets: the shapes the product meets in real accounts (PRODUCT.md §2). */
const HAND_WRITTEN: PolicySetFixture[] = [
  { role: 'bench-full-access', tags: {}, identity: [AmazonBedrockFullAccess as PolicyDoc] },
  {
    role: 'bench-standard-models',
    tags: { team: 'ml' },
    identity: [
      v(
        {
          Sid: 'Profiles',
          Effect: 'Allow',
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:GetInferenceProfile'],
          Resource: `arn:aws:bedrock:us-*:${ACCOUNT}:inference-profile/us.*`,
        },
        {
          Sid: 'ModelsViaProfile',
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel*',
          Resource: [
            'arn:aws:bedrock:us-*::foundation-model/amazon.nova-*',
            'arn:aws:bedrock:us-*::foundation-model/meta.*',
          ],
          Condition: {
            StringLike: { 'bedrock:InferenceProfileArn': `arn:aws:bedrock:*:${ACCOUNT}:inference-profile/us.*` },
          },
        },
        {
          Sid: 'ModelsDirect',
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel*',
          Resource: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0',
        },
      ),
    ],
  },
  {
    role: 'bench-global-cris',
    tags: { team: 'data-science' },
    identity: [
      v(
        {
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel*',
          Resource: GLOBAL_PROFILE,
          Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
        },
        {
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel*',
          Resource: `arn:aws:bedrock:us-east-1::foundation-model/${CLAUDE}`,
          Condition: {
            StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'bedrock:InferenceProfileArn': GLOBAL_PROFILE },
          },
        },
        {
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel*',
          Resource: `arn:aws:bedrock:::foundation-model/${CLAUDE}`,
          Condition: {
            StringEquals: { 'aws:RequestedRegion': 'unspecified', 'bedrock:InferenceProfileArn': GLOBAL_PROFILE },
          },
        },
      ),
    ],
  },
  {
    role: 'bench-abac-team',
    tags: { team: 'data-science', home: 'us-west-2' },
    identity: [
      v(
        {
          Effect: 'Allow',
          Action: ['bedrock:InvokeModel', 'bedrock:GetInferenceProfile'],
          Resource: `arn:aws:bedrock:*:${ACCOUNT}:application-inference-profile/\${aws:PrincipalTag/team}`,
        },
        {
          Effect: 'Allow',
          Action: ['bedrock:InvokeModel', 'bedrock:CreateModelInvocationJob'],
          Resource: ['arn:aws:bedrock:*::foundation-model/*', `arn:aws:bedrock:*:${ACCOUNT}:model-invocation-job/*`],
          Condition: {
            StringEquals: { 'aws:PrincipalTag/team': ['data-science', 'ml'] },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center'] },
            StringEqualsIfExists: { 'aws:RequestedRegion': '${aws:PrincipalTag/home}' },
          },
        },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::training-data/${aws:PrincipalTag/team}/*' },
      ),
    ],
  },
  {
    role: 'bench-api-keys',
    tags: {},
    identity: [
      v(
        {
          Effect: 'Allow',
          Action: 'bedrock:CallWithBearerToken',
          Resource: '*',
          Condition: { StringEquals: { 'bedrock:BearerTokenType': 'SHORT_TERM' } },
        },
        { Effect: 'Allow', Action: ['bedrock:Invoke*', 'bedrock:List*', 'bedrock:Get*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:CreateServiceSpecificCredential',
          Resource: `arn:aws:iam::${ACCOUNT}:user/*`,
          Condition: {
            StringEquals: { 'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com' },
            NumericLessThanEquals: { 'iam:ServiceSpecificCredentialAgeDays': '90' },
          },
        },
        {
          Effect: 'Deny',
          Action: 'iam:CreateServiceSpecificCredential',
          Resource: '*',
          Condition: { Null: { 'iam:ServiceSpecificCredentialAgeDays': 'true' } },
        },
      ),
    ],
  },
  {
    role: 'bench-bounded',
    tags: { team: 'platform' },
    identity: [v({ Effect: 'Allow', Action: ['bedrock:*', 'bedrock-mantle:*', 's3:*', 'iam:*'], Resource: '*' })],
    boundary: v(
      {
        Effect: 'Allow',
        Action: ['bedrock:Invoke*', 'bedrock:Get*', 'bedrock:List*', 'bedrock-mantle:CreateInference'],
        Resource: '*',
        Condition: { StringLike: { 'aws:RequestedRegion': ['us-*', 'unspecified'] } },
      },
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { NotIpAddressIfExists: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
      },
    ),
  },
  {
    role: 'bench-no-premium',
    tags: { team: 'ml' },
    identity: [
      v(
        { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
        {
          Sid: 'NoPremiumUnlessDataScience',
          Effect: 'Deny',
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CreateModelInvocationJob'],
          Resource: [
            'arn:aws:bedrock:*::foundation-model/anthropic.*',
            'arn:aws:bedrock:*::foundation-model/deepseek.*',
          ],
          Condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'data-science' } },
        },
        {
          Effect: 'Deny',
          NotAction: ['bedrock:Get*', 'bedrock:List*', 'bedrock:Invoke*'],
          NotResource: `arn:aws:bedrock:*:${ACCOUNT}:model-invocation-job/*`,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ),
    ],
  },
  {
    role: 'bench-mantle',
    tags: { team: 'ml' },
    identity: [
      v(
        {
          Effect: 'Allow',
          Action: ['bedrock-mantle:CreateInference', 'bedrock-mantle:CallWithBearerToken'],
          Resource: '*',
          Condition: { StringLikeIfExists: { 'bedrock-mantle:Model': ['amazon.*', 'meta.*'] } },
        },
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: "arn:aws:s3:::training-data/${aws:PrincipalTag/team, 'shared'}/*",
        },
      ),
    ],
  },
];

/** Generated sets (the differential test's generator, fixed seed), for shapes nobody would write by hand. */
function generatedSets(count: number, seed: number): PolicySetFixture[] {
  return fc.sample(scenarioArb(), { numRuns: count, seed }).map((s, i) => ({
    role: `bench-generated-${i}`,
    tags: { team: ['data-science', 'ml', 'platform'][i % 3] as string },
    identity: s.identity,
    ...(s.boundary === undefined ? {} : { boundary: s.boundary }),
  }));
}

/** Root → OU → account: FullAWSAccess everywhere, a Region guardrail and Bedrock guardrails. */
const SCPS: Workload['scps'] = [
  { target: 'r-b3nc', policies: [FullAWSAccess] },
  {
    target: 'ou-b3nc-wk4d9f1s',
    policies: [
      FullAWSAccess,
      v({
        Sid: 'RegionGuardrail',
        Effect: 'Deny',
        NotAction: ['iam:*', 'sts:*', 'organizations:*', 'support:*'],
        Resource: '*',
        Condition: {
          StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2', 'eu-west-1', 'unspecified'] },
          ArnNotLike: {
            'aws:PrincipalArn': `arn:aws:iam::*:role/BreakGlass`,
            'bedrock:InferenceProfileArn': 'arn:aws:bedrock:*:*:inference-profile/*',
          },
        },
      }),
    ],
  },
  {
    target: ACCOUNT,
    policies: [
      FullAWSAccess,
      v(
        {
          Sid: 'NoLongTermKeys',
          Effect: 'Deny',
          Action: ['bedrock:CallWithBearerToken', 'bedrock-mantle:CallWithBearerToken'],
          Resource: '*',
          Condition: { StringEquals: { 'bedrock:BearerTokenType': 'LONG_TERM' } },
        },
        {
          Sid: 'GlobalCrisOnlyForDataScience',
          Effect: 'Deny',
          Action: 'bedrock:*',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:RequestedRegion': 'unspecified' },
            ArnLike: { 'bedrock:InferenceProfileArn': 'arn:aws:bedrock:*:*:inference-profile/global.*' },
            StringNotEquals: { 'aws:PrincipalTag/team': 'data-science' },
          },
        },
      ),
    ],
  },
];

/** The workload: every set gets an equal share of `n` requests, interleaved, all seeded. */
export function workload(n: number, seed = 20_260_101): Workload {
  const sets = [...HAND_WRITTEN, ...generatedSets(4, seed)];
  const perSet = Math.ceil(n / sets.length);
  const streams = sets.map((set, i) => {
    const facts: PrincipalFacts = {
      principal: roleArn(set.role),
      team: set.tags.team,
      home: set.tags.home,
      mfa: undefined,
    };
    return fc.sample(requestArb(facts), { numRuns: perSet, seed: seed + i });
  });
  const requests: Workload['requests'][number][] = [];
  for (let k = 0; requests.length < n; k++) {
    const set = sets[k % sets.length] as PolicySetFixture;
    const r = (streams[k % sets.length] as RequestSpec[])[Math.floor(k / sets.length)] as RequestSpec;
    requests.push({ ...r, principal: roleArn(set.role) });
  }
  return { sets, scps: SCPS, requests };
}

const CREATED = '2025-01-01T00:00:00Z';

/** `aws iam get-account-authorization-details` for the workload's roles; boundaries as customer managed policies. */
function iamJson(sets: readonly PolicySetFixture[]) {
  const boundaryArn = (role: string) => `arn:aws:iam::${ACCOUNT}:policy/${role}-boundary`;
  return {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: sets.map((s, i) => ({
      Path: '/',
      RoleName: s.role,
      RoleId: `AROABENCH${String(i).padStart(8, '0')}`,
      Arn: roleArn(s.role),
      CreateDate: CREATED,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      InstanceProfileList: [],
      RolePolicyList: s.identity.map((doc, j) => ({ PolicyName: `${s.role}-${j}`, PolicyDocument: doc })),
      AttachedManagedPolicies: [],
      ...(s.boundary === undefined
        ? {}
        : {
            PermissionsBoundary: {
              PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
              PermissionsBoundaryArn: boundaryArn(s.role),
            },
          }),
      Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      RoleLastUsed: {},
    })),
    Policies: sets.flatMap((s, i) =>
      s.boundary === undefined
        ? []
        : [
            {
              PolicyName: `${s.role}-boundary`,
              PolicyId: `ANPABENCH${String(i).padStart(8, '0')}`,
              Arn: boundaryArn(s.role),
              Path: '/',
              DefaultVersionId: 'v1',
              AttachmentCount: 0,
              PermissionsBoundaryUsageCount: 1,
              IsAttachable: true,
              CreateDate: CREATED,
              UpdateDate: CREATED,
              PolicyVersionList: [
                { Document: s.boundary, VersionId: 'v1', IsDefaultVersion: true, CreateDate: CREATED },
              ],
            },
          ],
    ),
    IsTruncated: false,
  };
}

/**
 * A batch line as a caller would write it: the request's own context only.
 * Keys the CLI derives itself with the same value (principal ARN, account and
 * tags from the snapshot; the Region from the resource ARN) are left out.
 */
export function batchLine(w: Workload, r: Workload['requests'][number]) {
  const set = w.sets.find((s) => r.principal === roleArn(s.role));
  const derived = new Map<string, unknown>([
    ['aws:PrincipalArn', r.principal],
    ['aws:PrincipalAccount', ACCOUNT],
    ['aws:RequestedRegion', requestContext(r.resource, new Date()).get('aws:requestedregion')],
    ...Object.entries(set?.tags ?? {}).map(([k, val]) => [`aws:PrincipalTag/${k}`, val] as const),
  ]);
  const context = Object.fromEntries(Object.entries(r.context).filter(([k, val]) => derived.get(k) !== val));
  return { principal: r.principal, action: r.action, resource: r.resource, context };
}

/** Write the snapshot folder and the JSONL batch into `dir`; returns their paths. */
export function writeWorkload(w: Workload, dir: string): { snapshot: string; batch: string; empty: string } {
  const snapshot = join(dir, 'snapshot');
  mkdirSync(snapshot, { recursive: true });
  writeFileSync(
    join(snapshot, 'account.json'),
    JSON.stringify({ accountId: ACCOUNT, partition: 'aws', regions: ['us-east-1', 'us-west-2', 'eu-west-1'] }),
  );
  writeFileSync(join(snapshot, 'iam.json'), JSON.stringify(iamJson(w.sets)));
  writeFileSync(
    join(snapshot, 'scps.json'),
    JSON.stringify({
      levels: w.scps.map((level) => ({
        target: level.target,
        policies: level.policies.map((doc, i) => ({
          Id: `p-${level.target}-${i}`,
          Name: i === 0 ? 'FullAWSAccess' : `guardrails-${i}`,
          Content: JSON.stringify(doc),
        })),
      })),
    }),
  );
  const batch = join(dir, 'requests.jsonl');
  writeFileSync(batch, w.requests.map((r) => `${JSON.stringify(batchLine(w, r))}\n`).join(''));
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  return { snapshot, batch, empty };
}
