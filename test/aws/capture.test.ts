import { type GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot, type LiveSnapshot } from '../../shared/aws/capture.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { readAuthorizationDetails } from '../../shared/aws/iam-reader.js';
import { buildSnapshot } from '../../shared/core/snapshot/build.js';
import type { SeededOrganization } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

const DEMO = 'examples/demo/snapshot';
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const BOB_KEY = {
  UserName: 'bob',
  ServiceSpecificCredentialId: 'ACCAEXAMPLEBOBKEY01',
  ServiceName: 'bedrock.amazonaws.com',
  Status: 'Active' as const,
  CreateDate: '2026-10-01T09:00:00.000Z',
};

let aws: LiveAws;
let org: SeededOrganization;
let live: LiveSnapshot;
type Json = Record<string, unknown>;

beforeAll(async () => {
  aws = await startLiveAws({ credentials: [BOB_KEY] });
  org = await seedAccount(aws, DEMO);
  live = await captureSnapshot(new AwsClients(), { regions: REGIONS, orgRoleArn: org.orgRoleArn });
}, 60_000);
afterAll(() => aws?.stop());

describe('captureSnapshot on the moto server (Bedrock catalogue from the loopback stand-in)', () => {
  it('writes account.json from STS and Organizations, and names the caller', () => {
    expect(live.files.account).toEqual({
      accountId: org.memberAccount,
      partition: 'aws',
      regions: REGIONS,
      organizationId: expect.stringMatching(/^o-/),
    });
    expect(live.callerArn).toBe(
      `arn:aws:sts::${org.memberAccount}:assumed-role/OrganizationAccountAccessRole/bedrock-guard`,
    );
    expect(live.warnings).toEqual([]);
  });

  it('captures IAM as the AWS CLI prints it, with only the AWS managed policies in use', () => {
    const iam = live.files.iam as Record<string, Json[]>;
    const names = (key: string, field: string) => (iam[key] ?? []).map((e) => e[field]).sort();
    expect(names('UserDetailList', 'UserName')).toEqual(['alice', 'bob']);
    expect(names('GroupDetailList', 'GroupName')).toEqual(['ml-engineers']);
    expect(names('RoleDetailList', 'RoleName')).toContain('ContractorRole');
    expect((iam.Policies ?? []).map((p) => String(p.Arn).split('/').pop()).sort()).toEqual([
      'AdministratorAccess',
      'AmazonBedrockFullAccess',
      'AmazonBedrockReadOnly',
      'BedrockCMIExecutionPolicy',
      'ContractorBoundary',
      'MLEngineersBedrockAccess',
    ]);
    const contractor = iam.RoleDetailList?.find((r) => r.RoleName === 'ContractorRole') as Json;
    // Documents are JSON, not the API's URL-encoded strings; dates are ISO strings (the folder is plain JSON).
    expect((contractor.RolePolicyList as Json[])[0]?.PolicyDocument).toMatchObject({ Version: '2012-10-17' });
    expect(contractor.AssumeRolePolicyDocument).toMatchObject({ Statement: expect.any(Array) });
    expect(contractor.PermissionsBoundary).toMatchObject({
      PermissionsBoundaryArn: expect.stringContaining('ContractorBoundary'),
    });
    expect(typeof contractor.CreateDate).toBe('string');
  });

  it('reads the SCPs of every level from the root down, through the --org-role role', () => {
    const { levels } = live.files.scps as { levels: Array<{ target: string; policies: Array<{ Name: string }> }> };
    expect(levels.map((l) => l.target)).toEqual([org.rootId, expect.stringMatching(/^ou-/), org.memberAccount]);
    expect(levels[1]?.policies.map((p) => p.Name)).toEqual(['FullAWSAccess', 'DenyOutsideApprovedRegions']);
  });

  it('reads the catalogue of each Region page by page, and the long-term API keys', () => {
    const profiles = live.files.inferenceProfiles as Record<string, { inferenceProfileSummaries: unknown[] }>;
    expect(Object.keys(profiles).sort()).toEqual(REGIONS);
    expect(profiles['us-east-1']?.inferenceProfileSummaries.length).toBeGreaterThan(2);
    // The stand-in pages by 2: the SDK's paginator followed nextToken, for both profile types.
    expect(aws.bedrock.requests.some((r) => r.path.includes('nextToken='))).toBe(true);
    expect(aws.bedrock.requests.some((r) => r.path.includes('type=APPLICATION'))).toBe(true);
    expect(live.files.serviceCredentials).toEqual({ ServiceSpecificCredentials: [expect.objectContaining(BOB_KEY)] });
    // And it all builds into the snapshot the planner uses.
    const snapshot = buildSnapshot(live.files);
    expect(snapshot.inferenceProfiles.length).toBeGreaterThan(0);
    expect(snapshot.principals.length).toBe(13);
  });

  it('without a role that may read SCPs, warns that the plan is computed without them', async () => {
    const withoutScps = await captureSnapshot(new AwsClients(), { regions: ['us-east-1'] });
    expect(withoutScps.files.scps).toBeUndefined();
    expect(withoutScps.warnings).toEqual([expect.stringContaining('the plan is computed without SCPs')]);
  });

  it("says that SCPs don't apply to the management account", async () => {
    aws.useCredentials({ accessKeyId: 'testing', secretAccessKey: 'testing' });
    try {
      const management = await captureSnapshot(new AwsClients(), { regions: ['us-east-1'] });
      expect(management.files.scps).toBeUndefined();
      expect(management.warnings).toEqual([]);
      expect(management.notes).toEqual([expect.stringContaining("management account, which SCPs don't affect")]);
    } finally {
      aws.useCredentials(org.guardCredentials);
    }
  });
});

describe('readAuthorizationDetails paging', () => {
  it('follows Marker across pages, as AWS pages (moto answers everything at once, so the transport is faked here)', async () => {
    const iam = new IAMClient({ region: 'us-east-1' });
    const pages = [
      { IsTruncated: true, Marker: 'm1', RoleDetailList: [{ RoleName: 'a', AttachedManagedPolicies: [] }] },
      { IsTruncated: true, Marker: 'm2', UserDetailList: [{ UserName: 'u', AttachedManagedPolicies: [] }] },
      { IsTruncated: false, RoleDetailList: [{ RoleName: 'b', AttachedManagedPolicies: [] }] },
    ];
    const markers: Array<string | undefined> = [];
    iam.send = (async (command: GetAccountAuthorizationDetailsCommand) => {
      markers.push(command.input.Marker);
      return { $metadata: {}, ...pages[markers.length - 1] };
    }) as never;
    const details = await readAuthorizationDetails(iam);
    expect(markers).toEqual([undefined, 'm1', 'm2']);
    expect((details.RoleDetailList as Json[]).map((r) => r.RoleName)).toEqual(['a', 'b']);
    expect((details.UserDetailList as Json[]).map((u) => u.UserName)).toEqual(['u']);
  });
});
