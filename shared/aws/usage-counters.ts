import {
  type AttributeValue,
  type CancellationReason,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  type TransactWriteItem,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CounterIncrement } from '../core/budgets/budgets.js';
import { BedrockGuardError } from '../errors.js';
import { batchGetById } from './batch-get.js';
import {
  type AddResult,
  type CounterTotals,
  counterKeys,
  incrementId,
  MARK_LEVELS,
  type MarkLevel,
  type UsageCounters,
  uniqueIncrements,
  unknownCounterError,
} from '../service/usage-counters.js';

/** Counters and request markers outlive their window by this much: late log deliveries still find them. */
const KEEP_MS = 7 * 86_400_000;

/** DynamoDB's limit of actions per `TransactWriteItems`. */
const MAX_TRANSACT_ITEMS = 100;

/** Cancellation reasons that pass with time: another writer on the same items, or throttling. */
const RETRYABLE = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export interface DynamoUsageCountersOptions {
  /** Increments per transaction, at most 99; default 40. Each also holds one update per distinct counter, 100 actions in all at most. */
  readonly chunk?: number;
  /** Tries of a transaction (or read) that conflicts or is throttled, the first included; default 10. */
  readonly attempts?: number;
  /** First backoff ceiling; it doubles per retry, up to 1 s, with full jitter. Default 20 ms. */
  readonly baseDelayMs?: number;
}

/**
 * The usage counters in the idempotency table (key `id`, TTL `expiration`):
 * a counter per principal, budget and window, `usage#<counterKey>`, and a
 * marker per budget and counted request, `req#<budgetId>#<requestId>`, both
 * expiring a week after the window ends.
 *
 * An add is one `TransactWriteItems` per chunk of increments: a conditional
 * put of each marker (`attribute_not_exists(id)`) and one `ADD` per counter
 * of the chunk by the chunk's sums for it. The markers and the sums commit
 * together or not at all, so a request is counted exactly once however often
 * its log is delivered and however many consumers race: a marker that exists
 * cancels the transaction with `ConditionalCheckFailed` at its index, and the
 * chunk is sent again without it. Conflicts between concurrent transactions
 * on the same counters are retried with jittered backoff, and a batch that
 * still conflicts throws, for the Lambda to retry it (the markers make that
 * safe). The totals are read back with a consistent `BatchGetItem`.
 *
 * Calls per batch of N increments over C counters: ⌈N / chunk⌉ transactions
 * (more only when conflicts or earlier-counted requests cancel one) and
 * ⌈C / 100⌉ reads.
 */
export class DynamoUsageCounters implements UsageCounters {
  private readonly chunk: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    options: DynamoUsageCountersOptions = {},
  ) {
    this.chunk = options.chunk ?? 40;
    this.attempts = options.attempts ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 20;
    if (!Number.isInteger(this.chunk) || this.chunk < 1 || this.chunk >= MAX_TRANSACT_ITEMS) {
      throw new RangeError(`chunk must be a whole number from 1 to ${MAX_TRANSACT_ITEMS - 1}, not ${this.chunk}`);
    }
    if (!Number.isInteger(this.attempts) || this.attempts < 1) {
      throw new RangeError(`attempts must be a whole number from 1, not ${this.attempts}`);
    }
  }

  async add(increments: readonly CounterIncrement[]): Promise<AddResult> {
    const { unique } = uniqueIncrements(increments);
    let added = 0;
    for (const chunk of chunks(unique, this.chunk)) added += await this.addChunk(chunk);
    const totals = await this.read(counterKeys(increments));
    return { totals, added, duplicates: increments.length - added };
  }

  async mark(counterKey: string, level: MarkLevel): Promise<boolean> {
    try {
      await this.update(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: counterId(counterKey) } },
          ConditionExpression: 'attribute_exists(id) AND NOT contains(marks, :level)',
          UpdateExpression: 'ADD marks :levels',
          ExpressionAttributeValues: { ':level': { S: level }, ':levels': { SS: [level] } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) throw unknownCounterError(counterKey);
      return false;
    }
  }

  async unmark(counterKey: string, level: MarkLevel): Promise<void> {
    try {
      await this.update(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: counterId(counterKey) } },
          // Without the condition, a missing counter would come back as an item that never expires.
          ConditionExpression: 'attribute_exists(id)',
          UpdateExpression: 'DELETE marks :levels',
          ExpressionAttributeValues: { ':levels': { SS: [level] } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Counts a chunk's increments not counted before, in one transaction; returns how many. */
  private async addChunk(chunk: readonly CounterIncrement[]): Promise<number> {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0;) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: this.writes(pending) }));
        return pending.length;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        // Markers come first, in `pending` order: a failed condition there is a request counted before.
        const seen = new Set(pending.flatMap((_, i) => (reasons[i]?.Code === 'ConditionalCheckFailed' ? [i] : [])));
        const others = reasons.filter((r, i) => !seen.has(i) && r.Code !== undefined && r.Code !== 'None');
        const fatal = others.find((r) => !RETRYABLE.has(r.Code ?? ''));
        if (fatal || (seen.size === 0 && others.length === 0)) throw cancelled(error, fatal);
        pending = pending.filter((_, i) => !seen.has(i));
        // Dropping the seen markers is progress: only conflicts and throttling use up attempts.
        if (others.length > 0) {
          if (attempt >= this.attempts) throw conflicting(this.attempts, error);
          await this.backoff(attempt++);
        }
      }
    }
    return 0;
  }

  private writes(increments: readonly CounterIncrement[]): TransactWriteItem[] {
    const sums = new Map<string, { first: CounterIncrement; input: number; output: number; invocations: number }>();
    const markers: TransactWriteItem[] = increments.map((increment) => {
      const sum = sums.get(increment.counterKey);
      if (sum) {
        sum.input += increment.inputTokens;
        sum.output += increment.outputTokens;
        sum.invocations += increment.invocations;
      } else {
        sums.set(increment.counterKey, {
          first: increment,
          input: increment.inputTokens,
          output: increment.outputTokens,
          invocations: increment.invocations,
        });
      }
      return {
        Put: {
          TableName: this.table,
          Item: { id: { S: `req#${incrementId(increment)}` }, expiration: expiration(increment.windowEnd) },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      };
    });
    const updates: TransactWriteItem[] = [...sums.values()].map(({ first, input, output, invocations }) => ({
      Update: {
        TableName: this.table,
        Key: { id: { S: counterId(first.counterKey) } },
        UpdateExpression:
          'ADD inputTokens :input, outputTokens :output, invocations :invocations ' +
          'SET budgetId = :budget, principal = :principal, windowStart = :start, windowEnd = :end, expiration = :expiration',
        ExpressionAttributeValues: {
          ':input': { N: String(input) },
          ':output': { N: String(output) },
          ':invocations': { N: String(invocations) },
          ':budget': { S: first.budgetId },
          ':principal': { S: first.principal },
          ':start': { S: first.windowStart },
          ':end': { S: first.windowEnd },
          ':expiration': expiration(first.windowEnd),
        },
      },
    }));
    return [...markers, ...updates];
  }

  /** The counters' items, read consistently, in the order of `keys`; a counter with no item (expired) is left out. */
  private async read(keys: readonly string[]): Promise<CounterTotals[]> {
    const items = await batchGetById(this.client, this.table, keys.map(counterId), {
      what: 'usage counters',
      attempts: this.attempts,
      backoff: (retry) => this.backoff(retry),
      hint: 'DynamoDB kept returning them unprocessed (throttling); the batch is retried.',
    });
    return keys.flatMap((key) => {
      const item = items.get(counterId(key));
      return item ? [totals(key, item)] : [];
    });
  }

  /** An update of a counter, sent again while it conflicts with a transaction in flight on the same item. */
  private async update(command: UpdateItemCommand): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(command);
        return;
      } catch (error) {
        if (!(error instanceof TransactionConflictException)) throw error;
        if (attempt >= this.attempts) throw conflicting(this.attempts, error);
        await this.backoff(attempt);
      }
    }
  }

  /** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), so racing consumers spread out. */
  private backoff(retry: number): Promise<void> {
    const ceiling = Math.min(1_000, this.baseDelayMs * 2 ** (retry - 1));
    return new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * ceiling)));
  }
}

const counterId = (counterKey: string): string => `usage#${counterKey}`;

const expiration = (windowEnd: string): AttributeValue => ({
  N: String(Math.ceil((Date.parse(windowEnd) + KEEP_MS) / 1000)),
});

/**
 * Consecutive chunks of at most `size` increments whose markers and distinct
 * counters fit one transaction.
 */
function chunks(increments: readonly CounterIncrement[], size: number): CounterIncrement[][] {
  const out: CounterIncrement[][] = [];
  let current: CounterIncrement[] = [];
  let counters = new Set<string>();
  for (const increment of increments) {
    const actions = current.length + 1 + counters.size + (counters.has(increment.counterKey) ? 0 : 1);
    if (current.length === size || actions > MAX_TRANSACT_ITEMS) {
      out.push(current);
      current = [];
      counters = new Set();
    }
    current.push(increment);
    counters.add(increment.counterKey);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function totals(counterKey: string, item: Record<string, AttributeValue>): CounterTotals {
  const text = (name: string): string => item[name]?.S ?? '';
  const count = (name: string): number => Number(item[name]?.N ?? 0);
  const marks = new Set(item.marks?.SS ?? []);
  return {
    counterKey,
    budgetId: text('budgetId'),
    principal: text('principal'),
    windowStart: text('windowStart'),
    windowEnd: text('windowEnd'),
    inputTokens: count('inputTokens'),
    outputTokens: count('outputTokens'),
    invocations: count('invocations'),
    marks: MARK_LEVELS.filter((level) => marks.has(level)),
  };
}

function conflicting(attempts: number, cause: unknown): BedrockGuardError {
  return new BedrockGuardError(`usage counters kept conflicting with other writers for ${attempts} attempts`, {
    hint: 'Concurrent consumers or throttling on the same counters; the batch is retried, and counts each request once.',
    cause,
  });
}

function cancelled(error: TransactionCanceledException, reason: CancellationReason | undefined): BedrockGuardError {
  return new BedrockGuardError(
    `DynamoDB cancelled the usage-counter transaction: ${reason?.Code ?? 'no reason given'}${reason?.Message ? ` (${reason.Message})` : ''}`,
    { cause: error },
  );
}
