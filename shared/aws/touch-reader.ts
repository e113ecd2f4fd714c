import { type IAMClient, paginateListEntitiesForPolicy } from '@aws-sdk/client-iam';
import type { PrincipalRef, Touch } from '../core/events/touch.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';
import type { AwsClients } from './clients.js';
import { readBedrockCredentials } from './iam-reader.js';
import { type PrincipalPart, type PrincipalRead, rereadPrincipals } from './principal-reader.js';
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
  // Groups whose own policies changed are read again; groups a changed policy is attached to only widen the scope.
  const groups = touch.groups;
  const details = files.iam as Record<string, unknown>;
  const known = knownPrincipals(details);
  const parts = partsChanged(touch.eventName);
  const principals: PrincipalRead[] = uniqueRefs([
    ...touch.principals.map((p) => ({ ...p, ...(parts ? { parts } : {}) })),
    // A changed policy's document is read once; its principals only when the cache doesn't have them.
    ...entities.filter((p) => !known.has(`${p.kind}/${p.name}`)),
  ]);
  const warnings: string[] = [];
  const [iamJson, scps, credentials] = await Promise.all([
    principals.length + groups.length + touch.changedPolicies.length > 0
      ? rereadPrincipals(iam, details, principals, touch.changedPolicies, groups)
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
  return { files: next, entities, groups: [...new Set([...groups, ...attached.flatMap((a) => a.groups)])], warnings };
}

/**
 * The parts of a user or role an IAM event can change: the rest is kept from
 * the cache. The part is still read live, so late or out-of-order events
 * converge; events not listed (CreateRole, invokes, Bedrock configuration)
 * read the whole principal.
 */
function partsChanged(eventName: string): ReadonlySet<PrincipalPart> | undefined {
  if (/^(Attach|Detach)(Role|User)Policy$/.test(eventName)) return new Set(['attached']);
  if (/^(Put|Delete)(Role|User)Policy$/.test(eventName)) return new Set(['inline']);
  if (/^(AddUserToGroup|RemoveUserFromGroup)$/.test(eventName)) return new Set(['groups']);
  if (/^((Tag|Untag)(Role|User)|(Put|Delete)(Role|User)PermissionsBoundary|UpdateAssumeRolePolicy)$/.test(eventName))
    return new Set(['record']);
  if (eventName === 'CreateServiceSpecificCredential') return new Set();
  return undefined;
}

function knownPrincipals(details: Record<string, unknown>): Set<string> {
  const names = (key: string, nameKey: string, kind: string) =>
    ((details[key] ?? []) as Record<string, unknown>[]).map((e) => `${kind}/${String(e[nameKey])}`);
  return new Set([...names('RoleDetailList', 'RoleName', 'role'), ...names('UserDetailList', 'UserName', 'user')]);
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

const uniqueRefs = <T extends PrincipalRef>(refs: readonly T[]): T[] => [
  ...new Map(refs.map((r) => [`${r.kind}/${r.name}`, r])).values(),
];
