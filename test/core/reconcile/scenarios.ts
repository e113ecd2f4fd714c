import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';
import type { PolicyFile } from '../../../shared/core/policy-file/types.js';
import {
  ACCOUNT_ID,
  accountFiles,
  allow,
  CLAUDE,
  FULL_ACCESS_ARN,
  fm,
  invokeAll,
  invokeNova,
  LITE,
  NOVA,
  REGIONS,
  usProfile,
} from '../../support/account-builder.js';
import { appTeam, policyFile } from '../../support/policy-file.js';

/** A named account and policy file; every rule has a violating and a compliant one. */
export interface Scenario {
  readonly name: string;
  readonly rule: string;
  readonly violates: boolean;
  readonly files: SnapshotFiles;
  readonly policy: PolicyFile;
}

const goodTrust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'bedrock.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${ACCOUNT_ID}:model-import-job/*` },
      },
    },
  ],
};
const looseTrust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const importPolicy = allow;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a role may invoke every model, its team only the standard set',
    rule: 'unapproved-model-access',
    violates: true,
    files: accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] }),
    policy: appTeam(),
  },
  {
    name: 'a role may invoke exactly its approved model',
    rule: 'unapproved-model-access',
    violates: false,
    files: accountFiles({ principals: [{ name: 'App', statements: [invokeNova] }] }),
    policy: appTeam(),
  },
  {
    name: 'an approved model in a Region the file does not approve',
    rule: 'unapproved-model-access',
    violates: true,
    files: accountFiles({ principals: [{ name: 'App', statements: [invokeNova] }] }),
    policy: policyFile({
      regions: ['us-east-1'],
      models: { standard: [NOVA] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
    }),
  },
  {
    name: 'profiles of unapproved models, with GetInferenceProfile',
    rule: 'unapproved-model-access',
    violates: true,
    files: accountFiles({
      profiles: [NOVA, CLAUDE],
      principals: [
        {
          name: 'App',
          statements: [
            allow(
              ['bedrock:InvokeModel*', 'bedrock:GetInferenceProfile'],
              ['arn:aws:bedrock:*::foundation-model/*', `arn:aws:bedrock:*:${ACCOUNT_ID}:inference-profile/*`],
            ),
          ],
        },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'batch on an approved model without the batch feature',
    rule: 'unapproved-feature',
    violates: true,
    files: accountFiles({
      principals: [
        {
          name: 'App',
          statements: [
            invokeNova,
            allow('bedrock:CreateModelInvocationJob', [
              ...REGIONS.map((r) => fm(r, NOVA)),
              `arn:aws:bedrock:*:${ACCOUNT_ID}:model-invocation-job/*`,
            ]),
          ],
        },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'agents and knowledge bases the team does not grant',
    rule: 'unapproved-feature',
    violates: true,
    files: accountFiles({
      principals: [
        {
          name: 'App',
          statements: [invokeNova, allow(['bedrock:CreateAgent', 'bedrock:InvokeAgent', 'bedrock:Retrieve'])],
        },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'agents the team grants',
    rule: 'unapproved-feature',
    violates: false,
    files: accountFiles({
      principals: [{ name: 'App', statements: [invokeNova, allow(['bedrock:CreateAgent', 'bedrock:InvokeAgent'])] }],
    }),
    policy: appTeam(['standard'], ['invoke', 'agents']),
  },
  {
    name: 'short-term API keys without the api-keys feature',
    rule: 'unapproved-feature',
    violates: true,
    files: accountFiles({
      principals: [{ name: 'App', statements: [invokeNova, allow('bedrock:CallWithBearerToken')] }],
    }),
    policy: appTeam(),
  },
  {
    name: 'a user who may create long-term Bedrock API keys',
    rule: 'long-term-api-keys',
    violates: true,
    files: accountFiles({
      principals: [
        { name: 'App', statements: [invokeNova] },
        {
          kind: 'user',
          name: 'bob',
          statements: [
            invokeNova,
            allow('iam:CreateServiceSpecificCredential', `arn:aws:iam::${ACCOUNT_ID}:user/\${aws:username}`),
            allow('bedrock:CallWithBearerToken'),
          ],
        },
      ],
    }),
    policy: policyFile({
      regions: REGIONS,
      models: { standard: [NOVA] },
      teams: [
        { name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] },
        {
          name: 'people',
          principals: [{ arns: ['arn:aws:iam::*:user/*'] }],
          models: ['standard'],
          features: ['invoke', 'api-keys'],
        },
      ],
    }),
  },
  {
    name: 'a user whose credential creation excludes Bedrock',
    rule: 'long-term-api-keys',
    violates: false,
    files: accountFiles({
      principals: [
        {
          kind: 'user',
          name: 'bob',
          statements: [
            invokeNova,
            allow('iam:CreateServiceSpecificCredential', '*', {
              Condition: { StringEquals: { 'iam:ServiceSpecificCredentialServiceName': 'codecommit.amazonaws.com' } },
            }),
          ],
        },
      ],
    }),
    policy: policyFile({
      regions: REGIONS,
      models: { standard: [NOVA] },
      teams: [{ name: 'people', principals: [{ arns: ['arn:aws:iam::*:user/*'] }], models: ['standard'] }],
    }),
  },
  {
    name: 'AmazonBedrockFullAccess on a non-exempt role',
    rule: 'full-access-managed-policy',
    violates: true,
    files: accountFiles({
      principals: [
        { name: 'App', managed: [FULL_ACCESS_ARN] },
        { name: 'Admin', managed: [FULL_ACCESS_ARN] },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'bedrock:* on * written inline',
    rule: 'full-access-managed-policy',
    violates: true,
    files: accountFiles({ principals: [{ name: 'App', statements: [allow('bedrock:*')] }] }),
    policy: appTeam(),
  },
  {
    name: 'full access only on an exempt admin',
    rule: 'full-access-managed-policy',
    violates: false,
    files: accountFiles({
      principals: [
        { name: 'App', statements: [invokeNova] },
        { name: 'Admin', managed: [FULL_ACCESS_ARN] },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'a profile whose destination Regions the policy leaves out',
    rule: 'cross-region-profile-gaps',
    violates: true,
    files: accountFiles({
      profiles: [NOVA],
      principals: [
        {
          name: 'App',
          statements: [
            allow(
              ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
              [fm('us-east-1', NOVA), usProfile(NOVA)],
            ),
            allow('bedrock:GetInferenceProfile', usProfile(NOVA)),
          ],
        },
      ],
    }),
    policy: policyFile({
      regions: ['us-east-1'],
      models: { standard: [NOVA] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
    }),
  },
  {
    name: 'a Region SCP without the inference-profile exemption',
    rule: 'cross-region-profile-gaps',
    violates: true,
    files: accountFiles({
      profiles: [NOVA],
      principals: [
        {
          name: 'App',
          statements: [invokeNova, allow(['bedrock:InvokeModel*', 'bedrock:GetInferenceProfile'], usProfile(NOVA))],
        },
      ],
      scps: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyOutsideUsEast1',
              Effect: 'Deny',
              NotAction: ['iam:*', 'sts:*'],
              Resource: '*',
              Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } },
            },
          ],
        },
      ],
    }),
    policy: policyFile({
      regions: ['us-east-1'],
      models: { standard: [NOVA] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
    }),
  },
  {
    name: 'a profile with every destination and GetInferenceProfile',
    rule: 'cross-region-profile-gaps',
    violates: false,
    files: accountFiles({
      profiles: [NOVA],
      principals: [
        {
          name: 'App',
          statements: [invokeNova, allow(['bedrock:InvokeModel*', 'bedrock:GetInferenceProfile'], usProfile(NOVA))],
        },
      ],
    }),
    policy: policyFile({
      regions: ['us-east-1'],
      models: { standard: [NOVA] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
    }),
  },
  {
    name: 'an import role trusted without conditions, reading any bucket, decrypting any key',
    rule: 'custom-model-import-role',
    violates: true,
    files: accountFiles({
      principals: [
        { name: 'App', statements: [invokeNova] },
        {
          name: 'ImportLoose',
          trust: looseTrust,
          statements: [
            importPolicy(['s3:GetObject', 's3:ListBucket'], 'arn:aws:s3:::models/*'),
            importPolicy('kms:Decrypt'),
          ],
        },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'an import role as AWS recommends',
    rule: 'custom-model-import-role',
    violates: false,
    files: accountFiles({
      principals: [
        { name: 'App', statements: [invokeNova] },
        {
          name: 'ImportGood',
          trust: goodTrust,
          statements: [
            importPolicy(['s3:GetObject', 's3:ListBucket'], ['arn:aws:s3:::models', 'arn:aws:s3:::models/*'], {
              Condition: { StringEquals: { 's3:ResourceAccount': '444455556666' } },
            }),
            importPolicy('kms:Decrypt', 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
          ],
        },
      ],
    }),
    policy: appTeam(),
  },
  {
    name: 'a user in a group that grants everything, matched by group',
    rule: 'unapproved-model-access',
    violates: true,
    files: accountFiles({
      groups: { 'ml-engineers': [invokeAll] },
      principals: [{ kind: 'user', name: 'alice', groups: ['ml-engineers'] }],
    }),
    policy: policyFile({
      regions: REGIONS,
      models: { standard: [NOVA, LITE] },
      teams: [{ name: 'ml', principals: [{ groups: ['ml-engineers'] }], models: ['standard'] }],
    }),
  },
];
