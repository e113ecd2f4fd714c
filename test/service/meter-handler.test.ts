import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { readAuthorizationDetails } from '../../shared/aws/iam-reader.js';
import { DynamoLedger } from '../../shared/aws/ledger.js';
import { budgetDeny, budgetDenyExpiry, budgetDenyName } from '../../shared/core/budgets/budget-deny.js';
import { budgetIds } from '../../shared/core/budgets/budgets.js';
import { budgetWindow, type WindowBounds } from '../../shared/core/budgets/window.js';
import type { FindingsEvent } from '../../shared/core/events/findings-event.js';
import { requestContext } from '../../shared/core/iam/context.js';
import { evaluate, type PolicySet } from '../../shared/core/iam/evaluate.js';
import { compilePolicy, decodePolicyDocument } from '../../shared/core/iam/policy.js';
import { loadPolicyFile } from '../../shared/core/policy-file/parse.js';
import type { Budget } from '../../shared/core/policy-file/types.js';
import type { MeterResult } from '../../shared/service/budget-meter.js';
import type { RunResult } from '../../shared/service/guard-service.js';
import { reconcileHandler } from '../../shared/service/lambda.js';
import { meterHandler } from '../../shared/service/meter-lambda.js';
import { type LiveAws, seedAccount, startLiveAws } from '../aws/live-env.js';
import { oneAtATime } from '../support/moto.js';
import type { SeededOrganization } from '../support/seed-account.js';
import { createServiceAws, createUsageTable, lambdaContext, type ServiceAws, type UsageItem } from './service-env.js';

/**
 * The meter function (usage budgets, issue 7) in its real middy + Powertools
 * chain on the moto server, as handlers.test.ts runs the event handlers: the
 * demo account seeded into a member account (IAM, where budget denies are
 * written), the ledger, idempotency and usage tables, and the findings bus
 * with an SQS queue behind it. Model invocation log records are generated as
 * Bedrock writes them (assumed-role sessions, inference profile ids, token
 * counts, unique request ids) and delivered as CloudWatch Logs does (gzip +
 * base64 of a subscription batch) or as an S3 log file with its Object
 * Created event.
 *
 * The windows are real ones around the present, not fixed dates: a budget
 * deny carries `DateLessThan aws:CurrentTime <window end>`, and the
 * reconcile removes denies whose end has passed by the clock.
 */
const DEMO = 'examples/demo';
const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-meter-'));

/** The demo's policy file with budgets small enough to spend in a test. */
const BUDGETS = `budgets:
  - team: data-science
    models: [premium]
    window: 1d
    max: { inputTokens: 10000, invocations: 20 }
  - team: app-backend
    models: [standard]
    window: 1d
    max: { invocations: 250 }
  - team: playground
    models: [premium]
    window: 1d
    max: { inputTokens: 200000, outputTokens: 50000, invocations: 500 }

`;
function policyText(mode: 'enforce' | 'alert'): string {
  const demo = readFileSync(join(DEMO, 'bedrock-guard.yaml'), 'utf8');
  const text = demo.replace(/^budgets:\n[\s\S]*?(?=^rules:)/m, BUDGETS).replace(/^mode: enforce$/m, `mode: ${mode}`);
  if (!text.includes('max: { invocations: 250 }') || !text.includes(`mode: ${mode}\n`)) {
    throw new Error('the demo policy file changed: its budgets or mode were not replaced');
  }
  return text;
}
const ENFORCE_POLICY = join(scratch, 'bedrock-guard.yaml');
const ALERT_POLICY = join(scratch, 'bedrock-guard-alert.yaml');
writeFileSync(ENFORCE_POLICY, policyText('enforce'));
writeFileSync(ALERT_POLICY, policyText('alert'));
const POLICY = loadPolicyFile(policyText('enforce'), ENFORCE_POLICY).policy;
const [DATA_SCIENCE_BUDGET, APP_BUDGET, PLAYGROUND_BUDGET] = budgetIds(POLICY) as [string, string, string];

const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';
const OPUS_PROFILE = `us.${OPUS}`;
const DEEPSEEK_PROFILE = 'us.deepseek.r1-v1:0';
const HAIKU_PROFILE = 'us.anthropic.claude-3-haiku-20240307-v1:0';
const NOVA_MICRO = 'amazon.nova-micro-v1:0';

const DAY = { unit: 'day', count: 1 } as const;
/** The day holding a quarter of an hour from now: its end is in the future however close to midnight (UTC) the run. */
const WINDOW = budgetWindow(DAY, new Date(Date.now() + 15 * 60_000));
const NEXT_WINDOW = budgetWindow(DAY, new Date(WINDOW.end));
/** A day long gone: a deny that ended then denies nothing any more. */
const PAST_WINDOW = budgetWindow(DAY, new Date(Date.now() - 2 * 86_400_000));

let aws: LiveAws;
let org: SeededOrganization;
let svc: ServiceAws;
let usage: Awaited<ReturnType<typeof createUsageTable>>;
let iam: IAMClient;
let account: string;

beforeAll(async () => {
  aws = await startLiveAws();
  org = await seedAccount(aws, join(DEMO, 'snapshot'));
  account = org.memberAccount;
  svc = await createServiceAws({ prefix: 'bg-meter', policy: ENFORCE_POLICY, orgRoleArn: org.orgRoleArn });
  usage = await createUsageTable('bg-meter-usage');
  iam = new IAMClient({});
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}, 90_000);
afterAll(async () => {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  await aws?.stop();
});
afterEach(() => vi.restoreAllMocks());

// ---- invocation logs, as Bedrock writes them and CloudWatch Logs delivers them --------------------

interface Call {
  readonly role: string;
  /** As the caller named it: a model id, or an inference profile id. */
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens?: number;
  readonly window?: WindowBounds;
  readonly errorCode?: string;
}

let recorded = 0;
/** One model invocation log record: a session of `role`, a fresh request id, a time inside the window. */
function record(call: Call): Record<string, unknown> {
  recorded += 1;
  const window = call.window ?? WINDOW;
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: new Date(Date.parse(window.start) + recorded * 1_000).toISOString(),
    accountId: account,
    identity: { arn: `arn:aws:sts::${account}:assumed-role/${call.role}/${call.role.toLowerCase()}-7f3a` },
    region: 'us-east-1',
    requestId: randomUUID(),
    operation: 'Converse',
    modelId: call.model,
    input: {
      inputContentType: 'application/json',
      inputTokenCount: call.inputTokens,
      cacheReadInputTokenCount: 0,
      cacheWriteInputTokenCount: 0,
    },
    output: { outputContentType: 'application/json', outputTokenCount: call.outputTokens ?? 50 },
    ...(call.errorCode ? { errorCode: call.errorCode } : {}),
    inferenceRegion: 'us-east-2',
  };
}
const records = (n: number, call: Call) => Array.from({ length: n }, () => record(call));

let logEvents = 0;
/** A CloudWatch Logs subscription delivery of these records (a string is sent as the message, as it is). */
function subscription(
  messages: readonly (Record<string, unknown> | string)[],
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' = 'DATA_MESSAGE',
) {
  const batch = {
    messageType,
    owner: account,
    logGroup: '/aws/bedrock/model-invocations',
    logStream: 'aws/bedrock/modelinvocations',
    subscriptionFilters: ['bedrock-guard-usage'],
    logEvents: messages.map((m) => {
      logEvents += 1;
      const timestamp = typeof m === 'string' ? Date.parse(WINDOW.start) : Date.parse(m.timestamp as string);
      const message = typeof m === 'string' ? m : JSON.stringify(m);
      return { id: `3${String(logEvents).padStart(55, '0')}`, timestamp, message };
    }),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } };
}

// ---- the function and what it leaves behind ------------------------------------------------------

type Metered = MeterResult & { source: string };
type Meter = ReturnType<typeof meterHandler>;
/** A meter "container": its own handler (and AWS clients, unless given), cold until its first delivery. */
const meter = (env: Record<string, string> = {}, clients?: AwsClients): Meter =>
  meterHandler({ env: { ...svc.env, ...usage.env, ...env }, ...(clients ? { aws: clients } : {}) });
const deliver = (handler: Meter, event: unknown) => handler(event as never, lambdaContext('meter')) as Promise<Metered>;

const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const counter = async (role: string, budgetId: string, window = WINDOW): Promise<UsageItem | undefined> =>
  (await usage.counters()).find(
    (c) => c.principal === roleArn(role) && c.budgetId === budgetId && c.windowStart === window.start,
  );
const publishedFor = async (triggerId: string): Promise<FindingsEvent[]> =>
  (await svc.published()).filter((e) => e.trigger.id === triggerId);
const ledger = () =>
  new DynamoLedger(new AwsClients().dynamodb(), svc.env.BEDROCK_GUARD_LEDGER_TABLE as string).list({
    since: new Date(Date.now() - 3_600_000),
  });
const ledgerFor = async (triggerId: string) => (await ledger()).filter((e) => e.trigger.id === triggerId);
const inlineNames = async (role: string) =>
  (await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
/** An inline policy as IAM holds it, decoded (GetRolePolicy returns it URL-encoded). */
const inlineDocument = async (role: string, name: string) => {
  const out = await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name }));
  return decodePolicyDocument(out.PolicyDocument, `${role}/${name}`) as {
    Statement: { Sid: string; Resource: string | string[]; Condition: Record<string, Record<string, string>> }[];
  };
};
/** IAM as GetAccountAuthorizationDetails shows it, without RoleLastUsed (moto sets it on every call as a role). */
const iamState = async () =>
  JSON.parse(
    JSON.stringify(await readAuthorizationDetails(new AwsClients().iam('aws')), (k, v: unknown) =>
      k === 'RoleLastUsed' ? undefined : v,
    ),
  ) as unknown;

// ---- the scenarios -------------------------------------------------------------------------------

describe('a principal through its budget, from CloudWatch Logs (mode enforce)', () => {
  const DENY = budgetDenyName(DATA_SCIENCE_BUDGET);
  // One warm container for the whole story, as a Lambda container takes batch after batch.
  let warm: Meter;
  let spent: { event: unknown; result: Metered };
  beforeAll(() => {
    warm = meter();
  });
  const opus = (n: number, inputTokens: number) =>
    records(n, { role: 'DataScience', model: OPUS_PROFILE, inputTokens });

  it('counts usage below 80 % and does nothing else', async () => {
    const before = await iamState();
    const result = await deliver(warm, subscription(opus(5, 1_000)));
    expect(result).toMatchObject({ records: 5, invalid: 0, unattributed: 0, counted: 5, duplicates: 0, alerts: 0 });
    expect(result.denies).toEqual([]);
    expect(await counter('DataScience', DATA_SCIENCE_BUDGET)).toEqual({
      budgetId: DATA_SCIENCE_BUDGET,
      principal: roleArn('DataScience'),
      windowStart: WINDOW.start,
      windowEnd: WINDOW.end,
      inputTokens: 5_000,
      outputTokens: 250,
      invocations: 5,
      marks: [],
    });
    expect(await publishedFor(result.source)).toEqual([]);
    expect(await iamState()).toEqual(before);
  });

  it('alerts once at 80 %, and not again while under 100 %', async () => {
    const before = await iamState();
    const deepseek = records(3, { role: 'DataScience', model: DEEPSEEK_PROFILE, inputTokens: 1_000 });
    const crossing = await deliver(warm, subscription(deepseek)); // 8,000 of 10,000 input tokens
    expect(crossing).toMatchObject({ counted: 3, alerts: 1, denies: [] });
    const published = await publishedFor(crossing.source);
    expect(published).toHaveLength(1);
    // With the principal's teams: a team's own notify destinations get its budget's alerts.
    expect(published[0]).toMatchObject({
      principal: roleArn('DataScience'),
      teams: ['data-science'],
      dryRun: false,
      actions: [],
    });
    expect(published[0]?.findings).toEqual([
      expect.objectContaining({
        rule: 'budget-warning',
        severity: 'medium',
        mode: 'enforce',
        status: 'open',
        principal: roleArn('DataScience'),
        route: `budget:${DATA_SCIENCE_BUDGET}`,
        message: expect.stringMatching(
          /has used 80% of budget data-science\.premium\.1d .*8,000 of 10,000 inputTokens/,
        ),
      }),
    ]);

    const further = await deliver(warm, subscription(opus(1, 500))); // 8,500: still between 80 and 100 %
    expect(further).toMatchObject({ counted: 1, alerts: 0, denies: [] });
    expect(await publishedFor(further.source)).toEqual([]);
    expect(await counter('DataScience', DATA_SCIENCE_BUDGET)).toMatchObject({
      inputTokens: 8_500,
      invocations: 9,
      marks: ['warn'],
    });
    expect(await iamState()).toEqual(before);
  });

  it('denies within the batch that crosses 100 %: a self-expiring inline deny, a ledger entry, one finding', async () => {
    const event = subscription(opus(2, 1_000)); // 10,500 of 10,000
    const result = await deliver(warm, event);
    spent = { event, result };
    expect(result).toMatchObject({ counted: 2, alerts: 1 });
    expect(result.denies).toEqual([expect.objectContaining({ type: 'put-deny', policyName: DENY, result: 'applied' })]);

    // On the role in IAM, lifting itself at the window's end.
    expect(await inlineNames('DataScience')).toContain(DENY);
    const document = await inlineDocument('DataScience', DENY);
    expect(document.Statement.length).toBeGreaterThan(0);
    for (const statement of document.Statement) {
      expect(statement.Condition.DateLessThan).toEqual({ 'aws:CurrentTime': WINDOW.end });
    }
    expect(budgetDenyExpiry(document)).toBe(WINDOW.end);
    expect(document.Statement[0]?.Resource).toEqual(
      expect.arrayContaining([
        `arn:aws:bedrock:*::foundation-model/${OPUS}`,
        'arn:aws:bedrock:*::foundation-model/deepseek.r1-v1:0',
      ]),
    );

    const entries = await ledgerFor(result.source);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'put-deny',
        principal: roleArn('DataScience'),
        mechanism: 'inline',
        policyName: DENY,
        result: 'applied',
        rules: ['budget-exceeded'],
        account,
      }),
    ]);
    const published = await publishedFor(result.source);
    expect(published).toHaveLength(1);
    expect(published[0]?.findings).toEqual([
      expect.objectContaining({
        rule: 'budget-exceeded',
        severity: 'high',
        mode: 'enforce',
        status: 'contained',
        principal: roleArn('DataScience'),
        message: expect.stringMatching(/has spent budget data-science\.premium\.1d .*10,500 of 10,000 inputTokens/),
      }),
    ]);
    expect(published[0]?.actions).toEqual([
      expect.objectContaining({ type: 'put-deny', policyName: DENY, result: 'applied', ledgerId: entries[0]?.id }),
    ]);
    expect(await counter('DataScience', DATA_SCIENCE_BUDGET)).toMatchObject({
      inputTokens: 10_500,
      invocations: 11,
      marks: ['exceeded', 'warn'],
    });
  });

  it('changes nothing when the same batch is delivered again, to this container or another', async () => {
    const counters = await usage.counters();
    const iamBefore = await iamState();
    const entries = (await ledger()).length;
    const published = (await svc.published()).length;
    const again = await deliver(warm, spent.event);
    const elsewhere = await deliver(meter(), spent.event);
    for (const replay of [again, elsewhere]) {
      expect(replay).toMatchObject({ records: 2, counted: 0, duplicates: 2, alerts: 0, denies: [] });
      expect(replay.source).toBe(spent.result.source);
    }
    expect(await usage.counters()).toEqual(counters);
    expect(await iamState()).toEqual(iamBefore);
    expect(await ledger()).toHaveLength(entries);
    expect(await svc.published()).toHaveLength(published);
  });

  it('denies the budget’s models until the window ends, and lets the role invoke them again from then (evaluator)', async () => {
    // Every policy of the role as IAM now holds it: its own grants and the budget deny.
    const names = await inlineNames('DataScience');
    const identity = await Promise.all(
      names.map(async (name) =>
        compilePolicy(
          await inlineDocument('DataScience', name),
          { layer: 'identity', kind: 'inline', name, id: roleArn('DataScience') },
          name,
        ),
      ),
    );
    const set: PolicySet = { identity, boundary: undefined, scps: [] };
    const end = Date.parse(WINDOW.end);
    const invoke = (resource: string, ms: number) =>
      evaluate(set, { action: 'bedrock:InvokeModel', resource, context: requestContext(resource, new Date(ms)) });
    const budgeted = [
      `arn:aws:bedrock:us-west-2::foundation-model/${OPUS}`,
      `arn:aws:bedrock:us-east-1:${account}:inference-profile/${OPUS_PROFILE}`,
      `arn:aws:bedrock:us-east-2:${account}:inference-profile/${DEEPSEEK_PROFILE}`,
    ];
    for (const resource of budgeted) {
      const before = invoke(resource, end - 60_000);
      expect(before.decision, resource).toBe('ExplicitlyDenied');
      expect(before.statements.map((s) => s.policy.name)).toEqual([DENY]);
      expect(invoke(resource, end).decision, resource).toBe('Allowed');
      expect(invoke(resource, end + 60_000).decision, resource).toBe('Allowed');
    }
    // A model outside the budget was never denied.
    expect(invoke(`arn:aws:bedrock:us-east-1::foundation-model/${NOVA_MICRO}`, end - 60_000).decision).toBe('Allowed');
  });

  it('starts a new counter in the next window, below the thresholds again', async () => {
    const today = await counter('DataScience', DATA_SCIENCE_BUDGET);
    const result = await deliver(
      warm,
      subscription(records(2, { role: 'DataScience', model: OPUS_PROFILE, inputTokens: 1_000, window: NEXT_WINDOW })),
    );
    expect(result).toMatchObject({ counted: 2, alerts: 0, denies: [] });
    expect(await counter('DataScience', DATA_SCIENCE_BUDGET, NEXT_WINDOW)).toEqual({
      budgetId: DATA_SCIENCE_BUDGET,
      principal: roleArn('DataScience'),
      windowStart: NEXT_WINDOW.start,
      windowEnd: NEXT_WINDOW.end,
      inputTokens: 2_000,
      outputTokens: 100,
      invocations: 2,
      marks: [],
    });
    expect(await counter('DataScience', DATA_SCIENCE_BUDGET)).toEqual(today);
    expect(await publishedFor(result.source)).toEqual([]);
    // The deny still ends with today's window.
    expect(budgetDenyExpiry(await inlineDocument('DataScience', DENY))).toBe(WINDOW.end);
  });

  it('alerts but denies nothing for late records of a window already over, and keeps the running window’s deny', async () => {
    const deny = await inlineDocument('DataScience', DENY);
    const late = records(21, { role: 'DataScience', model: OPUS_PROFILE, inputTokens: 10, window: PAST_WINDOW });
    const result = await deliver(warm, subscription(late)); // 21 of 20 invocations, in a window long over
    expect(result).toMatchObject({ counted: 21, alerts: 1, denies: [] });
    const [published] = await publishedFor(result.source);
    expect(published?.findings).toEqual([
      expect.objectContaining({
        rule: 'budget-exceeded',
        status: 'open',
        remediation: expect.stringContaining(`Not denied: the window ended at ${PAST_WINDOW.end}`),
      }),
    ]);
    expect(published?.actions).toEqual([]);
    expect(await inlineDocument('DataScience', DENY)).toEqual(deny);
    expect(await ledgerFor(result.source)).toEqual([]);
  });
});

describe('other deliveries', () => {
  it('counts the records of a log file Bedrock delivered to S3, from its Object Created event', async () => {
    const s3 = new S3Client({ forcePathStyle: true }); // as the guard's session in the member account
    const bucket = `bedrock-logs-${account}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const hour = WINDOW.start.slice(0, 10).replaceAll('-', '/');
    const key = `AWSLogs/${account}/BedrockModelInvocationLogs/us-east-1/${hour}/00/${randomUUID()}.json.gz`;
    const lines = [
      ...records(4, { role: 'Playground', model: DEEPSEEK_PROFILE, inputTokens: 700, outputTokens: 30 }),
      // A failed call: AWS bills none, so it counts against nothing.
      record({ role: 'Playground', model: OPUS_PROFILE, inputTokens: 900, errorCode: 'ThrottlingException' }),
    ];
    const body = gzipSync(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-gzip' }));
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account,
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: { key, size: body.length, etag: 'e0', sequencer: '0065' },
        'request-id': 'R1',
        requester: 'bedrock.amazonaws.com',
        reason: 'PutObject',
      },
    };
    const result = await deliver(meter(), event);
    expect(result).toMatchObject({ source: `s3://${bucket}/${key}`, records: 5, invalid: 0, counted: 4, alerts: 0 });
    expect(await counter('Playground', PLAYGROUND_BUDGET)).toMatchObject({
      inputTokens: 2_800,
      outputTokens: 120,
      invocations: 4,
      marks: [],
    });
  });

  it('counts the valid records of a batch with invalid ones, and logs each invalid one', async () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const before = await counter('Playground', PLAYGROUND_BUDGET);
    const { requestId: _, ...noRequestId } = record({ role: 'Playground', model: OPUS_PROFILE, inputTokens: 10 });
    const batch = subscription([
      record({ role: 'Playground', model: OPUS_PROFILE, inputTokens: 100 }),
      'START RequestId: not a record',
      noRequestId,
      record({ role: 'Playground', model: OPUS_PROFILE, inputTokens: 200 }),
    ]);
    const result = await deliver(meter({ POWERTOOLS_LOG_LEVEL: 'INFO' }), batch);
    vi.restoreAllMocks();

    expect(result).toMatchObject({ records: 4, invalid: 2, counted: 2 });
    expect(await counter('Playground', PLAYGROUND_BUDGET)).toMatchObject({
      inputTokens: (before?.inputTokens ?? 0) + 300,
      invocations: (before?.invocations ?? 0) + 2,
    });
    const logged = lines
      .join('')
      .split('\n')
      .filter((l) => l.includes('not an invocation log record'))
      .map((l) => (JSON.parse(l) as { reason: string }).reason);
    expect(logged).toEqual(['(record): not JSON', 'requestId: missing (expected string)']);
  });

  it('ignores a CloudWatch Logs control message', async () => {
    const control = subscription(
      ['CWL CONTROL MESSAGE: Checking health of destination Lambda function.'],
      'CONTROL_MESSAGE',
    );
    const result = await deliver(meter(), control);
    expect(result).toMatchObject({ records: 0, invalid: 0, counted: 0, alerts: 0, denies: [] });
  });

  it('throws a clear error for an event that is neither a log subscription nor an S3 delivery', async () => {
    const handler = meter();
    await expect(deliver(handler, { detail: { eventName: 'InvokeModel' } })).rejects.toThrow(
      /^not a model invocation log delivery: expected a CloudWatch Logs subscription delivery \(\{"awslogs": \{"data": …\}\}\) or an S3 "Object Created" event/,
    );
    const s3 = { id: 'e1', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' } } };
    await expect(deliver(handler, s3)).rejects.toThrow(
      /^not a model invocation log delivery: detail\.object: Invalid input: expected object, received undefined$/,
    );
    await expect(deliver(handler, { awslogs: { data: Buffer.from('plain text').toString('base64') } })).rejects.toThrow(
      /awslogs\.data is not gzip \+ base64 JSON/,
    );
  });
});

describe('budgets in a policy file whose mode is alert', () => {
  it('publishes budget-exceeded (open) at 100 % and writes no deny', async () => {
    const before = await iamState();
    const entries = (await ledger()).length;
    const batch = records(21, { role: 'BatchJobs', model: OPUS_PROFILE, inputTokens: 100 }); // 21 of 20 invocations
    const result = await deliver(meter({ BEDROCK_GUARD_POLICY: ALERT_POLICY }), subscription(batch));
    expect(result).toMatchObject({ counted: 21, alerts: 1, denies: [] });
    const published = await publishedFor(result.source);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      principal: roleArn('BatchJobs'),
      teams: ['data-science', 'batch-jobs'],
      dryRun: true,
      actions: [],
    });
    expect(published[0]?.findings).toEqual([
      expect.objectContaining({
        rule: 'budget-exceeded',
        mode: 'alert',
        status: 'open',
        message: expect.stringMatching(/21 of 20 invocations/),
      }),
    ]);
    expect(await iamState()).toEqual(before);
    expect(await ledger()).toHaveLength(entries);
    expect(await counter('BatchJobs', DATA_SCIENCE_BUDGET)).toMatchObject({ invocations: 21, marks: ['exceeded'] });
  });
});

describe('an exempt principal', () => {
  it('counts against no budget, even in a budgeted team', async () => {
    // PlatformAdmin is exempt in the policy file; tagged so, it is also in the data-science team.
    await iam.send(new TagRoleCommand({ RoleName: 'PlatformAdmin', Tags: [{ Key: 'team', Value: 'data-science' }] }));
    try {
      const batch = records(25, { role: 'PlatformAdmin', model: OPUS_PROFILE, inputTokens: 1_000 });
      const result = await deliver(meter(), subscription(batch));
      expect(result).toMatchObject({ records: 25, invalid: 0, unattributed: 0, counted: 0, alerts: 0, denies: [] });
      expect((await usage.counters()).filter((c) => c.principal === roleArn('PlatformAdmin'))).toEqual([]);
      expect(await publishedFor(result.source)).toEqual([]);
      expect(await inlineNames('PlatformAdmin')).toEqual([]);
    } finally {
      await iam.send(new TagRoleCommand({ RoleName: 'PlatformAdmin', Tags: [{ Key: 'team', Value: 'platform' }] }));
    }
  });
});

describe('10 concurrent consumers', () => {
  it('lose no update to the same counter, deny once, and add nothing when the batches come again', async () => {
    // Separate containers, each with its own clients; their DynamoDB requests go to moto one at a time, as
    // test/aws/usage-counters.test.ts does (support/moto.ts `oneAtATime` says why).
    const serialise = oneAtATime();
    const containers = Array.from({ length: 10 }, () =>
      meter(
        {},
        new AwsClients({
          instrument: (client) => {
            if (client instanceof DynamoDBClient) serialise(client);
          },
        }),
      ),
    );
    // Warm: each captures the account on an empty batch first, so the batches below race on the counter alone.
    await Promise.all(containers.map((c) => deliver(c, subscription([]))));
    const calls = containers.map((_, c) =>
      Array.from({ length: 30 }, (_, i): Call => ({
        role: 'AppBackend',
        model: i % 2 ? HAIKU_PROFILE : NOVA_MICRO,
        inputTokens: 100 + c,
        outputTokens: i,
      })),
    );
    const events = calls.map((batch) => subscription(batch.map((call) => record(call))));
    const results = await Promise.all(containers.map((c, i) => deliver(c, events[i])));
    expect(results.map((r) => r.counted)).toEqual(Array(10).fill(30));

    const all = calls.flat();
    const totals = await counter('AppBackend', APP_BUDGET);
    expect(totals).toMatchObject({
      inputTokens: all.reduce((n, c) => n + c.inputTokens, 0),
      outputTokens: all.reduce((n, c) => n + (c.outputTokens ?? 0), 0),
      invocations: 300,
    });
    expect(totals?.marks).toContain('exceeded');

    // 300 of 250 invocations: whichever consumer first saw the counter past 100 % denied, and only it.
    expect(results.flatMap((r) => r.denies)).toEqual([
      expect.objectContaining({ policyName: budgetDenyName(APP_BUDGET), result: 'applied' }),
    ]);
    const findings = (await Promise.all(results.map((r) => publishedFor(r.source)))).flat().flatMap((e) => e.findings);
    expect(findings.filter((f) => f.rule === 'budget-exceeded')).toHaveLength(1);
    // The alert at 80 % went out at most once (none if no consumer read the counter between 200 and 249).
    expect(findings.filter((f) => f.rule === 'budget-warning').length).toBeLessThanOrEqual(1);
    expect(await inlineNames('AppBackend')).toContain(budgetDenyName(APP_BUDGET));

    // Each batch again, at once, to another container (a retry racing, or the bucket delivering what the log group
    // did): nothing is added, and nothing acts again.
    const published = (await svc.published()).length;
    const replays = await Promise.all(containers.map((c, i) => deliver(c, events[(i + 1) % events.length])));
    expect(replays.map((r) => [r.counted, r.duplicates, r.alerts, r.denies.length])).toEqual(
      Array(10).fill([0, 30, 0, 0]),
    );
    expect(await counter('AppBackend', APP_BUDGET)).toEqual(totals);
    expect(await svc.published()).toHaveLength(published);
  });
});

describe('the scheduled reconcile', () => {
  it('removes a budget deny whose window has ended, records it, and leaves the live ones', async () => {
    const expiredName = budgetDenyName(PLAYGROUND_BUDGET);
    const expired = budgetDeny(POLICY, POLICY.budgets[2] as Budget, PAST_WINDOW.end);
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Playground',
        PolicyName: expiredName,
        PolicyDocument: JSON.stringify(expired),
      }),
    );
    const scheduled = JSON.parse(readFileSync('events/schedule/reconcile-scheduled.json', 'utf8')) as { id: string };
    const result = (await reconcileHandler({ env: { ...svc.env, ...usage.env } })(
      scheduled as never,
      lambdaContext('reconcile'),
    )) as RunResult;

    expect(result.problems).toEqual([]);
    expect(result.actions).toContainEqual(
      expect.objectContaining({
        type: 'remove-deny',
        principal: roleArn('Playground'),
        policyName: expiredName,
        result: 'applied',
      }),
    );
    expect(await inlineNames('Playground')).not.toContain(expiredName);
    // The budget denies still in force stay: IAM lifts them at their window's end.
    expect(result.actions.filter((a) => a.type === 'remove-deny').map((a) => a.policyName)).toEqual([expiredName]);
    expect(await inlineNames('DataScience')).toContain(budgetDenyName(DATA_SCIENCE_BUDGET));
    expect(await inlineNames('AppBackend')).toContain(budgetDenyName(APP_BUDGET));
    expect(await ledgerFor(scheduled.id)).toContainEqual(
      expect.objectContaining({
        action: 'remove-deny',
        principal: roleArn('Playground'),
        mechanism: 'inline',
        policyName: expiredName,
        result: 'applied',
        reason: expect.stringContaining(`budget deny expired at ${PAST_WINDOW.end}`),
      }),
    );
  });
});
