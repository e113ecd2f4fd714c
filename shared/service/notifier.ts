import type { FindingsEvent } from '../core/events/findings-event.js';
import { type Alert, alertKey } from '../core/notify/alert.js';
import { type Delivery, destinationKey, routeFindings } from '../core/notify/routing.js';
import { type SlackMessage, slackBatches } from '../core/notify/slack-message.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { BedrockGuardError } from '../errors.js';
import type { AlertDedupe } from './alert-dedupe.js';

/** What the notifier needs; each edge is a small interface, so tests and the CLI can run it offline. */
export interface NotifierParts {
  readonly policy: PolicyFile;
  readonly dedupe: AlertDedupe;
  /** A webhook reference (`ssm:/…`, `secretsmanager:…`, a URL) → the URL. */
  readonly secrets: { read(ref: string): Promise<string> };
  readonly slack: {
    post(url: string, message: SlackMessage, options: { label: string; remainingMs?: () => number }): Promise<unknown>;
  };
  /** Publish one alert to an SNS topic. */
  readonly sns: (topic: string, alert: Alert) => Promise<unknown>;
  readonly log?: (message: string, extra?: Record<string, unknown>) => void;
}

/** What one destination got. */
export interface DeliveryResult {
  /** `slack:<reference>` or `sns:<topic ARN>`. */
  readonly destination: string;
  readonly sent: number;
  /** Held back by deduplication (counted in the next message). */
  readonly held: number;
  readonly error?: string;
}

/** Some destinations failed: the others were delivered; these are released and the event is retried (then the DLQ). */
export class NotifyError extends BedrockGuardError {
  constructor(readonly results: readonly DeliveryResult[]) {
    super(
      `could not deliver to ${results
        .filter((r) => r.error)
        .map((r) => `${r.destination}: ${r.error}`)
        .join('; ')}`,
      {
        hint: 'Lambda retries the event (destinations that succeeded are not sent again); after the last retry it goes to the dead-letter queue with this message.',
      },
    );
    this.name = 'NotifyError';
  }
}

/**
 * The notifier: one findings event → the destinations the policy file
 * routes it to → each alert claimed once per destination and window
 * (repeats counted into the next message) → Slack messages and SNS
 * publishes. A failed destination releases its claims and the run throws,
 * so the retry sends exactly what is missing and nothing is dropped.
 */
export class Notifier {
  constructor(private readonly parts: NotifierParts) {}

  async notify(event: FindingsEvent, options: { remainingMs?: () => number } = {}): Promise<DeliveryResult[]> {
    const { policy } = this.parts;
    const deliveries = routeFindings(event, policy.notify, policy.teams);
    const results = await Promise.all(deliveries.map((d) => this.deliver(d, options)));
    this.parts.log?.('notified', { principal: event.principal ?? 'account', results });
    if (results.some((r) => r.error)) throw new NotifyError(results);
    return results;
  }

  private async deliver(delivery: Delivery, options: { remainingMs?: () => number }): Promise<DeliveryResult> {
    const destination = destinationKey(delivery.destination);
    const windowMs = this.parts.policy.notify.windowMs;
    // Settled, not all: a claim that fails must not leave the others claimed and never sent.
    const settled = await Promise.allSettled(
      delivery.alerts.map(async (alert) => ({
        alert,
        claim: await this.parts.dedupe.claim(destination, alertKey(alert), windowMs, occurrenceOf(alert)),
      })),
    );
    const claims = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const due: { alert: Alert; release: () => Promise<void> }[] = [];
    for (const { alert, claim } of claims) {
      if (claim.send) due.push({ alert: { ...alert, repeats: claim.repeats }, release: () => claim.release() });
    }
    const result = { destination, sent: 0, held: claims.length - due.length };
    const unsent = new Set(due);
    const failedClaim = settled.find((s) => s.status === 'rejected');
    if (failedClaim) return this.failed(result, unsent, failedClaim.reason);
    if (due.length === 0) return result;
    try {
      if (delivery.destination.kind === 'slack') {
        const { webhook } = delivery.destination;
        const url = await this.parts.secrets.read(webhook);
        for (const batch of slackBatches(due.map((d) => d.alert))) {
          await this.parts.slack.post(url, batch.message, {
            label: webhook,
            ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}),
          });
          for (const d of due) if (batch.alerts.includes(d.alert)) unsent.delete(d);
        }
      } else {
        for (const d of due) {
          await this.parts.sns(delivery.destination.topic, d.alert);
          unsent.delete(d);
        }
      }
      return { ...result, sent: due.length };
    } catch (error) {
      return this.failed({ ...result, sent: due.length - unsent.size }, unsent, error);
    }
  }

  /** What was not sent is claimed no more: the retry sends it, with its repeat count. */
  private async failed(
    result: DeliveryResult,
    unsent: ReadonlySet<{ alert: Alert; release: () => Promise<void> }>,
    error: unknown,
  ): Promise<DeliveryResult> {
    const released = await Promise.allSettled([...unsent].map((d) => d.release()));
    const stuck = released.filter((r) => r.status === 'rejected').length;
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...result,
      // Not released: the retry would hold them back, so the error (logged, then in the DLQ) names them.
      error: stuck > 0 ? `${message} (and ${stuck} alert(s) could not be released: ${unsentKeys(unsent)})` : message,
    };
  }
}

const unsentKeys = (unsent: ReadonlySet<{ alert: Alert }>) => [...unsent].map((d) => alertKey(d.alert)).join(', ');

/** What raised an alert: the same trigger again is a retry of it, not a repeat. */
const occurrenceOf = (alert: Alert) => `${alert.trigger.kind}:${alert.trigger.id}`;
