import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLedgerTable, DynamoLedger, ledgerTableName } from '../../shared/aws/ledger.js';
import type { LedgerEntry } from '../../shared/ledger/entry.js';
import { BedrockGuardError } from '../../shared/errors.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

const TABLE = 'ledger-test';

/** An entry at `time`; `id` defaults to one derived from the time so entries differ. */
function ledgerEntry(time: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    id: `id-${time}`,
    time,
    account: '123456789012',
    trigger: { kind: 'event', id: `event-${time}` },
    action: 'put-deny',
    rules: ['unapproved-model-access', 'unapproved-region'],
    principal: 'arn:aws:iam::123456789012:role/DataScience',
    mechanism: 'managed',
    policyName: 'bedrock-guard-deny-role-DataScience',
    policyArn: 'arn:aws:iam::123456789012:policy/bedrock-guard-deny-role-DataScience',
    beforeHash: `sha256:${'a'.repeat(64)}`,
    afterHash: `sha256:${'b'.repeat(64)}`,
    result: 'applied',
    reason: 'created the deny',
    ...overrides,
  };
}

let moto: MotoServer;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
});
beforeEach(() => moto.reset());
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('createLedgerTable', () => {
  it('creates the table with its index, then finds it exists', async () => {
    expect(await createLedgerTable(client, TABLE)).toBe('created');
    expect(await createLedgerTable(client, TABLE)).toBe('exists');
    const items = await client.send(new ScanCommand({ TableName: TABLE }));
    expect(items.Count).toBe(0);
  });

  it('takes its name from BEDROCK_GUARD_LEDGER_TABLE', () => {
    expect(ledgerTableName({})).toBe('bedrock-guard-ledger');
    expect(ledgerTableName({ BEDROCK_GUARD_LEDGER_TABLE: 'audit' })).toBe('audit');
  });
});

describe('DynamoLedger', () => {
  beforeEach(async () => {
    await createLedgerTable(client, TABLE);
  });

  it('records an id once: the same id again is a duplicate', async () => {
    const ledger = new DynamoLedger(client, TABLE);
    const entry = ledgerEntry('2024-05-01T10:00:00.000Z');
    expect(await ledger.record(entry)).toBe('recorded');
    expect(await ledger.record({ ...entry, reason: 'a retry' })).toBe('duplicate');
    const items = await client.send(new ScanCommand({ TableName: TABLE }));
    expect(items.Count).toBe(1);
    expect(await ledger.list({ since: new Date('2024-05-01'), until: new Date('2024-05-02') })).toEqual([entry]);
  });

  it('records one of ten concurrent writes of the same entry', async () => {
    const ledger = new DynamoLedger(client, TABLE);
    const entry = ledgerEntry('2024-05-01T10:00:00.000Z');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ledger.record(entry)));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
  });

  it('round-trips entries exactly: absent optional fields stay absent, empty rules stay empty', async () => {
    const ledger = new DynamoLedger(client, TABLE);
    const full = ledgerEntry('2024-05-01T10:00:00.000Z');
    const bare: LedgerEntry = {
      id: 'bare',
      time: '2024-05-01T11:00:00.000Z',
      account: '123456789012',
      trigger: { kind: 'manual', id: 'run-1' },
      action: 'remove-deny',
      rules: [],
      principal: 'arn:aws:iam::123456789012:user/alice',
      mechanism: 'inline',
      policyName: 'bedrock-guard-deny',
      result: 'skipped',
    };
    await ledger.record(full);
    await ledger.record(bare);
    const listed = await ledger.list({ since: new Date('2024-05-01'), until: new Date('2024-05-02') });
    expect(listed).toStrictEqual([full, bare]);
    expect(Object.keys(listed[1] ?? {})).not.toContain('reason');
  });

  it('lists oldest first across UTC days and Query pages, within since and until inclusive', async () => {
    const ledger = new DynamoLedger(client, TABLE, { pageSize: 2 });
    const times = [
      '2024-04-30T23:59:59.999Z', // before since
      '2024-05-01T22:00:00.000Z', // since
      '2024-05-01T23:00:00.000Z',
      '2024-05-01T23:30:00.000Z',
      '2024-05-01T23:59:59.999Z',
      '2024-05-02T00:00:00.000Z',
      '2024-05-02T00:00:00.001Z',
      '2024-05-02T06:00:00.000Z',
      '2024-05-03T01:00:00.000Z', // until
      '2024-05-03T01:00:00.001Z', // after until
    ];
    // Written out of order: the order comes from the index, not from insertion.
    for (const time of [...times].reverse()) await ledger.record(ledgerEntry(time));
    const send = vi.spyOn(client, 'send');
    const listed = await ledger.list({
      since: new Date('2024-05-01T22:00:00.000Z'),
      until: new Date('2024-05-03T01:00:00.000Z'),
    });
    expect(listed.map((e) => e.time)).toEqual(times.slice(1, -1));
    const queries = send.mock.calls.filter(([command]) => command instanceof QueryCommand);
    // Three days, and 4 + 3 + 1 entries in pages of 2: more queries than days.
    expect(queries.length).toBeGreaterThan(3);
    send.mockRestore();
  });

  it('lists nothing for an empty range', async () => {
    const ledger = new DynamoLedger(client, TABLE);
    await ledger.record(ledgerEntry('2024-05-01T10:00:00.000Z'));
    expect(await ledger.list({ since: new Date('2024-05-02'), until: new Date('2024-05-03') })).toEqual([]);
    expect(await ledger.list({ since: new Date('2024-05-02'), until: new Date('2024-05-01') })).toEqual([]);
  });

  it('refuses a time that would not sort as text', async () => {
    const ledger = new DynamoLedger(client, TABLE);
    await expect(ledger.record(ledgerEntry('2024-05-01T10:00:00+02:00'))).rejects.toThrow(/not a UTC ISO time/);
  });
});

describe('a missing ledger table', () => {
  it('says how to create it, when writing and when reading', async () => {
    const ledger = new DynamoLedger(client, 'nowhere');
    for (const attempt of [
      () => ledger.assertReady(),
      () => ledger.record(ledgerEntry('2024-05-01T10:00:00.000Z')),
      () => ledger.list({ since: new Date('2024-05-01') }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BedrockGuardError);
      expect((error as BedrockGuardError).message).toBe('the ledger table "nowhere" does not exist in us-east-1');
      expect((error as BedrockGuardError).hint).toContain('bedrock-guard ledger init');
      expect((error as BedrockGuardError).hint).toContain('BEDROCK_GUARD_LEDGER_TABLE');
    }
  });
});

describe('assertReady', () => {
  it('passes once the table exists (apply checks it before its first write)', async () => {
    await createLedgerTable(client, 'ready');
    await expect(new DynamoLedger(client, 'ready').assertReady()).resolves.toBeUndefined();
  });
});
