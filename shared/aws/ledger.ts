import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateContinuousBackupsCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { Ledger, LedgerEntry } from '../ledger/entry.js';
import { BedrockGuardError } from '../errors.js';

export const ledgerTableName = (env: NodeJS.ProcessEnv = process.env): string =>
  env.BEDROCK_GUARD_LEDGER_TABLE || 'bedrock-guard-ledger';

/** Entries are read back by UTC day: a query per day of the range, sorted by time. */
export const LEDGER_INDEX = 'by-day';

/** The ledger table, one place for `ledger init` and the service's template to agree on. */
export const LEDGER_TABLE_SCHEMA = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'day', AttributeType: 'S' },
    { AttributeName: 'time', AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: LEDGER_INDEX,
      KeySchema: [
        { AttributeName: 'day', KeyType: 'HASH' },
        { AttributeName: 'time', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  SSESpecification: { Enabled: true },
} satisfies Omit<CreateTableCommandInput, 'TableName'>;

const DAY_MS = 86_400_000;
const OPTIONAL = ['policyArn', 'beforeHash', 'afterHash', 'reason'] as const;

export interface DynamoLedgerOptions {
  /** Items per Query page (DynamoDB's `Limit`); by default a page is up to 1 MB. */
  readonly pageSize?: number;
}

/** The audit ledger in a DynamoDB table; the conditional put makes a retried write record once. */
export class DynamoLedger implements Ledger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoLedgerOptions = {},
  ) {}

  /** Fails, with how to fix it, when the table is missing: `apply` checks this before its first write. */
  async assertReady(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
    } catch (error) {
      throw await this.explain(error);
    }
  }

  async record(entry: LedgerEntry): Promise<'recorded' | 'duplicate'> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(entry),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw await this.explain(error);
    }
  }

  async list({ since, until = new Date() }: { readonly since: Date; readonly until?: Date }): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    if (since > until) return entries;
    try {
      for (let day = startOfDay(since); day <= until.getTime(); day += DAY_MS) {
        entries.push(...(await this.queryDay(new Date(day).toISOString().slice(0, 10), since, until)));
      }
    } catch (error) {
      throw await this.explain(error);
    }
    return entries;
  }

  /** One UTC day's entries between `since` and `until`, page by page, in time order. */
  private async queryDay(day: string, since: Date, until: Date): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LEDGER_INDEX,
          // `day` and `time` are DynamoDB reserved words.
          KeyConditionExpression: '#day = :day AND #time BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#day': 'day', '#time': 'time' },
          ExpressionAttributeValues: {
            ':day': { S: day },
            ':from': { S: since.toISOString() },
            ':to': { S: until.toISOString() },
          },
          ExclusiveStartKey: start,
          Limit: this.options.pageSize,
        }),
      );
      entries.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /** A missing table gets a message that says how to make it; anything else is passed on. */
  private async explain(error: unknown): Promise<unknown> {
    if (!(error instanceof ResourceNotFoundException)) return error;
    return new BedrockGuardError(
      `the ledger table "${this.tableName}" does not exist in ${await this.client.config.region()}`,
      {
        hint: 'Run `bedrock-guard ledger init` (or deploy the service, which creates it), or set BEDROCK_GUARD_LEDGER_TABLE to the table in use.',
        cause: error,
      },
    );
  }
}

/** Creates the ledger table and waits until it is ACTIVE; `exists` when it was there already. */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await client.send(new CreateTableCommand({ TableName: tableName, ...LEDGER_TABLE_SCHEMA }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'exists';
  }
  // Also when it exists: another `init` (or a deployment) may have just started creating it.
  await waitUntilTableExists({ client, minDelay: 1, maxDelay: 5, maxWaitTime: 120 }, { TableName: tableName });
  if (outcome === 'created') {
    try {
      await client.send(
        new UpdateContinuousBackupsCommand({
          TableName: tableName,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
    } catch {
      // Point-in-time recovery is a safeguard, not a requirement: an emulator may not support it, and
      // AWS can refuse it for a moment after creation. The table works without it.
    }
  }
  return outcome;
}

const startOfDay = (time: Date): number => Math.floor(time.getTime() / DAY_MS) * DAY_MS;

function toItem(entry: LedgerEntry): Record<string, AttributeValue> {
  // The index sorts by the text of `time`: only the canonical UTC form sorts as time does.
  if (Number.isNaN(Date.parse(entry.time)) || new Date(entry.time).toISOString() !== entry.time) {
    throw new Error(`ledger entry ${entry.id}: time "${entry.time}" is not a UTC ISO time (Date.toISOString())`);
  }
  const item: Record<string, AttributeValue> = {
    id: { S: entry.id },
    day: { S: entry.time.slice(0, 10) },
    time: { S: entry.time },
    account: { S: entry.account },
    triggerKind: { S: entry.trigger.kind },
    triggerId: { S: entry.trigger.id },
    action: { S: entry.action },
    rules: { L: entry.rules.map((rule) => ({ S: rule })) },
    principal: { S: entry.principal },
    mechanism: { S: entry.mechanism },
    policyName: { S: entry.policyName },
    result: { S: entry.result },
  };
  for (const key of OPTIONAL) {
    const value = entry[key];
    if (value !== undefined) item[key] = { S: value };
  }
  return item;
}

function fromItem(item: Record<string, AttributeValue>): LedgerEntry {
  const text = (key: string): string => {
    const value = item[key]?.S;
    if (value === undefined) throw new Error(`ledger item ${item.id?.S ?? '?'} has no ${key}`);
    return value;
  };
  const optional: Record<string, string> = {};
  for (const key of OPTIONAL) {
    const value = item[key]?.S;
    if (value !== undefined) optional[key] = value;
  }
  return {
    id: text('id'),
    time: text('time'),
    account: text('account'),
    trigger: { kind: text('triggerKind') as LedgerEntry['trigger']['kind'], id: text('triggerId') },
    action: text('action') as LedgerEntry['action'],
    rules: (item.rules?.L ?? []).map((rule) => rule.S ?? ''),
    principal: text('principal'),
    mechanism: text('mechanism') as LedgerEntry['mechanism'],
    policyName: text('policyName'),
    ...optional,
    result: text('result') as LedgerEntry['result'],
  };
}
