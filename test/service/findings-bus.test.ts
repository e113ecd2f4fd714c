import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../shared/aws/findings-bus.js';
import { FINDINGS_DETAIL_TYPE, FINDINGS_SOURCE, type FindingsEvent } from '../../shared/core/events/findings-event.js';

/**
 * EventBridgePublisher against a loopback stand-in for EventBridge's PutEvents.
 *
 * The moto server accepts every PutEvents entry: it cannot fail single
 * entries (the throttled or internal-error entries the real service reports
 * in a 200 answer with `FailedEntryCount`), so the retry of failed entries
 * is tested here, against a small server that speaks EventBridge's JSON 1.1
 * protocol (`X-Amz-Target: AWSEvents.PutEvents`) to a real EventBridgeClient.
 * The publishing path itself is also covered on moto by the handler tests.
 */

interface Entry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: string[];
}

interface Call {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly entries: Entry[];
}

const calls: Call[] = [];
/** Trigger id → how many more times its entry fails (ThrottlingException). */
const failures = new Map<string, number>();
let server: Server;
let client: EventBridgeClient;

const BUS = 'bedrock-guard-test-findings';
const ACCOUNT = '111122223333';

const body = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

beforeAll(async () => {
  server = createServer((req, res) => {
    void body(req).then((text) => {
      const { Entries = [] } = JSON.parse(text) as { Entries?: Entry[] };
      calls.push({
        target: req.headers['x-amz-target'] as string | undefined,
        contentType: req.headers['content-type'],
        entries: Entries,
      });
      const results = Entries.map((entry) => {
        const id = (JSON.parse(entry.Detail ?? '{}') as FindingsEvent).trigger?.id ?? '';
        const left = failures.get(id) ?? 0;
        if (left > 0) {
          failures.set(id, left - 1);
          return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded.' };
        }
        return { EventId: randomUUID() };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  calls.length = 0;
  failures.clear();
});

/** The findings event of run `id`, about `principal` (or the account). */
const event = (id: string, principal?: string): FindingsEvent => ({
  version: 1,
  account: ACCOUNT,
  partition: 'aws',
  trigger: { kind: 'event', id, eventName: 'AttachRolePolicy', eventSource: 'iam.amazonaws.com' },
  ...(principal ? { principal } : {}),
  dryRun: false,
  findings: [
    {
      rule: 'unapproved-model-access',
      severity: 'high',
      mode: 'enforce',
      status: 'contained',
      principal: principal ?? `arn:aws:iam::${ACCOUNT}:role/AppBackend`,
      model: 'deepseek.r1-v1:0',
      message: 'can invoke deepseek.r1-v1:0',
    },
  ],
  actions: [],
});

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => event(`evt-${i}`, `arn:aws:iam::${ACCOUNT}:role/Role${i}`));
const idsOf = (call: Call | undefined) =>
  (call?.entries ?? []).map((e) => (JSON.parse(e.Detail ?? '{}') as FindingsEvent).trigger.id);

describe('EventBridgePublisher', () => {
  const publisher = () => new EventBridgePublisher(client, BUS);

  it('speaks PutEvents over JSON 1.1', async () => {
    await publisher().publish([event('evt-0')]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe('AWSEvents.PutEvents');
    expect(calls[0]?.contentType).toBe('application/x-amz-json-1.1');
  });

  it('sends 25 events in 3 calls of at most 10 entries, in order', async () => {
    const all = events(25);
    expect(await publisher().publish(all)).toBe(25);
    expect(calls.map((c) => c.entries.length)).toEqual([10, 10, 5]);
    expect(calls.flatMap(idsOf)).toEqual(all.map((e) => e.trigger.id));
  });

  it('sends nothing for no events', async () => {
    expect(await publisher().publish([])).toBe(0);
    expect(calls).toEqual([]);
  });

  it('builds each entry from the event: bus, source, detail-type, the JSON detail, the principal as resource', async () => {
    const principal = `arn:aws:iam::${ACCOUNT}:role/AppBackend`;
    const e = event('evt-1', principal);
    await publisher().publish([e]);
    const [entry] = calls[0]?.entries ?? [];
    expect(entry).toStrictEqual({
      EventBusName: BUS,
      Source: FINDINGS_SOURCE,
      DetailType: FINDINGS_DETAIL_TYPE,
      Detail: JSON.stringify(e),
      Resources: [principal],
    });
    expect(FINDINGS_SOURCE).toBe('bedrock-guard');
    expect(FINDINGS_DETAIL_TYPE).toBe('Bedrock Guard Findings');
    expect(JSON.parse(entry?.Detail ?? '')).toStrictEqual(e);
  });

  it('gives an account entry (no principal) no resources', async () => {
    await publisher().publish([event('evt-account')]);
    expect(calls[0]?.entries[0]).not.toHaveProperty('Resources');
  });

  it('sends the entries that failed again, alone, until they succeed', async () => {
    failures.set('evt-1', 1);
    failures.set('evt-3', 2);
    expect(await publisher().publish(events(5))).toBe(5);
    expect(calls.map(idsOf)).toEqual([['evt-0', 'evt-1', 'evt-2', 'evt-3', 'evt-4'], ['evt-1', 'evt-3'], ['evt-3']]);
  });

  it('retries the failures of each batch within that batch', async () => {
    failures.set('evt-12', 1);
    await publisher().publish(events(15));
    expect(calls.map((c) => c.entries.length)).toEqual([10, 5, 1]);
    expect(idsOf(calls[2])).toEqual(['evt-12']);
  });

  it('throws after 3 attempts, naming how many entries failed and the error code', async () => {
    failures.set('evt-0', 5);
    failures.set('evt-2', 5);
    failures.set('evt-4', 1);
    await expect(publisher().publish(events(5))).rejects.toThrow(
      /refused 2 findings event\(s\) on bus bedrock-guard-test-findings after 3 attempts: ThrottlingException Rate exceeded\./,
    );
    expect(calls.map(idsOf)).toEqual([
      ['evt-0', 'evt-1', 'evt-2', 'evt-3', 'evt-4'],
      ['evt-0', 'evt-2', 'evt-4'],
      ['evt-0', 'evt-2'],
    ]);
  });

  it('stops at the batch that failed: later batches are not sent', async () => {
    failures.set('evt-0', 3);
    await expect(publisher().publish(events(25))).rejects.toThrow(/refused 1 findings event/);
    expect(calls.map((c) => c.entries.length)).toEqual([10, 1, 1]);
  });
});
