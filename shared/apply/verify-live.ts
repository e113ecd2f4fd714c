import { readAuthorizationDetails } from '../aws/iam-reader.js';
import type { AwsClients } from '../aws/clients.js';
import { verifyApplied } from '../core/apply/verify.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { planFromFiles, type PlanOptions } from '../core/plan/plan.js';
import type { Plan } from '../core/plan/types.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';
import type { DenyAction } from '../core/apply/safety.js';
import { rereadPrincipals } from '../aws/principal-reader.js';

/** Up to this many principals touched, verification reads them one by one rather than the whole account. */
const ONE_BY_ONE = 25;

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export interface VerifyOptions extends Pick<PlanOptions, 'quotas' | 'protectedPrincipals'> {
  readonly oneByOne?: number;
  /** Narrows the files planned after the re-read (an event plans only the principals it touched). */
  readonly planScope?: (files: SnapshotFiles) => SnapshotFiles;
}

/**
 * After `apply`: IAM read again (the rest of the snapshot kept), planned
 * again with the same options, and every principal the actions were for
 * checked by `verifyApplied`, so a skipped or failed write shows up too.
 * Returns the problems; none means the account ended as planned.
 */
export async function verifyLive(...args: Parameters<typeof reverify>): Promise<string[]> {
  return (await reverify(...args)).problems;
}

/** `verifyLive`, also returning `iam.json` as re-read, so a warm cache can keep it. */
export async function reverify(
  aws: AwsClients,
  files: SnapshotFiles,
  policy: PolicyFile,
  before: Plan,
  actions: readonly DenyAction[],
  options: VerifyOptions,
): Promise<{ problems: string[]; iam: unknown }> {
  const kinds = new Map(actions.map((a) => [a.principal, a.principalKind]));
  if (kinds.size === 0) return { problems: [], iam: files.iam };
  const client = aws.iam(before.partition);
  // A few principals are read one by one (about five calls each); many, with the whole account's paged read.
  const iam =
    kinds.size <= (options.oneByOne ?? ONE_BY_ONE)
      ? await rereadPrincipals(
          client,
          files.iam as Record<string, unknown>,
          [...kinds].map(([arn, kind]) => ({ kind, name: nameOf(arn) })),
          actions.flatMap((a) => (a.policyArn ? [a.policyArn] : [])),
        )
      : await readAuthorizationDetails(client);
  const reread = { ...files, iam };
  const after = planFromFiles(options.planScope?.(reread) ?? reread, policy, {
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.protectedPrincipals ? { protectedPrincipals: options.protectedPrincipals } : {}),
  });
  return { problems: verifyApplied(before, after.plan, new Set(kinds.keys())), iam };
}
