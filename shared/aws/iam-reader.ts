import {
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListServiceSpecificCredentialsCommand,
  type ManagedPolicyDetail,
  paginateGetAccountAuthorizationDetails,
} from '@aws-sdk/client-iam';
import { BEDROCK_CREDENTIAL_SERVICE } from '../core/reconcile/features.js';
import { type IamQuotas, quotasFromSummary } from '../core/plan/quotas.js';
import { asCliJson } from './cli-json.js';
import { errorName, isAccessDenied, isAwsError, mapLimit } from './sdk-output.js';

type Json = Record<string, unknown>;
const DETAIL_LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;
const AWS_MANAGED = /^arn:[^:]+:iam::aws:policy\//;

/**
 * `iam.json`: what `aws iam get-account-authorization-details` prints, page
 * by page (AWS pages by `Marker`; an emulator may answer everything at once),
 * as the AWS CLI prints it (`asCliJson`). AWS managed policies are
 * fetched only when something in the account attaches them or uses them as a
 * boundary: there are over a thousand and the rest decide nothing.
 */
export async function readAuthorizationDetails(iam: IAMClient): Promise<Json> {
  const out: Record<string, Json[]> = Object.fromEntries(DETAIL_LISTS.map((k) => [k, []]));
  const pages = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: 1000 },
    { Filter: ['User', 'Role', 'Group', 'LocalManagedPolicy'] },
  );
  for await (const page of pages) {
    for (const key of DETAIL_LISTS) out[key]?.push(...((page[key] ?? []) as Json[]));
  }
  const awsManaged = [...referencedPolicyArns(out)].filter((arn) => AWS_MANAGED.test(arn)).sort();
  const fetched = await mapLimit(awsManaged, 8, (arn) => readManagedPolicy(iam, arn));
  out.Policies?.push(...(fetched.filter(Boolean) as Json[]));
  return asCliJson(out);
}

/** Every managed policy ARN attached to a user, group or role, or set as a permissions boundary. */
function referencedPolicyArns(details: Record<string, Json[]>): Set<string> {
  const arns = new Set<string>();
  for (const key of ['UserDetailList', 'GroupDetailList', 'RoleDetailList'] as const) {
    for (const entry of details[key] ?? []) {
      for (const a of (entry.AttachedManagedPolicies ?? []) as Json[]) arns.add(a.PolicyArn as string);
      const boundary = entry.PermissionsBoundary as Json | undefined;
      if (boundary?.PermissionsBoundaryArn) arns.add(boundary.PermissionsBoundaryArn as string);
    }
  }
  return arns;
}

/** A managed policy in the shape of `Policies[]` (default version only); undefined if it is gone. */
export async function readManagedPolicy(iam: IAMClient, arn: string): Promise<ManagedPolicyDetail | undefined> {
  try {
    const { Policy: p } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    if (!p?.DefaultVersionId) return undefined;
    const { PolicyVersion: v } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.DefaultVersionId }),
    );
    return {
      PolicyName: p.PolicyName,
      PolicyId: p.PolicyId,
      Arn: p.Arn,
      Path: p.Path,
      DefaultVersionId: p.DefaultVersionId,
      AttachmentCount: p.AttachmentCount,
      PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
      IsAttachable: p.IsAttachable,
      CreateDate: p.CreateDate,
      UpdateDate: p.UpdateDate,
      PolicyVersionList: [{ ...v, IsDefaultVersion: true }],
    };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

/** The account's IAM quotas (raised quotas included), which decide where a guard deny fits. */
export async function readQuotas(iam: IAMClient): Promise<IamQuotas> {
  const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}));
  return quotasFromSummary(SummaryMap ?? {});
}

/**
 * `service-credentials.json`: every user's long-term Bedrock API keys, as
 * `aws iam list-service-specific-credentials --all-users --service-name
 * bedrock.amazonaws.com` prints them. Optional: when the caller may not list
 * them, a warning says so and the file is left out.
 */
export async function readBedrockCredentials(iam: IAMClient): Promise<{ file?: Json; warning?: string }> {
  const credentials: unknown[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await iam.send(
        new ListServiceSpecificCredentialsCommand({
          AllUsers: true,
          ServiceName: BEDROCK_CREDENTIAL_SERVICE,
          MaxItems: 1000,
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      credentials.push(...(page.ServiceSpecificCredentials ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (error) {
    const why = isAccessDenied(error) ? 'access denied' : `${errorName(error)}: ${(error as Error).message}`;
    return {
      warning: `long-term Bedrock API keys were not listed (iam:ListServiceSpecificCredentials, ${why}); existing keys are not reported`,
    };
  }
  return { file: asCliJson({ ServiceSpecificCredentials: credentials }) };
}
