import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { FirstUseGate } from '../service/first-use.js';

/**
 * "First time in this window" across every Lambda container: a conditional
 * put of `first-use#<key>#<window>` in the idempotency table (key `id`, TTL
 * `expiration`, so old windows expire by themselves). Only the first put of a
 * window succeeds.
 */
export class DynamoFirstUseGate implements FirstUseGate {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async first(key: string): Promise<boolean> {
    const window = Math.floor(this.now() / this.windowMs);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            id: { S: `first-use#${key}#${window}` },
            expiration: { N: String(Math.ceil(((window + 1) * this.windowMs) / 1000)) },
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
