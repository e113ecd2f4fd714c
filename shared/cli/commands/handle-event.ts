import { touchOf } from '../../core/events/touch.js';
import type { FindingsEvent } from '../../core/events/findings-event.js';
import { UsageError } from '../../errors.js';
import { configFromEnv } from '../../service/config.js';
import type { RunResult } from '../../service/guard-service.js';
import { createRuntime } from '../../service/runtime.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';
import { readEvent } from '../read-event.js';

const OPTIONS = {
  policy: { type: 'string' },
  snapshot: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  table: { type: 'string' },
  bus: { type: 'string' },
  'max-changes': { type: 'string' },
  'org-role': { type: 'string' },
} as const;

/**
 * `bedrock-guard handle-event FILE`: one CloudTrail event (an EventBridge
 * envelope, a bare CloudTrail record, or a LookupEvents item) through the
 * Lambda handlers' pipeline — touched principals re-read, planned, contained
 * (unless `--dry-run`), findings published to `--bus` or printed. With
 * `--snapshot`, offline: the folder stands in for AWS and nothing is written.
 */
export async function handleEventCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'handle-event');
  const [file, ...extra] = positionals;
  if (file === undefined) {
    throw new UsageError('handle-event: FILE is required', {
      hint: 'e.g. bedrock-guard handle-event events/iam-change/AttachRolePolicy.json --dry-run',
    });
  }
  if (extra.length > 0) throw new UsageError(`handle-event: unexpected argument "${extra[0]}"`);
  const event = await readEvent(file, io.stdin ?? process.stdin);
  const env = {
    ...process.env,
    BEDROCK_GUARD_POLICY: values.policy ?? 'bedrock-guard.yaml',
    BEDROCK_GUARD_SNAPSHOT: values.snapshot ?? '',
    BEDROCK_GUARD_DRY_RUN: values['dry-run'] ? 'true' : (process.env.BEDROCK_GUARD_DRY_RUN ?? ''),
    ...(values.table ? { BEDROCK_GUARD_LEDGER_TABLE: values.table } : {}),
    ...(values.bus ? { BEDROCK_GUARD_BUS: values.bus } : {}),
    ...(values['max-changes'] ? { BEDROCK_GUARD_MAX_CHANGES: values['max-changes'] } : {}),
    ...(values['org-role'] ? { BEDROCK_GUARD_ORG_ROLE: values['org-role'] } : {}),
    // The CLI has no idempotency table: each run handles the event.
    BEDROCK_GUARD_IDEMPOTENCY_TABLE: '',
  };
  const config = configFromEnv(env);
  const aws = config.snapshotDir === undefined ? new (await import('../../aws/clients.js')).AwsClients() : undefined;
  if (aws && !config.dryRun) {
    const { DynamoLedger } = await import('../../aws/ledger.js');
    await new DynamoLedger(aws.dynamodb(), config.ledgerTable).assertReady();
  }
  const runtime = await createRuntime(config, {
    ...(aws ? { aws } : {}),
    log: (message, extra) => {
      if (!values.json) io.stderr.write(`bedrock-guard: ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}\n`);
    },
  });
  const result = await runtime.service.handleEvent(touchOf(event));
  const published = runtime.collected?.events ?? [];
  if (values.json) {
    const calls = aws
      ? { awsCalls: { total: aws.stats.total, byOperation: Object.fromEntries(aws.stats.byOperation()) } }
      : {};
    io.stdout.write(`${JSON.stringify({ result, findingsEvents: published, ...calls }, null, 2)}\n`);
  } else {
    io.stdout.write(`${renderResult(result, published, config.bus)}\n`);
  }
  return 0;
}

function renderResult(result: RunResult, published: readonly FindingsEvent[], bus: string | undefined): string {
  const t = result.trigger;
  const lines = [
    `Event ${t.id}: ${t.eventSource ?? ''} ${t.eventName ?? ''} by ${t.actor ?? 'an AWS service'} in ${t.region ?? '?'}`,
  ];
  if (result.ignored) return [...lines, `Nothing to do: ${result.ignored}.`].join('\n');
  lines.push(
    `Scope: ${result.scope === 'account' ? 'the whole account' : `${result.scope} principal(s)`}${result.dryRun ? ' (dry run)' : ''}`,
  );
  for (const a of result.actions)
    lines.push(
      `  ${a.result.padEnd(8)} ${a.type} ${a.policyName} on ${a.principal}${a.detail ? ` — ${a.detail}` : ''}`,
    );
  if (result.actions.length === 0) lines.push('  No deny changes.');
  for (const e of published) {
    lines.push(`${e.principal ?? `account ${e.account}`}:`);
    for (const f of e.findings) lines.push(`  [${f.severity}] ${f.status} ${f.rule}: ${f.message}`);
  }
  lines.push(
    bus
      ? `Published ${result.published} findings event(s) to ${bus}.`
      : `${result.findings} finding(s)${published.length > 0 ? '' : ': nothing to report'}.`,
  );
  if (result.refused) lines.push(`refused: ${result.refused}`);
  for (const p of result.problems) lines.push(`problem: ${p}`);
  return lines.join('\n');
}
