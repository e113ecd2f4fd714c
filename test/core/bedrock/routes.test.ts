import { describe, expect, it } from 'vitest';
import { bedrockRoutes } from '../../../shared/core/bedrock/routes.js';
import { explainModel } from '../../../shared/core/explain/explain.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';

const ACCOUNT = { accountId: '111122223333', partition: 'aws', regions: ['us-east-1', 'us-east-2', 'us-west-2'] };
const NOVA = 'amazon.nova-micro-v1:0';
const SONNET = 'anthropic.claude-sonnet-4-20250514-v1:0';
const fm = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
const usProfile = `arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.${NOVA}`;
const globalProfile = `arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.${SONNET}`;
const appProfile = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123';

const catalogue = {
  foundationModels: {
    'us-east-1': {
      modelSummaries: [
        { modelId: NOVA, modelArn: fm('us-east-1', NOVA), inferenceTypesSupported: ['ON_DEMAND'] },
        { modelId: SONNET, modelArn: fm('us-east-1', SONNET), inferenceTypesSupported: ['INFERENCE_PROFILE'] },
      ],
    },
  },
  inferenceProfiles: {
    'us-east-1': {
      inferenceProfileSummaries: [
        {
          inferenceProfileId: `us.${NOVA}`,
          inferenceProfileArn: usProfile,
          type: 'SYSTEM_DEFINED',
          models: ['us-east-1', 'us-east-2', 'us-west-2'].map((r) => ({ modelArn: fm(r, NOVA) })),
        },
        {
          inferenceProfileId: `global.${SONNET}`,
          inferenceProfileArn: globalProfile,
          type: 'SYSTEM_DEFINED',
          models: [{ modelArn: fm('us-east-1', SONNET) }],
        },
        {
          inferenceProfileId: 'abc123',
          inferenceProfileArn: appProfile,
          type: 'APPLICATION',
          models: [{ modelArn: fm('us-east-1', NOVA) }],
        },
      ],
    },
  },
};

/** An account with one role, `App`, whose inline policy holds `statements`; `files` adds or replaces snapshot files. */
function oneRoleSnapshot(statements: unknown[], files: Partial<SnapshotFiles> = {}) {
  const account = (files.account ?? ACCOUNT) as typeof ACCOUNT;
  return buildSnapshot({
    account,
    iam: {
      UserDetailList: [],
      GroupDetailList: [],
      Policies: [],
      RoleDetailList: [
        {
          RoleName: 'App',
          RoleId: 'AROAEXAMPLEAPP',
          Arn: `arn:${account.partition}:iam::111122223333:role/App`,
          Path: '/',
          RolePolicyList: [{ PolicyName: 'bedrock', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
          AttachedManagedPolicies: [],
          Tags: [],
        },
      ],
    },
    ...files,
  });
}

function snapshotWith(roleStatements: unknown[], scps?: unknown[]) {
  const levels = scps && [
    { target: 'r-root', policies: scps.map((s, i) => ({ Id: `p-${i}`, Name: `scp${i}`, Content: JSON.stringify(s) })) },
  ];
  return oneRoleSnapshot(roleStatements, { ...catalogue, ...(levels ? { scps: { levels } } : {}) });
}

const explain = (snapshot: ReturnType<typeof snapshotWith>, modelId: string) =>
  explainModel(snapshot, { principal: 'arn:aws:iam::111122223333:role/App', modelId, region: 'us-east-1' });
const route = (m: ReturnType<typeof explain>, id: string) => {
  const r = m.routes.find((x) => x.route.id === id);
  if (!r) throw new Error(`no route ${id}; have ${m.routes.map((x) => x.route.id).join(', ')}`);
  return r;
};

describe('bedrockRoutes', () => {
  it('lists every route with its checks, destinations from the catalogue', () => {
    const routes = bedrockRoutes(snapshotWith([]), { modelId: NOVA, region: 'us-east-1', principalKind: 'role' });
    expect(routes.map((r) => r.id)).toEqual([
      'invoke',
      'invoke-stream',
      'batch',
      'async',
      `cross-region-profile:us.${NOVA}`,
      `cross-region-profile-stream:us.${NOVA}`,
      'application-profile:abc123',
      'application-profile-stream:abc123',
      'mantle',
      'api-key',
      'mantle-api-key',
    ]);
    const profile = routes.find((r) => r.id === `cross-region-profile:us.${NOVA}`);
    expect(
      profile?.checks.map((c) => [c.action, c.resource, c.context['bedrock:inferenceprofilearn'] ?? null]),
    ).toEqual([
      ['bedrock:InvokeModel', usProfile, null],
      ['bedrock:InvokeModel', fm('us-east-1', NOVA), usProfile],
      ['bedrock:InvokeModel', fm('us-east-2', NOVA), usProfile],
      ['bedrock:InvokeModel', fm('us-west-2', NOVA), usProfile],
      ['bedrock:GetInferenceProfile', usProfile, null],
    ]);
  });

  it('adds the long-term API key route for users only', () => {
    const s = snapshotWith([]);
    expect(bedrockRoutes(s, { modelId: NOVA, region: 'us-east-1', principalKind: 'user' }).map((r) => r.id)).toContain(
      'api-key-long-term',
    );
    expect(
      bedrockRoutes(s, { modelId: NOVA, region: 'us-east-1', principalKind: 'role' }).map((r) => r.id),
    ).not.toContain('api-key-long-term');
  });

  it('checks a global profile on the source-Region and Region-less model ARNs with RequestedRegion unspecified', () => {
    const routes = bedrockRoutes(snapshotWith([]), { modelId: SONNET, region: 'us-east-1', principalKind: 'role' });
    const global = routes.find((r) => r.id === `global-profile:global.${SONNET}`);
    expect(global?.checks.map((c) => [c.resource, c.context['aws:requestedregion']])).toEqual([
      [globalProfile, 'us-east-1'],
      [fm('us-east-1', SONNET), 'us-east-1'],
      [`arn:aws:bedrock:::foundation-model/${SONNET}`, 'unspecified'],
      [globalProfile, 'us-east-1'],
    ]);
    // Sonnet 4 is not offered on demand: direct routes are flagged by the catalogue.
    expect(routes.find((r) => r.id === 'invoke')?.unavailable).toMatch(/inference profile/);
  });
});

describe('explainModel', () => {
  it('names the destination Region missing from a cross-Region allow (seed 001)', () => {
    const s = snapshotWith([
      {
        Effect: 'Allow',
        Action: ['bedrock:InvokeModel*', 'bedrock:GetInferenceProfile'],
        Resource: [usProfile, fm('us-east-1', NOVA), fm('us-west-2', NOVA)],
      },
    ]);
    const m = explain(s, NOVA);
    expect(route(m, 'invoke').allowed).toBe(true);
    const profile = route(m, `cross-region-profile:us.${NOVA}`);
    expect(profile.allowed).toBe(false);
    expect(profile.failing?.check.resource).toBe(fm('us-east-2', NOVA));
    expect(profile.failing?.result).toMatchObject({ decision: 'ImplicitlyDenied', blockedBy: { layer: 'identity' } });
  });

  it('reports a missing GetInferenceProfile as a warning, not a denial', () => {
    const s = snapshotWith([
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: [usProfile, 'arn:aws:bedrock:*::foundation-model/*'],
      },
    ]);
    const profile = route(explain(s, NOVA), `cross-region-profile:us.${NOVA}`);
    expect(profile.allowed).toBe(true);
    expect(profile.warnings.map((w) => w.check.action)).toEqual(['bedrock:GetInferenceProfile']);
  });

  it('lets an SCP Region deny with an inference-profile exemption through profiles only (seed 001)', () => {
    const allowAll = { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' };
    const scps = [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
            Resource: 'arn:aws:bedrock:*::foundation-model/*',
            Condition: {
              StringEquals: { 'aws:RequestedRegion': ['us-east-2', 'us-west-2'] },
              ArnNotLike: { 'bedrock:InferenceProfileArn': ['arn:aws:bedrock:*:*:inference-profile/*'] },
            },
          },
        ],
      },
    ];
    const m = explain(snapshotWith([allowAll], scps), NOVA);
    expect(route(m, `cross-region-profile:us.${NOVA}`).allowed).toBe(true);
    // The application profile's model check carries its own ARN, which the exemption does not cover; but its model is in us-east-1.
    expect(route(m, 'application-profile:abc123').allowed).toBe(true);
    const usEast2 = explainModel(snapshotWith([allowAll], scps), {
      principal: 'arn:aws:iam::111122223333:role/App',
      modelId: NOVA,
      region: 'us-east-2',
    });
    expect(route(usEast2, 'invoke').failing?.result).toMatchObject({
      decision: 'ExplicitlyDenied',
      blockedBy: { layer: 'scp', target: 'r-root' },
    });
  });
});

describe('GovCloud (seed 000)', () => {
  const govSnapshot = (denyResource: string) =>
    oneRoleSnapshot(
      [
        { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
        {
          Sid: 'DenyInference',
          Effect: 'Deny',
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CreateModelInvocationJob'],
          Resource: denyResource,
        },
      ],
      { account: { accountId: '111122223333', partition: 'aws-us-gov', regions: ['us-gov-west-1'] } },
    );
  const routesOf = (denyResource: string) =>
    explainModel(govSnapshot(denyResource), {
      principal: 'arn:aws-us-gov:iam::111122223333:role/App',
      modelId: 'amazon.titan-text-express-v1',
      region: 'us-gov-west-1',
    }).routes;

  it('blocks every invoke route with a deny scoped to the model ARN in the GovCloud partition', () => {
    const routes = routesOf('arn:aws-us-gov:bedrock:*::foundation-model/amazon.titan-text-express-v1');
    const byId = Object.fromEntries(routes.map((r) => [r.route.id, r]));
    for (const id of ['invoke', 'invoke-stream', 'batch', 'async', 'api-key']) {
      expect(byId[id]?.allowed, id).toBe(false);
      expect(byId[id]?.failing?.result.decision).toBe('ExplicitlyDenied');
      expect(byId[id]?.failing?.check.resource).toBe(
        'arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.titan-text-express-v1',
      );
    }
  });

  it('shows that the same deny written for the commercial partition does not hold in GovCloud', () => {
    const routes = routesOf('arn:aws:bedrock:*::foundation-model/amazon.titan-text-express-v1');
    expect(routes.find((r) => r.route.id === 'invoke')?.allowed).toBe(true);
  });
});

describe('provisioned throughput', () => {
  const provisioned = 'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/pq8r2s4t6v1w';
  const snapshot = (statements: unknown[]) =>
    oneRoleSnapshot(statements, {
      provisionedModels: {
        'us-east-1': {
          provisionedModelSummaries: [
            {
              provisionedModelName: 'nova-lite-reserved',
              provisionedModelArn: provisioned,
              modelArn: fm('us-east-1', 'amazon.nova-lite-v1:0:300k'),
              foundationModelArn: fm('us-east-1', 'amazon.nova-lite-v1:0:300k'),
            },
          ],
        },
      },
    });

  it('routes a model to the throughput bought for its context-length variant, checked on the provisioned ARN', () => {
    const s = snapshot([{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: provisioned }]);
    const m = explainModel(s, {
      principal: 'arn:aws:iam::111122223333:role/App',
      modelId: 'amazon.nova-lite-v1:0',
      region: 'us-east-1',
    });
    expect(route(m, 'provisioned:nova-lite-reserved').allowed).toBe(true);
    expect(route(m, 'provisioned-stream:nova-lite-reserved').failing?.check).toMatchObject({
      action: 'bedrock:InvokeModelWithResponseStream',
      resource: provisioned,
    });
    expect(route(m, 'invoke').allowed).toBe(false);
  });

  it('does not take a version suffix for a variant', () => {
    const routes = bedrockRoutes(snapshot([]), {
      modelId: 'amazon.nova-lite-v1',
      region: 'us-east-1',
      principalKind: 'role',
    });
    expect(routes.map((r) => r.kind)).not.toContain('provisioned');
  });
});
