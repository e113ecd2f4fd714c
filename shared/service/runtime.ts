import { captureSnapshot } from '../aws/capture.js';
import type { AwsClients } from '../aws/clients.js';
import { EventBridgePublisher } from '../aws/findings-bus.js';
import { DynamoFirstUseGate, DynamoModelFirstUse } from '../aws/first-use-gate.js';
import { DynamoHeartbeats } from '../aws/heartbeats.js';
import { IamDenyWriter } from '../aws/iam-writer.js';
import { DynamoUsageCounters } from '../aws/usage-counters.js';
import { DynamoLedger } from '../aws/ledger.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { UsageError } from '../errors.js';
import { readSnapshotFiles } from '../snapshot/read-folder.js';
import { AccountCache, type AccountCapture } from './account-cache.js';
import type { ServiceConfig } from './config.js';
import { MemoryFirstUseGate, MemoryModelFirstUse } from './first-use.js';
import { MemoryHeartbeats } from './heartbeats.js';
import { BudgetMeter } from './budget-meter.js';
import { GuardService, type ServiceParts } from './guard-service.js';
import { readPolicy } from './policy-source.js';
import { CollectingPublisher, type FindingsPublisher } from './publisher.js';
import { MemoryUsageCounters } from './usage-counters.js';

export interface Runtime {
  readonly service: GuardService;
  /** Usage budgets: the meter function's pipeline, on the same account view, bus and writer. */
  readonly meter: BudgetMeter;
  /** Offline runs and runs without a bus keep what they would publish here. */
  readonly collected?: CollectingPublisher;
  readonly policyPath: string;
}

export interface RuntimeOptions {
  /** Live AWS; absent offline (the config's snapshot folder). */
  readonly aws?: AwsClients;
  /** Where a relative policy-file path is found: the function's root in Lambda. */
  readonly root?: string;
  readonly log?: ServiceParts['log'];
}

/**
 * Everything the service needs, built once per Lambda container (or CLI
 * run): the policy file (bundled, or from Parameter Store), the account
 * cache, and the live parts — IAM writer, ledger, findings bus — unless
 * the run is offline.
 */
export async function createRuntime(config: ServiceConfig, options: RuntimeOptions): Promise<Runtime> {
  const { aws } = options;
  const { policy, path } = await readPolicy(config, options);
  const capture = async (): Promise<AccountCapture> => {
    if (config.snapshotDir !== undefined) return { files: await readSnapshotFiles(config.snapshotDir) };
    if (!aws) throw new UsageError('no AWS clients and no snapshot folder (BEDROCK_GUARD_SNAPSHOT)');
    const live = await captureSnapshot(aws, {
      regions: policy.regions,
      ...(config.orgRoleArn ? { orgRoleArn: config.orgRoleArn } : {}),
    });
    return { files: live.files, quotas: live.quotas, callerArn: live.callerArn, warnings: live.warnings };
  };
  // A policy file for another partition would plan nonsense: refused on the first capture, like the CLI does.
  const checked = async (): Promise<AccountCapture> => {
    const captured = await capture();
    const partition = (captured.files.account as { partition?: string }).partition;
    if (partition !== policy.partition) {
      throw new UsageError(`the policy file is for partition ${policy.partition}, but the account is in ${partition}`, {
        location: path,
        hint: 'Set partition: in the policy file to match the account.',
      });
    }
    return captured;
  };
  const accounts = new AccountCache(checked, {
    maxAgeMs: config.cacheMs,
    ...(config.rolePrefix ? { rolePrefix: config.rolePrefix } : {}),
  });
  const offline = config.snapshotDir !== undefined || !aws;
  let publisher: FindingsPublisher;
  let collected: CollectingPublisher | undefined;
  if (offline || !config.bus) publisher = collected = new CollectingPublisher();
  else publisher = new EventBridgePublisher(aws.eventbridge(), config.bus);
  const heartbeats =
    !offline && config.idempotencyTable
      ? new DynamoHeartbeats(aws.dynamodb(), config.idempotencyTable)
      : new MemoryHeartbeats();
  const parts: ServiceParts = {
    config,
    policy,
    policyPath: path,
    accounts,
    publisher,
    gate:
      !offline && config.idempotencyTable
        ? new DynamoFirstUseGate(aws.dynamodb(), config.idempotencyTable, config.firstUseMs)
        : new MemoryFirstUseGate(config.firstUseMs),
    modelFirstUse:
      !offline && config.idempotencyTable
        ? new DynamoModelFirstUse(aws.dynamodb(), config.idempotencyTable)
        : new MemoryModelFirstUse(),
    heartbeats,
    ...(offline ? {} : { live: liveParts(aws, config, policy) }),
    ...(options.log ? { log: options.log } : {}),
  };
  const meter = new BudgetMeter({
    policy,
    accounts,
    counters:
      !offline && config.usageTable
        ? new DynamoUsageCounters(aws.dynamodb(), config.usageTable)
        : new MemoryUsageCounters(),
    publisher,
    heartbeats,
    ...(parts.live ? { live: parts.live } : {}),
    // Budgets deny only where the file enforces and the service writes.
    enforce: policy.mode === 'enforce' && config.enforce && !config.dryRun && !offline,
    ...(options.log ? { log: options.log } : {}),
  });
  return { service: new GuardService(parts), meter, ...(collected ? { collected } : {}), policyPath: path };
}

function liveParts(aws: AwsClients, config: ServiceConfig, policy: PolicyFile): NonNullable<ServiceParts['live']> {
  return {
    aws,
    writer: new IamDenyWriter(aws.iam(policy.partition)),
    ledger: new DynamoLedger(aws.dynamodb(), config.ledgerTable),
  };
}
