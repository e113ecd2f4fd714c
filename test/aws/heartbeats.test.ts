import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoHeartbeats } from '../../shared/aws/heartbeats.js';
import { type HeartbeatStore, MemoryHeartbeats } from '../../shared/service/heartbeats.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto, createIdTable } from '../support/moto.js';

const TABLE = 'idempotency-test';
const T0 = '2025-11-18T10:00:00.000Z';
const T1 = '2025-11-18T10:01:00.000Z';
const T2 = '2025-11-18T10:07:00.000Z';

let moto: MotoServer;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
});
beforeEach(async () => {
  vi.restoreAllMocks();
  await moto.reset();
  await createTable();
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

const createTable = () => createIdTable(client, TABLE);

/** A clock the test moves by hand. */
function clock(start = Date.parse(T0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The commands sent through `client` from now on, by name. */
function sent(): string[] {
  const names: string[] = [];
  const send = client.send.bind(client);
  vi.spyOn(client, 'send').mockImplementation(((command: { constructor: { name: string } }) => {
    names.push(command.constructor.name);
    return send(command as never);
  }) as never);
  return names;
}

/** With no throttle, so every beat is written. */
const unthrottled = () => new DynamoHeartbeats(client, TABLE, { intervalMs: 0 });

describe.each([
  ['DynamoHeartbeats', unthrottled],
  ['MemoryHeartbeats', () => new MemoryHeartbeats()],
] as const)('%s', (_, make: () => HeartbeatStore) => {
  it('keeps the latest time of each kind and Region, whatever order the beats come in', async () => {
    const store = make();
    await store.beat('invoke', 'us-east-1', T1);
    await store.beat('invoke', 'us-east-1', T1); // the same again
    await store.beat('invoke', 'us-east-1', T0); // late, older: ignored
    await store.beat('record', 'us-east-1', T0);
    await store.beat('invoke', 'us-west-2', T2);
    expect(await store.read(['us-east-1', 'us-west-2'])).toEqual({
      lastInvoke: { 'us-east-1': T1, 'us-west-2': T2 },
      lastRecord: { 'us-east-1': T0 },
    });
    await store.beat('record', 'us-east-1', T2);
    expect((await store.read(['us-east-1'])).lastRecord).toEqual({ 'us-east-1': T2 });
  });

  it('compares times as instants whatever their ISO form', async () => {
    const store = make();
    // As text, `10:00:00Z` sorts after `10:00:00.500Z`: stored normalized, it doesn't.
    await store.beat('record', 'us-east-1', '2025-11-18T10:00:00.500Z');
    await store.beat('record', 'us-east-1', '2025-11-18T10:00:00Z');
    await store.beat('invoke', 'us-east-1', '2025-11-18T11:00:00+01:00');
    expect(await store.read(['us-east-1'])).toEqual({
      lastInvoke: { 'us-east-1': '2025-11-18T10:00:00.000Z' },
      lastRecord: { 'us-east-1': '2025-11-18T10:00:00.500Z' },
    });
  });

  it('refuses a time that is not a date', async () => {
    await expect(make().beat('invoke', 'us-east-1', 'yesterday')).rejects.toThrow(RangeError);
  });

  it('reads only the Regions asked for, and nothing for a Region without beats', async () => {
    const store = make();
    await store.beat('invoke', 'us-east-1', T0);
    await store.beat('record', 'eu-west-1', T0);
    expect(await store.read(['us-east-1', 'us-east-1', 'us-west-2'])).toEqual({
      lastInvoke: { 'us-east-1': T0 },
      lastRecord: {},
    });
    expect(await store.read([])).toEqual({ lastInvoke: {}, lastRecord: {} });
  });
});

describe('DynamoHeartbeats', () => {
  it('keeps the max across containers: an older beat from another one changes nothing', async () => {
    const a = new DynamoHeartbeats(client, TABLE);
    const b = new DynamoHeartbeats(client, TABLE);
    await a.beat('record', 'us-east-1', T2);
    await b.beat('record', 'us-east-1', T1); // its conditional update fails, quietly
    const { Item } = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'heartbeat#record#us-east-1' } }, ConsistentRead: true }),
    );
    expect(Item).toEqual({ id: { S: 'heartbeat#record#us-east-1' }, time: { S: T2 } });
  });

  it('writes a given heartbeat at most once per 5 minutes per instance', async () => {
    const time = clock();
    const store = new DynamoHeartbeats(client, TABLE, { now: time.now });
    const calls = sent();
    await store.beat('invoke', 'us-east-1', T0);
    time.advance(299_999);
    await store.beat('invoke', 'us-east-1', T1); // throttled
    // Other heartbeats have their own throttle.
    await store.beat('record', 'us-east-1', T1);
    await store.beat('invoke', 'us-west-2', T1);
    expect(calls).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect((await store.read(['us-east-1'])).lastInvoke).toEqual({ 'us-east-1': T0 });

    time.advance(1);
    await store.beat('invoke', 'us-east-1', T2);
    expect((await store.read(['us-east-1'])).lastInvoke).toEqual({ 'us-east-1': T2 });
    expect(calls.filter((c) => c === 'UpdateItemCommand')).toHaveLength(4);

    // Another container has a throttle of its own.
    await new DynamoHeartbeats(client, TABLE, { now: time.now }).beat('record', 'us-east-1', T2);
    expect((await store.read(['us-east-1'])).lastRecord).toEqual({ 'us-east-1': T2 });
  });

  it('writes concurrent beats of one heartbeat in a container once', async () => {
    const store = new DynamoHeartbeats(client, TABLE, { now: clock().now });
    const calls = sent();
    await Promise.all([T0, T1, T2].map((t) => store.beat('invoke', 'us-east-1', t)));
    expect(calls).toEqual(['UpdateItemCommand']);
  });

  it('counts a skipped older beat as written, but not a failed write', async () => {
    const time = clock();
    const store = new DynamoHeartbeats(client, TABLE, { now: time.now });
    await new DynamoHeartbeats(client, TABLE).beat('invoke', 'us-east-1', T2);
    const calls = sent();
    await store.beat('invoke', 'us-east-1', T0); // older than what is stored: fine, and throttled from here
    await store.beat('invoke', 'us-east-1', T1);
    expect(calls).toEqual(['UpdateItemCommand']);

    const other = new DynamoHeartbeats(client, 'no-such-table', { now: time.now });
    await expect(other.beat('record', 'us-east-1', T0)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(other.beat('record', 'us-east-1', T0)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(calls.filter((c) => c === 'UpdateItemCommand')).toHaveLength(3);
  });

  it('reads consistently, 50 Regions (100 keys) per BatchGetItem', async () => {
    const store = unthrottled();
    const regions = Array.from({ length: 60 }, (_, i) => `test-region-${i}`);
    for (const region of regions.filter((_, i) => i % 7 === 0)) await store.beat('invoke', region, T0);
    await store.beat('record', 'test-region-59', T1);
    const inputs: unknown[] = [];
    const send = client.send.bind(client);
    vi.spyOn(client, 'send').mockImplementation(((command: { input: unknown }) => {
      if (command instanceof BatchGetItemCommand) inputs.push(command.input);
      return send(command as never);
    }) as never);

    const heartbeats = await store.read(regions);
    expect(heartbeats.lastInvoke).toEqual(
      Object.fromEntries(regions.filter((_, i) => i % 7 === 0).map((region) => [region, T0])),
    );
    expect(heartbeats.lastRecord).toEqual({ 'test-region-59': T1 });
    expect(inputs).toHaveLength(2);
    const first = (inputs[0] as { RequestItems: Record<string, { Keys: unknown[]; ConsistentRead: boolean }> })
      .RequestItems[TABLE];
    expect(first?.Keys).toHaveLength(100);
    expect(first?.ConsistentRead).toBe(true);
  });

  it('asks again for keys DynamoDB returns unprocessed', async () => {
    const store = unthrottled();
    await store.beat('invoke', 'us-east-1', T0);
    await store.beat('record', 'us-west-2', T1);
    const send = client.send.bind(client);
    let first = true;
    vi.spyOn(client, 'send').mockImplementation(((command: { input: unknown }) => {
      if (command instanceof BatchGetItemCommand && first) {
        first = false;
        // As DynamoDB does under throttling: nothing read, every key back.
        const keys = command.input.RequestItems?.[TABLE]?.Keys ?? [];
        return Promise.resolve({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: keys } } });
      }
      return send(command as never);
    }) as never);
    expect(await store.read(['us-east-1', 'us-west-2'])).toEqual({
      lastInvoke: { 'us-east-1': T0 },
      lastRecord: { 'us-west-2': T1 },
    });
  });

  it('sends the conditional update the docs describe', async () => {
    const inputs: unknown[] = [];
    const send = client.send.bind(client);
    vi.spyOn(client, 'send').mockImplementation(((command: { input: unknown }) => {
      if (command instanceof UpdateItemCommand) inputs.push(command.input);
      return send(command as never);
    }) as never);
    await unthrottled().beat('invoke', 'us-east-1', T0);
    expect(inputs).toEqual([
      {
        TableName: TABLE,
        Key: { id: { S: 'heartbeat#invoke#us-east-1' } },
        ConditionExpression: 'attribute_not_exists(#t) OR #t < :t',
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': 'time' },
        ExpressionAttributeValues: { ':t': { S: T0 } },
      },
    ]);
  });
});
