import {
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListRolePolicies,
  paginateListUserPolicies,
} from '@aws-sdk/client-iam';
import type { PrincipalRef } from '../core/events/touch.js';
import { isGuardPolicyArn } from '../core/plan/guard-owned.js';
import type { PrincipalKind } from '../core/snapshot/types.js';
import { asCliJson } from './cli-json.js';
import { readManagedPolicy } from './iam-reader.js';
import { isAwsError, mapLimit } from './sdk-output.js';

type Json = Record<string, unknown>;

export type { PrincipalRef };

/**
 * `iam.json` with some principals (and groups) read again, one by one,
 * instead of the whole account: each entry as `GetAccountAuthorizationDetails`
 * would give it (one that is gone is dropped, a new one added), and the
 * managed policies in `policyArns` (the guard's, just written or removed, or
 * one whose document changed) read again, with the ones that are gone
 * dropped. About three calls per principal or group, plus one per inline policy.
 */
export async function rereadPrincipals(
  iam: IAMClient,
  details: Json,
  principals: readonly PrincipalRef[],
  policyArns: readonly string[],
  groups: readonly string[] = [],
): Promise<Json> {
  const fresh = (await mapLimit(principals, 4, (p) => readPrincipal(iam, p))).map(asCliJson);
  const freshGroups = (await mapLimit(groups, 4, (g) => readGroup(iam, g))).map(asCliJson);
  const byKey = new Map(principals.map((p, i) => [`${p.kind}/${p.name}`, fresh[i]]));
  groups.forEach((g, i) => byKey.set(`group/${g}`, freshGroups[i]));
  const replace = (key: string, kind: PrincipalKind | 'group', nameKey: string) => {
    const seen = new Set<string>();
    const kept = ((details[key] as Json[] | undefined) ?? []).flatMap((entry) => {
      const k = `${kind}/${String(entry[nameKey])}`;
      seen.add(k);
      if (!byKey.has(k)) return [entry];
      const entryNow = byKey.get(k);
      return entryNow ? [entryNow] : [];
    });
    const added = [...byKey].filter(([k, e]) => e !== undefined && k.startsWith(`${kind}/`) && !seen.has(k));
    return [...kept, ...added.map(([, e]) => e as Json)];
  };
  const known = new Set(((details.Policies ?? []) as Json[]).map((p) => String(p.Arn)));
  // Managed policies to read: the ones named, and any a re-read principal now has that the capture lacks.
  const attachedNow = [...fresh, ...freshGroups].flatMap((e) => [
    ...((e?.AttachedManagedPolicies ?? []) as Json[]).map((a) => String(a.PolicyArn)),
    ...(e?.PermissionsBoundary ? [String((e.PermissionsBoundary as Json).PermissionsBoundaryArn)] : []),
  ]);
  const toRead = [
    ...new Set([...policyArns, ...attachedNow.filter((arn) => !known.has(arn) || isGuardPolicyArn(arn))]),
  ];
  const policies = (await mapLimit(toRead, 4, (arn) => readManagedPolicy(iam, arn))).map(asCliJson);
  const readArns = new Set(toRead);
  return {
    ...details,
    UserDetailList: replace('UserDetailList', 'user', 'UserName'),
    RoleDetailList: replace('RoleDetailList', 'role', 'RoleName'),
    ...(groups.length > 0 ? { GroupDetailList: replace('GroupDetailList', 'group', 'GroupName') } : {}),
    Policies: [
      ...((details.Policies ?? []) as Json[]).filter((p) => !readArns.has(String(p.Arn))),
      ...policies.filter((p) => p !== undefined),
    ],
  };
}

/** One user or role in the shape of its `GetAccountAuthorizationDetails` entry; undefined if it is gone. */
async function readPrincipal(iam: IAMClient, ref: PrincipalRef): Promise<Json | undefined> {
  try {
    return ref.kind === 'role' ? await readRole(iam, ref.name) : await readUser(iam, ref.name);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

async function readRole(iam: IAMClient, RoleName: string): Promise<Json> {
  const { Role: role } = await iam.send(new GetRoleCommand({ RoleName }));
  const attached: Json[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName })) {
    attached.push(...((page.AttachedPolicies ?? []) as Json[]));
  }
  const inline: Json[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName })) {
    for (const PolicyName of page.PolicyNames ?? []) {
      const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
      inline.push({ PolicyName, PolicyDocument });
    }
  }
  return {
    Path: role?.Path,
    RoleName: role?.RoleName,
    RoleId: role?.RoleId,
    Arn: role?.Arn,
    CreateDate: role?.CreateDate,
    AssumeRolePolicyDocument: role?.AssumeRolePolicyDocument,
    RolePolicyList: inline,
    AttachedManagedPolicies: attached,
    ...(role?.PermissionsBoundary ? { PermissionsBoundary: role.PermissionsBoundary } : {}),
    Tags: role?.Tags ?? [],
  };
}

async function readUser(iam: IAMClient, UserName: string): Promise<Json> {
  const { User: user } = await iam.send(new GetUserCommand({ UserName }));
  const attached: Json[] = [];
  for await (const page of paginateListAttachedUserPolicies({ client: iam }, { UserName })) {
    attached.push(...((page.AttachedPolicies ?? []) as Json[]));
  }
  const inline: Json[] = [];
  for await (const page of paginateListUserPolicies({ client: iam }, { UserName })) {
    for (const PolicyName of page.PolicyNames ?? []) {
      const { PolicyDocument } = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }));
      inline.push({ PolicyName, PolicyDocument });
    }
  }
  const groups: string[] = [];
  for await (const page of paginateListGroupsForUser({ client: iam }, { UserName })) {
    for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
  }
  return {
    Path: user?.Path,
    UserName: user?.UserName,
    UserId: user?.UserId,
    Arn: user?.Arn,
    CreateDate: user?.CreateDate,
    UserPolicyList: inline,
    GroupList: groups,
    AttachedManagedPolicies: attached,
    ...(user?.PermissionsBoundary ? { PermissionsBoundary: user.PermissionsBoundary } : {}),
    Tags: user?.Tags ?? [],
  };
}

/** One group in the shape of its `GetAccountAuthorizationDetails` entry; undefined if it is gone. */
async function readGroup(iam: IAMClient, GroupName: string): Promise<Json | undefined> {
  try {
    const { Group: group } = await iam.send(new GetGroupCommand({ GroupName, MaxItems: 1 }));
    const attached: Json[] = [];
    for await (const page of paginateListAttachedGroupPolicies({ client: iam }, { GroupName })) {
      attached.push(...((page.AttachedPolicies ?? []) as Json[]));
    }
    const inline: Json[] = [];
    for await (const page of paginateListGroupPolicies({ client: iam }, { GroupName })) {
      for (const PolicyName of page.PolicyNames ?? []) {
        const { PolicyDocument } = await iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName }));
        inline.push({ PolicyName, PolicyDocument });
      }
    }
    return {
      Path: group?.Path,
      GroupName: group?.GroupName,
      GroupId: group?.GroupId,
      Arn: group?.Arn,
      CreateDate: group?.CreateDate,
      GroupPolicyList: inline,
      AttachedManagedPolicies: attached,
    };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}
