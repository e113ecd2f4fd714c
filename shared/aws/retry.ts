import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

export interface RetryOptions {
  /** Attempts per call, the first included. */
  readonly maxAttempts?: number;
  /** First backoff ceiling; it doubles per retry up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /**
   * Milliseconds the caller has left (a Lambda's `getRemainingTimeInMillis`).
   * A retry whose wait would not leave `reserveMs` for the attempt itself is
   * not made: the error surfaces while there is still time to report it.
   */
  readonly remainingMs?: () => number;
  readonly reserveMs?: number;
  /** For tests: a number in [0, 1). */
  readonly random?: () => number;
}

const RETRYABLE = new Set<RetryErrorInfo['errorType']>(['THROTTLING', 'TRANSIENT', 'SERVER_ERROR']);

/**
 * The SDK's retry strategy for every guard client: exponential backoff with
 * full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter") on
 * throttling, 5xx and connection errors, bounded by attempts and by the time
 * the caller has left. Unlike the SDK's standard strategy there is no shared
 * retry quota: a sweep of thousands of calls under sustained throttling keeps
 * backing off instead of failing once the bucket is empty.
 */
export class DeadlineRetryStrategy implements RetryStrategyV2 {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly remainingMs: () => number;
  private readonly reserveMs: number;
  private readonly random: () => number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.remainingMs = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
    this.reserveMs = options.reserveMs ?? 1_000;
    this.random = options.random ?? Math.random;
  }

  acquireInitialRetryToken(): Promise<RetryToken> {
    return Promise.resolve(token(0, 0));
  }

  refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retries = previous.getRetryCount() + 1;
    if (!RETRYABLE.has(info.errorType) || isQuotaError(info)) return Promise.reject(new Error('not retryable'));
    if (retries >= this.maxAttempts) return Promise.reject(new Error('out of attempts'));
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retries - 1));
    let delay = Math.floor(this.random() * ceiling);
    // A server's Retry-After is a floor, never shortened by jitter.
    if (info.retryAfterHint) delay = Math.max(delay, info.retryAfterHint.getTime() - Date.now());
    if (delay + this.reserveMs > this.remainingMs()) return Promise.reject(new Error('out of time'));
    return Promise.resolve(token(retries, delay));
  }

  recordSuccess(): void {
    // No retry quota to refill.
  }
}

const token = (count: number, delay: number): RetryToken => ({
  getRetryCount: () => count,
  getRetryDelay: () => delay,
});

/**
 * IAM's `LimitExceeded` (HTTP 409: a quota such as attached policies per
 * role) shares its name with throttling errors elsewhere, so the SDK calls it
 * throttling; waiting does not free a quota.
 */
function isQuotaError(info: RetryErrorInfo): boolean {
  const error = info.error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return error?.name === 'LimitExceededException' && error.$metadata?.httpStatusCode === 409;
}
