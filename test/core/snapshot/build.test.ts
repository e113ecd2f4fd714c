import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import type { Principal, Snapshot } from '../../../shared/core/snapshot/types.js';
import {
  decide,
  expectGuardError,
  fixtureFiles,
  type IamJson,
  type PrincipalJson,
} from '../../support/snapshot-fixtures.js';

const ACCT = '123456789012';
const userArn = (name: string) => `arn:aws:iam::${ACCT}:user/${name}`;
const roleArn = (name: string, path = '/') => `arn:aws:iam::${ACCT}:role${path}${name}`;
const policyArn = (name: string) => `arn:aws:iam::${ACCT}:policy/${name}`;
const fm = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;

function get(snapshot: Snapshot, arn: string): Principal {
  const p = snapshot.principal(arn);
  if (!p) throw new Error(`no ${arn}`);
  return p;
}

/** Policies behind a principal, as `layer kind name` lines. */
const sources = (p: Principal) =>
  [...p.policies.identity, ...(p.policies.boundary ? [p.policies.boundary] : [])]
    .map((c) => `${c.source.layer} ${c.source.kind} ${c.source.name}`)
    .sort();

function byName(list: PrincipalJson[], name: string): PrincipalJson {
  const found = list.find((p) => p.UserName === name || p.RoleName === name);
  if (!found) throw new Error(`no ${name} in the fixture`);
  return found;
}

describe('buildSnapshot: principals from get-account-authorization-details', () => {
  const snapshot = buildSnapshot(fixtureFiles('cli-objects'));
  const invoke = (principal: string, resource: string, context?: Record<string, string>) =>
    decide(snapshot, { principal, action: 'bedrock:InvokeModel', resource, ...(context ? { context } : {}) });

  it('gives users their own policies and those of every group they are in', () => {
    expect(sources(get(snapshot, userArn('frank')))).toEqual([
      'identity inline analysts-discover-profiles',
      'identity managed AnalystsBedrockAccess',
    ]);
    const carol = get(snapshot, userArn('carol'));
    expect(carol.groups).toEqual(['analysts', 'self-service']);
    expect(carol.inlinePolicyNames).toEqual(['carol-nova-pro']);
    expect(sources(carol)).toEqual([
      'boundary managed DeveloperBoundary',
      'identity inline analysts-discover-profiles',
      'identity inline carol-nova-pro',
      'identity inline manage-own-bedrock-api-keys',
      'identity managed AnalystsBedrockAccess',
    ]);
    // A group's inline policy is identified by the group, so an explanation can name it.
    const groupInline = carol.policies.identity.find((c) => c.source.name === 'analysts-discover-profiles');
    expect(groupInline?.source.id).toBe(`arn:aws:iam::${ACCT}:group/analysts`);
    expect(sources(get(snapshot, userArn('heidi')))).toEqual(['identity managed AmazonBedrockReadOnly']);
  });

  it('reads roles with inline and managed policies, trust policies and tags', () => {
    const ml = get(snapshot, roleArn('MlPlatform'));
    expect(ml.kind).toBe('role');
    expect(ml.id).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(ml.managedPolicyArns).toEqual([policyArn('AnalystsBedrockAccess')]);
    expect(ml.inlinePolicyNames).toEqual(['invoke-nova-micro-cross-region']);
    expect(ml.tags).toEqual({ team: 'ml' });
    expect(ml.trustPolicy).toMatchObject({ Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] });
    expect(get(snapshot, userArn('frank')).trustPolicy).toBeUndefined();
  });

  it('reads tags, and no tags when the CLI leaves the key out', () => {
    expect(get(snapshot, userArn('carol')).tags).toEqual({ team: 'analytics', 'cost-center': 'cc-4410' });
    expect(get(snapshot, userArn('heidi')).tags).toEqual({});
    expect(get(snapshot, userArn('dave')).tags).toEqual({});
  });

  it('reads permissions boundaries and enforces them', () => {
    const builder = get(snapshot, roleArn('BoundedBuilder', '/developers/'));
    expect(builder.path).toBe('/developers/');
    expect(builder.boundaryArn).toBe(policyArn('DeveloperBoundary'));
    expect(builder.policies.boundary?.source.layer).toBe('boundary');
    const haiku = fm('us-east-1', 'anthropic.claude-3-haiku-20240307-v1:0');
    // Same identity policy, with and without the boundary.
    expect(invoke(userArn('frank'), haiku).decision).toBe('Allowed');
    const bounded = invoke(roleArn('BoundedBuilder', '/developers/'), haiku);
    expect(bounded.decision).toBe('ExplicitlyDenied');
    expect(bounded.blockedBy).toEqual({ layer: 'boundary' });
    expect(bounded.statements.map((s) => s.sid)).toEqual(['NoAnthropicModels']);
    expect(invoke(roleArn('BoundedBuilder', '/developers/'), fm('us-east-1', 'amazon.nova-lite-v1:0')).decision).toBe(
      'Allowed',
    );
  });

  it("counts only a managed policy's default version", () => {
    const analysts = snapshot.managedPolicies.get(policyArn('AnalystsBedrockAccess'));
    expect(analysts?.defaultVersionId).toBe('v3');
    expect(JSON.stringify(analysts?.document)).toContain('InvokeApprovedModels');
    // v2 (not default) allows every model; v1 (not default) denies all of Bedrock. Neither counts.
    const opus = invoke(userArn('frank'), fm('us-west-2', 'anthropic.claude-3-opus-20240229-v1:0'));
    expect(opus.decision).toBe('ImplicitlyDenied');
    const lite = invoke(userArn('frank'), fm('us-east-1', 'amazon.nova-lite-v1:0'));
    expect(lite.decision).toBe('Allowed');
    const identitySids = lite.statements.filter((s) => s.policy.layer === 'identity').map((s) => s.sid);
    expect(identitySids).toEqual(['InvokeApprovedModels']);
    // The boundary's permissive v1 doesn't count either.
    expect(snapshot.managedPolicies.get(policyArn('DeveloperBoundary'))?.defaultVersionId).toBe('v2');
  });

  it('finds the default version by DefaultVersionId when no version is flagged', () => {
    const files = fixtureFiles('cli-objects');
    for (const v of files.iam.Policies[0]?.PolicyVersionList ?? []) v.IsDefaultVersion = false;
    const s = buildSnapshot(files);
    expect(s.managedPolicies.get(policyArn('AnalystsBedrockAccess'))?.defaultVersionId).toBe('v3');
    expect(JSON.stringify(s.managedPolicies.get(policyArn('AnalystsBedrockAccess'))?.document)).toContain(
      'InvokeApprovedModels',
    );
  });

  it('exempts service-linked roles from SCPs, and applies every SCP level to everyone else', () => {
    const slr = get(
      snapshot,
      roleArn('AWSServiceRoleForOrganizations', '/aws-service-role/organizations.amazonaws.com/'),
    );
    expect(slr.serviceLinked).toBe(true);
    expect(slr.policies.scps).toEqual([]);
    const frank = get(snapshot, userArn('frank'));
    expect(frank.serviceLinked).toBe(false);
    expect(frank.policies.scps.map((l) => l.target)).toEqual(['r-ab12', 'ou-ab12-cdef3456', ACCT]);
    expect(frank.policies.scps.map((l) => l.policies.map((p) => p.source.name))).toEqual([
      ['FullAWSAccess'],
      ['FullAWSAccess', 'DenyOutsideUsRegions'],
      ['FullAWSAccess', 'DenyDeepSeek'],
    ]);
    const outside = decide(snapshot, {
      principal: userArn('frank'),
      action: 'bedrock:ListFoundationModels',
      resource: '*',
      context: { 'aws:RequestedRegion': 'eu-west-1' },
    });
    // bedrock:* is exempt from the OU's Region deny; the identity policy allows listing anywhere.
    expect(outside.decision).toBe('Allowed');
  });

  describe('decisionKey', () => {
    const key = (arn: string) => get(snapshot, arn).decisionKey;

    it('is equal for principals with the same policies, whatever facts those policies ignore', () => {
      // Different names, ids and tags; no policy reads any of them.
      expect(key(userArn('frank'))).toBe(key(userArn('grace')));
      // Same tag value read by the ABAC policy; other tags differ.
      expect(key(roleArn('TeamRoleMl1'))).toBe(key(roleArn('TeamRoleMl2')));
    });

    it('differs when a policy reads aws:username', () => {
      expect(key(userArn('carol'))).not.toBe(key(userArn('dave')));
      expect(key(userArn('dave'))).toContain('aws:username="dave"');
    });

    it('differs when a policy reads aws:PrincipalTag and the tag differs', () => {
      expect(key(roleArn('TeamRoleMl1'))).not.toBe(key(roleArn('TeamRoleResearch')));
      const profile = `arn:aws:bedrock:us-east-1:${ACCT}:application-inference-profile/k3x9w2m7q1ab`;
      const ctx = { 'aws:ResourceTag/team': 'ml' };
      expect(invoke(roleArn('TeamRoleMl1'), profile, ctx).decision).toBe('Allowed');
      expect(invoke(roleArn('TeamRoleResearch'), profile, ctx).decision).toBe('ImplicitlyDenied');
    });

    it('differs between a user and a role, and with or without a boundary', () => {
      expect(key(userArn('frank'))).not.toBe(key(roleArn('BoundedBuilder', '/developers/')));
      const files = fixtureFiles('cli-objects');
      delete byName(files.iam.RoleDetailList, 'BoundedBuilder').PermissionsBoundary;
      expect(get(buildSnapshot(files), roleArn('BoundedBuilder', '/developers/')).decisionKey).not.toBe(
        key(roleArn('BoundedBuilder', '/developers/')),
      );
    });

    it('differs for everyone when an SCP reads aws:PrincipalArn', () => {
      const files = fixtureFiles('cli-objects');
      const level = files.scps?.levels[2];
      level?.policies.push({
        Id: 'p-exempt01',
        Name: 'ExemptBreakGlass',
        Content: JSON.stringify({
          Version: '2012-10-17',
          Statement: {
            Effect: 'Deny',
            Action: 'bedrock:*',
            Resource: '*',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass' } },
          },
        }),
      });
      const s = buildSnapshot(files);
      expect(get(s, userArn('frank')).decisionKey).not.toBe(get(s, userArn('grace')).decisionKey);
    });
  });

  it('reads the catalogue per Region', () => {
    expect(snapshot.foundationModels).toHaveLength(15);
    expect(snapshot.foundationModels.filter((m) => m.region === 'us-east-2').map((m) => m.modelId)).toContain(
      'deepseek.r1-v1:0',
    );
    const r1 = snapshot.foundationModels.find((m) => m.modelId === 'deepseek.r1-v1:0');
    expect(r1).toMatchObject({ providerName: 'DeepSeek', inferenceTypes: ['INFERENCE_PROFILE'] });

    const geo = snapshot.inferenceProfiles.filter((p) => p.id === 'us.amazon.nova-micro-v1:0');
    expect(geo.map((p) => p.region)).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(geo[1]?.arn).toBe(`arn:aws:bedrock:us-east-2:${ACCT}:inference-profile/us.amazon.nova-micro-v1:0`);
    expect(geo[1]?.modelArns).toEqual([
      fm('us-east-1', 'amazon.nova-micro-v1:0'),
      fm('us-east-2', 'amazon.nova-micro-v1:0'),
      fm('us-west-2', 'amazon.nova-micro-v1:0'),
    ]);
    const global = snapshot.inferenceProfiles.find(
      (p) => p.region === 'us-west-2' && p.id === 'global.anthropic.claude-sonnet-4-20250514-v1:0',
    );
    expect(global?.modelArns).toEqual([
      fm('us-west-2', 'anthropic.claude-sonnet-4-20250514-v1:0'),
      'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0',
    ]);
    const app = snapshot.inferenceProfiles.filter((p) => p.type === 'APPLICATION');
    expect(app).toEqual([
      {
        region: 'us-east-1',
        id: 'k3x9w2m7q1ab',
        arn: `arn:aws:bedrock:us-east-1:${ACCT}:application-inference-profile/k3x9w2m7q1ab`,
        name: 'ml-team-nova-lite',
        type: 'APPLICATION',
        modelArns: [fm('us-east-1', 'amazon.nova-lite-v1:0')],
      },
    ]);
    expect(snapshot.provisionedModels[0]).toMatchObject({ region: 'us-east-1', name: 'nova-lite-reserved' });
  });
});

describe('buildSnapshot: raw API output (URL-encoded documents, as moto returns them)', () => {
  const encoded = buildSnapshot(fixtureFiles('url-encoded'));
  const objects = buildSnapshot(fixtureFiles('cli-objects'));

  it('holds URL-encoded documents in the fixture', () => {
    const iam = fixtureFiles('url-encoded').iam;
    expect(iam.RoleDetailList[0]?.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(iam.Policies[0]?.PolicyVersionList[0]?.Document).toMatch(/^%7B/);
    expect(iam.Policies[0]?.PolicyName).toBeUndefined();
  });

  it('reads the same principals as the CLI output', () => {
    const view = (s: Snapshot) =>
      s.principals.map((p) => ({
        arn: p.arn,
        groups: p.groups,
        tags: p.tags,
        boundary: p.boundaryArn,
        managed: p.managedPolicyArns,
        inline: p.inlinePolicyNames,
        sources: sources(p),
        trust: p.trustPolicy,
        serviceLinked: p.serviceLinked,
      }));
    expect(view(encoded)).toEqual(view(objects));
    // Managed policy names come from the ARN when Policies[] has no PolicyName.
    expect(encoded.managedPolicies.get(policyArn('AnalystsBedrockAccess'))?.name).toBe('AnalystsBedrockAccess');
  });

  it('groups principals the same way and decides the same (no SCPs in this copy)', () => {
    const partition = (s: Snapshot) => {
      const groups = new Map<string, string[]>();
      for (const p of s.principals) groups.set(p.decisionKey, [...(groups.get(p.decisionKey) ?? []), p.name]);
      return [...groups.values()].map((g) => g.join(',')).sort();
    };
    expect(partition(encoded)).toEqual(partition(objects));
    const requests = [
      fm('us-east-1', 'amazon.nova-lite-v1:0'),
      fm('us-east-1', 'amazon.nova-pro-v1:0'),
      fm('us-east-1', 'anthropic.claude-3-haiku-20240307-v1:0'),
      fm('us-east-2', 'amazon.nova-micro-v1:0'),
    ];
    for (const p of objects.principals) {
      for (const resource of requests) {
        const line = {
          principal: p.arn,
          action: 'bedrock:InvokeModel',
          resource,
          context: {
            'bedrock:InferenceProfileArn': `arn:aws:bedrock:us-east-1:${ACCT}:inference-profile/us.amazon.nova-micro-v1:0`,
          },
        };
        expect(decide(encoded, line).decision, `${p.name} ${resource}`).toBe(decide(objects, line).decision);
      }
    }
  });

  it('reads single-Region list outputs, taking the Region from each ARN', () => {
    expect(new Set(encoded.foundationModels.map((m) => m.region))).toEqual(new Set(['us-east-1']));
    expect(encoded.inferenceProfiles.map((p) => `${p.region} ${p.type}`)).toEqual([
      'us-east-1 SYSTEM_DEFINED',
      'us-east-1 SYSTEM_DEFINED',
      'us-east-1 APPLICATION',
    ]);
    expect(encoded.scpsPresent).toBe(false);
  });
});

describe('buildSnapshot: bad input fails loudly, naming the file and JSON path', () => {
  const files = () => fixtureFiles('cli-objects');
  const withIam = (edit: (iam: IamJson) => void) => {
    const f = files();
    edit(f.iam);
    return f;
  };

  it.each([
    ['1234', /"1234" is not a 12-digit account id/],
    ['12345678901a', /is not a 12-digit account id/],
  ])('rejects account id %s', async (accountId, message) => {
    await expectGuardError(() => buildSnapshot({ ...files(), account: { accountId, regions: ['us-east-1'] } }), {
      name: 'SnapshotError',
      message,
      location: 'account.json $.accountId',
      hint: /12 digits/,
    });
  });

  it('rejects an account id written as a number (leading zeros would be lost)', async () => {
    await expectGuardError(
      () => buildSnapshot({ ...files(), account: { accountId: 12345678901, regions: ['us-east-1'] } }),
      { name: 'SnapshotError', message: /expected a string/, location: 'account.json $.accountId', hint: /accountId/ },
    );
  });

  it('rejects account.json without Regions', async () => {
    await expectGuardError(() => buildSnapshot({ ...files(), account: { accountId: ACCT, regions: [] } }), {
      name: 'SnapshotError',
      message: /at least one Region/,
      location: 'account.json $.regions',
    });
  });

  it('rejects an unknown partition', async () => {
    await expectGuardError(
      () => buildSnapshot({ ...files(), account: { accountId: ACCT, partition: 'aws-mars', regions: ['us-east-1'] } }),
      { name: 'SnapshotError', message: /unknown partition/, location: 'account.json $.partition', hint: /aws-us-gov/ },
    );
  });

  it.each([
    ['account' as const, /account\.json is missing/, /"accountId"/],
    ['iam' as const, /iam\.json is missing/, /get-account-authorization-details/],
  ])('says that %s data is missing', async (key, message, hint) => {
    await expectGuardError(() => buildSnapshot({ ...files(), [key]: undefined }), {
      name: 'SnapshotError',
      message,
      location: null,
      hint,
    });
  });

  it('rejects an iam.json that is some other IAM command output', async () => {
    const listRoles = { Roles: [{ RoleName: 'x', Arn: roleArn('x') }] };
    await expectGuardError(() => buildSnapshot({ ...files(), iam: listRoles }), {
      name: 'SnapshotError',
      message: /iam\.json has none of UserDetailList/,
      location: 'iam.json $',
      hint: /get-account-authorization-details/,
    });
  });

  it('rejects one page of a paginated answer', async () => {
    await expectGuardError(
      () =>
        buildSnapshot(
          withIam((iam) => {
            iam.IsTruncated = true;
            iam.Marker = 'AAEAAXyz';
          }),
        ),
      { name: 'SnapshotError', message: /one page/, location: 'iam.json $.IsTruncated', hint: /paginate/ },
    );
  });

  it('rejects a role whose attached policy is not in Policies', async () => {
    const f = withIam((iam) => {
      iam.Policies = iam.Policies.filter((p) => p.Arn !== policyArn('TeamScopedInvoke'));
    });
    const index = f.iam.RoleDetailList.findIndex((r) => r.RoleName === 'TeamRoleMl1');
    await expectGuardError(() => buildSnapshot(f), {
      name: 'SnapshotError',
      message: /attached policy arn:aws:iam::123456789012:policy\/TeamScopedInvoke is not in Policies/,
      location: `iam.json $.RoleDetailList[${index}].AttachedManagedPolicies[0].PolicyArn`,
      hint: /no --filter/,
    });
  });

  it("rejects a group's attached policy that is not in Policies, at the group's JSON path", async () => {
    const f = withIam((iam) => {
      iam.Policies = iam.Policies.filter((p) => p.Arn !== policyArn('AnalystsBedrockAccess'));
    });
    await expectGuardError(() => buildSnapshot(f), {
      name: 'SnapshotError',
      message: /attached policy .*AnalystsBedrockAccess is not in Policies/,
      location: 'iam.json $.GroupDetailList[0].AttachedManagedPolicies[0].PolicyArn',
      hint: /get-account-authorization-details/,
    });
  });

  it('rejects an AWS managed policy attached but not captured (a --filter capture)', async () => {
    const f = withIam((iam) => {
      iam.Policies = iam.Policies.filter((p) => !p.Arn.startsWith('arn:aws:iam::aws:'));
    });
    await expectGuardError(() => buildSnapshot(f), {
      name: 'SnapshotError',
      message: /AmazonBedrockReadOnly is not in Policies/,
      location: /^iam\.json \$\.GroupDetailList\[2\]\.AttachedManagedPolicies\[0\]\.PolicyArn$/,
    });
  });

  it('rejects an unknown permissions boundary', async () => {
    const f = withIam((iam) => {
      const r = byName(iam.RoleDetailList, 'BoundedBuilder');
      r.PermissionsBoundary = {
        PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn: policyArn('NoSuchBoundary'),
      };
    });
    const index = f.iam.RoleDetailList.findIndex((r) => r.RoleName === 'BoundedBuilder');
    await expectGuardError(() => buildSnapshot(f), {
      name: 'SnapshotError',
      message: /permissions boundary .*NoSuchBoundary is not in Policies/,
      location: `iam.json $.RoleDetailList[${index}].PermissionsBoundary.PermissionsBoundaryArn`,
      hint: /get-account-authorization-details/,
    });
  });

  it('rejects a user in an unknown group', async () => {
    const f = withIam((iam) => {
      byName(iam.UserDetailList, 'grace').GroupList = ['analysts', 'ghosts'];
    });
    await expectGuardError(() => buildSnapshot(f), {
      name: 'SnapshotError',
      message: /group ghosts is not in GroupDetailList/,
      location: 'iam.json $.UserDetailList[1].GroupList[1]',
      hint: /unfiltered/,
    });
  });

  it('rejects a managed policy with no default version', async () => {
    const f = withIam((iam) => {
      const p = iam.Policies[0];
      if (!p) throw new Error('fixture');
      p.DefaultVersionId = 'v9';
      for (const v of p.PolicyVersionList) v.IsDefaultVersion = false;
    });
    await expectGuardError(() => buildSnapshot(f), {
      name: 'SnapshotError',
      message: /AnalystsBedrockAccess has no default version/,
      location: 'iam.json $.Policies[0].PolicyVersionList',
      hint: /default version/,
    });
  });

  it('rejects invalid grammar in an inline policy, naming its JSON path', async () => {
    const f = withIam((iam) => {
      const doc = byName(iam.RoleDetailList, 'MlPlatform').RolePolicyList?.[0]?.PolicyDocument as {
        Statement: { Effect: string }[];
      };
      (doc.Statement[1] as { Effect: string }).Effect = 'allow';
    });
    await expectGuardError(() => buildSnapshot(f), {
      name: 'PolicyGrammarError',
      message: /Effect must be "Allow" or "Deny"/,
      location: 'iam.json $.RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[1].Effect',
    });
  });

  it('rejects invalid grammar in a URL-encoded inline policy, naming its JSON path', async () => {
    const f = fixtureFiles('url-encoded');
    const user = byName(f.iam.UserDetailList, 'carol');
    const inline = user.UserPolicyList?.[0];
    if (!inline) throw new Error('fixture');
    inline.PolicyDocument = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'bedrock InvokeModel', Resource: '*' }],
      }),
    );
    await expectGuardError(() => buildSnapshot(f), {
      name: 'PolicyGrammarError',
      message: /"bedrock InvokeModel" is not an action/,
      location: 'iam.json $.UserDetailList[2].UserPolicyList[0].PolicyDocument.Statement[0].Action[0]',
    });
  });

  it('rejects a policy document that is neither JSON nor URL-encoded JSON', async () => {
    const f = withIam((iam) => {
      const g = iam.GroupDetailList[0]?.GroupPolicyList?.[0];
      if (g) g.PolicyDocument = '%E0%A4%A';
    });
    await expectGuardError(() => buildSnapshot(f), {
      name: 'PolicyGrammarError',
      message: /neither JSON nor URL-encoded JSON/,
      location: 'iam.json $.GroupDetailList[0].GroupPolicyList[0].PolicyDocument',
    });
  });

  it("rejects invalid grammar in a managed policy's default version, at that version's path", async () => {
    const f = withIam((iam) => {
      const v = iam.Policies.find((p) => p.Arn === policyArn('TeamScopedInvoke'))?.PolicyVersionList[0];
      if (v) v.Document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] };
    });
    const index = f.iam.Policies.findIndex((p) => p.Arn === policyArn('TeamScopedInvoke'));
    await expectGuardError(() => buildSnapshot(f), {
      name: 'PolicyGrammarError',
      message: /needs Resource or NotResource/,
      location: `iam.json $.Policies[${index}].PolicyVersionList[0].Document.Statement[0]`,
    });
  });

  it('ignores bad grammar in a version that is not the default', () => {
    const f = withIam((iam) => {
      const v = iam.Policies[0]?.PolicyVersionList[2];
      if (v) v.Document = { Statement: 'not a statement' };
    });
    expect(() => buildSnapshot(f)).not.toThrow();
  });

  describe('scps.json', () => {
    const withScps = (scps: unknown) => ({ ...files(), scps });

    it('rejects a file without levels rather than reading it as "no SCPs"', async () => {
      await expectGuardError(() => buildSnapshot(withScps({ Policies: [{ Id: 'p-FullAWSAccess' }] })), {
        name: 'SnapshotError',
        message: /no "levels"/,
        location: 'scps.json $.levels',
        hint: /"levels": \[\{"target"/,
      });
    });

    it.each([
      [{ levels: {} }, 'scps.json $.levels', /expected a list/],
      [[{ target: 'r-ab12' }], 'scps.json $', /expected an object/],
      [{ levels: [{ target: 7, policies: [] }] }, 'scps.json $.levels[0].target', /expected a string/],
      [
        { levels: [{ target: 'r-ab12', policies: [{ Content: '{}' }] }] },
        'scps.json $.levels[0].policies[0].Name',
        /expected a string/,
      ],
    ])('rejects the shape %j', async (scps, location, message) => {
      await expectGuardError(() => buildSnapshot(withScps(scps)), {
        name: 'SnapshotError',
        message,
        location,
        hint: /scps\.json is \{"levels"/,
      });
    });

    it('rejects a level with no policies: every request would be denied there', async () => {
      const scps = files().scps;
      if (scps?.levels[1]) scps.levels[1].policies = [];
      await expectGuardError(() => buildSnapshot(withScps(scps)), {
        name: 'SnapshotError',
        message: /no SCP at ou-ab12-cdef3456/,
        location: 'scps.json $.levels[1].policies',
        hint: /FullAWSAccess/,
      });
    });

    it('rejects SCP content that is not a policy', async () => {
      const scps = files().scps;
      const p = scps?.levels[2]?.policies[1];
      if (p) p.Content = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "bedrock:*"}';
      await expectGuardError(() => buildSnapshot(withScps(scps)), {
        name: 'PolicyGrammarError',
        message: /not valid JSON/,
        location: 'scps.json $.levels[2].policies[1].Content',
      });
    });

    it('rejects an SCP without Content', async () => {
      const scps = { levels: [{ target: 'r-ab12', policies: [{ Id: 'p-FullAWSAccess', Name: 'FullAWSAccess' }] }] };
      await expectGuardError(() => buildSnapshot(withScps(scps)), {
        name: 'PolicyGrammarError',
        message: /must be a JSON object/,
        location: 'scps.json $.levels[0].policies[0].Content',
      });
    });

    it('accepts an SCP statement without Resource (it means "*")', () => {
      const scps = files().scps;
      const p = scps?.levels[0]?.policies[0];
      if (p) p.Content = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}';
      expect(buildSnapshot(withScps(scps)).scpsPresent).toBe(true);
    });
  });

  describe('catalogue files', () => {
    it('rejects a per-Region entry without its list', async () => {
      const f = files();
      await expectGuardError(() => buildSnapshot({ ...f, foundationModels: { 'us-east-1': { models: [] } } }), {
        name: 'SnapshotError',
        message: /expected "modelSummaries" for us-east-1/,
        location: 'foundation-models.json $.us-east-1.modelSummaries',
        hint: /list-foundation-models/,
      });
    });

    it('rejects an unknown inference profile type', async () => {
      const f = files();
      const profiles = f.inferenceProfiles as Record<string, { inferenceProfileSummaries: { type: string }[] }>;
      const first = profiles['us-east-1']?.inferenceProfileSummaries[0];
      if (first) first.type = 'CROSS_REGION';
      await expectGuardError(() => buildSnapshot(f), {
        name: 'SnapshotError',
        message: /unknown inference profile type "CROSS_REGION"/,
        location: 'inference-profiles.json $.us-east-1.inferenceProfileSummaries[0].type',
        hint: /SYSTEM_DEFINED or APPLICATION/,
      });
    });
  });
});
