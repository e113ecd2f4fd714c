import { describe, expect, it } from 'vitest';
import type { FindingsEvent, PublishedFinding } from '../../shared/core/events/findings-event.js';
import type { Alert } from '../../shared/core/notify/alert.js';
import type { SlackMessage } from '../../shared/core/notify/slack-message.js';
import { policyFile } from '../support/policy-file.js';
import { MemoryAlertDedupe } from '../../shared/service/alert-dedupe.js';
import { Notifier, NotifyError } from '../../shared/service/notifier.js';

// The notifier's orchestration, with its edges (Slack, SNS, the secret store) replaced by recorders and the
// in-memory deduplication: test/service/notify-handler.test.ts runs the real adapters on moto and a loopback Slack.

const HOUR = 3_600_000;
const SLACK = 'ssm:/bedrock-guard/slack';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:bedrock-guard-alerts';

const finding = (rule: string, model: string, severity: PublishedFinding['severity'] = 'high'): PublishedFinding => ({
  rule,
  severity,
  mode: 'alert',
  status: 'open',
  model,
  message: `${rule} on ${model}`,
});

const event = (findings: PublishedFinding[], id = 'e-1'): FindingsEvent => ({
  version: 1,
  account: '111122223333',
  partition: 'aws',
  trigger: { kind: 'event', id },
  principal: 'arn:aws:iam::111122223333:role/AppBackend',
  dryRun: false,
  findings,
  actions: [],
});

function setup(options: { failSlack?: (call: number) => boolean; failSecret?: boolean } = {}) {
  const clock = { now: 100 * HOUR };
  const posts: SlackMessage[] = [];
  const published: Alert[] = [];
  let calls = 0;
  const policy = {
    ...policyFile({ regions: ['us-east-1'], models: { standard: ['amazon.nova-micro-v1:0'] }, teams: [] }),
    notify: {
      slack: { webhook: SLACK, minSeverity: 'low' as const },
      sns: { topic: TOPIC, minSeverity: 'low' as const },
      routes: [],
      windowMs: HOUR,
    },
  };
  const notifier = new Notifier({
    policy,
    dedupe: new MemoryAlertDedupe(() => clock.now),
    secrets: {
      read: async (ref) => {
        if (options.failSecret) throw new Error(`no SSM parameter ${ref.slice(4)}`);
        return 'https://hooks.slack.com/services/T0/B0/secret';
      },
    },
    slack: {
      post: async (_url, message) => {
        calls++;
        if (options.failSlack?.(calls)) throw new Error('Slack webhook answered 500 (retried 5 times)');
        posts.push(message);
      },
    },
    sns: async (_topic, alert) => {
      published.push(alert);
    },
  });
  return { notifier, clock, posts, published };
}

const slackText = (m: SlackMessage) => JSON.stringify(m.blocks);

describe('Notifier', () => {
  it('sends each finding to each destination once per window, then with the count of repeats', async () => {
    const { notifier, clock, posts, published } = setup();
    const e = event([finding('unapproved-model-invoked', 'deepseek.r1-v1:0')]);
    const first = await notifier.notify(e);
    expect(first).toEqual([
      { destination: `slack:${SLACK}`, sent: 1, held: 0 },
      { destination: `sns:${TOPIC}`, sent: 1, held: 0 },
    ]);
    expect(await notifier.notify(event(e.findings as PublishedFinding[], 'e-2'))).toEqual([
      { destination: `slack:${SLACK}`, sent: 0, held: 1 },
      { destination: `sns:${TOPIC}`, sent: 0, held: 1 },
    ]);
    await notifier.notify(event(e.findings as PublishedFinding[], 'e-3'));
    expect(posts).toHaveLength(1);
    clock.now += HOUR;
    await notifier.notify(event(e.findings as PublishedFinding[], 'e-4'));
    expect(posts).toHaveLength(2);
    expect(slackText(posts[1] as SlackMessage)).toContain('2 more like this since the last message');
    expect(published.map((a) => a.repeats)).toEqual([0, 2]);
  });

  it('keeps alerts about different models (resources) apart', async () => {
    const { notifier, posts } = setup();
    await notifier.notify(event([finding('unapproved-model-invoked', 'deepseek.r1-v1:0')]));
    await notifier.notify(event([finding('unapproved-model-invoked', 'meta.llama3-70b-instruct-v1:0')], 'e-2'));
    expect(posts).toHaveLength(2);
  });

  it('fails the run when a destination fails, delivers the others, and sends the failed one on the retry', async () => {
    let failing = true;
    const { notifier, posts, published } = setup({ failSlack: () => failing });
    const e = event([finding('guard-policy-tampered', 'bedrock-guard-deny-role-AppBackend')]);
    const error = await notifier.notify(e).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as Error).message).toBe(
      `could not deliver to slack:${SLACK}: Slack webhook answered 500 (retried 5 times)`,
    );
    expect((error as NotifyError).results).toContainEqual({ destination: `sns:${TOPIC}`, sent: 1, held: 0 });
    expect(published).toHaveLength(1);
    // Lambda's retry: Slack gets it now; SNS, already delivered, is not sent twice.
    failing = false;
    expect(await notifier.notify(e)).toEqual([
      { destination: `slack:${SLACK}`, sent: 1, held: 0 },
      { destination: `sns:${TOPIC}`, sent: 0, held: 1 },
    ]);
    expect(posts).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('on a failure part-way through a long Slack delivery, resends only the messages that failed', async () => {
    const { notifier, posts } = setup({ failSlack: (call) => call === 2 });
    // Enough findings for several messages (50 blocks each).
    const findings = Array.from({ length: 40 }, (_, i) => finding('unapproved-model-invoked', `model-${i}`));
    await expect(notifier.notify(event(findings))).rejects.toThrow(NotifyError);
    const firstBatch = posts.length;
    expect(firstBatch).toBeGreaterThan(0);
    const delivered = posts.flatMap((m) => slackText(m).match(/model-\d+/g) ?? []);
    await notifier.notify(event(findings));
    const resent = posts.slice(firstBatch).flatMap((m) => slackText(m).match(/model-\d+/g) ?? []);
    // Every finding reached Slack exactly once across the two runs.
    expect(new Set([...delivered, ...resent]).size).toBe(40);
    expect(resent.filter((m) => delivered.includes(m))).toEqual([]);
  });

  it('names the webhook reference, not the URL, when it cannot be read, and releases its alerts', async () => {
    const { notifier } = setup({ failSecret: true });
    const e = event([finding('unapproved-model-invoked', 'deepseek.r1-v1:0')]);
    await expect(notifier.notify(e)).rejects.toThrow(`slack:${SLACK}: no SSM parameter /bedrock-guard/slack`);
    // Released: the retry sends it (here it fails the same way, and is still not held back).
    const again = await notifier.notify(e).catch((thrown: NotifyError) => thrown.results);
    expect(again).toContainEqual(expect.objectContaining({ destination: `slack:${SLACK}`, held: 0 }));
  });

  it('sends nothing, and calls nothing, when no finding passes any destination', async () => {
    const { notifier, posts, published } = setup();
    expect(await notifier.notify(event([finding('invoke-denied', 'amazon.nova-micro-v1:0', 'info')]))).toEqual([]);
    expect(posts).toEqual([]);
    expect(published).toEqual([]);
  });
});
