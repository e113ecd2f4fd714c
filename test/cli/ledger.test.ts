import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerTable, DynamoLedger } from '../../shared/aws/ledger.js';
import type { LedgerEntry } from '../../shared/ledger/entry.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';
import { runMain as run } from './run-cli.js';

const TABLE = 'bedrock-guard-ledger';

const ENV = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'];
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let moto: MotoServer;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  });
  delete process.env.AWS_PROFILE;
  client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
});
beforeEach(() => moto.reset());
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  client?.destroy();
  await moto?.stop();
});

const HOUR = 3_600_000;

/** An entry `hours` ago. */
const entry = (hours: number, fields: Partial<LedgerEntry> & Pick<LedgerEntry, 'id'>): LedgerEntry => ({
  time: new Date(Date.now() - hours * HOUR).toISOString(),
  account: '123456789012',
  trigger: { kind: 'event', id: `event-${fields.id}` },
  action: 'put-deny',
  rules: ['unapproved-model-access', 'unapproved-region'],
  principal: 'arn:aws:iam::123456789012:role/DataScience',
  mechanism: 'managed',
  policyName: 'bedrock-guard-deny-role-DataScience',
  result: 'applied',
  ...fields,
});

/** Three entries: an hour, two days and ten days ago. */
async function seed(): Promise<LedgerEntry[]> {
  await createLedgerTable(client, TABLE);
  const entries = [
    entry(240, { id: 'old', result: 'failed', reason: 'AccessDenied' }),
    entry(48, { id: 'mid', trigger: { kind: 'schedule', id: 'sweep-1' }, rules: [], reason: 'created the deny' }),
    entry(1, {
      id: 'new',
      action: 'remove-deny',
      result: 'skipped',
      principal: 'arn:aws:iam::123456789012:user/al',
      policyName: 'bg-deny',
    }),
  ];
  const ledger = new DynamoLedger(client, TABLE);
  for (const entry of entries) await ledger.record(entry);
  return entries;
}

describe('bedrock-guard ledger', () => {
  it('init creates the table, then says it exists', async () => {
    expect(await run(['ledger', 'init'])).toEqual({
      code: 0,
      stdout: `Created the ledger table ${TABLE} in us-east-1.\n`,
      stderr: '',
    });
    const again = await run(['ledger', 'init', '--table', TABLE]);
    expect(again.stdout).toBe(`The ledger table ${TABLE} already exists in us-east-1.\n`);
  });

  it('lists the last 7 days by default, one aligned line per entry, oldest first', async () => {
    const [, mid, recent] = (await seed()) as [LedgerEntry, LedgerEntry, LedgerEntry];
    const r = await run(['ledger']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]?.split(/ {2,}/)).toEqual([
      mid.time,
      'applied',
      'put-deny',
      'arn:aws:iam::123456789012:role/DataScience',
      'bedrock-guard-deny-role-DataScience',
      '-',
      'schedule:sweep-1',
      'created the deny',
    ]);
    expect(lines[1]?.split(/ {2,}/)).toEqual([
      recent.time,
      'skipped',
      'remove-deny',
      'arn:aws:iam::123456789012:user/al',
      'bg-deny',
      'unapproved-model-access,unapproved-region',
      'event:event-new',
    ]);
    // Every column starts at the same offset on each line.
    for (const [a, b] of [
      ['put-deny', 'remove-deny'],
      ['arn:', 'arn:'],
      ['bedrock-guard-deny', 'bg-deny'],
      ['-', 'unapproved'],
      ['schedule:', 'event:'],
    ] as const)
      expect(lines[0]?.indexOf(`  ${a}`)).toBe(lines[1]?.indexOf(`  ${b}`));
    const since = /^2 ledger entries since (\S+)\.$/.exec(lines[2] ?? '')?.[1] ?? '';
    expect(Date.now() - Date.parse(since)).toBeGreaterThanOrEqual(7 * 24 * HOUR);
  });

  it('--json prints the entries as they were recorded', async () => {
    const entries = await seed();
    const r = await run(['ledger', '--json', '--since', '30d']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(entries);
  });

  it('--since and --until bound the range', async () => {
    const [old, mid] = (await seed()) as [LedgerEntry, LedgerEntry, LedgerEntry];
    const ids = async (...args: string[]) =>
      (JSON.parse((await run(['ledger', '--json', ...args])).stdout) as LedgerEntry[]).map((e) => e.id);
    expect(await ids('--since', '30m')).toEqual([]);
    expect(await ids('--since', '2h')).toEqual(['new']);
    expect(await ids('--since', old.time.slice(0, 10), '--until', mid.time)).toEqual(['old', 'mid']);
    const empty = await run(['ledger', '--since', '30m']);
    expect(empty.stdout).toMatch(/^No ledger entries since \d{4}-.*Z\.\n$/);
  });

  it('refuses a bad --since with the accepted forms, and an --until before it, exit 1', async () => {
    const r = await run(['ledger', '--since', 'last week']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--since "last week" is not a duration, date or date-time');
    expect(r.stderr).toContain('hint: Use a duration back from now (30m, 24h, 7d)');
    expect((await run(['ledger', '--since', '1d', '--until', '2d'])).stderr).toContain('--until is before --since');
  });

  it('says how to create a missing table, exit 1', async () => {
    const r = await run(['ledger', '--table', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the ledger table "nowhere" does not exist in us-east-1');
    expect(r.stderr).toContain('bedrock-guard ledger init');
  });
});
