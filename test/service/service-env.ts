import { readFileSync } from 'node:fs';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createIdTable } from '../support/moto.js';
import { createLedgerTable } from '../../shared/aws/ledger.js';
import { FINDINGS_DETAIL_TYPE, FINDINGS_SOURCE, type FindingsEvent } from '../../shared/core/events/findings-event.js';

/**
 * The event service's own AWS on the moto server: the ledger and idempotency
 * tables, the findings bus, and an SQS queue as the bus rule's target, so a
 * test reads what was published the way a subscriber would.
 */
export interface ServiceAws {
  readonly env: Record<string, string>;
  /** Every findings event published so far (drained from the queue). */
  published(): Promise<FindingsEvent[]>;
  /** The same, each as the bus rule's target receives it: the EventBridge envelope (`id`, `source`, `detail`…). */
  entries(): Promise<BusEntry[]>;
  /** Items in the idempotency table. */
  idempotencyItems(): Promise<number>;
}

/** A findings bus entry as a rule target receives it. */
export interface BusEntry {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: FindingsEvent;
  readonly [key: string]: unknown;
}

export async function createServiceAws(names: {
  prefix: string;
  policy: string;
  orgRoleArn?: string;
}): Promise<ServiceAws> {
  const dynamodb = new DynamoDBClient({});
  const ledgerTable = `${names.prefix}-ledger`;
  const idempotencyTable = `${names.prefix}-idempotency`;
  const bus = `${names.prefix}-findings`;
  await createLedgerTable(dynamodb, ledgerTable);
  await createIdTable(dynamodb, idempotencyTable);
  const events = new EventBridgeClient({});
  const sqs = new SQSClient({});
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${names.prefix}-findings-test` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(
    new PutRuleCommand({
      Name: 'all-findings',
      EventBusName: bus,
      EventPattern: JSON.stringify({ source: [FINDINGS_SOURCE], 'detail-type': [FINDINGS_DETAIL_TYPE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'all-findings',
      EventBusName: bus,
      Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
    }),
  );
  const received: BusEntry[] = [];
  const entries = async () => {
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!out.Messages?.length) break;
      for (const m of out.Messages) received.push(JSON.parse(m.Body as string) as BusEntry);
      // Received messages stay invisible for the queue's visibility timeout: reading once is enough here.
    }
    return [...received];
  };
  return {
    env: {
      BEDROCK_GUARD_POLICY: names.policy,
      BEDROCK_GUARD_LEDGER_TABLE: ledgerTable,
      BEDROCK_GUARD_IDEMPOTENCY_TABLE: idempotencyTable,
      BEDROCK_GUARD_BUS: bus,
      ...(names.orgRoleArn ? { BEDROCK_GUARD_ORG_ROLE: names.orgRoleArn } : {}),
      // Quiet, but for the test that reads the log.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    async published() {
      return (await entries()).map((e) => e.detail);
    },
    entries,
    async idempotencyItems() {
      const out = await dynamodb.send(new ScanCommand({ TableName: idempotencyTable }));
      return out.Count ?? 0;
    },
  };
}

/** A usage counter as the meter keeps it (shared/aws/usage-counters.ts): one principal, budget and window. */
export interface UsageItem {
  readonly budgetId: string;
  readonly principal: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly invocations: number;
  /** Thresholds acted on, sorted. */
  readonly marks: readonly string[];
}

/**
 * The meter's usage table on the moto server, as serverless.yml's
 * `UsageTable` (key `id`), and its counters read back the way an operator
 * would: a consistent scan of the `usage#…` items.
 */
export async function createUsageTable(name: string): Promise<{
  readonly env: Record<string, string>;
  counters(): Promise<UsageItem[]>;
}> {
  const dynamodb = new DynamoDBClient({});
  await createIdTable(dynamodb, name);
  return {
    env: { BEDROCK_GUARD_USAGE_TABLE: name },
    async counters() {
      const items: UsageItem[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await dynamodb.send(
          new ScanCommand({ TableName: name, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        for (const item of out.Items ?? []) {
          if (!item.id?.S?.startsWith('usage#')) continue;
          const n = (key: string) => Number(item[key]?.N ?? 0);
          items.push({
            budgetId: item.budgetId?.S ?? '',
            principal: item.principal?.S ?? '',
            windowStart: item.windowStart?.S ?? '',
            windowEnd: item.windowEnd?.S ?? '',
            inputTokens: n('inputTokens'),
            outputTokens: n('outputTokens'),
            invocations: n('invocations'),
            marks: [...(item.marks?.SS ?? [])].sort(),
          });
        }
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
  };
}

/** An SNS message as an SQS queue subscribed without raw delivery receives it: the SNS envelope. */
export interface SnsEnvelope {
  readonly Type: string;
  readonly TopicArn: string;
  readonly MessageId: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { readonly Type: string; readonly Value: string }>;
}

/**
 * An SNS topic (the notifier's alerts topic) with an SQS queue subscribed to
 * it, not raw, so a test reads each message as an e-mail or chat subscriber
 * would get it: subject, attributes, body.
 */
export async function createAlertsTopic(name: string): Promise<{
  readonly topicArn: string;
  /** The messages published since the last call (read and deleted from the queue). */
  messages(): Promise<SnsEnvelope[]>;
}> {
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-subscriber` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
  return {
    topicArn: TopicArn as string,
    async messages() {
      const out: SnsEnvelope[] = [];
      for (;;) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!Messages?.length) return out;
        for (const m of Messages) out.push(JSON.parse(m.Body as string) as SnsEnvelope);
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    },
  };
}

/**
 * The Lambda runtime's context object: the one part of a Lambda invocation
 * no emulator provides here, so it is made by hand with the fields the
 * handlers and Powertools read.
 */
export function lambdaContext(functionName: string, requestId = `req-${Math.random().toString(36).slice(2)}`): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Json = Record<string, unknown>;

/**
 * A sample from events/ as delivered to `account`: its account id replaced,
 * and the CloudTrail fields given in `detail` (eventID, requestParameters…) set.
 */
export function sampleEvent(file: string, account: string, detail: Json = {}): Json {
  const text = readFileSync(file, 'utf8').replaceAll('111122223333', account);
  const event = JSON.parse(text) as Json;
  return { ...event, detail: { ...(event.detail as Json), ...detail } };
}

/** CloudTrail's `userIdentity` of a session of `role` (a role at the root path) in `account`. */
export function assumedRole(account: string, role: string, session = `${role}-session`): Json {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
    },
  };
}
