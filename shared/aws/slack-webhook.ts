import { setTimeout as sleep } from 'node:timers/promises';
import type { SlackMessage } from '../core/notify/slack-message.js';
import { BedrockGuardError } from '../errors.js';

export interface SlackWebhookOptions {
  /** Per attempt, the response body included. */
  readonly timeoutMs?: number;
  /** Attempts per message, the first included. */
  readonly maxAttempts?: number;
  /** First backoff ceiling for 5xx and network errors; it doubles per retry up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Time kept back from `remainingMs` for reporting the failure: no wait or attempt runs into it. */
  readonly reserveMs?: number;
}

export interface SlackPostOptions {
  /** How the webhook is named in errors (`ssm:/bedrock-guard/slack-webhook`): its URL is a secret. */
  readonly label: string;
  /** Milliseconds the caller has left (a Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs?: () => number;
}

/**
 * A message Slack did not take. `permanent`: Slack refused it (a revoked
 * webhook, an archived channel, a bad payload), so retrying won't help;
 * otherwise Slack kept failing or throttling until the attempts or the time
 * ran out. `status` is Slack's last HTTP status, absent when it never answered.
 */
export class SlackDeliveryError extends BedrockGuardError {
  readonly status: number | undefined;
  readonly attempts: number;
  readonly permanent: boolean;

  constructor(
    message: string,
    options: { status?: number; attempts: number; permanent: boolean; hint?: string; cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SlackDeliveryError';
    this.status = options.status;
    this.attempts = options.attempts;
    this.permanent = options.permanent;
  }
}

/** Hosts a test server may listen on over plain http. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Slack's default wait for a 429 without a Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

const TRANSIENT_HINT =
  'Slack kept failing or throttling (status.slack.com); the notifier retries the event, then keeps it in its dead-letter queue.';

/** What one attempt came to. */
type Outcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'answered'; readonly status: number; readonly body: string; readonly retryAfter?: string }
  | { readonly kind: 'no-answer'; readonly reason: string };

/**
 * Posts Block Kit messages to a Slack incoming webhook. A 429 waits as long
 * as Slack's `Retry-After` says; 5xx answers, network errors and timeouts
 * are retried with exponential backoff and full jitter; any other answer is
 * final. When a message can't be delivered, `post` throws a
 * {@link SlackDeliveryError}: the notifier's invocation fails, Lambda retries
 * it, and then the event lands in the dead-letter queue — an alert is never
 * dropped silently. The URL never appears in an error: it is the webhook's
 * only credential, so errors name it by `label`.
 *
 * @example
 * const webhook = new SlackWebhook();
 * await webhook.post(url, message, { label: 'ssm:/bedrock-guard/slack-webhook', remainingMs: () => context.getRemainingTimeInMillis() });
 */
export class SlackWebhook {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly reserveMs: number;

  constructor(options: SlackWebhookOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.reserveMs = options.reserveMs ?? 1_000;
  }

  async post(url: string, message: SlackMessage, options: SlackPostOptions): Promise<{ attempts: number }> {
    const { label } = options;
    const target = webhookUrl(url, label);
    const remaining = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
    const body = JSON.stringify(message);
    for (let attempt = 1; ; attempt++) {
      const budget = remaining() - this.reserveMs;
      if (budget <= 0) {
        throw new SlackDeliveryError(`Slack webhook ${label}: no time left for attempt ${attempt}`, {
          attempts: attempt - 1,
          permanent: false,
          hint: TRANSIENT_HINT,
        });
      }
      const timeoutMs = Math.min(this.timeoutMs, budget);
      const outcome = await this.attempt(target, body, timeoutMs);
      if (outcome.kind === 'delivered') return { attempts: attempt };

      const said =
        outcome.kind === 'answered'
          ? `answered ${outcome.status} ${redacted(outcome.body, [url, target.href])}`
          : outcome.reason;
      const status = outcome.kind === 'answered' ? outcome.status : undefined;
      if (status !== undefined && status !== 429 && status < 500) {
        throw new SlackDeliveryError(`Slack webhook ${label} ${said} (permanent; not retried)`, {
          status,
          attempts: attempt,
          permanent: true,
          hint: permanentHint(status, outcome.kind === 'answered' ? outcome.body : '', label),
        });
      }
      if (attempt >= this.maxAttempts) {
        throw new SlackDeliveryError(`Slack webhook ${label} ${said} (${attempt} attempts; giving up)`, {
          ...(status === undefined ? {} : { status }),
          attempts: attempt,
          permanent: false,
          hint: TRANSIENT_HINT,
        });
      }
      const waitMs =
        status === 429 && outcome.kind === 'answered'
          ? retryAfterMs(outcome.retryAfter)
          : Math.floor(Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)));
      if (waitMs + this.reserveMs > remaining()) {
        throw new SlackDeliveryError(
          `Slack webhook ${label} ${said} (attempt ${attempt}); the next try in ${Math.ceil(waitMs / 1_000)} s is past the time left`,
          { ...(status === undefined ? {} : { status }), attempts: attempt, permanent: false, hint: TRANSIENT_HINT },
        );
      }
      await sleepFor(waitMs);
    }
  }

  private async attempt(target: URL, body: string, timeoutMs: number): Promise<Outcome> {
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        // A webhook never redirects: a redirect is answered as a permanent failure, the message not sent on.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.ok) return { kind: 'delivered' };
      const retryAfter = response.headers.get('retry-after');
      return { kind: 'answered', status: response.status, body: text, ...(retryAfter ? { retryAfter } : {}) };
    } catch (error) {
      return { kind: 'no-answer', reason: noAnswer(error, timeoutMs) };
    }
  }
}

/** The URL, if it is one a webhook may be posted to: https, or http on a loopback host (a test server). */
export function postableUrl(url: string): URL | undefined {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const ok = parsed?.protocol === 'https:' || (parsed?.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  return ok ? parsed : undefined;
}

function webhookUrl(url: string, label: string): URL {
  const parsed = postableUrl(url);
  if (parsed) return parsed;
  throw new SlackDeliveryError(`Slack webhook ${label} is not an https URL; nothing was sent`, {
    attempts: 0,
    permanent: true,
    hint: `Put the incoming webhook's URL (https://hooks.slack.com/services/…) in ${label}.`,
  });
}

/** Why an attempt got no answer, without the URL (the fetch error's cause may name it). */
function noAnswer(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `did not answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' && /^[A-Z_]+$/.test(cause.code) ? ` (${cause.code})` : '';
  return `could not be reached${code}`;
}

/** Slack's answer as it goes in an error: one line, 200 characters, without the URL should it be echoed. */
function redacted(body: string, urls: readonly string[]): string {
  const line = urls
    .reduce((text, url) => text.split(url).join('[webhook URL]'), body)
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line || '(empty body)';
}

function permanentHint(status: number, body: string, label: string): string {
  if (status >= 300 && status < 400) {
    return `The URL in ${label} redirects: it should be an incoming webhook's https://hooks.slack.com/services/… URL.`;
  }
  if (status === 410 || body.includes('channel_is_archived')) {
    return `The channel is archived: unarchive it, or create a webhook for another channel and put its URL in ${label}.`;
  }
  if (status === 401 || status === 403 || status === 404) {
    return `The webhook was revoked, or its channel or app is gone (no_service, channel_not_found, invalid_token, action_prohibited): create a new incoming webhook and put its URL in ${label}.`;
  }
  return 'Slack rejected the message itself (invalid_payload, invalid_blocks…): report it to the bedrock-guard maintainers with the event from the dead-letter queue.';
}

/** Retry-After in seconds or as an HTTP date, as a wait; Slack's default when absent or unreadable. */
function retryAfterMs(value: string | undefined): number {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - Date.now());
}

/** At least `ms` by the wall clock: a timer may fire a millisecond early, a Retry-After is a floor. */
async function sleepFor(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) await sleep(left);
}
