import { ConditionalCheckFailedException, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Heartbeats } from '../core/budgets/logging-health.js';
import { batchGetById } from './batch-get.js';
import {
  HEARTBEAT_KINDS,
  type HeartbeatKind,
  type HeartbeatStore,
  heartbeatsOf,
  heartbeatTime,
} from '../service/heartbeats.js';

/** Reads of keys DynamoDB returns unprocessed (throttling), the first included. */
const READ_ATTEMPTS = 5;

export interface DynamoHeartbeatsOptions {
  /** A container writes a given heartbeat at most once in this long; default 5 minutes. */
  readonly intervalMs?: number;
  /** The clock the interval is measured by; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Heartbeats in the idempotency table (key `id`): one item per kind and
 * Region, `heartbeat#<kind>#<region>`, whose `time` only moves forward (a
 * conditional update, so an older beat arriving late changes nothing). Items
 * don't expire: "no record since last month" is the point.
 *
 * Invokes are frequent, so each instance (one per Lambda container) writes a
 * given heartbeat at most once per `intervalMs`, remembered in memory: the
 * stored time may trail the latest beat by that much, far inside the
 * hour-long grace of the check that reads them.
 */
export class DynamoHeartbeats implements HeartbeatStore {
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** When this instance last wrote (or began writing) each heartbeat. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    options: DynamoHeartbeatsOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Writes the beat unless this instance wrote the same heartbeat less than
   * `intervalMs` ago. A write that fails is not remembered (the next beat
   * writes), and throws.
   */
  async beat(kind: HeartbeatKind, region: string, time: string): Promise<void> {
    const t = heartbeatTime(time);
    const id = heartbeatId(kind, region);
    const now = this.now();
    const last = this.written.get(id);
    if (last !== undefined && now - last < this.intervalMs) return;
    // Taken before the call, so concurrent beats in this container write once.
    this.written.set(id, now);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: id } },
          ConditionExpression: 'attribute_not_exists(#t) OR #t < :t',
          UpdateExpression: 'SET #t = :t',
          ExpressionAttributeNames: { '#t': 'time' },
          ExpressionAttributeValues: { ':t': { S: t } },
        }),
      );
    } catch (error) {
      // A later time is stored already: nothing to do.
      if (error instanceof ConditionalCheckFailedException) return;
      if (this.written.get(id) === now) this.written.delete(id);
      throw error;
    }
  }

  /** One consistent `BatchGetItem` per 50 Regions (two keys each). */
  async read(regions: readonly string[]): Promise<Heartbeats> {
    const unique = [...new Set(regions)];
    const keys = unique.flatMap((region) => HEARTBEAT_KINDS.map((kind) => heartbeatId(kind, region)));
    const items = await batchGetById(this.client, this.table, keys, {
      what: 'heartbeats',
      attempts: READ_ATTEMPTS,
      backoff: (retry) => new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (retry - 1))),
      hint: 'DynamoDB kept returning them unprocessed (throttling); try again later.',
    });
    return heartbeatsOf(unique, (kind, region) => items.get(heartbeatId(kind, region))?.time?.S);
  }
}

const heartbeatId = (kind: HeartbeatKind, region: string): string => `heartbeat#${kind}#${region}`;
