import { AwsClients } from '../../aws/clients.js';
import { captureSnapshot } from '../../aws/capture.js';
import { UsageError } from '../../errors.js';
import { writeSnapshotFiles } from '../../snapshot/write-folder.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';
import { regionsFor } from '../regions.js';

const OPTIONS = {
  out: { type: 'string' },
  policy: { type: 'string' },
  regions: { type: 'string' },
  'org-role': { type: 'string' },
} as const;

/** `bedrock-guard snapshot --out DIR`: the snapshot folder, captured from live AWS. */
export async function snapshotCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'snapshot');
  if (positionals.length > 0) throw new UsageError(`snapshot: unexpected argument "${positionals[0]}"`);
  if (values.out === undefined) {
    throw new UsageError('snapshot: --out DIR is required', { hint: 'e.g. bedrock-guard snapshot --out snapshot' });
  }
  const regions = await regionsFor(values.regions, values.policy);
  const aws = new AwsClients();
  const live = await captureSnapshot(aws, {
    regions,
    ...(values['org-role'] ? { orgRoleArn: values['org-role'] } : {}),
  });
  for (const w of live.warnings) io.stderr.write(`bedrock-guard: warning: ${w}\n`);
  for (const n of live.notes) io.stderr.write(`bedrock-guard: note: ${n}\n`);
  const written = await writeSnapshotFiles(values.out, live.files);
  const iam = live.files.iam as Record<string, unknown[]>;
  const count = (key: string) => iam[key]?.length ?? 0;
  io.stdout.write(
    `Captured account ${(live.files.account as { accountId: string }).accountId} (${regions.join(', ')}): ` +
      `${count('RoleDetailList')} roles, ${count('UserDetailList')} users, ${count('GroupDetailList')} groups, ` +
      `${count('Policies')} managed policies; ${aws.stats.total} AWS calls.\n` +
      `Wrote ${written.join(', ')} to ${values.out}\n`,
  );
  return 0;
}
