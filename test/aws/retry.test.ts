import { createServer, type Server } from 'node:http';
import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import type { RetryErrorInfo, RetryToken } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallStats } from '../../shared/aws/call-stats.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { DeadlineRetryStrategy, type RetryOptions } from '../../shared/aws/retry.js';

const throttling: RetryErrorInfo = { errorType: 'THROTTLING' };

/** The delays of `retries` successive retries, or the reason the strategy stopped. */
async function delays(options: RetryOptions, retries: number, info: RetryErrorInfo = throttling): Promise<number[]> {
  const strategy = new DeadlineRetryStrategy(options);
  let token = await strategy.acquireInitialRetryToken();
  const out: number[] = [];
  for (let i = 0; i < retries; i++) {
    token = await strategy.refreshRetryTokenForRetry(token, info);
    out.push(token.getRetryDelay());
  }
  return out;
}

/** A token as the SDK holds it after `count` retries. */
const after = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 0 });

const sdkError = (name: string, httpStatusCode: number): RetryErrorInfo['error'] =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode }, cause: undefined });

describe('DeadlineRetryStrategy backoff', () => {
  it('starts with no retries and no delay', async () => {
    const token = await new DeadlineRetryStrategy().acquireInitialRetryToken();
    expect(token.getRetryCount()).toBe(0);
    expect(token.getRetryDelay()).toBe(0);
  });

  it('doubles the ceiling per retry up to maxDelayMs (jitter near 1 gives near-ceiling delays)', async () => {
    const near = await delays({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999 }, 6);
    expect(near).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('is full jitter: a random draw of 0 waits nothing', async () => {
    expect(await delays({ baseDelayMs: 100, random: () => 0 }, 4)).toEqual([0, 0, 0, 0]);
  });

  it('scales the delay by the random draw within the ceiling', async () => {
    expect(await delays({ baseDelayMs: 100, random: () => 0.5 }, 3)).toEqual([50, 100, 200]);
  });

  it('counts retries on the token', async () => {
    const strategy = new DeadlineRetryStrategy({ random: () => 0 });
    const first = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), throttling);
    const second = await strategy.refreshRetryTokenForRetry(first, throttling);
    expect([first.getRetryCount(), second.getRetryCount()]).toEqual([1, 2]);
  });
});

describe('DeadlineRetryStrategy decisions', () => {
  const strategy = new DeadlineRetryStrategy({ random: () => 0 });

  it.each(['THROTTLING', 'TRANSIENT', 'SERVER_ERROR'] as const)('retries %s errors', async (errorType) => {
    await expect(strategy.refreshRetryTokenForRetry(after(0), { errorType })).resolves.toMatchObject({});
  });

  it('does not retry client errors', async () => {
    await expect(strategy.refreshRetryTokenForRetry(after(0), { errorType: 'CLIENT_ERROR' })).rejects.toThrow(
      'not retryable',
    );
  });

  it('stops after maxAttempts attempts, the first included', async () => {
    const three = new DeadlineRetryStrategy({ maxAttempts: 3, random: () => 0 });
    await expect(three.refreshRetryTokenForRetry(after(1), throttling)).resolves.toBeDefined();
    await expect(three.refreshRetryTokenForRetry(after(2), throttling)).rejects.toThrow('out of attempts');
  });

  it('allows 8 attempts by default', async () => {
    await expect(strategy.refreshRetryTokenForRetry(after(6), throttling)).resolves.toBeDefined();
    await expect(strategy.refreshRetryTokenForRetry(after(7), throttling)).rejects.toThrow('out of attempts');
  });

  it('refuses a retry whose wait plus reserveMs exceeds the time left', async () => {
    const options = { baseDelayMs: 100, reserveMs: 1_000, random: () => 0.999 };
    const tight = new DeadlineRetryStrategy({ ...options, remainingMs: () => 1_098 });
    await expect(tight.refreshRetryTokenForRetry(after(0), throttling)).rejects.toThrow('out of time');
    const enough = new DeadlineRetryStrategy({ ...options, remainingMs: () => 1_099 });
    expect((await enough.refreshRetryTokenForRetry(after(0), throttling)).getRetryDelay()).toBe(99);
  });

  it('asks for the time left at each retry', async () => {
    let left = 5_000;
    const timed = new DeadlineRetryStrategy({ reserveMs: 1_000, random: () => 0, remainingMs: () => left });
    await expect(timed.refreshRetryTokenForRetry(after(0), throttling)).resolves.toBeDefined();
    left = 999;
    await expect(timed.refreshRetryTokenForRetry(after(1), throttling)).rejects.toThrow('out of time');
  });

  it('never retries IAM LimitExceeded (HTTP 409): a quota, not throttling', async () => {
    const info: RetryErrorInfo = { errorType: 'THROTTLING', error: sdkError('LimitExceededException', 409) };
    await expect(strategy.refreshRetryTokenForRetry(after(0), info)).rejects.toThrow('not retryable');
  });

  it('retries a LimitExceededException with HTTP 400: throttling elsewhere', async () => {
    const info: RetryErrorInfo = { errorType: 'THROTTLING', error: sdkError('LimitExceededException', 400) };
    await expect(strategy.refreshRetryTokenForRetry(after(0), info)).resolves.toBeDefined();
  });
});

describe('DeadlineRetryStrategy and Retry-After', () => {
  const NOW = new Date('2025-01-01T00:00:00Z');
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterAll(() => vi.useRealTimers());
  const hint = (ms: number): RetryErrorInfo => ({
    errorType: 'THROTTLING',
    retryAfterHint: new Date(NOW.getTime() + ms),
  });

  it('waits at least as long as the server asks', async () => {
    const strategy = new DeadlineRetryStrategy({ baseDelayMs: 100, random: () => 0 });
    expect((await strategy.refreshRetryTokenForRetry(after(0), hint(5_000))).getRetryDelay()).toBe(5_000);
  });

  it('keeps a longer jittered delay: the hint is a floor, not the delay', async () => {
    const strategy = new DeadlineRetryStrategy({ baseDelayMs: 100, random: () => 0.999 });
    expect((await strategy.refreshRetryTokenForRetry(after(0), hint(10))).getRetryDelay()).toBe(99);
    expect((await strategy.refreshRetryTokenForRetry(after(0), hint(-1_000))).getRetryDelay()).toBe(99);
  });

  it('refuses a retry when the server asks to wait beyond the time left', async () => {
    const strategy = new DeadlineRetryStrategy({ random: () => 0, reserveMs: 1_000, remainingMs: () => 5_000 });
    await expect(strategy.refreshRetryTokenForRetry(after(0), hint(4_500))).rejects.toThrow('out of time');
  });
});

/**
 * A loopback IAM (query protocol, XML) that answers each request with the next
 * scripted response, the last one repeated.
 */
interface Scripted {
  readonly status: number;
  readonly body: string;
}

const iamError = (status: number, code: string, message: string): Scripted => ({
  status,
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
});
const THROTTLED = iamError(400, 'Throttling', 'Rate exceeded');
const SUMMARY: Scripted = {
  status: 200,
  body:
    '<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult><SummaryMap>' +
    '<entry><key>Users</key><value>2</value></entry>' +
    '<entry><key>AttachedPoliciesPerRoleQuota</key><value>20</value></entry>' +
    '</SummaryMap></GetAccountSummaryResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetAccountSummaryResponse>',
};

describe('with the real IAM client, against a loopback IAM', () => {
  let server: Server;
  let endpoint: string;
  let script: Scripted[] = [];
  const actions: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        actions.push(new URLSearchParams(body).get('Action') ?? '');
        const next = (script.length > 1 ? script.shift() : script[0]) as Scripted;
        res.writeHead(next.status, { 'content-type': 'text/xml' }).end(next.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    actions.length = 0;
  });

  const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

  it('retries IAM throttling and succeeds on the third attempt', async () => {
    script = [THROTTLED, THROTTLED, SUMMARY];
    const iam = new IAMClient({
      region: 'us-east-1',
      credentials,
      endpoint,
      retryStrategy: new DeadlineRetryStrategy({ baseDelayMs: 1, random: () => 0.5 }),
    });
    const out = await iam.send(new GetAccountSummaryCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    expect(out.SummaryMap).toEqual({ Users: 2, AttachedPoliciesPerRoleQuota: 20 });
    expect(actions).toEqual(['GetAccountSummary', 'GetAccountSummary', 'GetAccountSummary']);
  });

  it('gives up on IAM LimitExceeded (HTTP 409) after one attempt', async () => {
    script = [iamError(409, 'LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 10'), SUMMARY];
    const iam = new IAMClient({
      region: 'us-east-1',
      credentials,
      endpoint,
      retryStrategy: new DeadlineRetryStrategy({ baseDelayMs: 1, random: () => 0.5 }),
    });
    const error = await iam.send(new GetAccountSummaryCommand({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 409, attempts: 1 } });
    expect(actions).toHaveLength(1);
  });

  it('AwsClients counts every HTTP attempt, retries included, per Service.Operation', async () => {
    script = [THROTTLED, THROTTLED, SUMMARY];
    // Only AWS_ENDPOINT_URL decides the endpoint: a service-specific one or the opt-out would override it.
    const names = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_IAM', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] as const;
    const saved = names.map((name) => [name, process.env[name]] as const);
    for (const name of names) delete process.env[name];
    process.env.AWS_ENDPOINT_URL = endpoint;
    try {
      const clients = new AwsClients({ credentials, retry: { baseDelayMs: 1 } });
      const out = await clients.iam('aws').send(new GetAccountSummaryCommand({}));
      expect(out.$metadata.attempts).toBe(3);
      expect(clients.stats.total).toBe(3);
      expect(clients.stats.byOperation()).toEqual([['IAM.GetAccountSummary', 3]]);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('CallStats', () => {
  it('sums every call and sorts operations by count, then by name', () => {
    const stats = new CallStats();
    for (const [service, op] of [
      ['IAM', 'ListRoles'],
      ['STS', 'GetCallerIdentity'],
      ['IAM', 'ListRoles'],
      ['Bedrock', 'ListFoundationModels'],
    ] as const)
      stats.add(service, op);
    expect(stats.total).toBe(4);
    expect(stats.byOperation()).toEqual([
      ['IAM.ListRoles', 2],
      ['Bedrock.ListFoundationModels', 1],
      ['STS.GetCallerIdentity', 1],
    ]);
  });
});
