import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BedrockGuardError } from '../errors.js';

/** DynamoDB's limit of keys per `BatchGetItem`. */
const MAX_KEYS = 100;

export interface BatchGetOptions {
  /** What the items are, for the error (`usage counters`, `heartbeats`). */
  readonly what: string;
  readonly attempts: number;
  /** The wait before asking again for keys DynamoDB returned unprocessed (throttling). */
  readonly backoff: (retry: number) => Promise<void>;
  readonly hint: string;
}

/**
 * The items of a table keyed by `id`, read consistently, 100 keys a call;
 * keys DynamoDB returns unprocessed are asked for again, within `attempts`.
 * Items that don't exist are absent from the map.
 */
export async function batchGetById(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
  options: BatchGetOptions,
): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  for (let from = 0; from < ids.length; from += MAX_KEYS) {
    let wanted: Record<string, AttributeValue>[] = ids.slice(from, from + MAX_KEYS).map((id) => ({ id: { S: id } }));
    for (let attempt = 1; wanted.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > options.attempts) {
          throw new BedrockGuardError(
            `could not read ${wanted.length} ${options.what} in ${options.attempts} attempts`,
            { hint: options.hint },
          );
        }
        await options.backoff(attempt - 1);
      }
      const out = await client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: wanted, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[table] ?? []) if (item.id?.S !== undefined) items.set(item.id.S, item);
      wanted = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}
