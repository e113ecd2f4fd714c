import type { DeniedRequest } from '../../../shared/core/diagnose/denied-route.js';
import type { Diagnosis } from '../../../shared/core/diagnose/diagnosis.js';
import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';

/** Requests and snapshot edits shared by the diagnosis tests. */
export const ACCOUNT = '111122223333';
export const TIME = '2025-11-18T12:00:00Z';
export const SEED_001 = 'examples/cross-region-profile';
export const SEED_001_EXEMPT = 'examples/cross-region-profile-scp-exempt';
export const DEMO = 'examples/demo';

export const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const session = (name: string, id = 's1') => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${id}`;
export const fm = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
export const profileArn = (id: string, region = 'us-east-1') =>
  `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${id}`;

export const NOVA_PRO = 'amazon.nova-pro-v1:0';
export const SONNET_4 = 'anthropic.claude-sonnet-4-20250514-v1:0';
export const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
export const INVOKE = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/** A denied `InvokeModel` in us-east-1 at TIME; fields override. */
export const request = (principal: string, model: string, fields: Partial<DeniedRequest> = {}): DeniedRequest => ({
  principal,
  eventName: 'InvokeModel',
  region: 'us-east-1',
  model,
  errorCode: 'AccessDeniedException',
  time: TIME,
  ...fields,
});

/** AWS's message for a denied check, as Bedrock returns it. */
export const awsMessage = (caller: string, action: string, resource: string, why: string) =>
  `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
export const NO_IDENTITY_ALLOW = 'because no identity-based policy allows the bedrock:InvokeModel action';
export const SCP_DENY = 'with an explicit deny in a service control policy';

type Json = Record<string, unknown>;

/** The files with more roles, each with one inline policy `bedrock` of these statements. */
export function withRoles(
  files: SnapshotFiles,
  roles: Readonly<Record<string, readonly unknown[]>>,
  boundary?: string,
): SnapshotFiles {
  const iam = files.iam as Json;
  const added = Object.entries(roles).map(([name, statements]) => ({
    RoleName: name,
    RoleId: `AROA${name.toUpperCase()}`,
    Arn: role(name),
    Path: '/',
    RolePolicyList: [{ PolicyName: 'bedrock', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    AttachedManagedPolicies: [],
    Tags: [],
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    ...(boundary
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundary } }
      : {}),
  }));
  return { ...files, iam: { ...iam, RoleDetailList: [...(iam.RoleDetailList as Json[]), ...added] } };
}

/** Every statement the diagnosis would add or rewrite, as JSON. */
export const statementsOf = (d: Diagnosis) => d.changes.map((c) => c.statement);
