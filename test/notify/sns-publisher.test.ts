import { CreateTopicCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { publishAlert } from '../../shared/aws/sns-publisher.js';
import type { Alert } from '../../shared/core/notify/alert.js';
import { BedrockGuardError } from '../../shared/errors.js';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/AppBackend`;

function alert(overrides: Partial<Alert> = {}, finding: Partial<Alert['finding']> = {}): Alert {
  return {
    account: MOTO_ACCOUNT,
    partition: 'aws',
    trigger: { kind: 'event', id: 'event-1', eventName: 'InvokeModel', eventSource: 'bedrock.amazonaws.com' },
    principal: ROLE,
    owner: 'alice@example.com',
    teams: ['data-science', 'platform'],
    dryRun: false,
    finding: {
      rule: 'unapproved-model-invoked',
      severity: 'high',
      mode: 'enforce',
      status: 'contained',
      principal: ROLE,
      model: 'anthropic.claude-3-opus-20240229-v1:0',
      region: 'us-east-1',
      message: 'role AppBackend invoked anthropic.claude-3-opus-20240229-v1:0, which no team approves for it.',
      remediation: 'Approve the model for a team of AppBackend, or stop calling it.',
      ...finding,
    },
    actions: [
      { type: 'put-deny', policyName: 'bedrock-guard-deny-role-AppBackend', result: 'applied', ledgerId: 'L-1' },
    ],
    repeats: 0,
    ...overrides,
  };
}

/** The SNS envelope SQS receives without raw message delivery. */
interface Envelope {
  readonly Type: string;
  readonly TopicArn: string;
  readonly MessageId: string;
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes: Record<string, { Type: string; Value: string }>;
}

let moto: MotoServer;
let aws: AwsClients;
const setup = new Map<string, { sns: SNSClient; sqs: SQSClient }>();
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

/** Setup clients, apart from `aws` so that its call counter sees only the publisher. */
function clients(region: string) {
  let c = setup.get(region);
  if (!c) {
    const config = { endpoint: moto.endpoint, region, credentials: MOTO_CREDENTIALS };
    setup.set(region, (c = { sns: new SNSClient(config), sqs: new SQSClient(config) }));
  }
  return c;
}

/** A topic with a queue subscribed to it (not raw: the queue gets the SNS envelope), and the queue's URL. */
async function topicWithQueue(
  name: string,
  options: { region?: string; fifo?: boolean; filterPolicy?: object } = {},
): Promise<{ topicArn: string; queueUrl: string }> {
  const { sns, sqs } = clients(options.region ?? 'us-east-1');
  const fifo = options.fifo ? { FifoTopic: 'true' } : undefined;
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: `${name}${options.fifo ? '.fifo' : ''}`, ...(fifo ? { Attributes: fifo } : {}) }),
  );
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-queue${options.fifo ? '.fifo' : ''}`,
      ...(options.fifo ? { Attributes: { FifoQueue: 'true' } } : {}),
    }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn, ReturnSubscriptionArn: true }),
  );
  if (options.filterPolicy) {
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify(options.filterPolicy),
      }),
    );
  }
  return { topicArn: TopicArn ?? '', queueUrl: QueueUrl ?? '' };
}

async function received(queueUrl: string, region = 'us-east-1'): Promise<Message[]> {
  const { Messages } = await clients(region).sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
    }),
  );
  return Messages ?? [];
}

const envelope = (m: Message | undefined): Envelope => JSON.parse(m?.Body ?? '{}') as Envelope;

const attributeValues = (e: Envelope) =>
  Object.fromEntries(Object.entries(e.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]));

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
});
beforeEach(async () => {
  await moto.reset();
  aws = new AwsClients({ region: 'us-east-1', credentials: MOTO_CREDENTIALS, retry: { baseDelayMs: 1 } });
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  for (const c of setup.values()) {
    c.sns.destroy();
    c.sqs.destroy();
  }
  await moto?.stop();
});

describe('publishAlert', () => {
  it('publishes subject, attributes and the plain-text body', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts');
    const messageId = await publishAlert(aws, topicArn, alert());
    const messages = await received(queueUrl);
    expect(messages).toHaveLength(1);
    const e = envelope(messages[0]);
    expect(e).toMatchObject({ Type: 'Notification', TopicArn: topicArn, MessageId: messageId });
    expect(e.Subject).toBe(
      'bedrock-guard HIGH unapproved-model-invoked: role/AppBackend (anthropic.claude-3-opus-20240229-v1:0)',
    );
    expect(attributeValues(e)).toEqual({
      severity: 'high',
      rule: 'unapproved-model-invoked',
      account: MOTO_ACCOUNT,
      status: 'contained',
      mode: 'enforce',
      dryRun: 'false',
      principal: ROLE,
      owner: 'alice@example.com',
      model: 'anthropic.claude-3-opus-20240229-v1:0',
      teams: 'data-science,platform',
    });
    expect(Object.values(e.MessageAttributes).every((a) => a.Type === 'String')).toBe(true);
    expect(e.Message.split('\n')).toEqual(
      expect.arrayContaining([
        'role AppBackend invoked anthropic.claude-3-opus-20240229-v1:0, which no team approves for it.',
        'Severity: high',
        `Principal: ${ROLE}`,
        'Fix: Approve the model for a team of AppBackend, or stop calling it.',
        '  - put-deny bedrock-guard-deny-role-AppBackend: applied (ledger entry L-1)',
      ]),
    );
    expect(aws.stats.byOperation()).toEqual([['SNS.Publish', 1]]);
  });

  it('keeps the subject within 100 characters for a 300-character principal and a long model', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts');
    const principal = `arn:aws:iam::${MOTO_ACCOUNT}:role/${'R'.repeat(300)}`;
    const model = `arn:aws:bedrock:us-east-1:${MOTO_ACCOUNT}:custom-model/${'m'.repeat(200)}`;
    await publishAlert(aws, topicArn, alert({ principal }, { principal, model }));
    const e = envelope((await received(queueUrl))[0]);
    expect(e.Subject.length).toBeLessThanOrEqual(100);
    expect(e.Subject).toMatch(/^bedrock-guard HIGH unapproved-model-invoked: role\/R+\.\.\.$/);
    expect(attributeValues(e)).toMatchObject({ principal, model });
    expect(e.Message).toContain(`Principal: ${principal}`);
  });

  it('publishes a diagnosis with its policy change as JSON', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts');
    const statement = {
      Effect: 'Allow',
      Action: 'bedrock:InvokeModel',
      Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.*',
    };
    const a = alert(
      { actions: [] },
      {
        rule: 'invoke-denied',
        severity: 'medium',
        status: 'open',
        mode: 'alert',
        detail: 'AccessDeniedException: no identity-based policy allows the bedrock:InvokeModel action',
        diagnosis: {
          cause: 'no-identity-allow',
          layer: 'identity',
          summary: 'No identity policy of role AppBackend allows InvokeModel on the model.',
          fix: 'Add an Allow for bedrock:InvokeModel on the model to the role.',
          changes: [
            { layer: 'identity', target: 'the identity policies of role AppBackend', kind: 'add-statement', statement },
          ],
          evidence: [],
        },
      },
    );
    await publishAlert(aws, topicArn, a);
    const e = envelope((await received(queueUrl))[0]);
    expect(e.Subject).toBe(
      'bedrock-guard MEDIUM invoke-denied: role/AppBackend (anthropic.claude-3-opus-20240229-v1:0)',
    );
    expect(attributeValues(e)).toMatchObject({
      severity: 'medium',
      rule: 'invoke-denied',
      status: 'open',
      mode: 'alert',
    });
    expect(e.Message).toContain(
      'AWS error: AccessDeniedException: no identity-based policy allows the bedrock:InvokeModel action',
    );
    expect(e.Message).toContain('  Change: add this statement to the identity policies of role AppBackend');
    const json = e.Message.slice(e.Message.indexOf('    {'), e.Message.indexOf('    }') + 5);
    expect(JSON.parse(json)).toEqual(statement);
  });

  it('publishes to a topic in its own Region and partition (GovCloud), whatever the client default', async () => {
    const region = 'us-gov-west-1';
    const { topicArn, queueUrl } = await topicWithQueue('alerts', { region });
    expect(topicArn).toBe(`arn:aws-us-gov:sns:${region}:${MOTO_ACCOUNT}:alerts`);
    const gov = alert({ partition: 'aws-us-gov' });
    await publishAlert(aws, topicArn, gov);
    const e = envelope((await received(queueUrl, region))[0]);
    expect(e.TopicArn).toBe(topicArn);
    expect(e.Message).toContain(`Account: ${MOTO_ACCOUNT} (aws-us-gov)`);
  });

  it('publishes to a topic in another Region of the partition', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts', { region: 'eu-west-1' });
    await publishAlert(aws, topicArn, alert());
    expect(await received(queueUrl, 'eu-west-1')).toHaveLength(1);
    // moto keeps topics per Region: the same topic name in the client's default Region doesn't exist.
    await expect(publishAlert(aws, topicArn.replace('eu-west-1', 'us-east-1'), alert())).rejects.toThrow(
      BedrockGuardError,
    );
  });

  it('delivers only what a subscription filter policy on severity matches (moto honours filter policies)', async () => {
    const { topicArn, queueUrl: highOnly } = await topicWithQueue('alerts', {
      filterPolicy: { severity: ['high', 'critical'] },
    });
    const { sns, sqs } = clients('us-east-1');
    const { QueueUrl: all } = await sqs.send(new CreateQueueCommand({ QueueName: 'all' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: all, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

    await publishAlert(aws, topicArn, alert({}, { severity: 'high' }));
    await publishAlert(aws, topicArn, alert({}, { severity: 'medium', rule: 'unapproved-region' }));
    await publishAlert(aws, topicArn, alert({}, { severity: 'critical', rule: 'guard-deny-tampered' }));

    const high = (await received(highOnly)).map((m) => attributeValues(envelope(m)).severity).sort();
    expect(high).toEqual(['critical', 'high']);
    const everything = (await received(all ?? '')).map((m) => attributeValues(envelope(m)).severity).sort();
    expect(everything).toEqual(['critical', 'high', 'medium']);
  });

  it('filters on account, dry run and status too', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts', {
      filterPolicy: { account: [MOTO_ACCOUNT], dryRun: ['false'], status: ['open'] },
    });
    await publishAlert(aws, topicArn, alert({}, { status: 'open' }));
    await publishAlert(aws, topicArn, alert({ dryRun: true }, { status: 'open' }));
    await publishAlert(aws, topicArn, alert());
    const messages = (await received(queueUrl)).map((m) => attributeValues(envelope(m)));
    expect(messages).toEqual([expect.objectContaining({ status: 'open', dryRun: 'false' })]);
  });

  it('publishes to a FIFO topic with a message group and a deduplication id', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts', { fifo: true });
    const a = alert();
    const messageId = await publishAlert(aws, topicArn, a);
    expect(messageId).toBeTruthy();
    const messages = await received(queueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes?.MessageGroupId).toBe(ROLE);
    expect(messages[0]?.Attributes?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(envelope(messages[0]).Subject).toMatch(/^bedrock-guard HIGH/);
  });

  it('deduplicates a retried publish of the same alert and trigger on a FIFO topic (as moto does too)', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts', { fifo: true });
    await publishAlert(aws, topicArn, alert());
    await publishAlert(aws, topicArn, alert());
    await publishAlert(aws, topicArn, alert({ trigger: { kind: 'schedule', id: 'reconcile-2' } }));
    const ids = (await received(queueUrl)).map((m) => m.Attributes?.MessageDeduplicationId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('gives a FIFO message without a principal the account as its group, and hashes a group id SNS would refuse', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('alerts', { fifo: true });
    await publishAlert(aws, topicArn, alert({ principal: undefined }, { principal: undefined, rule: 'scp-tampering' }));
    const long = `arn:aws:iam::${MOTO_ACCOUNT}:role/${'p/'.repeat(100)}AppBackend`;
    await publishAlert(aws, topicArn, alert({ principal: long }, { principal: long }));
    const groups = (await received(queueUrl)).map((m) => m.Attributes?.MessageGroupId);
    expect(groups).toEqual([MOTO_ACCOUNT, expect.stringMatching(/^[0-9a-f]{64}$/)]);
  });

  it('names the missing topic, with a hint', async () => {
    const topicArn = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:no-such-topic`;
    const error = await publishAlert(aws, topicArn, alert()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockGuardError);
    expect((error as BedrockGuardError).message).toBe(`no SNS topic ${topicArn}`);
    expect((error as BedrockGuardError).hint).toMatch(/notify\.sns\.topic/);
    expect((error as Error).cause).toMatchObject({ name: 'NotFoundException' });
  });

  it('says what to allow when SNS refuses the publish', async () => {
    const { topicArn } = await topicWithQueue('alerts');
    // moto doesn't enforce IAM: the refusal is injected into the real client, as AWS would send it.
    aws.of(SNSClient, 'us-east-1').middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: SNS:Publish'), {
          name: 'AuthorizationErrorException',
        });
      },
      { step: 'finalizeRequest', name: 'refuse' },
    );
    const error = await publishAlert(aws, topicArn, alert()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockGuardError);
    expect((error as BedrockGuardError).message).toBe(`not allowed to publish to SNS topic ${topicArn}`);
    expect((error as BedrockGuardError).hint).toMatch(/sns:Publish/);
  });

  it('refuses what is not a topic ARN', async () => {
    await expect(publishAlert(aws, 'alerts', alert())).rejects.toThrow('alerts is not an SNS topic ARN');
    await expect(publishAlert(aws, `arn:aws:sqs:us-east-1:${MOTO_ACCOUNT}:alerts`, alert())).rejects.toThrow(
      BedrockGuardError,
    );
  });
});
