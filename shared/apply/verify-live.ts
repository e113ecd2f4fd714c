import { readAuthorizationDetails } from '../aws/iam-reader.js';
import type { AwsClients } from '../aws/clients.js';
import { verifyApplied } from '../core/apply/verify.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { planFromFiles, type PlanOptions } from '../core/plan/plan.js';
import type { Plan } from '../core/plan/types.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';

/**
 * After `apply`: IAM read again (the rest of the snapshot kept), planned
 * again with the same options, and every principal the plan meant to change
 * checked by `verifyApplied`. Returns the problems; none means the account
 * ended as planned.
 */
export async function verifyLive(
  aws: AwsClients,
  files: SnapshotFiles,
  policy: PolicyFile,
  before: Plan,
  touched: ReadonlySet<string>,
  options: Pick<PlanOptions, 'quotas' | 'protectedPrincipals'>,
): Promise<string[]> {
  if (touched.size === 0) return [];
  const iam = await readAuthorizationDetails(aws.iam(before.partition));
  const after = planFromFiles({ ...files, iam }, policy, options);
  return verifyApplied(before, after.plan, touched);
}
