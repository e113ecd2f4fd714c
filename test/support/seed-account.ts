import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand as CreateScpCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { GUARD_PATH, GUARD_TAG } from '../../shared/core/plan/guard-owned.js';
import { MOTO_CREDENTIALS } from './moto.js';

type Json = Record<string, unknown>;

/** How the member account is reached: as the guard runs there, and the management-account role that reads SCPs. */
export interface SeededOrganization {
  readonly memberAccount: string;
  /** The guard's credentials: an assumed-role session in the member account. */
  readonly guardCredentials: AwsCredentialIdentity;
  /** The role (OrganizationAccountAccessRole) those credentials are a session of. */
  readonly guardRoleArn: string;
  /** A management-account role the guard may assume to read SCPs (`--org-role`). */
  readonly orgRoleArn: string;
  readonly rootId: string;
}

const config = (endpoint: string, credentials: AwsCredentialIdentity = MOTO_CREDENTIALS, region = 'us-east-1') => ({
  endpoint,
  region,
  credentials,
  maxAttempts: 1,
});

/**
 * An organization on the moto server: the default account is its management
 * account; a new member account sits in an OU, with SCPs enabled. The guard
 * runs in the member account as an assumed role, like a real deployment.
 */
export async function seedOrganization(endpoint: string): Promise<SeededOrganization> {
  const org = new OrganizationsClient(config(endpoint));
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
  const created = await org.send(new CreateAccountCommand({ Email: 'member@example.com', AccountName: 'workloads' }));
  const memberAccount = created.CreateAccountStatus?.AccountId as string;

  const iam = new IAMClient(config(endpoint));
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${memberAccount}:root` }, Action: 'sts:AssumeRole' },
    ],
  });
  const reader = await iam.send(
    new CreateRoleCommand({ RoleName: 'BedrockGuardOrgReader', AssumeRolePolicyDocument: trust }),
  );

  const guardRoleArn = `arn:aws:iam::${memberAccount}:role/OrganizationAccountAccessRole`;
  const sts = new STSClient(config(endpoint));
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: guardRoleArn, RoleSessionName: 'bedrock-guard' }),
  );
  return {
    memberAccount,
    guardCredentials: {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    },
    guardRoleArn,
    orgRoleArn: reader.Role?.Arn as string,
    rootId,
  };
}

/** A snapshot folder's file as JSON, with its account id replaced by `account`. */
function readAs(dir: string, file: string, account: string): Json {
  const from = (JSON.parse(readFileSync(join(dir, 'account.json'), 'utf8')) as { accountId: string }).accountId;
  return JSON.parse(readFileSync(join(dir, file), 'utf8').replaceAll(from, account)) as Json;
}

const doc = (value: unknown) => (typeof value === 'string' ? decodeURIComponent(value) : JSON.stringify(value));
const list = (value: unknown) => (Array.isArray(value) ? (value as Json[]) : []);

/**
 * Writes a snapshot folder's `iam.json` into the account behind `credentials`:
 * customer managed policies, groups, roles (trust, tags, boundary) and users,
 * with their inline and attached policies. AWS managed policies come from
 * moto itself; service-linked roles are left out (AWS makes those).
 */
export async function seedIam(
  endpoint: string,
  credentials: AwsCredentialIdentity,
  dir: string,
  account: string,
  /** The Region decides the partition: us-gov-west-1 seeds an aws-us-gov account. */
  region = 'us-east-1',
): Promise<void> {
  const iam = new IAMClient(config(endpoint, credentials, region));
  const details = readAs(dir, 'iam.json', account);
  for (const p of list(details.Policies)) {
    if (String(p.Arn).includes(':iam::aws:policy/')) continue;
    const version = list(p.PolicyVersionList).find((v) => v.IsDefaultVersion) ?? list(p.PolicyVersionList)[0];
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: String(p.PolicyName ?? String(p.Arn).split('/').pop()),
        Path: String(p.Path ?? '/'),
        PolicyDocument: doc(version?.Document),
      }),
    );
  }
  for (const g of list(details.GroupDetailList)) {
    const GroupName = String(g.GroupName);
    await iam.send(new CreateGroupCommand({ GroupName, Path: String(g.Path ?? '/') }));
    for (const p of list(g.GroupPolicyList)) {
      await iam.send(
        new PutGroupPolicyCommand({
          GroupName,
          PolicyName: String(p.PolicyName),
          PolicyDocument: doc(p.PolicyDocument),
        }),
      );
    }
    for (const a of list(g.AttachedManagedPolicies)) {
      await iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn: String(a.PolicyArn) }));
    }
  }
  for (const r of list(details.RoleDetailList)) {
    if (String(r.Path).startsWith('/aws-service-role/')) continue;
    const RoleName = String(r.RoleName);
    const boundary = (r.PermissionsBoundary as Json | undefined)?.PermissionsBoundaryArn as string | undefined;
    await iam.send(
      new CreateRoleCommand({
        RoleName,
        Path: String(r.Path ?? '/'),
        AssumeRolePolicyDocument: doc(r.AssumeRolePolicyDocument),
        Tags: list(r.Tags) as never,
        ...(boundary ? { PermissionsBoundary: boundary } : {}),
      }),
    );
    for (const p of list(r.RolePolicyList)) {
      await iam.send(
        new PutRolePolicyCommand({ RoleName, PolicyName: String(p.PolicyName), PolicyDocument: doc(p.PolicyDocument) }),
      );
    }
    for (const a of list(r.AttachedManagedPolicies)) {
      await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: String(a.PolicyArn) }));
    }
  }
  for (const u of list(details.UserDetailList)) {
    const UserName = String(u.UserName);
    const boundary = (u.PermissionsBoundary as Json | undefined)?.PermissionsBoundaryArn as string | undefined;
    await iam.send(
      new CreateUserCommand({
        UserName,
        Path: String(u.Path ?? '/'),
        Tags: list(u.Tags) as never,
        ...(boundary ? { PermissionsBoundary: boundary } : {}),
      }),
    );
    for (const group of (u.GroupList ?? []) as string[]) {
      await iam.send(new AddUserToGroupCommand({ UserName, GroupName: group }));
    }
    for (const p of list(u.UserPolicyList)) {
      await iam.send(
        new PutUserPolicyCommand({ UserName, PolicyName: String(p.PolicyName), PolicyDocument: doc(p.PolicyDocument) }),
      );
    }
    for (const a of list(u.AttachedManagedPolicies)) {
      await iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn: String(a.PolicyArn) }));
    }
  }
}

/**
 * Writes a snapshot folder's `scps.json` into the organization: the root
 * level's SCPs on the root, the middle levels on one OU the member account
 * moves into, and the account level on the account. AWS's own FullAWSAccess
 * is already attached everywhere.
 */
export async function seedScps(endpoint: string, dir: string, seeded: SeededOrganization): Promise<void> {
  const org = new OrganizationsClient(config(endpoint));
  const { levels } = readAs(dir, 'scps.json', seeded.memberAccount) as {
    levels: Array<{ policies: Array<{ Name: string; Content: string }> }>;
  };
  const ou = await org.send(new CreateOrganizationalUnitCommand({ ParentId: seeded.rootId, Name: 'workloads' }));
  const ouId = ou.OrganizationalUnit?.Id as string;
  await org.send(
    new MoveAccountCommand({
      AccountId: seeded.memberAccount,
      SourceParentId: seeded.rootId,
      DestinationParentId: ouId,
    }),
  );
  const targets = levels.map((_, i) =>
    i === 0 ? seeded.rootId : i === levels.length - 1 ? seeded.memberAccount : ouId,
  );
  for (const [i, level] of levels.entries()) {
    for (const policy of level.policies) {
      if (policy.Name === 'FullAWSAccess') continue;
      const created = await org.send(
        new CreateScpCommand({
          Name: policy.Name,
          Description: policy.Name,
          Type: 'SERVICE_CONTROL_POLICY',
          Content: policy.Content,
        }),
      );
      await org.send(new AttachPolicyCommand({ PolicyId: created.Policy?.PolicySummary?.Id, TargetId: targets[i] }));
    }
  }
}

/** A deny as the guard writes it (path and tag), not attached: one left from an earlier run. Returns its ARN. */
export async function createGuardPolicy(iam: IAMClient, policyName: string, action: string): Promise<string> {
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: policyName,
      Path: GUARD_PATH,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: action, Resource: '*' }],
      }),
      Tags: [{ Key: GUARD_TAG.key, Value: GUARD_TAG.value }],
    }),
  );
  return Policy?.Arn as string;
}
