import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListRootsCommand,
  type OrganizationsClient,
  paginateListPoliciesForTarget,
} from '@aws-sdk/client-organizations';
import { BedrockGuardError } from '../errors.js';
import { errorName, isAccessDenied, isAwsError } from './sdk-output.js';

interface ScpPolicy {
  readonly Id: string;
  readonly Name: string;
  readonly Content: string;
}
export interface ScpLevels {
  readonly levels: ReadonlyArray<{ readonly target: string; readonly policies: readonly ScpPolicy[] }>;
}

/** `scps` is absent when no SCP applies; `note` says why, or why they could not be read. */
export interface ScpCapture {
  readonly scps?: ScpLevels;
  readonly note?: string;
  /** True when SCPs may apply but could not be read: the plan is computed without them. */
  readonly unreadable?: boolean;
  /** `o-…`, for `aws:PrincipalOrgID`. */
  readonly organizationId?: string;
}

const SCP = 'SERVICE_CONTROL_POLICY';

/**
 * `scps.json`: the SCPs at every level from the root down to the account.
 * Only the management account and a delegated administrator may read them;
 * from elsewhere the result says so instead of failing, and the plan is
 * marked as computed without SCPs.
 */
export async function readScps(org: OrganizationsClient, accountId: string): Promise<ScpCapture> {
  let masterAccountId: string | undefined;
  let organizationId: string | undefined;
  try {
    const { Organization } = await org.send(new DescribeOrganizationCommand({}));
    masterAccountId = Organization?.MasterAccountId;
    organizationId = Organization?.Id;
  } catch (error) {
    if (isAwsError(error, 'AWSOrganizationsNotInUse')) return { note: 'the account is in no organization' };
    return unreadable(error);
  }
  // IAM user guide, "Service control policies": SCPs do not affect the management account.
  const inOrg = organizationId ? { organizationId } : {};
  if (masterAccountId === accountId) {
    return { ...inOrg, note: "the account is its organization's management account, which SCPs don't affect" };
  }
  try {
    const roots = (await org.send(new ListRootsCommand({}))).Roots ?? [];
    const scpEnabled = roots.some((r) => r.PolicyTypes?.some((t) => t.Type === SCP && t.Status === 'ENABLED'));
    if (!scpEnabled) return { ...inOrg, note: "SCPs are not enabled in the organization's root" };
    const targets = [accountId];
    for (let child = accountId; ;) {
      const parent = (await org.send(new ListParentsCommand({ ChildId: child }))).Parents?.[0];
      if (!parent?.Id) break;
      targets.unshift(parent.Id);
      if (parent.Type === 'ROOT') break;
      child = parent.Id;
    }
    const contents = new Map<string, Promise<ScpPolicy>>();
    const levels = [];
    for (const target of targets) {
      const ids: string[] = [];
      for await (const page of paginateListPoliciesForTarget({ client: org }, { TargetId: target, Filter: SCP })) {
        for (const p of page.Policies ?? []) if (p.Id) ids.push(p.Id);
      }
      for (const id of ids) if (!contents.has(id)) contents.set(id, describe(org, id));
      levels.push({ target, policies: await Promise.all(ids.map((id) => contents.get(id) as Promise<ScpPolicy>)) });
    }
    return { ...inOrg, scps: { levels } };
  } catch (error) {
    return { ...inOrg, ...unreadable(error) };
  }
}

async function describe(org: OrganizationsClient, id: string): Promise<ScpPolicy> {
  const { Policy } = await org.send(new DescribePolicyCommand({ PolicyId: id }));
  // An SCP read as empty would deny everything at its level: never guess, stop.
  if (Policy?.Content === undefined)
    throw new BedrockGuardError(`organizations:DescribePolicy ${id} returned no content`);
  return { Id: id, Name: Policy.PolicySummary?.Name ?? id, Content: Policy.Content };
}

/** A member account may not read its organization's SCPs (and an emulator may say the account is unknown). */
function unreadable(error: unknown): ScpCapture {
  if (!isAccessDenied(error) && !isAwsError(error, 'AccountNotFound')) throw error;
  return {
    unreadable: true,
    note:
      `SCPs could not be read (${errorName(error)}): the plan is computed without SCPs. ` +
      'Run from the management account or a delegated administrator, or pass --org-role with a role there.',
  };
}
