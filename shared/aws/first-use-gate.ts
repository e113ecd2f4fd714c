import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { FirstUseGate, ModelFirstUse } from '../service/first-use.js';

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

/**
 * The account's first use of each model, kept across containers in the
 * idempotency table (`model-first-use#<model>`, no expiry: a first use happens
 * once). One `UpdateItem` with `if_not_exists`, so concurrent events agree (an
 * event that arrives seconds late doesn't matter against a 15-minute settling);
 * each container asks once per model.
 */
export class DynamoModelFirstUse implements ModelFirstUse {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async firstUse(model: string, at: string): Promise<string> {
    const known = this.known.get(model);
    if (known !== undefined) return known;
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { id: { S: `model-first-use#${model}` } },
        UpdateExpression: 'SET firstUse = if_not_exists(firstUse, :at)',
        ExpressionAttributeValues: { ':at': { S: at } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const first = out.Attributes?.firstUse?.S ?? at;
    this.known.set(model, first);
    return first;
  }
}
