import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetDeny, budgetDenyName } from '../../../shared/core/budgets/budget-deny.js';
import { budgetIds } from '../../../shared/core/budgets/budgets.js';
import { DesiredState } from '../../../shared/core/desired/grants.js';
import { diagnoseDenial } from '../../../shared/core/diagnose/diagnose-denial.js';
import { applyToFiles } from '../../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../../shared/core/plan/plan.js';
import type { Budget, PolicyFile } from '../../../shared/core/policy-file/types.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';
import type { Snapshot } from '../../../shared/core/snapshot/types.js';
import { readPolicyFile } from '../../../shared/policy-file/read.js';
import { readSnapshotFiles } from '../../../shared/snapshot/read-folder.js';
import { accountFiles, invokeNova, NOVA, provisionedArn } from '../../support/account-builder.js';
import {
  ACCOUNT,
  awsMessage,
  DEMO,
  fm,
  HAIKU,
  INVOKE,
  NO_IDENTITY_ALLOW,
  NOVA_PRO,
  profileArn,
  request,
  role,
  SCP_DENY,
  SEED_001,
  SEED_001_EXEMPT,
  session,
  SONNET_4,
  statementsOf,
  TIME,
  withRoles,
} from './helpers.js';

/**
 * Why was I denied? Seed 001's account with and without the SCP's
 * inference-profile exemption, AWS's documented cross-Region cases
 * (geographic and global profiles), the other layers, guard denies by design
 * and model access, each replayed on a captured snapshot.
 */
const NOVA_PROFILE = profileArn(`us.${NOVA_PRO}`);
const GLOBAL_PROFILE = profileArn(`global.${SONNET_4}`);
const REGIONLESS_SONNET = `arn:aws:bedrock:::foundation-model/${SONNET_4}`;
const PROFILE_EXEMPTION = [
  'arn:aws:bedrock:*:*:inference-profile/*',
  'arn:aws:bedrock:*:*:application-inference-profile/*',
];

/** A role for AWS's global-profile case: its Allow lists named Regions, which never match "unspecified". */
const GLOBAL_CHAT = [
  {
    Sid: 'InvokeSonnetInNamedRegions',
    Effect: 'Allow',
    Action: INVOKE,
    Resource: [GLOBAL_PROFILE, `arn:aws:bedrock:*::foundation-model/${SONNET_4}`],
    Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
  },
];
/** Every model ARN of Nova Pro, and no profile. */
const NO_PROFILE = [{ Effect: 'Allow', Action: INVOKE, Resource: `arn:aws:bedrock:*::foundation-model/${NOVA_PRO}` }];

type Json = Record<string, unknown>;

let seed: SnapshotFiles;
let exemptFiles: SnapshotFiles;
let seed001: Snapshot;
let exempt: Snapshot;
/** The OU's Region deny as seed 001 wrote it. */
let regionDeny: Json;

beforeAll(async () => {
  const extra = { GlobalChat: GLOBAL_CHAT, NoProfile: NO_PROFILE };
  seed = withRoles(await readSnapshotFiles(`${SEED_001}/snapshot`), extra);
  exemptFiles = withRoles(await readSnapshotFiles(`${SEED_001_EXEMPT}/snapshot`), extra);
  seed001 = buildSnapshot(seed);
  exempt = buildSnapshot(exemptFiles);
  const scps = JSON.parse(await readFile(`${SEED_001}/snapshot/scps.json`, 'utf8')) as {
    levels: { policies: { Id: string; Content: string }[] }[];
  };
  const content = scps.levels.flatMap((l) => l.policies).find((p) => p.Id === 'p-6h2k9d4w')?.Content as string;
  regionDeny = (JSON.parse(content) as { Statement: Json[] }).Statement[0] as Json;
});

/** Seed 001's statement with AWS's documented exemption added to its ArnNotLike block, nothing else changed. */
const exemptedRegionDeny = () => {
  const condition = regionDeny.Condition as Record<string, Json>;
  return {
    ...regionDeny,
    Condition: {
      ...condition,
      ArnNotLike: { ...condition.ArnNotLike, 'bedrock:InferenceProfileArn': PROFILE_EXEMPTION },
    },
  };
};

/** A call through `us.amazon.nova-pro-v1:0` that the profile sent to us-east-2. */
const throughNovaProfile = (name: string, fields = {}) =>
  request(session(name), `us.${NOVA_PRO}`, { inferenceRegion: 'us-east-2', ...fields });

describe('seed 001: a Region SCP without the inference-profile exemption', () => {
  it('ChatApp: the SCP and the missing destination Regions, both fixed by the minimal edits', () => {
    const d = diagnoseDenial(seed001, throughNovaProfile('ChatApp'));
    expect(d).toMatchObject({
      cause: 'scp-region-without-profile-exemption',
      layer: 'scp',
      route: `cross-region-profile:us.${NOVA_PRO}`,
      failing: {
        action: 'bedrock:InvokeModel',
        resource: fm('us-east-2', NOVA_PRO),
        purpose: 'the model in destination Region us-east-2',
      },
      verified: true,
    });
    expect(d.changes).toStrictEqual([
      {
        layer: 'scp',
        kind: 'replace-statement',
        target: 'SCP DenyOutsideUsEast1 (p-6h2k9d4w), statement DenyAllOutsideUsEast1',
        policyId: 'p-6h2k9d4w',
        scpTarget: 'ou-4f2a-9c1d7e3b',
        index: 0,
        statement: exemptedRegionDeny(),
      },
      {
        layer: 'identity',
        kind: 'add-statement',
        target: 'the identity policies of role ChatApp',
        statement: {
          Sid: 'AllowThroughInferenceProfile',
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: [fm('us-east-2', NOVA_PRO), fm('us-west-2', NOVA_PRO)],
          Condition: { StringLike: { 'bedrock:InferenceProfileArn': NOVA_PROFILE } },
        },
      },
    ]);
    expect(d.evidence.map((e) => [e.policy.id, e.sid])).toStrictEqual([['p-6h2k9d4w', 'DenyAllOutsideUsEast1']]);
    expect(d.summary).toContain('DenyOutsideUsEast1');
    expect(d.summary).toContain('us-east-2');
    expect(d.summary).toContain('no exemption for calls made through inference profiles');
    expect(d.summary).toContain('No identity policy of role ChatApp allows it either');
    expect(d.fix).toContain('ArnNotLike bedrock:InferenceProfileArn');
    expect(d.fix).toContain('Add statement AllowThroughInferenceProfile to the identity policies of role ChatApp');
  });

  it('ChatAppFixed: only the SCP', () => {
    const d = diagnoseDenial(seed001, throughNovaProfile('ChatAppFixed'));
    expect(d).toMatchObject({ cause: 'scp-region-without-profile-exemption', layer: 'scp', verified: true });
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0]).toMatchObject({ layer: 'scp', kind: 'replace-statement', policyId: 'p-6h2k9d4w' });
    expect(d.changes[0]?.statement).toStrictEqual(exemptedRegionDeny());
    expect(d.summary).not.toContain('either');
    expect(d.fix).not.toMatch(/GetInferenceProfile|Add statement/);
  });

  it('ChatAppNoGet: the SCP, and the fix mentions GetInferenceProfile', () => {
    const d = diagnoseDenial(seed001, throughNovaProfile('ChatAppNoGet'));
    expect(d).toMatchObject({ cause: 'scp-region-without-profile-exemption', verified: true });
    expect(d.changes.map((c) => c.layer)).toStrictEqual(['scp']);
    expect(d.fix).toContain(`bedrock:GetInferenceProfile on ${NOVA_PROFILE}`);
  });

  it('starts from the check AWS named: the us-west-2 destination, as the message says', () => {
    const d = diagnoseDenial(
      seed001,
      throughNovaProfile('ChatApp', {
        inferenceRegion: 'us-west-2',
        errorMessage: awsMessage(session('ChatApp'), 'bedrock:InvokeModel', fm('us-west-2', NOVA_PRO), SCP_DENY),
      }),
    );
    expect(d.failing?.resource).toBe(fm('us-west-2', NOVA_PRO));
    expect(d.awsSays).toBe('an explicit deny in a service control policy');
    expect(d.cause).toBe('scp-region-without-profile-exemption');
  });

  it('replays the streaming twin for ConverseStream, and edits the streaming action', () => {
    const d = diagnoseDenial(seed001, throughNovaProfile('ChatApp', { eventName: 'ConverseStream' }));
    expect(d.route).toBe(`cross-region-profile-stream:us.${NOVA_PRO}`);
    expect(d.failing?.action).toBe('bedrock:InvokeModelWithResponseStream');
    expect(d.changes[1]?.statement.Action).toBe('bedrock:InvokeModelWithResponseStream');
    expect(d.verified).toBe(true);
  });

  it('reads the profile named by its ARN as by its id', () => {
    const byArn = diagnoseDenial(seed001, throughNovaProfile('ChatApp', { model: NOVA_PROFILE }));
    expect(byArn).toStrictEqual(diagnoseDenial(seed001, throughNovaProfile('ChatApp')));
  });

  it('global profile: the Region-less model is denied by the SCP too, and the same exemption fixes it', () => {
    const d = diagnoseDenial(seed001, request(session('GlobalChat'), `global.${SONNET_4}`));
    expect(d).toMatchObject({
      cause: 'scp-region-without-profile-exemption',
      route: `global-profile:global.${SONNET_4}`,
      failing: { resource: REGIONLESS_SONNET },
      verified: true,
    });
    expect(statementsOf(d)).toContainEqual(exemptedRegionDeny());
    expect(d.summary).toContain('sent this one to the Region-less model (aws:RequestedRegion "unspecified")');
  });
});

describe('seed 001 with the exemption in the SCP', () => {
  it('ChatApp: the missing destination Regions, allowed only through the profile', () => {
    const d = diagnoseDenial(exempt, throughNovaProfile('ChatApp'));
    expect(d).toMatchObject({
      cause: 'missing-destination-region',
      layer: 'identity',
      route: `cross-region-profile:us.${NOVA_PRO}`,
      failing: { action: 'bedrock:InvokeModel', resource: fm('us-east-2', NOVA_PRO) },
      verified: true,
      evidence: [],
    });
    expect(d.changes).toStrictEqual([
      {
        layer: 'identity',
        kind: 'add-statement',
        target: 'the identity policies of role ChatApp',
        statement: {
          Sid: 'AllowThroughInferenceProfile',
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: [fm('us-east-2', NOVA_PRO), fm('us-west-2', NOVA_PRO)],
          Condition: { StringLike: { 'bedrock:InferenceProfileArn': NOVA_PROFILE } },
        },
      },
    ]);
    expect(d.summary).toContain('routed the request to us-east-2');
    expect(d.summary).toContain('Every destination Region');
  });

  it('ChatAppFixed: not reproduced', () => {
    const d = diagnoseDenial(exempt, throughNovaProfile('ChatAppFixed'));
    expect(d).toMatchObject({ cause: 'not-reproduced', changes: [], route: `cross-region-profile:us.${NOVA_PRO}` });
    expect(d.verified).toBeUndefined();
    expect(d.summary).toContain('allows it');
  });

  it('ChatAppNoGet: the missing GetInferenceProfile, verified', () => {
    const d = diagnoseDenial(exempt, throughNovaProfile('ChatAppNoGet'));
    expect(d).toMatchObject({
      cause: 'missing-get-inference-profile',
      layer: 'identity',
      failing: { action: 'bedrock:GetInferenceProfile', resource: NOVA_PROFILE },
      verified: true,
    });
    expect(d.changes).toStrictEqual([
      {
        layer: 'identity',
        kind: 'add-statement',
        target: 'the identity policies of role ChatAppNoGet',
        statement: {
          Sid: 'AllowGetInferenceProfile',
          Effect: 'Allow',
          Action: 'bedrock:GetInferenceProfile',
          Resource: NOVA_PROFILE,
        },
      },
    ]);
    expect(d.fix).toContain('AllowGetInferenceProfile');
  });

  it('a boundary without GetInferenceProfile: the read is added where it is missing, the boundary', () => {
    const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/InvokeOnly`;
    const files = accountFiles({
      principals: [
        {
          name: 'App',
          statements: [{ Effect: 'Allow', Action: [...INVOKE, 'bedrock:GetInferenceProfile'], Resource: '*' }],
          boundary: BOUNDARY,
        },
      ],
      profiles: [NOVA],
      policies: {
        [BOUNDARY]: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: INVOKE, Resource: '*' }] },
      },
    });
    const d = diagnoseDenial(
      buildSnapshot(files),
      request(role('App'), `us.${NOVA}`, { inferenceRegion: 'us-west-2' }),
    );
    expect(d).toMatchObject({ cause: 'missing-get-inference-profile', layer: 'boundary', verified: true });
    expect(d.changes).toStrictEqual([
      {
        layer: 'boundary',
        kind: 'add-statement',
        target: 'the permissions boundary InvokeOnly of role App',
        policyId: BOUNDARY,
        statement: {
          Sid: 'AllowGetInferenceProfile',
          Effect: 'Allow',
          Action: 'bedrock:GetInferenceProfile',
          Resource: profileArn(`us.${NOVA}`),
        },
      },
    ]);
  });

  it('ChatAppNoGet: not blamed on GetInferenceProfile when AWS names the invoke and a layer the guard cannot see', () => {
    const d = diagnoseDenial(
      exempt,
      throughNovaProfile('ChatAppNoGet', {
        errorMessage: awsMessage(
          session('ChatAppNoGet'),
          'bedrock:InvokeModel',
          fm('us-east-2', NOVA_PRO),
          'because no session policy allows the bedrock:InvokeModel action',
        ),
      }),
    );
    expect(d).toMatchObject({ cause: 'not-reproduced', changes: [] });
    expect(d.summary).toContain('AWS answered "no session policy allows it"');
    expect(d.summary).toContain('does not capture');
  });

  it('global profile: the Region-less model needs aws:RequestedRegion = "unspecified"', () => {
    const d = diagnoseDenial(exempt, request(session('GlobalChat'), `global.${SONNET_4}`));
    expect(d).toMatchObject({
      cause: 'global-needs-unspecified',
      layer: 'identity',
      route: `global-profile:global.${SONNET_4}`,
      failing: { action: 'bedrock:InvokeModel', resource: REGIONLESS_SONNET },
      verified: true,
    });
    expect(statementsOf(d)).toStrictEqual([
      {
        Sid: 'AllowGlobalInferenceProfile',
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: REGIONLESS_SONNET,
        Condition: {
          StringEquals: { 'aws:RequestedRegion': 'unspecified' },
          StringLike: { 'bedrock:InferenceProfileArn': GLOBAL_PROFILE },
        },
      },
    ]);
    expect(d.summary).toContain('"unspecified"');
  });

  it('the profile ARN itself not allowed: missing-inference-profile', () => {
    const d = diagnoseDenial(
      exempt,
      throughNovaProfile('NoProfile', {
        model: NOVA_PROFILE,
        errorMessage: awsMessage(session('NoProfile'), 'bedrock:InvokeModel', NOVA_PROFILE, NO_IDENTITY_ALLOW),
      }),
    );
    expect(d).toMatchObject({
      cause: 'missing-inference-profile',
      layer: 'identity',
      failing: { resource: NOVA_PROFILE, purpose: 'the inference profile, in the source Region' },
      verified: true,
    });
    expect(statementsOf(d)).toStrictEqual([
      { Sid: 'AllowBedrock', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: NOVA_PROFILE },
    ]);
    expect(d.summary).toContain(`inference profile ${NOVA_PROFILE} itself`);
  });
});

describe('a Region SCP on a direct call', () => {
  it.each([
    { name: 'without the exemption', snapshot: () => seed001, sid: 'DenyAllOutsideUsEast1' },
    {
      name: 'with the exemption',
      snapshot: () => exempt,
      sid: 'DenyBedrockOutsideUsEast1ExceptThroughInferenceProfiles',
    },
  ])('$name: scp-deny, the organisation decides, no SCP edit', ({ snapshot, sid }) => {
    // ChatAppFixed's own policy allows Nova Pro in us-west-2; the SCP doesn't.
    const d = diagnoseDenial(
      snapshot(),
      request(session('ChatAppFixed'), NOVA_PRO, {
        region: 'us-west-2',
        errorMessage: awsMessage(session('ChatAppFixed'), 'bedrock:InvokeModel', fm('us-west-2', NOVA_PRO), SCP_DENY),
      }),
    );
    expect(d).toMatchObject({
      cause: 'scp-deny',
      layer: 'scp',
      route: 'invoke',
      failing: { resource: fm('us-west-2', NOVA_PRO) },
      changes: [],
    });
    expect(d.verified).toBeUndefined();
    expect(d.evidence.map((e) => e.sid)).toStrictEqual([sid]);
    expect(d.summary).toContain('us-west-2 is not one of them');
    expect(d.fix).toContain("organisation's decision");
  });

  it("the demo's SCP exempts only us. profiles: a global call gets its profile added, nothing wider", () => {
    // PlatformAdmin (AmazonBedrockFullAccess) through the global Sonnet 4 profile: the README's request 14.
    return readSnapshotFiles(`${DEMO}/snapshot`).then((files) => {
      const demo = buildSnapshot(files);
      const d = diagnoseDenial(demo, request(session('PlatformAdmin'), `global.${SONNET_4}`));
      expect(d).toMatchObject({
        cause: 'scp-region-without-profile-exemption',
        failing: { resource: REGIONLESS_SONNET },
        verified: true,
      });
      expect(d.changes).toHaveLength(1);
      const condition = (d.changes[0]?.statement.Condition ?? {}) as Record<string, Json>;
      expect(condition.ArnNotLike?.['bedrock:InferenceProfileArn']).toStrictEqual([
        'arn:aws:bedrock:*:*:inference-profile/us.*',
        'arn:aws:bedrock:*:*:application-inference-profile/*',
        `arn:aws:bedrock:*:*:inference-profile/global.${SONNET_4}`,
      ]);
      expect(d.summary).toContain(`does not cover global.${SONNET_4}`);
      expect(d.summary).not.toContain('no exemption');
    });
  });
});

describe('permissions boundaries and SCP levels', () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/Boundary`;
  const boundaryFiles = () =>
    accountFiles({
      principals: [
        { name: 'Bounded', statements: [invokeNova], boundary: BOUNDARY },
        {
          name: 'BoundedBare',
          statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
          boundary: BOUNDARY,
        },
      ],
      policies: {
        [BOUNDARY]: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:List*', Resource: '*' }] },
      },
    });

  it('a boundary without the Allow: boundary-no-allow, an Allow added to the boundary', () => {
    const d = diagnoseDenial(buildSnapshot(boundaryFiles()), request(role('Bounded'), NOVA));
    expect(d).toMatchObject({ cause: 'boundary-no-allow', layer: 'boundary', route: 'invoke', verified: true });
    expect(d.changes).toStrictEqual([
      {
        layer: 'boundary',
        kind: 'add-statement',
        target: 'the permissions boundary Boundary of role Bounded',
        policyId: BOUNDARY,
        statement: {
          Sid: 'AllowBedrock',
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: fm('us-east-1', NOVA),
        },
      },
    ]);
    expect(d.summary).toContain('permissions boundary Boundary of role Bounded');
  });

  it('neither the boundary nor the identity policies allow it: both get the Allow', () => {
    const d = diagnoseDenial(buildSnapshot(boundaryFiles()), request(role('BoundedBare'), NOVA));
    expect(d).toMatchObject({ cause: 'boundary-no-allow', verified: true });
    expect(d.changes.map((c) => c.layer)).toStrictEqual(['boundary', 'identity']);
    expect(d.summary).toContain('No identity policy of role BoundedBare allows it either');
  });

  it("the demo's ContractorRole: the boundary's explicit Deny, no edit, not verified", async () => {
    const demo = buildSnapshot(await readSnapshotFiles(`${DEMO}/snapshot`));
    const d = diagnoseDenial(
      demo,
      request(session('ContractorRole'), fm('us-east-1', HAIKU), { eventName: 'InvokeModelWithResponseStream' }),
    );
    expect(d).toMatchObject({
      cause: 'explicit-deny',
      layer: 'boundary',
      route: 'invoke-stream',
      changes: [],
    });
    expect(d.verified).toBeUndefined();
    expect(d.evidence.map((e) => [e.policy.name, e.sid])).toStrictEqual([['ContractorBoundary', 'NoAnthropicModels']]);
    expect(d.fix).toContain('no Allow can override it');
  });

  it("an identity policy's own Deny: explicit-deny in the identity layer", () => {
    const files = accountFiles({
      principals: [
        {
          name: 'App',
          statements: [
            invokeNova,
            { Sid: 'NoNovaMicro', Effect: 'Deny', Action: 'bedrock:*', Resource: fm('*', NOVA) },
          ],
        },
      ],
    });
    const d = diagnoseDenial(buildSnapshot(files), request(role('App'), NOVA));
    expect(d).toMatchObject({ cause: 'explicit-deny', layer: 'identity', changes: [] });
    expect(d.verified).toBeUndefined();
    expect(d.summary).toContain('bedrock statement NoNovaMicro');
  });

  it('an SCP level with no Allow: scp-no-allow, an Allow added at that level', () => {
    const files = accountFiles({ principals: [{ name: 'App', statements: [invokeNova] }], scps: [] });
    const scps = files.scps as { levels: Json[] };
    const sandbox = {
      target: 'ou-sandbox',
      policies: [
        {
          Id: 'p-s3only',
          Name: 'S3Only',
          Content: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
          }),
        },
      ],
    };
    const snapshot = buildSnapshot({ ...files, scps: { levels: [...scps.levels, sandbox] } });
    const d = diagnoseDenial(snapshot, request(role('App'), NOVA));
    expect(d).toMatchObject({ cause: 'scp-no-allow', layer: 'scp', route: 'invoke', verified: true, evidence: [] });
    expect(d.changes).toStrictEqual([
      {
        layer: 'scp',
        kind: 'add-statement',
        target: 'an SCP attached to ou-sandbox',
        scpTarget: 'ou-sandbox',
        statement: {
          Sid: 'AllowBedrock',
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: fm('us-east-1', NOVA),
        },
      },
    ]);
    expect(d.summary).toContain('No SCP attached to ou-sandbox allows');
  });

  it('a provisioned model: no identity Allow on its ARN (it is not an inference profile)', () => {
    const files = accountFiles({
      principals: [{ name: 'App', statements: [invokeNova] }],
      provisioned: { 'pt-nova': NOVA },
    });
    const d = diagnoseDenial(buildSnapshot(files), request(role('App'), provisionedArn('pt-nova')));
    expect(d).toMatchObject({ cause: 'no-identity-allow', route: 'provisioned:pt-nova', verified: true });
    expect(statementsOf(d)).toStrictEqual([
      { Sid: 'AllowBedrock', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: provisionedArn('pt-nova') },
    ]);
    expect(d.summary).not.toContain('inference profile');
  });
});

describe('guard denies by design', () => {
  let guarded: Snapshot;
  let policy: PolicyFile;
  const POLICY_PATH = `${DEMO}/bedrock-guard.yaml`;
  let ruleLine: number;

  beforeAll(async () => {
    const files = await readSnapshotFiles(`${DEMO}/snapshot`);
    policy = (await readPolicyFile(POLICY_PATH)).policy;
    guarded = buildSnapshot(applyToFiles(files, planFromFiles(files, policy, { now: new Date(TIME) }).changes));
    const lines = (await readFile(POLICY_PATH, 'utf8')).split('\n');
    ruleLine = lines.findIndex((l) => /^\s+unapproved-model-access:/.test(l)) + 1;
  });

  it('DataScience invoking Nova Pro, which no team of it is granted: the rule and its line, no edit', () => {
    const d = diagnoseDenial(guarded, request(session('DataScience'), NOVA_PRO), {
      policy,
      desired: new DesiredState(policy),
    });
    expect(d).toMatchObject({
      cause: 'guard-deny',
      layer: 'guard',
      route: 'invoke',
      changes: [],
      byDesign: { rule: 'unapproved-model-access', file: POLICY_PATH, line: ruleLine },
      failing: { resource: fm('us-east-1', NOVA_PRO) },
    });
    expect(ruleLine).toBeGreaterThan(1);
    expect(d.verified).toBeUndefined();
    expect(d.evidence.map((e) => e.policy.name)).toStrictEqual(['bedrock-guard-deny-role-DataScience']);
    expect(d.summary).toContain('by design');
    expect(d.fix).toContain(`grant ${NOVA_PRO} to one of its teams (data-science) in ${POLICY_PATH}`);
  });

  it('through a profile too: the profile statement of the deny', () => {
    const d = diagnoseDenial(guarded, request(session('DataScience'), `us.${NOVA_PRO}`), { policy });
    expect(d).toMatchObject({ cause: 'guard-deny', changes: [], byDesign: { rule: 'unapproved-model-access' } });
    expect(d.evidence.map((e) => e.sid)).toStrictEqual(['BedrockGuardUnapprovedProfiles']);
  });

  it('without the policy file: the rule, and "the policy file"', () => {
    const d = diagnoseDenial(guarded, request(session('DataScience'), NOVA_PRO));
    expect(d.byDesign).toStrictEqual({ rule: 'unapproved-model-access', file: 'the policy file' });
  });

  it('a rule the file does not list: the nearest parent, the rules map', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diagnose-'));
    const text = await readFile(POLICY_PATH, 'utf8');
    const path = join(dir, 'bedrock-guard.yaml');
    await writeFile(path, text.replace(/^\s+unapproved-model-access: enforce\n/m, '\n'));
    const trimmed = (await readPolicyFile(path)).policy;
    const rulesLine = text.split('\n').findIndex((l) => l === 'rules:') + 1;
    const d = diagnoseDenial(guarded, request(session('DataScience'), NOVA_PRO), { policy: trimmed });
    expect(d.byDesign?.file).toBe(path);
    expect(d.byDesign?.line).toBeGreaterThan(rulesLine);
    expect(d.byDesign?.line).toBeLessThanOrEqual(rulesLine + 2);
  });
});

describe('budget denies by design', () => {
  const POLICY_PATH = `${DEMO}/bedrock-guard.yaml`;
  const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';
  const END = '2025-11-19T00:00:00Z';
  let spent: Snapshot;
  let policy: PolicyFile;
  let budgetLine: number;

  beforeAll(async () => {
    const files = await readSnapshotFiles(`${DEMO}/snapshot`);
    policy = (await readPolicyFile(POLICY_PATH)).policy;
    const guarded = applyToFiles(files, planFromFiles(files, policy, { now: new Date(TIME) }).changes);
    const name = budgetDenyName(budgetIds(policy)[0] as string);
    const document = budgetDeny(policy, policy.budgets[0] as Budget, END);
    spent = buildSnapshot(
      applyToFiles(guarded, [
        { type: 'put', principal: role('DataScience'), mechanism: 'inline', policyName: name, document },
      ]),
    );
    const lines = (await readFile(POLICY_PATH, 'utf8')).split('\n');
    budgetLine = lines.indexOf('budgets:') + 2;
  });

  it('DataScience invoking Opus after spending its budget: rule budget-exceeded, the budget’s line, the window end', () => {
    const d = diagnoseDenial(spent, request(session('DataScience'), OPUS, { region: 'us-west-2' }), {
      policy,
      desired: new DesiredState(policy),
    });
    expect(d).toMatchObject({
      cause: 'guard-deny',
      layer: 'guard',
      route: 'invoke',
      changes: [],
      byDesign: { rule: 'budget-exceeded', file: POLICY_PATH, line: budgetLine },
    });
    expect(policy.budgets[0]?.position?.line).toBe(budgetLine);
    expect(d.evidence.map((e) => `${e.policy.name} ${e.sid}`)).toStrictEqual([
      'bedrock-guard-budget-data-science.premium.1d BedrockGuardBudget',
    ]);
    expect(d.summary).toContain('has spent budget data-science.premium.1d (team data-science)');
    expect(d.fix).toBe(`Nothing to repair: the budget is spent until ${END}; it lifts itself then.`);
    expect(d.fix).not.toContain('grant');
  });

  it('without the policy file: the rule, "the policy file", and still the window end', () => {
    const d = diagnoseDenial(spent, request(session('DataScience'), OPUS, { region: 'us-west-2' }));
    expect(d.byDesign).toStrictEqual({ rule: 'budget-exceeded', file: 'the policy file' });
    expect(d.fix).toContain(`until ${END}`);
  });

  it('after the window end the deny has lifted itself: not a guard denial', () => {
    const d = diagnoseDenial(spent, request(session('DataScience'), OPUS, { region: 'us-west-2', time: END }));
    expect(d.cause).not.toBe('guard-deny');
  });
});

describe('model access and the Marketplace', () => {
  const minutesBefore = (minutes: number) => new Date(Date.parse(TIME) - minutes * 60_000).toISOString();
  const breakGlass = (model: string, fields = {}) => request(session('BreakGlass'), model, fields);

  it('a third-party model first used 3 minutes before, IAM allowing: the subscription is settling', () => {
    const d = diagnoseDenial(exempt, breakGlass(HAIKU), { firstUse: minutesBefore(3) });
    expect(d).toMatchObject({ cause: 'marketplace-settling', changes: [], route: 'invoke' });
    expect(d.layer).toBeUndefined();
    expect(d.summary).toContain('3 minutes before the denial');
    expect(d.summary).toContain('IAM is not the cause');
  });

  it('through a profile of the third-party model, too', () => {
    const d = diagnoseDenial(exempt, breakGlass(`us.${HAIKU}`), { firstUse: minutesBefore(1) });
    expect(d.cause).toBe('marketplace-settling');
    expect(d.summary).toContain('1 minute before');
  });

  it.each([
    { name: '20 minutes after the first use', model: HAIKU, firstUse: minutesBefore(20) },
    { name: 'an Amazon model', model: NOVA_PRO, firstUse: minutesBefore(3) },
    { name: 'a first use after the denial', model: HAIKU, firstUse: minutesBefore(-3) },
    { name: 'no first use known', model: HAIKU, firstUse: undefined },
  ])('not settling: $name', ({ model, firstUse }) => {
    const d = diagnoseDenial(exempt, breakGlass(model), firstUse ? { firstUse } : {});
    expect(d.cause).toBe('not-reproduced');
  });

  it('IAM denying within the window: IAM is the cause', () => {
    const d = diagnoseDenial(exempt, request(session('ChatApp'), HAIKU), { firstUse: minutesBefore(3) });
    expect(d.cause).toBe('no-identity-allow');
  });

  it('"…still being processed…": settling, whatever IAM says', () => {
    const errorMessage =
      'Your AWS Marketplace subscription for this model is still being processed. Please try again later.';
    const d = diagnoseDenial(exempt, request(session('ChatApp'), HAIKU, { errorMessage }));
    expect(d).toMatchObject({ cause: 'marketplace-settling', changes: [] });
    expect(d.awsSays).toContain('still being processed');
  });

  it('the Marketplace permissions missing: model-access, with the aws-marketplace Allow', () => {
    const errorMessage =
      'Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.';
    const d = diagnoseDenial(exempt, breakGlass(HAIKU, { errorMessage }));
    expect(d).toMatchObject({ cause: 'model-access', layer: 'identity' });
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0]).toMatchObject({
      layer: 'identity',
      kind: 'add-statement',
      target: 'the identity policies of role BreakGlass',
    });
    expect(d.changes[0]?.statement.Action).toEqual(
      expect.arrayContaining(['aws-marketplace:Subscribe', 'aws-marketplace:ViewSubscriptions']),
    );
    expect(d.fix).toContain('aws-marketplace:Subscribe');
  });

  it('the use-case form: model-access, nothing for IAM', () => {
    const errorMessage =
      'Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model.';
    const d = diagnoseDenial(exempt, breakGlass(HAIKU, { errorMessage }));
    expect(d).toMatchObject({ cause: 'model-access', changes: [] });
    expect(d.fix).toContain('PutUseCaseForModelAccess');
  });

  it('"You don\'t have access to the model…" with IAM allowing: model-access', () => {
    const errorMessage = "You don't have access to the model with the specified model ID.";
    const d = diagnoseDenial(exempt, breakGlass(HAIKU, { errorMessage }));
    expect(d).toMatchObject({ cause: 'model-access', changes: [], route: 'invoke' });
    expect(d.summary).toContain('IAM allows the call');
  });

  it('"You don\'t have access…" for a model the Region does not offer: names the Region', async () => {
    const demo = buildSnapshot(await readSnapshotFiles(`${DEMO}/snapshot`));
    const errorMessage = "You don't have access to the model with the specified model ID.";
    const d = diagnoseDenial(demo, breakGlass('amazon.nova-canvas-v1:0', { region: 'us-west-2', errorMessage }));
    expect(d.cause).toBe('model-access');
    expect(d.summary).toContain('not offered in us-west-2');
  });

  it('"You don\'t have access…" with IAM denying as well: both', () => {
    const errorMessage = "You don't have access to the model with the specified model ID.";
    const d = diagnoseDenial(exempt, request(session('ChatApp'), HAIKU, { errorMessage }));
    expect(d).toMatchObject({ cause: 'no-identity-allow', verified: true });
    expect(d.summary).toContain('IAM denies it as well');
    expect(d.fix).toContain('AWS Marketplace');
  });
});

describe('the caller', () => {
  it('unknown to the account: unknown-principal', () => {
    const d = diagnoseDenial(exempt, request('arn:aws:iam::999988887777:role/Elsewhere', NOVA_PRO));
    expect(d).toMatchObject({ cause: 'unknown-principal', changes: [], evidence: [] });
    expect(d.summary).toContain('arn:aws:iam::999988887777:role/Elsewhere');
    expect(d.summary).toContain(ACCOUNT);
  });

  it("a session of another account's role of the same name: unknown", () => {
    const d = diagnoseDenial(exempt, request('arn:aws:sts::999988887777:assumed-role/ChatApp/s1', NOVA_PRO));
    expect(d.cause).toBe('unknown-principal');
  });

  it('an assumed-role session resolves to its role', () => {
    const bySession = diagnoseDenial(exempt, throughNovaProfile('ChatApp'));
    const byRole = diagnoseDenial(exempt, { ...throughNovaProfile('ChatApp'), principal: role('ChatApp') });
    expect(bySession).toStrictEqual(byRole);
    expect(bySession.changes[0]?.target).toBe('the identity policies of role ChatApp');
  });
});

describe('what the catalogue does not know', () => {
  it('a profile missing from the catalogue: the check AWS named, through that profile', () => {
    const { inferenceProfiles: _, ...files } = seed;
    const snapshot = buildSnapshot(files);
    const d = diagnoseDenial(
      snapshot,
      throughNovaProfile('ChatApp', {
        errorMessage: awsMessage(session('ChatApp'), 'bedrock:InvokeModel', fm('us-east-2', NOVA_PRO), SCP_DENY),
      }),
    );
    expect(d).toMatchObject({
      cause: 'scp-region-without-profile-exemption',
      route: 'as-denied',
      failing: { resource: fm('us-east-2', NOVA_PRO) },
      verified: true,
    });
  });

  it('a profile missing from the catalogue and no message to go on: not reproduced, capture again', () => {
    const { inferenceProfiles: _, ...files } = seed;
    const d = diagnoseDenial(buildSnapshot(files), throughNovaProfile('ChatApp'));
    expect(d).toMatchObject({ cause: 'not-reproduced', changes: [] });
    expect(d.fix).toContain('snapshot');
  });

  it('an unknown application profile ARN with no message: not reproduced', () => {
    const d = diagnoseDenial(
      exempt,
      request(session('ChatApp'), `arn:aws:bedrock:us-east-1:${ACCOUNT}:application-inference-profile/zz9`),
    );
    expect(d.cause).toBe('not-reproduced');
    expect(d.route).toBeUndefined();
  });
});
