import { AwsClients } from '../../aws/clients.js';
import { createLedgerTable, DynamoLedger, ledgerTableName } from '../../aws/ledger.js';
import type { LedgerEntry } from '../../ledger/entry.js';
import { UsageError } from '../../errors.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';
import { type Style, styleFor } from '../style.js';
import { parseWhen } from '../when.js';

const LIST_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  table: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const INIT_OPTIONS = { table: { type: 'string' } } as const;

/**
 * `bedrock-guard ledger`: what the guard did (and declined to do) in a time
 * range, oldest first. `bedrock-guard ledger init` creates the table.
 */
export async function ledgerCommand(args: readonly string[], io: Io): Promise<number> {
  if (args[0] === 'init') return initCommand(args.slice(1), io);
  const { values, positionals } = parseOptions(args, LIST_OPTIONS, 'ledger');
  if (positionals.length > 0) {
    throw new UsageError(`ledger: unexpected argument "${positionals[0]}"`, {
      hint: 'The only subcommand is `ledger init`.',
    });
  }
  const now = new Date();
  const since = parseWhen(values.since ?? '7d', '--since', now);
  const until = values.until === undefined ? now : parseWhen(values.until, '--until', now);
  if (until < since) throw new UsageError('ledger: --until is before --since');

  const clients = new AwsClients();
  const ledger = new DynamoLedger(clients.dynamodb(), values.table ?? ledgerTableName());
  const entries = await ledger.list({ since, until });
  if (values.json) io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  else io.stdout.write(`${renderLedger(entries, since, styleFor(io.stdout))}\n`);
  return 0;
}

async function initCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, INIT_OPTIONS, 'ledger init');
  if (positionals.length > 0) throw new UsageError(`ledger init: unexpected argument "${positionals[0]}"`);
  const clients = new AwsClients();
  const table = values.table ?? ledgerTableName();
  const outcome = await createLedgerTable(clients.dynamodb(), table);
  io.stdout.write(
    outcome === 'created'
      ? `Created the ledger table ${table} in ${clients.region}.\n`
      : `The ledger table ${table} already exists in ${clients.region}.\n`,
  );
  return 0;
}

/** One aligned line per entry, then how many. */
export function renderLedger(entries: readonly LedgerEntry[], since: Date, style: Style): string {
  if (entries.length === 0) return `No ledger entries since ${since.toISOString()}.`;
  const rows = entries.map((e) => [
    e.time,
    e.result,
    e.action,
    e.principal,
    e.policyName,
    e.rules.length > 0 ? e.rules.join(',') : '-',
    `${e.trigger.kind}:${e.trigger.id}`,
    e.reason ?? '',
  ]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const colour = { applied: style.green, skipped: style.yellow, failed: style.red };
  const lines = rows.map((row, i) =>
    row
      .map((cell, column) => {
        const padded = column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        // Colour after padding, so escape codes don't count towards the width.
        return column === 1 ? colour[(entries[i] as LedgerEntry).result](padded) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
  const count = `${entries.length} ledger ${entries.length === 1 ? 'entry' : 'entries'} since ${since.toISOString()}.`;
  return [...lines, count].join('\n');
}
