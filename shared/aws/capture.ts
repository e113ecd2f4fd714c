import { parseArn } from '../core/iam/arn.js';
import type { IamQuotas } from '../core/plan/quotas.js';
import type { AccountInfo } from '../core/snapshot/types.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';
import { BedrockGuardError } from '../errors.js';
import { callerIdentity } from './caller.js';
import { asCliJson } from './cli-json.js';
import { readCatalogue } from './catalogue-reader.js';
import type { AwsClients } from './clients.js';
import { readAuthorizationDetails, readBedrockCredentials, readQuotas } from './iam-reader.js';
import { readScps } from './scp-reader.js';

export interface CaptureOptions {
  /** Regions whose Bedrock catalogue is read, and which the snapshot's `account.json` lists. */
  readonly regions: readonly string[];
  /** A role to assume for AWS Organizations reads (the management account or a delegated administrator). */
  readonly orgRoleArn?: string;
}

export interface LiveSnapshot {
  readonly files: SnapshotFiles;
  /** Things the snapshot lacks and why (SCPs unreadable, a Region left out…). */
  readonly warnings: readonly string[];
  /** Notes that change nothing but explain the result (no organization, management account…). */
  readonly notes: readonly string[];
  /** The caller's ARN, from `sts:GetCallerIdentity`: the identity the guard runs as. */
  readonly callerArn: string;
  /** The account's IAM quotas, from `GetAccountSummary`. */
  readonly quotas: IamQuotas;
}

/**
 * The snapshot folder (PRODUCT.md §3.1) read from live AWS: the same files a
 * user would write with the AWS CLI, captured in parallel.
 */
export async function captureSnapshot(aws: AwsClients, options: CaptureOptions): Promise<LiveSnapshot> {
  if (options.regions.length === 0) {
    throw new BedrockGuardError('no Regions to capture', {
      hint: 'List them under regions: in the policy file, or pass --regions us-east-1,us-west-2.',
    });
  }
  const { arn: callerArn, account: accountId } = await callerIdentity(aws);
  const partition = parseArn(callerArn)?.partition;
  if (!partition)
    throw new BedrockGuardError(`sts:GetCallerIdentity returned an ARN without a partition: ${callerArn}`);
  const iam = aws.iam(partition);
  const [iamJson, quotas, credentials, scps, catalogue] = await Promise.all([
    readAuthorizationDetails(iam),
    readQuotas(iam),
    readBedrockCredentials(iam),
    readScps(aws.organizations(partition, options.orgRoleArn), accountId),
    readCatalogue((region) => aws.bedrock(region), options.regions),
  ]);
  const account: AccountInfo = {
    accountId,
    partition,
    regions: [...options.regions],
    ...(scps.organizationId ? { organizationId: scps.organizationId } : {}),
  };
  const warnings = [
    ...(scps.unreadable && scps.note ? [scps.note] : []),
    ...(credentials.warning ? [credentials.warning] : []),
    ...catalogue.warnings,
  ];
  const files: SnapshotFiles = {
    account,
    iam: iamJson,
    ...(scps.scps ? { scps: scps.scps } : {}),
    foundationModels: asCliJson(catalogue.foundationModels),
    inferenceProfiles: asCliJson(catalogue.inferenceProfiles),
    provisionedModels: asCliJson(catalogue.provisionedModels),
    ...(credentials.file ? { serviceCredentials: credentials.file } : {}),
  };
  return {
    files,
    warnings,
    notes: !scps.unreadable && scps.note ? [scps.note] : [],
    callerArn,
    quotas,
  };
}
