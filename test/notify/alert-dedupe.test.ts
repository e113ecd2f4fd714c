import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoAlertDedupe } from '../../shared/aws/alert-dedupe.js';
import { type AlertDedupe, type Claim, MemoryAlertDedupe } from '../../shared/service/alert-dedupe.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto, createIdTable } from '../support/moto.js';

const TABLE = 'idempotency-test';
const HOUR = 3_600_000;
const SLACK = 'slack:ssm:/bedrock-guard/slack-webhook';
const SNS = 'sns:arn:aws:sns:us-east-1:123456789012:bedrock-guard-alerts';
const KEY = '123456789012#unapproved-model-access#arn:aws:iam::123456789012:role/AppBackend#deepseek.r1-v1:0';

let moto: MotoServer;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
});
beforeEach(async () => {
  await moto.reset();
  await createIdTable(client, TABLE);
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

/** The clock a test moves, starting at an hour boundary plus a bit, so windows never align with it. */
function testClock() {
  return { now: 10 * HOUR + 123_456 };
}

const implementations: [string, (now: () => number) => AlertDedupe][] = [
  ['MemoryAlertDedupe', (now) => new MemoryAlertDedupe(now)],
  ['DynamoAlertDedupe', (now) => new DynamoAlertDedupe(client, TABLE, now)],
];

/** What a claim tells the notifier, without the release function. */
const outcome = (claim: Claim) => (claim.send ? { send: true, repeats: claim.repeats } : { send: false });
const SENDS = (repeats: number) => ({ send: true, repeats });
const HELD = { send: false };

describe.each(implementations)('%s', (_name, make) => {
  function dedupe() {
    const clock = testClock();
    return { dedupe: make(() => clock.now), clock };
  }

  it('sends the first alert with no repeats, and holds back the same alert within the window', async () => {
    const { dedupe: d, clock } = dedupe();
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    clock.now += HOUR - 1;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
  });

  it('sends again after the window, with how many were held back', async () => {
    const { dedupe: d, clock } = dedupe();
    await d.claim(SLACK, KEY, HOUR);
    await d.claim(SLACK, KEY, HOUR);
    await d.claim(SLACK, KEY, HOUR);
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(2));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    // Nothing held back in the last window: the next message says so.
    clock.now += 2 * HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(1));
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
  });

  it('holds back the retry of the occurrence that was sent without counting it as a repeat', async () => {
    const { dedupe: d, clock } = dedupe();
    expect(outcome(await d.claim(SLACK, KEY, HOUR, 'event:e-1'))).toEqual(SENDS(0));
    // Lambda's retry of the same bus entry (another destination failed): held, and not a repeat.
    expect(outcome(await d.claim(SLACK, KEY, HOUR, 'event:e-1'))).toEqual(HELD);
    expect(outcome(await d.claim(SLACK, KEY, HOUR, 'event:e-1'))).toEqual(HELD);
    // Another event with the same alert: a repeat.
    expect(outcome(await d.claim(SLACK, KEY, HOUR, 'event:e-2'))).toEqual(HELD);
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR, 'event:e-3'))).toEqual(SENDS(1));
  });

  it('measures the window from the last sent message, not from the clock', async () => {
    const { dedupe: d, clock } = dedupe();
    clock.now = 11 * HOUR - 60_000;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
    // Past the hour boundary, still within an hour of the message.
    clock.now += 2 * 60_000;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    clock.now += HOUR - 2 * 60_000;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(1));
  });

  it('takes the window per claim', async () => {
    const { dedupe: d, clock } = dedupe();
    await d.claim(SLACK, KEY, 60_000);
    clock.now += 60_000;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
    clock.now += 60_000;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
  });

  it('keeps destinations and keys apart', async () => {
    const { dedupe: d } = dedupe();
    const other = KEY.replace('deepseek.r1-v1:0', 'amazon.nova-pro-v1:0');
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SNS, KEY, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SLACK, other, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SNS, other, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    expect(outcome(await d.claim(SNS, other, HOUR))).toEqual(HELD);
  });

  it('reopens the window on release, and carries the repeats into the next message', async () => {
    const { dedupe: d, clock } = dedupe();
    await d.claim(SLACK, KEY, HOUR);
    await d.claim(SLACK, KEY, HOUR);
    await d.claim(SLACK, KEY, HOUR);
    clock.now += HOUR;
    const failed = await d.claim(SLACK, KEY, HOUR);
    expect(outcome(failed)).toEqual(SENDS(2));
    // Held back while the failed delivery still held the window.
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    if (failed.send) await failed.release();
    // The retry: the two it carried and the one held back meanwhile.
    const retry = await d.claim(SLACK, KEY, HOUR);
    expect(outcome(retry)).toEqual(SENDS(3));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
  });

  it('releases a claim once: a second release does not put the repeats back again', async () => {
    const { dedupe: d, clock } = dedupe();
    await d.claim(SLACK, KEY, HOUR);
    await d.claim(SLACK, KEY, HOUR);
    clock.now += HOUR;
    const failed = await d.claim(SLACK, KEY, HOUR);
    expect(outcome(failed)).toEqual(SENDS(1));
    if (!failed.send) return;
    await failed.release();
    await failed.release();
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(1));
    await failed.release();
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(1));
  });

  it('does not clobber a later claim when an old one is released', async () => {
    const { dedupe: d, clock } = dedupe();
    const late = await d.claim(SLACK, KEY, HOUR);
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    // The first delivery fails after its window: the second one's window and count stand.
    if (late.send) await late.release();
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(2));
  });

  it('uses the real clock by default', async () => {
    const d = make(Date.now);
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(0));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
  });
});

describe('DynamoAlertDedupe on the table', () => {
  const item = async (destination: string, key: string) =>
    (await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: `notify#${destination}#${key}` } } })))
      .Item;

  it('keeps one item per destination and key, which expires a week after its window', async () => {
    const clock = testClock();
    const d = new DynamoAlertDedupe(client, TABLE, () => clock.now);
    await d.claim(SNS, KEY, HOUR);
    await d.claim(SNS, KEY, HOUR);
    const stored = await item(SNS, KEY);
    expect(stored).toMatchObject({
      windowEnd: { N: String(clock.now + HOUR) },
      repeats: { N: '1' },
      expiration: { N: String(Math.ceil((clock.now + HOUR) / 1000) + 7 * 86_400) },
    });
    expect(stored?.claimId?.S).toMatch(/^[0-9a-f-]{36}$/);
    expect(await item(SLACK, KEY)).toBeUndefined();
  });

  it('sends one of ten concurrent claims, and reports the other nine in the next message', async () => {
    const clock = testClock();
    const d = new DynamoAlertDedupe(client, TABLE, () => clock.now);
    const claims = await Promise.all(Array.from({ length: 10 }, () => d.claim(SLACK, KEY, HOUR)));
    expect(claims.filter((c) => c.send)).toHaveLength(1);
    clock.now += HOUR;
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(9));
  });

  it('sends the next claim with the nine held back when the winner of ten releases', async () => {
    const clock = testClock();
    const d = new DynamoAlertDedupe(client, TABLE, () => clock.now);
    const claims = await Promise.all(Array.from({ length: 10 }, () => d.claim(SLACK, KEY, HOUR)));
    const winners = claims.filter((c) => c.send);
    expect(winners).toHaveLength(1);
    await winners[0]?.release();
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(SENDS(9));
    expect(outcome(await d.claim(SLACK, KEY, HOUR))).toEqual(HELD);
  });

  it('counts every alert when claims race a release', async () => {
    const clock = testClock();
    const d = new DynamoAlertDedupe(client, TABLE, () => clock.now);
    const first = await d.claim(SLACK, KEY, HOUR);
    const [claims] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => d.claim(SLACK, KEY, HOUR))),
      first.send ? first.release() : undefined,
    ]);
    // Each of the ten was sent or is reported by a message: the winner's, or the next one.
    const reported = (c: Claim) => (c.send ? 1 + c.repeats : 0);
    const sent = claims.filter((c) => c.send);
    clock.now += HOUR;
    const next = await d.claim(SLACK, KEY, HOUR);
    expect(sent.length).toBeLessThanOrEqual(1);
    expect(next.send).toBe(true);
    expect(sent.reduce((sum, c) => sum + reported(c), 0) + reported(next) - 1).toBe(10);
  });
});
