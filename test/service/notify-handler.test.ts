import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient, TagRoleCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { eventHandler } from '../../shared/service/lambda.js';
import { type DeliveryResult, NotifyError } from '../../shared/service/notifier.js';
import { notifyHandler } from '../../shared/service/notify-lambda.js';
import { type LiveAws, seedAccount, startLiveAws } from '../aws/live-env.js';
import {
  assumedRole,
  type BusEntry,
  createAlertsTopic,
  createServiceAws,
  lambdaContext,
  sampleEvent,
  type ServiceAws,
  type SnsEnvelope,
} from './service-env.js';

/**
 * The notifier in its real middy + Powertools chain, fed what the guard's
 * handlers really publish: the demo account seeded on the moto server, the
 * onInvoke handler run on a CloudTrail denial, its findings bus entry read
 * from the bus rule's SQS target (the EventBridge envelope a rule target
 * gets) and handed to the notifier. The webhook URLs are SecureString
 * parameters on moto, SNS publishes to a topic with an SQS queue subscribed,
 * and a real loopback HTTP server stands in for Slack, its answers scripted
 * per test.
 */
const DEMO = 'examples/demo';
const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-notify-'));
const POLICY = join(scratch, 'bedrock-guard.yaml');
const MAIN_REF = 'ssm:/bedrock-guard/slack-webhook';
const TEAM_REF = 'ssm:/bedrock-guard/team-slack';
/** The secret part of each webhook URL: it must never show in an error or a log line. */
const MAIN_PATH = '/services/T0GUARD01/B0MAIN001/mainSecretToken0123456789';
const TEAM_PATH = '/services/T0GUARD01/B0TEAM001/teamSecretToken0123456789';
const OWNER = 'U0OWNER42';

interface SlackRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `performance.now()` when it arrived. */
  readonly at: number;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const OK: Reply = { status: 200, body: 'ok' };

/** Slack's incoming webhooks, on loopback: each request recorded; each path answers its scripted replies, then 200 ok. */
const slack = {
  requests: [] as SlackRequest[],
  replies: new Map<string, Reply[]>(),
  server: createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      slack.requests.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      });
      const reply = slack.replies.get(path)?.shift() ?? OK;
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body);
    });
  }),
  url: (path: string) => `http://127.0.0.1:${(slack.server.address() as AddressInfo).port}${path}`,
  script(path: string, ...replies: Reply[]) {
    slack.replies.set(path, [...replies]);
  },
  posts: (path: string) => slack.requests.filter((r) => r.path === path),
};

let aws: LiveAws;
let svc: ServiceAws;
let alerts: Awaited<ReturnType<typeof createAlertsTopic>>;
let account: string;
let env: Record<string, string>;

beforeAll(async () => {
  await new Promise<void>((resolve) => slack.server.listen(0, '127.0.0.1', resolve));
  aws = await startLiveAws();
  const org = await seedAccount(aws, join(DEMO, 'snapshot'));
  account = org.memberAccount;
  alerts = await createAlertsTopic('bedrock-guard-alerts');
  const ssm = new SSMClient({});
  for (const [Name, path] of [
    ['/bedrock-guard/slack-webhook', MAIN_PATH],
    ['/bedrock-guard/team-slack', TEAM_PATH],
  ] as const) {
    await ssm.send(new PutParameterCommand({ Name, Type: 'SecureString', Value: slack.url(path) }));
  }
  writeFileSync(POLICY, policyFile(alerts.topicArn));
  svc = await createServiceAws({ prefix: 'bg-notify', policy: POLICY, orgRoleArn: org.orgRoleArn });
  env = {
    BEDROCK_GUARD_POLICY: POLICY,
    BEDROCK_GUARD_IDEMPOTENCY_TABLE: svc.env.BEDROCK_GUARD_IDEMPOTENCY_TABLE as string,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}, 90_000);
afterAll(async () => {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  slack.server.closeAllConnections();
  await new Promise((resolve) => slack.server.close(resolve));
  await aws?.stop();
});
beforeEach(() => slack.replies.clear());
afterEach(() => vi.restoreAllMocks());

/**
 * The demo policy file with its notify section replaced: Slack from medium
 * up, denial diagnoses (low) to the same channel by a route, every finding to
 * SNS; and the data-science team's own channel for its principals.
 */
function policyFile(topicArn: string): string {
  const demo = readFileSync(join(DEMO, 'bedrock-guard.yaml'), 'utf8');
  const notify = [
    'notify:',
    `  slack: { webhook: '${MAIN_REF}', minSeverity: medium }`,
    `  sns: { topic: '${topicArn}' }`,
    '  routes:',
    `    - { slack: '${MAIN_REF}', rules: [invoke-denied] }`,
    '',
  ].join('\n');
  const text = demo
    .replace(/^notify:[\s\S]*$/m, notify)
    .replace(
      '    features: [invoke, batch]\n',
      `    features: [invoke, batch]\n    notify: { slack: '${TEAM_REF}', minSeverity: low }\n`,
    );
  if (!text.includes(TEAM_REF) || !text.includes(topicArn)) throw new Error('the demo policy file changed shape');
  return text;
}

const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const notify = () => notifyHandler({ env, aws: new AwsClients() });
const deliver = (handler: ReturnType<typeof notifyHandler>, entry: unknown) =>
  handler(entry as never, lambdaContext('notify')) as Promise<{ results: DeliveryResult[] }>;

/** Runs the onInvoke handler on a CloudTrail event and returns the findings bus entry it published. */
async function published(event: Record<string, unknown>): Promise<BusEntry> {
  const id = (event.detail as { eventID: string }).eventID;
  await eventHandler('onInvoke', { env: { ...svc.env, BEDROCK_GUARD_ENFORCE: 'false' } })(
    event as never,
    lambdaContext('onInvoke'),
  );
  const entries = (await svc.entries()).filter((e) => e.detail.trigger.id === id);
  expect(entries).toHaveLength(1);
  return entries[0] as BusEntry;
}

/** The same entry under another id, about another principal: new alerts as far as deduplication goes. */
function variant(entry: BusEntry, id: string, role: string): BusEntry {
  const principal = roleArn(role);
  const findings = entry.detail.findings.map((f) => ({ ...f, principal }));
  return { ...entry, id, detail: { ...entry.detail, principal, findings } };
}

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] };

/** A Slack post's body and every text in its blocks. */
function slackBody(request: SlackRequest | undefined) {
  const body = JSON.parse(request?.body ?? '{}') as { text: string; blocks: Block[] };
  const texts = body.blocks.flatMap((b) => [
    ...(b.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text),
    ...(b.elements ?? []).map((e) => e.text),
  ]);
  return { ...body, texts, all: texts.join('\n') };
}

/** The Slack spellings (`<…>`: links, mentions) in a post, and `&`s that are not one of Slack's three entities. */
const unescaped = (texts: readonly string[]) => ({
  spans: texts.flatMap((t) => t.match(/<[^>]*>/g) ?? []),
  strays: texts.filter((t) => /[<>]|&(?!amp;|lt;|gt;)/.test(t.replace(/<@[UW][A-Z0-9]+>/g, ''))),
});

const attributes = (m: SnsEnvelope | undefined) =>
  Object.fromEntries(Object.entries(m?.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]));
const byRule = (messages: readonly SnsEnvelope[], rule: string) =>
  messages.find((m) => m.MessageAttributes?.rule?.Value === rule);

describe('notify handler', () => {
  /** The denial's bus entry, as the onInvoke handler published it. */
  let entry: BusEntry;
  const topic = () => `sns:${alerts.topicArn}`;

  beforeEach(async () => {
    slack.requests = [];
    await alerts.messages();
  });

  it('sends a denied invoke to Slack and SNS, once each, with its diagnosis and fix', async () => {
    entry = await published(
      sampleEvent('events/invoke/InvokeModel-AccessDeniedException-inference-profile.json', account, {
        eventID: 'evt-notify-1',
      }),
    );
    expect(entry).toMatchObject({ source: 'bedrock-guard', 'detail-type': 'Bedrock Guard Findings' });
    const denial = entry.detail.findings.find((f) => f.rule === 'invoke-denied');
    expect(denial?.diagnosis?.fix).toContain('AllowThroughInferenceProfile');

    const { results } = await deliver(notify(), entry);
    // The denial (low, by the invoke-denied route) and the profile gap (medium) the event also showed.
    expect(results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 2, held: 0 },
      { destination: topic(), sent: 2, held: 0 },
    ]);

    // Slack: one post (the route and notify.slack are one destination), Block Kit, everything escaped.
    expect(slack.requests.map((r) => r.path)).toEqual([MAIN_PATH]);
    const [post] = slack.requests;
    expect(post?.headers['content-type']).toBe('application/json');
    const message = slackBody(post);
    expect(message.text).toMatch(/^bedrock-guard MEDIUM cross-region-profile-gaps \(open, dry run\): .* and 1 more$/);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.blocks.filter((b) => b.type === 'header').map((b) => b.text?.text)).toEqual([
      ':large_yellow_circle: MEDIUM · cross-region-profile-gaps · open · dry run',
      ':large_blue_circle: LOW · invoke-denied · open · dry run',
    ]);
    expect(message.all).toContain(`*Principal*\n\`${roleArn('AppBackend')}\``);
    expect(message.all).toContain('*Inference Region*\n`us-east-2`');
    expect(message.all).toContain(`*Why* (\`missing-destination-region\`)`);
    // The fix said once, with the statement to add as JSON.
    expect(message.all.split(denial?.diagnosis?.fix ?? '-')).toHaveLength(2);
    expect(message.all).toContain('*Fix*\nAdd statement AllowThroughInferenceProfile to the identity policies');
    expect(message.all).toContain('"Sid": "AllowThroughInferenceProfile"');
    expect(message.all).toContain('id `evt-notify-1`');
    expect(unescaped(message.texts)).toEqual({ spans: [], strays: [] });
    expect(slack.posts(TEAM_PATH)).toEqual([]); // AppBackend is not in data-science

    // SNS → SQS: the SNS envelope as a subscriber gets it.
    const messages = await alerts.messages();
    expect(messages).toHaveLength(2);
    const sns = byRule(messages, 'invoke-denied');
    expect(sns).toMatchObject({ Type: 'Notification', TopicArn: alerts.topicArn });
    expect(sns?.Subject).toBe('bedrock-guard LOW invoke-denied: role/AppBackend (amazon.nova-micro-v1:0)');
    expect(sns?.Subject?.length).toBeLessThanOrEqual(100);
    expect(attributes(sns)).toEqual({
      severity: 'low',
      rule: 'invoke-denied',
      account,
      status: 'open',
      mode: 'alert',
      dryRun: 'true',
      principal: roleArn('AppBackend'),
      model: 'amazon.nova-micro-v1:0',
      teams: 'app-backend',
    });
    const lines = sns?.Message.split('\n') ?? [];
    expect(lines[0]).toBe(`${roleArn('AppBackend')} was denied InvokeModel in us-east-1 on amazon.nova-micro-v1:0`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Severity: low',
        `Account: ${account} (aws)`,
        'Inference Region: us-east-2',
        'Why it was denied (missing-destination-region, identity):',
        '  Fix: Add statement AllowThroughInferenceProfile to the identity policies of role AppBackend.',
        '  Change: add this statement to the identity policies of role AppBackend',
        '      "Sid": "AllowThroughInferenceProfile",',
        'Trigger: event InvokeModel from bedrock.amazonaws.com by ' +
          `${roleArn('AppBackend')} in us-east-1 (id evt-notify-1)`,
      ]),
    );
    expect(sns?.Message.split('AllowThroughInferenceProfile to the identity policies')).toHaveLength(2);
    expect(byRule(messages, 'cross-region-profile-gaps')?.Subject).toBe(
      'bedrock-guard MEDIUM cross-region-profile-gaps: role/AppBackend (amazon.nova-micro-v1:0)',
    );
  });

  it('sends nothing again for the same bus entry (idempotent on its id), and holds back the same finding', async () => {
    const warm = notify();
    const first = await deliver(warm, entry);
    const otherContainer = await deliver(notify(), entry);
    // The first run's result, replayed from the idempotency record.
    expect(first.results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 2, held: 0 },
      { destination: topic(), sent: 2, held: 0 },
    ]);
    expect(otherContainer).toEqual(first);

    const republished = await deliver(warm, { ...entry, id: 'entry-republished' });
    expect(republished.results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 0, held: 2 },
      { destination: topic(), sent: 0, held: 2 },
    ]);
    expect(slack.requests).toEqual([]);
    expect(await alerts.messages()).toEqual([]);
  });

  it('waits out a 429 as Retry-After says, and retries a 500, then delivers once', async () => {
    slack.script(MAIN_PATH, { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
    const throttled = await deliver(notify(), variant(entry, 'entry-429', 'Throttled'));
    expect(throttled.results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 2, held: 0 },
      { destination: topic(), sent: 2, held: 0 },
    ]);
    const [refused, accepted] = slack.posts(MAIN_PATH);
    expect(slack.requests).toHaveLength(2);
    expect((accepted?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(accepted?.body).toBe(refused?.body);
    expect(slackBody(accepted).all).toContain(roleArn('Throttled'));

    slack.requests = [];
    slack.script(MAIN_PATH, { status: 500, body: 'internal_error' });
    const flaky = await deliver(notify(), variant(entry, 'entry-500', 'Flaky'));
    expect(flaky.results[0]).toEqual({ destination: `slack:${MAIN_REF}`, sent: 2, held: 0 });
    expect(slack.posts(MAIN_PATH)).toHaveLength(2);
    expect(await alerts.messages()).toHaveLength(4); // two alerts per entry, each published once
  });

  it('fails on a revoked webhook with the reason and the reference (never the URL); the retry sends just Slack', async () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const revoked = variant(entry, 'entry-404', 'Revoked');
    slack.script(MAIN_PATH, { status: 404, body: 'no_service' });
    const handler = notifyHandler({ env: { ...env, POWERTOOLS_LOG_LEVEL: 'ERROR' }, aws: new AwsClients() });

    const error = await deliver(handler, revoked).then(
      () => undefined,
      (e: unknown) => e as NotifyError,
    );
    // Lambda's async retries and its onFailure destination are not emulated here (moto runs no functions): the
    // template test checks that the function's onFailure destination is the DLQ, where this message arrives as
    // the record's `responsePayload.errorMessage` (and the name as `errorType`) once the two retries fail too.
    expect(error).toBeInstanceOf(NotifyError);
    expect(error?.name).toBe('NotifyError');
    expect(error?.message).toBe(
      `could not deliver to slack:${MAIN_REF}: Slack webhook ${MAIN_REF} answered 404 no_service (permanent; not retried)`,
    );
    expect(error?.results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 0, held: 0, error: expect.stringContaining('no_service') },
      { destination: topic(), sent: 2, held: 0 },
    ]);
    const logged = lines
      .join('')
      .split('\n')
      .filter((l) => l.includes('"level":"ERROR"'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('no_service');
    for (const text of [error?.message, error?.hint, error?.stack, JSON.stringify(error), ...logged]) {
      expect(text).not.toContain(MAIN_PATH.split('/').at(-1));
      expect(text).not.toContain(slack.url(''));
    }
    expect(slack.requests).toHaveLength(1); // permanent: not retried within the invocation
    expect(await alerts.messages()).toHaveLength(2); // SNS was delivered all the same
    vi.restoreAllMocks();

    // The webhook fixed, Lambda retries the same entry: no idempotency record was kept for the failed run.
    const retried = await deliver(handler, revoked);
    expect(retried.results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 2, held: 0 },
      { destination: topic(), sent: 0, held: 2 },
    ]);
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]?.body).toBe(slack.requests[0]?.body);
    expect(await alerts.messages()).toEqual([]);
    expect(await deliver(notify(), revoked)).toEqual(retried);
    expect(slack.requests).toHaveLength(2);
  });

  it('routes by severity, by team, and mentions the owner (a Slack member id in the principal’s owner tag)', async () => {
    await new IAMClient({}).send(
      new TagRoleCommand({ RoleName: 'DataScience', Tags: [{ Key: 'owner', Value: OWNER }] }),
    );
    const event = sampleEvent('events/invoke/InvokeModel-AccessDenied.json', account, { eventID: 'evt-notify-ds' });
    const detail = event.detail as Record<string, Record<string, unknown>>;
    detail.requestParameters = { modelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0' };
    detail.userIdentity = assumedRole(account, 'DataScience');
    const ds = await published(event);
    expect(ds.detail).toMatchObject({ owner: OWNER, teams: ['data-science'] });

    const { results } = await deliver(notify(), ds);
    expect(results.map((r) => r.destination)).toEqual([`slack:${MAIN_REF}`, topic(), `slack:${TEAM_REF}`]);
    expect(results.every((r) => r.sent > 0 && r.held === 0 && r.error === undefined)).toBe(true);
    const team = slackBody(slack.posts(TEAM_PATH)[0]);
    expect(slack.posts(TEAM_PATH)).toHaveLength(1);
    expect(team.all).toContain(`*Principal*\n\`${roleArn('DataScience')}\`\nowner <@${OWNER}>`);
    expect(team.all).toContain('*Team*\n`data-science`');
    expect(team.all).toContain('invoke-denied');
    // The mention, once per alert, is the only Slack spelling in the post.
    const headers = team.blocks.filter((b) => b.type === 'header').length;
    expect(unescaped(team.texts)).toEqual({ spans: Array<string>(headers).fill(`<@${OWNER}>`), strays: [] });
    expect(slack.posts(MAIN_PATH)).toHaveLength(1);
    const sns = byRule(await alerts.messages(), 'invoke-denied');
    expect(attributes(sns)).toMatchObject({ owner: OWNER, teams: 'data-science', principal: roleArn('DataScience') });
    expect(sns?.Message).toContain(`Owner: ${OWNER}`);

    // Below notify.slack's minSeverity (medium), and of no team with its own channel: SNS only.
    slack.requests = [];
    const playground = roleArn('Playground');
    const low: BusEntry = {
      ...entry,
      id: 'entry-low',
      detail: {
        ...entry.detail,
        principal: playground,
        teams: ['playground'],
        findings: [
          {
            rule: 'full-access-managed-policy',
            severity: 'low',
            mode: 'alert',
            status: 'open',
            principal: playground,
            message: 'role Playground has AmazonBedrockFullAccess <!channel> & more',
          },
        ],
      },
    };
    expect((await deliver(notify(), low)).results).toEqual([{ destination: topic(), sent: 1, held: 0 }]);
    expect(slack.requests).toEqual([]);
    const [only] = await alerts.messages();
    expect(attributes(only)).toMatchObject({ rule: 'full-access-managed-policy', severity: 'low' });
    expect(only?.Message.split('\n')[0]).toBe('role Playground has AmazonBedrockFullAccess <!channel> & more');
  });

  it('refuses a bus entry without findings with a clear error, sending nothing', async () => {
    const { findings: _, ...detail } = entry.detail;
    const items = await svc.idempotencyItems();
    await expect(deliver(notify(), { ...entry, id: 'entry-malformed', detail })).rejects.toThrow(
      /does not match what this function takes: detail\.findings: .*expected array/,
    );
    expect(slack.requests).toEqual([]);
    expect(await alerts.messages()).toEqual([]);
    expect(await svc.idempotencyItems()).toBe(items);
  });

  it('releases a destination’s other claims when one claim fails, so the retry sends them all', async () => {
    const clients = new AwsClients();
    let fail = true;
    // DynamoDB unavailable past the SDK's retries, for one alert's claim only: thrown before the retry middleware.
    clients.dynamodb().middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: { id?: { S?: string } }; ConditionExpression?: string };
        const id = input.Key?.id?.S ?? '';
        if (fail && id.startsWith(`notify#slack:${MAIN_REF}#`) && id.includes('#invoke-denied#')) {
          throw new Error('DynamoDB is unavailable');
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOneClaim' },
    );
    const handler = notifyHandler({ env, aws: clients });
    const outage = variant(entry, 'entry-claim', 'Outage');
    await expect(deliver(handler, outage)).rejects.toThrow(`slack:${MAIN_REF}: DynamoDB is unavailable`);
    expect(slack.requests).toEqual([]);
    expect(await alerts.messages()).toHaveLength(2);

    fail = false;
    const retried = await deliver(handler, outage);
    expect(retried.results).toEqual([
      { destination: `slack:${MAIN_REF}`, sent: 2, held: 0 },
      { destination: topic(), sent: 0, held: 2 },
    ]);
    expect(slackBody(slack.requests[0]).blocks.filter((b) => b.type === 'header')).toHaveLength(2);
  });
});
