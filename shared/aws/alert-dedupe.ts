import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { BedrockGuardError } from '../errors.js';
import type { AlertDedupe, Claim } from '../service/alert-dedupe.js';

/** How long a held-back count outlives its window, for the next message to report it. */
const KEEP_MS = 7 * 86_400_000;

/** A claim that lost a race with a release (or the item's deletion) tries again, this often at most. */
const ATTEMPTS = 3;

/**
 * Deduplication across every Lambda container: one item per destination and
 * alert key, `notify#<destination>#<key>`, in the idempotency table (key `id`,
 * TTL `expiration`). The item holds the end of the window opened by the last
 * sent message, the repeats held back since, and the id of the claim that
 * opened the window. Each step is one conditional update, so concurrent
 * claims send once and every other one is counted.
 */
export class DynamoAlertDedupe implements AlertDedupe {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(destination: string, key: string, windowMs: number, occurrence = ''): Promise<Claim> {
    const id = `notify#${destination}#${key}`;
    for (let attempt = 1; ; attempt++) {
      const now = this.now();
      const claimed = await this.open(id, now, windowMs, occurrence);
      if (claimed) return claimed;
      if (await this.holdBack(id, now, occurrence)) return { send: false };
      // The window reopened (released) or the item went between the two updates: claim again.
      if (attempt === ATTEMPTS) {
        // Thrown, not dropped: the Lambda retries the event, then fails it to the DLQ.
        throw new BedrockGuardError(`could neither claim nor count alert ${id} in ${ATTEMPTS} attempts`, {
          hint: 'Claims and releases of this alert kept racing; the event is retried.',
        });
      }
    }
  }

  /**
   * Opens a new window when there is none or it has ended, and takes the
   * repeats counted so far (`ALL_OLD`) for this message; undefined when a
   * window is open.
   */
  private async open(id: string, now: number, windowMs: number, occurrence: string): Promise<Claim | undefined> {
    const claimId = randomUUID();
    const windowEnd = now + windowMs;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: id } },
          ConditionExpression: 'attribute_not_exists(id) OR windowEnd <= :now',
          UpdateExpression:
            'SET windowEnd = :end, repeats = :zero, claimId = :claim, occurrence = :occ, expiration = :ttl',
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':end': { N: String(windowEnd) },
            ':zero': { N: '0' },
            ':claim': { S: claimId },
            ':occ': { S: occurrence },
            ':ttl': { N: String(Math.ceil((windowEnd + KEEP_MS) / 1000)) },
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const carried = Number(Attributes?.repeats?.N ?? 0);
      let released = false;
      return {
        send: true,
        repeats: carried,
        release: async () => {
          // Once per claim: the update below is not idempotent (ADD).
          if (released) return;
          released = true;
          await this.release(id, claimId, carried);
        },
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Counts one held-back alert, only while the window that held it back is
   * still open: false when it was released or has ended meanwhile, and the
   * alert should be claimed again rather than counted towards a message that
   * may not come.
   */
  private async holdBack(id: string, now: number, occurrence: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: id } },
          // The retry of the occurrence that was sent (its other destination failed) is held, not counted.
          ConditionExpression: 'attribute_exists(id) AND windowEnd > :now AND (occurrence <> :occ OR :occ = :none)',
          UpdateExpression: 'ADD repeats :one',
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':one': { N: '1' },
            ':occ': { S: occurrence },
            ':none': { S: '' },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = error.Item;
      return occurrence !== '' && item?.occurrence?.S === occurrence && Number(item.windowEnd?.N ?? 0) > now;
    }
  }

  /**
   * Reopens the window and puts the carried repeats back (added to those
   * counted since), so the retry's message reports them. Only while this
   * claim still owns the item: once a later claim has opened a window of its
   * own, releasing would undo that one, so a failed condition is fine.
   * Removing `claimId` makes an SDK retry of this update a no-op.
   */
  private async release(id: string, claimId: string, carried: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: id } },
          ConditionExpression: 'claimId = :claim',
          UpdateExpression: 'SET windowEnd = :zero ADD repeats :carried REMOVE claimId',
          ExpressionAttributeValues: {
            ':claim': { S: claimId },
            ':zero': { N: '0' },
            ':carried': { N: String(carried) },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
