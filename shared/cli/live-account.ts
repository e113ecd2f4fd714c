import type { AwsClients } from '../aws/clients.js';
import { protectCaller } from '../core/apply/protect-caller.js';
import { DEFAULT_QUOTAS, type IamQuotas } from '../core/plan/quotas.js';
import { buildSnapshot } from '../core/snapshot/build.js';
import type { SnapshotFiles } from '../core/snapshot/files.js';
import type { Snapshot } from '../core/snapshot/types.js';
import { UsageError } from '../errors.js';
import { readSnapshotFiles } from '../snapshot/read-folder.js';

/** The account to plan against: captured live, or read from a snapshot folder. */
export interface Account {
  readonly files: SnapshotFiles;
  readonly snapshot: Snapshot;
  readonly quotas: IamQuotas;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  /** The guard's own identity, when known: never planned against or written to. */
  readonly protectedPrincipals: ReadonlyMap<string, string>;
}

export interface AccountSource {
  /** A snapshot folder; live capture when absent. */
  readonly snapshotDir?: string;
  readonly regions: readonly string[];
  readonly orgRoleArn?: string;
  /** Whether to ask STS who is running (needed to write; a folder-only plan can do without AWS). */
  readonly identify: boolean;
}

/**
 * The AWS SDK is loaded only when AWS is reached, so that planning from a
 * folder starts as fast as before; `aws` defaults to the default credential chain.
 */
export async function loadAccount(source: AccountSource, aws?: AwsClients): Promise<Account> {
  const clients = async () => aws ?? new (await import('../aws/clients.js')).AwsClients();
  if (source.snapshotDir === undefined) {
    const { captureSnapshot } = await import('../aws/capture.js');
    const live = await captureSnapshot(await clients(), {
      regions: source.regions,
      ...(source.orgRoleArn ? { orgRoleArn: source.orgRoleArn } : {}),
    });
    const snapshot = buildSnapshot(live.files);
    return { ...live, snapshot, protectedPrincipals: protectCaller(snapshot, live.callerArn) };
  }
  const files = await readSnapshotFiles(source.snapshotDir);
  const snapshot = buildSnapshot(files);
  const callerArn = source.identify ? await (await import('../aws/caller.js')).callerArn(await clients()) : undefined;
  const callerAccount = callerArn?.split(':')[4];
  if (callerAccount !== undefined && callerAccount !== snapshot.account.accountId) {
    throw new UsageError(
      `the snapshot is of account ${snapshot.account.accountId}, but the credentials are for account ${callerAccount}`,
      {
        location: source.snapshotDir,
        hint: 'Use credentials for the snapshot’s account, or capture this one live (leave out --snapshot).',
      },
    );
  }
  return {
    files,
    snapshot,
    quotas: DEFAULT_QUOTAS,
    warnings: [],
    notes: [],
    protectedPrincipals: callerArn ? protectCaller(snapshot, callerArn) : new Map(),
  };
}
