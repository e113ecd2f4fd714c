import { type IAMClient, paginateListEntitiesForPolicy } from '@aws-sdk/client-iam';
import type { PrincipalRef, Touch } from '../core/events/touch.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';
import type { AwsClients } from './clients.js';
import { readBedrockCredentials } from './iam-reader.js';
import { rereadPrincipals } from './principal-reader.js';
import { isAwsError } from './sdk-output.js';
import { readScps } from './scp-reader.js';

export interface TouchRefresh {
  /** The cached files with what the event touched read again from AWS. */
  readonly files: SnapshotFiles;
  /** Principals attached to a changed policy, by `ListEntitiesForPolicy` (the event names only the policy). */
  readonly entities: readonly PrincipalRef[];
  /** Groups attached to a changed policy: their members are in scope. */
  readonly groups: readonly string[];
  readonly warnings: readonly string[];
}

export interface TouchReadOptions {
  readonly partition: string;
  readonly accountId: string;
  readonly orgRoleArn?: string;
}

/**
 * Reads again just what an event touched, on top of the cached account: the
 * users and roles it names, the groups whose policies it changed, a managed
 * policy whose document changed (and everyone it is attached to), the SCPs,
 * or the long-term Bedrock API keys. The live state wins over the event, so
 * events that arrive late or out of order still converge on what IAM holds now.
 */
export async function refreshForTouch(
  aws: AwsClients,
  files: SnapshotFiles,
  touch: Touch,
  options: TouchReadOptions,
): Promise<TouchRefresh> {
  const iam = aws.iam(options.partition);
  const attached = await Promise.all(touch.changedPolicies.map((arn) => entitiesOf(iam, arn)));
  const entities = attached.flatMap((a) => a.principals);
  const groups = [...new Set([...touch.groups, ...attached.flatMap((a) => a.groups)])];
  const principals = uniqueRefs([...touch.principals, ...entities]);
  const warnings: string[] = [];
  const [iamJson, scps, credentials] = await Promise.all([
    principals.length + groups.length + touch.changedPolicies.length > 0
      ? rereadPrincipals(iam, files.iam as Record<string, unknown>, principals, touch.changedPolicies, groups)
      : Promise.resolve(files.iam),
    touch.scps ? readScps(aws.organizations(options.partition, options.orgRoleArn), options.accountId) : undefined,
    touch.serviceCredentials ? readBedrockCredentials(iam) : undefined,
  ]);
  if (scps?.unreadable && scps.note) warnings.push(scps.note);
  if (credentials?.warning) warnings.push(credentials.warning);
  const next: SnapshotFiles = {
    ...files,
    iam: iamJson,
    ...(scps && !scps.unreadable ? { scps: scps.scps } : {}),
    ...(credentials?.file ? { serviceCredentials: credentials.file } : {}),
  };
  return { files: next, entities, groups, warnings };
}

/** Who a managed policy is attached to; nobody when the policy is gone. */
async function entitiesOf(
  iam: IAMClient,
  PolicyArn: string,
): Promise<{ principals: PrincipalRef[]; groups: string[] }> {
  const principals: PrincipalRef[] = [];
  const groups: string[] = [];
  try {
    for await (const page of paginateListEntitiesForPolicy({ client: iam }, { PolicyArn })) {
      for (const r of page.PolicyRoles ?? []) if (r.RoleName) principals.push({ kind: 'role', name: r.RoleName });
      for (const u of page.PolicyUsers ?? []) if (u.UserName) principals.push({ kind: 'user', name: u.UserName });
      for (const g of page.PolicyGroups ?? []) if (g.GroupName) groups.push(g.GroupName);
    }
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntity')) throw error;
  }
  return { principals, groups };
}

const uniqueRefs = (refs: readonly PrincipalRef[]): PrincipalRef[] => [
  ...new Map(refs.map((r) => [`${r.kind}/${r.name}`, r])).values(),
];
