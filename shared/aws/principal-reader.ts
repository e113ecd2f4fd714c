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
import type { PrincipalKind } from '../core/snapshot/types.js';
import { asCliJson } from './cli-json.js';
import { readManagedPolicy } from './iam-reader.js';
import { isAwsError, mapLimit } from './sdk-output.js';

type Json = Record<string, unknown>;

export type { PrincipalRef };

/**
 * What of a user or role to read again: its own record (`GetRole`/`GetUser`:
 * path, trust policy, boundary, tags), its attached managed policies, its
 * inline policies, or its groups (users).
 */
export type PrincipalPart = 'record' | 'attached' | 'inline' | 'groups';

/** A principal to read again: every part, or only the parts an event changed. */
export interface PrincipalRead extends PrincipalRef {
  /** Only these parts, on top of the entry `details` already holds (every part when it holds none). */
  readonly parts?: ReadonlySet<PrincipalPart>;
}

const ALL_PARTS: ReadonlySet<PrincipalPart> = new Set(['record', 'attached', 'inline', 'groups']);

/**
 * `iam.json` with some principals (and groups) read again, one by one,
 * instead of the whole account: each entry as `GetAccountAuthorizationDetails`
 * would give it (one that is gone is dropped, a new one added), and the
 * managed policies in `policyArns` (the guard's, just written or removed, or
 * one whose document changed) read again, with the ones that are gone
 * dropped; so is any managed policy a re-read entry has that `details` lacks.
 * A whole principal or group costs about three calls, plus one per inline
 * policy; a part, one call (plus one per inline policy).
 */
export async function rereadPrincipals(
  iam: IAMClient,
  details: Json,
  principals: readonly PrincipalRead[],
  policyArns: readonly string[],
  groups: readonly string[] = [],
): Promise<Json> {
  const cached = new Map<string, Json>();
  for (const [key, kind, nameKey] of LISTS) {
    for (const entry of (details[key] ?? []) as Json[]) cached.set(`${kind}/${String(entry[nameKey])}`, entry);
  }
  const fresh = (await mapLimit(principals, 4, (p) => readPrincipal(iam, p, cached.get(`${p.kind}/${p.name}`)))).map(
    asCliJson,
  );
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
  // Managed policies to read: the ones named, and any a re-read entry now has that the capture lacks.
  const attachedNow = [...fresh, ...freshGroups].flatMap((e) => [
    ...((e?.AttachedManagedPolicies ?? []) as Json[]).map((a) => String(a.PolicyArn)),
    ...(e?.PermissionsBoundary ? [String((e.PermissionsBoundary as Json).PermissionsBoundaryArn)] : []),
  ]);
  const toRead = [...new Set([...policyArns, ...attachedNow.filter((arn) => !known.has(arn))])];
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

const LISTS = [
  ['UserDetailList', 'user', 'UserName'],
  ['RoleDetailList', 'role', 'RoleName'],
] as const;

/**
 * One user or role in the shape of its `GetAccountAuthorizationDetails`
 * entry: the parts asked for read from IAM, the rest kept from `cached`
 * (everything is read when there is no cached entry). Undefined if it is gone.
 */
async function readPrincipal(iam: IAMClient, ref: PrincipalRead, cached: Json | undefined): Promise<Json | undefined> {
  const parts = cached && ref.parts ? ref.parts : ALL_PARTS;
  const read = ref.kind === 'role' ? ROLE : USER;
  try {
    const fresh = await Promise.all([...parts].map((part) => read[part]?.(iam, ref.name) ?? {}));
    const merged: Json = { ...(parts.has('record') ? withoutRecord(cached) : cached), ...Object.assign({}, ...fresh) };
    return ref.kind === 'role' ? inRoleOrder(merged) : inUserOrder(merged);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

/** The cached entry without the fields of `GetRole`/`GetUser`, which a new read replaces (a boundary may be gone). */
function withoutRecord(entry: Json | undefined): Json {
  const { PermissionsBoundary: _b, Tags: _t, AssumeRolePolicyDocument: _a, ...rest } = entry ?? {};
  return rest;
}

type PartReaders = Partial<Record<PrincipalPart, (iam: IAMClient, name: string) => Promise<Json>>>;

const ROLE: PartReaders = {
  record: async (iam, RoleName) => {
    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName }));
    return {
      Path: role?.Path,
      RoleName: role?.RoleName,
      RoleId: role?.RoleId,
      Arn: role?.Arn,
      CreateDate: role?.CreateDate,
      AssumeRolePolicyDocument: role?.AssumeRolePolicyDocument,
      ...(role?.PermissionsBoundary ? { PermissionsBoundary: role.PermissionsBoundary } : {}),
      Tags: role?.Tags ?? [],
    };
  },
  attached: async (iam, RoleName) => {
    const attached: Json[] = [];
    for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName })) {
      attached.push(...((page.AttachedPolicies ?? []) as Json[]));
    }
    return { AttachedManagedPolicies: attached };
  },
  inline: async (iam, RoleName) => {
    const inline: Json[] = [];
    for await (const page of paginateListRolePolicies({ client: iam }, { RoleName })) {
      for (const PolicyName of page.PolicyNames ?? []) {
        const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
        inline.push({ PolicyName, PolicyDocument });
      }
    }
    return { RolePolicyList: inline };
  },
};

const USER: PartReaders = {
  record: async (iam, UserName) => {
    const { User: user } = await iam.send(new GetUserCommand({ UserName }));
    return {
      Path: user?.Path,
      UserName: user?.UserName,
      UserId: user?.UserId,
      Arn: user?.Arn,
      CreateDate: user?.CreateDate,
      ...(user?.PermissionsBoundary ? { PermissionsBoundary: user.PermissionsBoundary } : {}),
      Tags: user?.Tags ?? [],
    };
  },
  attached: async (iam, UserName) => {
    const attached: Json[] = [];
    for await (const page of paginateListAttachedUserPolicies({ client: iam }, { UserName })) {
      attached.push(...((page.AttachedPolicies ?? []) as Json[]));
    }
    return { AttachedManagedPolicies: attached };
  },
  inline: async (iam, UserName) => {
    const inline: Json[] = [];
    for await (const page of paginateListUserPolicies({ client: iam }, { UserName })) {
      for (const PolicyName of page.PolicyNames ?? []) {
        const { PolicyDocument } = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }));
        inline.push({ PolicyName, PolicyDocument });
      }
    }
    return { UserPolicyList: inline };
  },
  groups: async (iam, UserName) => {
    const groups: string[] = [];
    for await (const page of paginateListGroupsForUser({ client: iam }, { UserName })) {
      for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
    }
    return { GroupList: groups };
  },
};

/** Keys in the order `GetAccountAuthorizationDetails` prints them (tests compare entries). */
const ordered =
  (keys: readonly string[]) =>
  (entry: Json): Json =>
    Object.fromEntries(keys.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]]));
const inRoleOrder = ordered([
  'Path',
  'RoleName',
  'RoleId',
  'Arn',
  'CreateDate',
  'AssumeRolePolicyDocument',
  'RolePolicyList',
  'AttachedManagedPolicies',
  'PermissionsBoundary',
  'Tags',
]);
const inUserOrder = ordered([
  'Path',
  'UserName',
  'UserId',
  'Arn',
  'CreateDate',
  'UserPolicyList',
  'GroupList',
  'AttachedManagedPolicies',
  'PermissionsBoundary',
  'Tags',
]);

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
