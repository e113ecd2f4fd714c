import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SlackDeliveryError, SlackWebhook } from '../../shared/aws/slack-webhook.js';
import type { SlackMessage } from '../../shared/core/notify/slack-message.js';

const LABEL = 'ssm:/bedrock-guard/slack-webhook';
/** The secret part of a webhook URL: it must never show in an error. */
const SECRET = 'T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX';

const MESSAGE: SlackMessage = {
  text: 'bedrock-guard HIGH unapproved-model-invoked (open): arn:aws:iam::123456789012:role/app',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'HIGH · unapproved-model-invoked · open', emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: '*Fix*\nGrant the model.', verbatim: true } },
  ],
};

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** How the server answers its n-th request (0-based); `undefined` never answers. */
type Script = (n: number, res: ServerResponse) => void;

const answer =
  (status: number, body = 'ok', headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };

let received: Received[] = [];
let script: Script = (_, res) => answer(200)(res);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const n = received.length;
    received.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: performance.now(),
    });
    script(n, res);
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${SECRET}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  script = (_, res) => answer(200)(res);
});

/** The error `post` threw, checked for the label and against leaking the URL. */
async function failure(promise: Promise<unknown>): Promise<SlackDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackDeliveryError);
  const e = error as SlackDeliveryError;
  expect(e.message).toContain(LABEL);
  for (const text of [e.message, e.hint ?? '', e.describe(), e.stack ?? '', JSON.stringify(e), String(e.cause)]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('XXXXXXXX');
  }
  return e;
}

const fast = new SlackWebhook({ timeoutMs: 500, maxAttempts: 3, baseDelayMs: 10 });

describe('SlackWebhook.post', () => {
  it('posts the message as JSON', async () => {
    await expect(fast.post(url, MESSAGE, { label: LABEL })).resolves.toEqual({ attempts: 1 });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/services/${SECRET}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(MESSAGE);
  });

  it('waits as long as a 429 Retry-After says, then delivers', async () => {
    script = (n, res) => (n === 0 ? answer(429, 'rate_limited', { 'retry-after': '1' }) : answer(200))(res);
    await expect(fast.post(url, MESSAGE, { label: LABEL })).resolves.toEqual({ attempts: 2 });
    expect(received).toHaveLength(2);
    const [first, second] = received;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('reads a Retry-After given as an HTTP date (one in the past: at once)', async () => {
    const past = new Date(Date.now() - 60_000).toUTCString();
    script = (n, res) => (n === 0 ? answer(429, 'rate_limited', { 'retry-after': past }) : answer(200))(res);
    const started = performance.now();
    await expect(fast.post(url, MESSAGE, { label: LABEL })).resolves.toEqual({ attempts: 2 });
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('retries a 5xx, then delivers', async () => {
    script = (n, res) => (n === 0 ? answer(500, 'internal_error') : answer(200))(res);
    await expect(fast.post(url, MESSAGE, { label: LABEL })).resolves.toEqual({ attempts: 2 });
    expect(received).toHaveLength(2);
  });

  it('gives up after maxAttempts of 5xx: not permanent, so the event is retried and then dead-lettered', async () => {
    script = (_, res) => answer(503, 'service_unavailable')(res);
    const e = await failure(fast.post(url, MESSAGE, { label: LABEL }));
    expect(received).toHaveLength(3);
    expect(e).toMatchObject({ status: 503, attempts: 3, permanent: false });
    expect(e.message).toContain('503 service_unavailable');
    expect(e.hint).toContain('dead-letter queue');
  });

  it('does not retry what Slack refuses for good (404 no_service), and never names the URL', async () => {
    script = (_, res) => answer(404, 'no_service')(res);
    const e = await failure(fast.post(url, MESSAGE, { label: LABEL }));
    expect(received).toHaveLength(1);
    expect(e).toMatchObject({ status: 404, attempts: 1, permanent: true });
    expect(e.message).toBe(`Slack webhook ${LABEL} answered 404 no_service (permanent; not retried)`);
    expect(e.hint).toContain(LABEL);
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'invalid_token'],
    [410, 'channel_is_archived'],
  ])('does not retry %i %s', async (status, body) => {
    script = (_, res) => answer(status, body)(res);
    const e = await failure(fast.post(url, MESSAGE, { label: LABEL }));
    expect(received).toHaveLength(1);
    expect(e).toMatchObject({ status, attempts: 1, permanent: true });
    expect(e.message).toContain(body);
  });

  it('redacts the URL should Slack echo it, and cuts its answer at 200 characters', async () => {
    script = (_, res) => answer(400, `bad ${url} ${'x'.repeat(500)}`)(res);
    const e = await failure(fast.post(url, MESSAGE, { label: LABEL }));
    expect(e.message).toContain('[webhook URL]');
    expect(e.message.length).toBeLessThan(LABEL.length + 300);
  });

  it('times out a server that never answers, retries, then throws', async () => {
    script = () => undefined;
    const webhook = new SlackWebhook({ timeoutMs: 200, maxAttempts: 2, baseDelayMs: 10 });
    const e = await failure(webhook.post(url, MESSAGE, { label: LABEL }));
    expect(received).toHaveLength(2);
    expect(e).toMatchObject({ status: undefined, attempts: 2, permanent: false });
    expect(e.message).toContain('did not answer within 200 ms');
  });

  it('retries a refused connection, then throws', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = await failure(fast.post(`http://127.0.0.1:${port}/services/${SECRET}`, MESSAGE, { label: LABEL }));
    expect(e).toMatchObject({ attempts: 3, permanent: false });
    expect(e.message).toContain('could not be reached (ECONNREFUSED)');
  });

  it('does not wait for a Retry-After past the time left', async () => {
    script = (_, res) => answer(429, 'rate_limited', { 'retry-after': '5' })(res);
    const started = performance.now();
    const e = await failure(fast.post(url, MESSAGE, { label: LABEL, remainingMs: () => 3_000 }));
    expect(performance.now() - started).toBeLessThan(500);
    expect(received).toHaveLength(1);
    expect(e).toMatchObject({ status: 429, attempts: 1, permanent: false });
    expect(e.message).toContain('past the time left');
  });

  it('makes no attempt without the safety margin left', async () => {
    const e = await failure(fast.post(url, MESSAGE, { label: LABEL, remainingMs: () => 900 }));
    expect(received).toHaveLength(0);
    expect(e).toMatchObject({ attempts: 0, permanent: false });
  });

  it.each([
    'http://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX',
    'http://127.0.0.1.nip.io/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX',
    'ftp://127.0.0.1/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX',
    'hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX',
    '',
  ])('rejects %j without a request', async (bad) => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    try {
      const e = await failure(fast.post(bad, MESSAGE, { label: LABEL }));
      expect(e).toMatchObject({ attempts: 0, permanent: true, status: undefined });
      expect(fetch).not.toHaveBeenCalled();
      expect(received).toHaveLength(0);
    } finally {
      fetch.mockRestore();
    }
  });
});
