import type { AwsClients } from '../aws/clients.js';
import { formatIssue } from '../core/policy-file/issues.js';
import { loadPolicyFile } from '../core/policy-file/parse.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { planFromFiles, type PlanWork } from '../core/plan/plan.js';
import { UsageError } from '../errors.js';
import { readPolicyFileText } from '../policy-file/read.js';
import { type Account, loadAccount } from './live-account.js';

export interface PlanRequest {
  readonly policyPath: string;
  /** A snapshot folder; live capture when absent. */
  readonly snapshotDir?: string;
  readonly orgRoleArn?: string;
  /** Whether the caller must be identified (to protect it) even when planning from a folder. */
  readonly identify: boolean;
  readonly progress: (phase: string) => void;
  readonly warn: (line: string) => void;
}

export interface PreparedPlan {
  readonly account: Account;
  readonly policy: PolicyFile;
  readonly work: PlanWork;
}

/**
 * What `plan` and `apply` share: the policy file, the account (live or from
 * a folder), and the plan, with every warning printed once.
 */
export async function preparePlan(request: PlanRequest, aws?: AwsClients): Promise<PreparedPlan> {
  const { policyPath } = request;
  const text = await readPolicyFileText(policyPath);
  // Read once for its Regions (what to capture), again below with the catalogue to check its model ids.
  const regions = loadPolicyFile(text, policyPath).policy.regions;
  if (request.snapshotDir === undefined) request.progress(`capturing the account live (${regions.join(', ')})`);
  const account = await loadAccount(
    {
      regions,
      identify: request.identify,
      ...(request.snapshotDir !== undefined ? { snapshotDir: request.snapshotDir } : {}),
      ...(request.orgRoleArn ? { orgRoleArn: request.orgRoleArn } : {}),
    },
    aws,
  );
  const { snapshot } = account;
  const { policy, warnings } = loadPolicyFile(text, policyPath, {
    knownModelIds: snapshot.foundationModels.map((m) => m.modelId),
    knownRegions: snapshot.account.regions,
  });
  if (policy.partition !== snapshot.account.partition) {
    throw new UsageError(
      `the policy file is for partition ${policy.partition}, but the account is in ${snapshot.account.partition}`,
      { location: policyPath, hint: 'Set partition: in the policy file to match the account.' },
    );
  }
  const formatted = warnings.map((w) => formatIssue(policyPath, w));
  for (const line of formatted) request.warn(line);
  for (const line of account.warnings) request.warn(`bedrock-guard: warning: ${line}`);
  for (const line of account.notes) request.warn(`bedrock-guard: note: ${line}`);
  const work = planFromFiles(account.files, policy, {
    snapshot,
    policyFile: policyPath,
    quotas: account.quotas,
    protectedPrincipals: account.protectedPrincipals,
    warnings: [...formatted, ...account.warnings],
    progress: request.progress,
  });
  return { account, policy, work };
}
