import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { DynamoUsageCounters } from '../../shared/aws/usage-counters.js';
import { type CounterIncrement, counterKey } from '../../shared/core/budgets/budgets.js';
import { BedrockGuardError } from '../../shared/errors.js';
import { MemoryUsageCounters, type UsageCounters } from '../../shared/service/usage-counters.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { MOTO_CREDENTIALS, type MotoServer, oneAtATime, startMoto, createIdTable } from '../support/moto.js';

const TABLE = 'idempotency-test';
const BUDGET = 'data-science.premium.1d';
const OTHER_BUDGET = 'apps.standard.month';
const ROLE = 'arn:aws:iam::123456789012:role/DataScience';
const USER = 'arn:aws:iam::123456789012:user/alice';
const DAY = '2025-11-18T00:00:00Z';
const NEXT_DAY = '2025-11-19T00:00:00Z';
const DAY_AFTER = '2025-11-20T00:00:00Z';
const WEEK_S = 7 * 86_400;

/** One call's increment of a counter: 1 000 input and 100 output tokens unless told. */
function increment(
  requestId: string,
  overrides: Partial<Omit<CounterIncrement, 'counterKey' | 'invocations'>> = {},
): CounterIncrement {
  const budgetId = overrides.budgetId ?? BUDGET;
  const principal = overrides.principal ?? ROLE;
  const windowStart = overrides.windowStart ?? DAY;
  return {
    counterKey: counterKey(budgetId, principal, windowStart),
    budgetId,
    principal,
    windowStart,
    windowEnd: overrides.windowEnd ?? NEXT_DAY,
    requestId,
    inputTokens: overrides.inputTokens ?? 1_000,
    outputTokens: overrides.outputTokens ?? 100,
    invocations: 1,
  };
}

const KEY = counterKey(BUDGET, ROLE, DAY);

/** Totals as the tests compare them: the sums and the marks. */
const sums = (t: { inputTokens: number; outputTokens: number; invocations: number; marks?: readonly string[] }) => ({
  inputTokens: t.inputTokens,
  outputTokens: t.outputTokens,
  invocations: t.invocations,
  marks: t.marks ?? [],
});

let moto: MotoServer;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
});
beforeEach(async () => {
  await moto.reset();
  await createIdTable(client, TABLE);
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

interface Implementation {
  /** One consumer. */
  make(): UsageCounters;
  /**
   * `n` consumers of the same counters: for DynamoDB, separate instances with
   * separate clients, as separate Lambda containers are.
   */
  consumers(n: number): { consumers: UsageCounters[]; close(): void };
}

const implementations: [string, Implementation][] = [
  [
    'MemoryUsageCounters',
    {
      make: () => new MemoryUsageCounters(),
      consumers: (n) => {
        const shared = new MemoryUsageCounters();
        return { consumers: Array.from({ length: n }, () => shared), close: () => undefined };
      },
    },
  ],
  [
    'DynamoUsageCounters',
    {
      make: () => new DynamoUsageCounters(client, TABLE),
      consumers: (n) => {
        const clients = Array.from(
          { length: n },
          () => new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS }),
        );
        // One queue for the consumers' requests to moto (support/moto.ts says why).
        clients.forEach(oneAtATime());
        return {
          consumers: clients.map((c) => new DynamoUsageCounters(c, TABLE)),
          close: () => clients.forEach((c) => c.destroy()),
        };
      },
    },
  ],
];

describe.each(implementations)('%s', (_name, implementation) => {
  describe('add', () => {
    it('adds tokens and invocations to the counter and returns its totals after the add', async () => {
      const counters = implementation.make();
      const first = await counters.add([increment('r1'), increment('r2', { inputTokens: 50, outputTokens: 7 })]);
      expect(first).toEqual({
        totals: [
          {
            counterKey: KEY,
            budgetId: BUDGET,
            principal: ROLE,
            windowStart: DAY,
            windowEnd: NEXT_DAY,
            inputTokens: 1_050,
            outputTokens: 107,
            invocations: 2,
            marks: [],
          },
        ],
        added: 2,
        duplicates: 0,
      });
      const second = await counters.add([increment('r3')]);
      expect(second.totals.map(sums)).toEqual([sums({ inputTokens: 2_050, outputTokens: 207, invocations: 3 })]);
    });

    it('keeps a counter per budget, principal and window, in order of first appearance', async () => {
      const counters = implementation.make();
      const batch = [
        increment('r1'),
        increment('r2', { principal: USER }),
        increment('r1', {
          budgetId: OTHER_BUDGET,
          windowStart: '2025-11-01T00:00:00Z',
          windowEnd: '2025-12-01T00:00:00Z',
        }),
        increment('r3', { windowStart: NEXT_DAY, windowEnd: DAY_AFTER, inputTokens: 5 }),
        increment('r4', { principal: USER, inputTokens: 2 }),
      ];
      const { totals, added, duplicates } = await counters.add(batch);
      expect({ added, duplicates }).toEqual({ added: 5, duplicates: 0 });
      expect(
        totals.map((t) => [t.counterKey, t.budgetId, t.principal, t.windowStart, t.windowEnd, t.inputTokens]),
      ).toEqual([
        [KEY, BUDGET, ROLE, DAY, NEXT_DAY, 1_000],
        [counterKey(BUDGET, USER, DAY), BUDGET, USER, DAY, NEXT_DAY, 1_002],
        [
          counterKey(OTHER_BUDGET, ROLE, '2025-11-01T00:00:00Z'),
          OTHER_BUDGET,
          ROLE,
          '2025-11-01T00:00:00Z',
          '2025-12-01T00:00:00Z',
          1_000,
        ],
        [counterKey(BUDGET, ROLE, NEXT_DAY), BUDGET, ROLE, NEXT_DAY, DAY_AFTER, 5],
      ]);
    });

    it('adds nothing for an empty batch', async () => {
      expect(await implementation.make().add([])).toEqual({ totals: [], added: 0, duplicates: 0 });
    });
  });

  describe('idempotency per request id', () => {
    it('adds nothing for a replayed batch, and still returns its totals', async () => {
      const counters = implementation.make();
      const batch = [increment('r1'), increment('r2'), increment('r3', { principal: USER })];
      const first = await counters.add(batch);
      const replay = await counters.add(batch);
      expect({ added: replay.added, duplicates: replay.duplicates }).toEqual({ added: 0, duplicates: 3 });
      expect(replay.totals).toEqual(first.totals);
      expect(replay.totals.map(sums)).toEqual([
        sums({ inputTokens: 2_000, outputTokens: 200, invocations: 2 }),
        sums({ inputTokens: 1_000, outputTokens: 100, invocations: 1 }),
      ]);
    });

    it('adds only the new increments of a batch that mixes new and seen request ids', async () => {
      const counters = implementation.make();
      await counters.add([increment('r1'), increment('r3')]);
      const mixed = await counters.add([
        increment('r1'),
        increment('r2', { inputTokens: 10 }),
        increment('r3'),
        increment('r4', { inputTokens: 20 }),
      ]);
      expect({ added: mixed.added, duplicates: mixed.duplicates }).toEqual({ added: 2, duplicates: 2 });
      expect(mixed.totals.map(sums)).toEqual([sums({ inputTokens: 2_030, outputTokens: 400, invocations: 4 })]);
    });

    it('counts a request id repeated within one batch once', async () => {
      const counters = implementation.make();
      const { totals, added, duplicates } = await counters.add([increment('r1'), increment('r1'), increment('r2')]);
      expect({ added, duplicates }).toEqual({ added: 2, duplicates: 1 });
      expect(totals.map(sums)).toEqual([sums({ inputTokens: 2_000, outputTokens: 200, invocations: 2 })]);
    });

    it('counts a request once per budget: the same request id in another budget is another increment', async () => {
      const counters = implementation.make();
      const { added, totals } = await counters.add([increment('r1'), increment('r1', { budgetId: OTHER_BUDGET })]);
      expect(added).toBe(2);
      expect(totals.map((t) => t.invocations)).toEqual([1, 1]);
    });
  });

  it('adds a batch larger than a transaction (250 increments over 3 counters)', async () => {
    const counters = implementation.make();
    const principals = [ROLE, USER, 'arn:aws:iam::123456789012:role/AppBackend'];
    const batch = Array.from({ length: 250 }, (_, i) =>
      increment(`r${i}`, { principal: principals[i % 3], inputTokens: i, outputTokens: 1 }),
    );
    const { totals, added, duplicates } = await counters.add(batch);
    expect({ added, duplicates }).toEqual({ added: 250, duplicates: 0 });
    const expected = principals.map((principal, p) => {
      const mine = batch.filter((_, i) => i % 3 === p);
      return [principal, mine.reduce((s, b) => s + b.inputTokens, 0), mine.length];
    });
    expect(totals.map((t) => [t.principal, t.inputTokens, t.invocations])).toEqual(expected);
    expect(totals.reduce((s, t) => s + t.outputTokens, 0)).toBe(250);
    // Replayed whole, it adds nothing.
    expect((await counters.add(batch)).duplicates).toBe(250);
  });

  describe('10 concurrent consumers', () => {
    it('adding disjoint request ids to the same counters lose no update', async () => {
      const { consumers, close } = implementation.consumers(10);
      try {
        const batches = consumers.map((_, c) =>
          Array.from({ length: 30 }, (_, i) =>
            increment(`c${c}-r${i}`, { principal: i % 2 ? USER : ROLE, inputTokens: c + 1, outputTokens: i }),
          ),
        );
        const results = await Promise.all(consumers.map((counters, c) => counters.add(batches[c] ?? [])));
        expect(results.map((r) => r.added)).toEqual(Array(10).fill(30));
        const all = batches.flat();
        const expected = [ROLE, USER].map((principal) => {
          const mine = all.filter((b) => b.principal === principal);
          return {
            inputTokens: mine.reduce((s, b) => s + b.inputTokens, 0),
            outputTokens: mine.reduce((s, b) => s + b.outputTokens, 0),
            invocations: mine.length,
            marks: [],
          };
        });
        // Read back by a consumer, as a replay of everything: all seen, nothing added.
        const replay = await consumers[0]?.add(all);
        expect(replay?.duplicates).toBe(300);
        expect(replay?.totals.map(sums)).toEqual(expected);
      } finally {
        close();
      }
    });

    it('replaying the same batch count it exactly once', async () => {
      const { consumers, close } = implementation.consumers(10);
      try {
        const batch = Array.from({ length: 60 }, (_, i) => increment(`r${i}`, { principal: i % 2 ? USER : ROLE }));
        const results = await Promise.all(consumers.map((counters) => counters.add(batch)));
        expect(results.reduce((s, r) => s + r.added, 0)).toBe(60);
        expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(9 * 60);
        const replay = await consumers[0]?.add(batch);
        expect(replay?.added).toBe(0);
        expect(replay?.totals.map(sums)).toEqual([
          sums({ inputTokens: 30_000, outputTokens: 3_000, invocations: 30 }),
          sums({ inputTokens: 30_000, outputTokens: 3_000, invocations: 30 }),
        ]);
      } finally {
        close();
      }
    });

    it('marking the same threshold: exactly one sets it', async () => {
      const { consumers, close } = implementation.consumers(10);
      try {
        await consumers[0]?.add([increment('r1')]);
        const marked = await Promise.all(consumers.map((counters) => counters.mark(KEY, 'exceeded')));
        expect(marked.filter(Boolean)).toHaveLength(1);
      } finally {
        close();
      }
    });
  });

  describe('mark', () => {
    it('is true for the first caller, false after; the totals show it', async () => {
      const counters = implementation.make();
      await counters.add([increment('r1')]);
      expect(await counters.mark(KEY, 'warn')).toBe(true);
      expect(await counters.mark(KEY, 'warn')).toBe(false);
      const { totals } = await counters.add([increment('r2')]);
      expect(totals[0]?.marks).toEqual(['warn']);
      expect(totals[0]?.invocations).toBe(2);
    });

    it('lets the next mark through after an unmark; an unmark of a mark not set is fine', async () => {
      const counters = implementation.make();
      await counters.add([increment('r1')]);
      await counters.unmark(KEY, 'exceeded');
      expect(await counters.mark(KEY, 'exceeded')).toBe(true);
      await counters.unmark(KEY, 'exceeded');
      expect((await counters.add([increment('r1')])).totals[0]?.marks).toEqual([]);
      expect(await counters.mark(KEY, 'exceeded')).toBe(true);
      expect(await counters.mark(KEY, 'exceeded')).toBe(false);
    });

    it('is per level and per counter: another window, principal or budget is unmarked', async () => {
      const counters = implementation.make();
      const nextWindow = increment('r2', { windowStart: NEXT_DAY, windowEnd: DAY_AFTER });
      const user = increment('r3', { principal: USER });
      const other = increment('r4', { budgetId: OTHER_BUDGET });
      await counters.add([increment('r1'), nextWindow, user, other]);
      expect(await counters.mark(KEY, 'warn')).toBe(true);
      expect(await counters.mark(KEY, 'exceeded')).toBe(true);
      expect(await counters.mark(nextWindow.counterKey, 'warn')).toBe(true);
      expect(await counters.mark(user.counterKey, 'warn')).toBe(true);
      expect(await counters.mark(other.counterKey, 'exceeded')).toBe(true);
      const { totals } = await counters.add([increment('r1'), nextWindow, user, other]);
      expect(totals.map((t) => t.marks)).toEqual([['warn', 'exceeded'], ['warn'], ['warn'], ['exceeded']]);
    });

    it('throws for a counter never added to; unmark of one is a no-op', async () => {
      const counters = implementation.make();
      const error = await counters.mark(KEY, 'warn').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BedrockGuardError);
      expect((error as Error).message).toBe(`no usage counter ${KEY} to mark`);
      await expect(counters.unmark(KEY, 'warn')).resolves.toBeUndefined();
      // Nor did either create the counter.
      expect((await counters.add([])).totals).toEqual([]);
      expect((await counters.add([increment('r1')])).totals.map(sums)).toEqual([
        sums({ inputTokens: 1_000, outputTokens: 100, invocations: 1 }),
      ]);
    });
  });
});

/** The number of actions of each transaction sent through a spied `client.send`. */
const transactionSizes = (send: MockInstance<DynamoDBClient['send']>) =>
  send.mock.calls.flatMap(([command]) =>
    command instanceof TransactWriteItemsCommand
      ? [(command.input as TransactWriteItemsCommandInput).TransactItems?.length]
      : [],
  );

describe('DynamoUsageCounters on DynamoDB', () => {
  const item = async (id: string) =>
    (await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item;

  it('stores a counter and a marker per request, both expiring a week after the window ends', async () => {
    const counters = new DynamoUsageCounters(client, TABLE);
    await counters.add([increment('r1'), increment('r2', { budgetId: OTHER_BUDGET })]);
    const end = Date.parse(NEXT_DAY) / 1000 + WEEK_S;
    expect(await item(`usage#${KEY}`)).toEqual({
      id: { S: `usage#${KEY}` },
      budgetId: { S: BUDGET },
      principal: { S: ROLE },
      windowStart: { S: DAY },
      windowEnd: { S: NEXT_DAY },
      inputTokens: { N: '1000' },
      outputTokens: { N: '100' },
      invocations: { N: '1' },
      expiration: { N: String(end) },
    });
    expect(await item(`req#${BUDGET}#r1`)).toEqual({ id: { S: `req#${BUDGET}#r1` }, expiration: { N: String(end) } });
    expect(await item(`req#${OTHER_BUDGET}#r2`)).toEqual({
      id: { S: `req#${OTHER_BUDGET}#r2` },
      expiration: { N: String(end) },
    });
    const scan = await client.send(new ScanCommand({ TableName: TABLE }));
    expect(scan.Count).toBe(4);
  });

  it('keeps the marks in a string set, and drops it when the last mark is taken back', async () => {
    const counters = new DynamoUsageCounters(client, TABLE);
    await counters.add([increment('r1')]);
    await counters.mark(KEY, 'warn');
    await counters.mark(KEY, 'exceeded');
    expect((await item(`usage#${KEY}`))?.marks?.SS?.sort()).toEqual(['exceeded', 'warn']);
    await counters.unmark(KEY, 'warn');
    await counters.unmark(KEY, 'exceeded');
    expect((await item(`usage#${KEY}`))?.marks).toBeUndefined();
  });

  it('sends ⌈N / chunk⌉ transactions and one consistent read per 100 counters', async () => {
    const counters = new DynamoUsageCounters(client, TABLE);
    const send = vi.spyOn(client, 'send');
    try {
      const batch = Array.from({ length: 250 }, (_, i) => increment(`r${i}`, { principal: `${ROLE}${i % 3}` }));
      await counters.add(batch);
      const calls = send.mock.calls.map(([command]) => command);
      expect(calls.filter((c) => c instanceof TransactWriteItemsCommand)).toHaveLength(7);
      const reads = calls.filter((c) => c instanceof BatchGetItemCommand);
      expect(reads).toHaveLength(1);
      expect(reads[0]?.input.RequestItems?.[TABLE]?.ConsistentRead).toBe(true);
      expect(calls).toHaveLength(8);
    } finally {
      send.mockRestore();
    }
  });

  it('keeps a transaction within 100 actions however many counters its increments touch', async () => {
    const counters = new DynamoUsageCounters(client, TABLE, { chunk: 99 });
    const send = vi.spyOn(client, 'send');
    try {
      // 150 increments, each its own counter: 2 actions apiece, so 50 per transaction, and two reads.
      const batch = Array.from({ length: 150 }, (_, i) => increment(`r${i}`, { principal: `${ROLE}${i}` }));
      const { totals, added } = await counters.add(batch);
      expect(added).toBe(150);
      expect(totals).toHaveLength(150);
      expect(transactionSizes(send)).toEqual([100, 100, 100]);
      // One hot counter: 99 increments and its update fill a transaction.
      send.mockClear();
      await counters.add(Array.from({ length: 198 }, (_, i) => increment(`hot${i}`)));
      expect(transactionSizes(send)).toEqual([100, 100]);
    } finally {
      send.mockRestore();
    }
  });

  it('refuses a chunk that cannot fit a transaction', () => {
    expect(() => new DynamoUsageCounters(client, TABLE, { chunk: 100 })).toThrow(RangeError);
    expect(() => new DynamoUsageCounters(client, TABLE, { chunk: 0 })).toThrow(RangeError);
  });

  describe('faults moto does not make by itself (a fault proxy answers as DynamoDB would)', () => {
    // moto runs transactions one at a time and never cancels one with `TransactionConflict`; DynamoDB does
    // when concurrent writers touch the same items. The proxy answers the first transactions with it.
    const conflict = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      ],
    });
    const answerConflicts = (count: { left: number }) => (request: { action: string | undefined }) => {
      if (request.action !== 'TransactWriteItems' || count.left === 0) return undefined;
      count.left--;
      return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: conflict };
    };

    async function through(options: Parameters<typeof startFaultProxy>[0]) {
      const proxy = await startFaultProxy(options);
      const proxied = new DynamoDBClient({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        credentials: MOTO_CREDENTIALS,
      });
      return {
        proxied,
        proxy,
        close: async () => {
          proxied.destroy();
          await proxy.stop();
        },
      };
    }

    it('retries a transaction cancelled by a conflict, and counts it once', async () => {
      const count = { left: 3 };
      const { proxied, proxy, close } = await through({ target: moto.endpoint, answer: answerConflicts(count) });
      try {
        const counters = new DynamoUsageCounters(proxied, TABLE, { baseDelayMs: 1 });
        const { added, totals } = await counters.add([increment('r1'), increment('r2')]);
        expect(proxy.counts.answered).toBe(3);
        expect(added).toBe(2);
        expect(totals.map(sums)).toEqual([sums({ inputTokens: 2_000, outputTokens: 200, invocations: 2 })]);
      } finally {
        await close();
      }
    });

    it('throws once conflicts outlast its attempts, having counted nothing of that chunk; the retry counts it', async () => {
      const count = { left: 4 };
      const { proxied, close } = await through({ target: moto.endpoint, answer: answerConflicts(count) });
      try {
        const counters = new DynamoUsageCounters(proxied, TABLE, { attempts: 4, baseDelayMs: 1 });
        const error = await counters.add([increment('r1')]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BedrockGuardError);
        expect((error as Error).message).toBe('usage counters kept conflicting with other writers for 4 attempts');
        expect(await item(`usage#${KEY}`)).toBeUndefined();
        const retried = await counters.add([increment('r1')]);
        expect(retried.added).toBe(1);
        expect(retried.totals.map(sums)).toEqual([sums({ inputTokens: 1_000, outputTokens: 100, invocations: 1 })]);
      } finally {
        await close();
      }
    });

    it('counts once a transaction that committed but whose answer was lost (the SDK sends it again)', async () => {
      const { proxied, proxy, close } = await through({
        target: moto.endpoint,
        lostResponseShare: 1,
        actions: /^TransactWriteItems$/,
      });
      try {
        const counters = new DynamoUsageCounters(proxied, TABLE);
        const first = counters.add([increment('r1'), increment('r2')]);
        // Every answer is lost, so the SDK gives up: the Lambda's retry then finds both counted.
        await expect(first).rejects.toThrow();
        expect(proxy.counts.lostResponses).toBeGreaterThan(1);
        proxy.setFaults({ lostResponseShare: 0 });
        const retried = await counters.add([increment('r1'), increment('r2')]);
        expect({ added: retried.added, duplicates: retried.duplicates }).toEqual({ added: 0, duplicates: 2 });
        expect(retried.totals.map(sums)).toEqual([sums({ inputTokens: 2_000, outputTokens: 200, invocations: 2 })]);
      } finally {
        await close();
      }
    });
  });
});
