import type { CounterIncrement } from '../core/budgets/budgets.js';
import type { UsageTotals } from '../core/budgets/thresholds.js';
import { BedrockGuardError } from '../errors.js';

/** The thresholds a counter can be marked as acted on: the alert at 80 %, the deny at 100 %. */
export const MARK_LEVELS = ['warn', 'exceeded'] as const;
export type MarkLevel = (typeof MARK_LEVELS)[number];

/** A counter's sums after an add: one principal's use of one budget in one window. */
export interface CounterTotals extends UsageTotals {
  readonly counterKey: string;
  readonly budgetId: string;
  readonly principal: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  /** Thresholds already acted on in this window, in {@link MARK_LEVELS} order. */
  readonly marks: readonly MarkLevel[];
}

export interface AddResult {
  /** Every counter of the batch, in order of first appearance, after the add: also those whose increments were all seen before, so a retried batch still acts on them. */
  readonly totals: CounterTotals[];
  /** Increments counted by this call. */
  readonly added: number;
  /** Increments skipped: their request id was already counted for their budget, by an earlier call or earlier in this batch. `added + duplicates` is the batch's length. */
  readonly duplicates: number;
}

/**
 * Usage counters per principal × budget × window, shared by every consumer of
 * the invocation logs. Adding is idempotent per budget and request id, so a
 * redelivered log, a retried batch or two consumers of the same records count
 * each call once.
 */
export interface UsageCounters {
  /** Adds each increment once (a request id already counted for that budget is skipped), atomically; returns the totals of every counter touched, after the add. */
  add(increments: readonly CounterIncrement[]): Promise<AddResult>;
  /**
   * Marks a threshold of a counter as acted on: true for the one caller that
   * set it (once per window, across consumers), false when it was set already.
   * Throws for a counter never added to.
   */
  mark(counterKey: string, level: MarkLevel): Promise<boolean>;
  /** Takes a mark back (the deny or alert failed: the next batch tries again). A mark not set is fine. */
  unmark(counterKey: string, level: MarkLevel): Promise<void>;
}

/** The key that makes an increment count once: a call counts once per budget it is in. */
export const incrementId = (increment: Pick<CounterIncrement, 'budgetId' | 'requestId'>): string =>
  `${increment.budgetId}#${increment.requestId}`;

/** The batch without repeats of a budget and request id (the first one stays), and how many were dropped. */
export function uniqueIncrements(increments: readonly CounterIncrement[]): {
  unique: CounterIncrement[];
  repeats: number;
} {
  const seen = new Set<string>();
  const unique = increments.filter((increment) => {
    const id = incrementId(increment);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { unique, repeats: increments.length - unique.length };
}

/** The batch's counter keys, each once, in order of first appearance. */
export const counterKeys = (increments: readonly CounterIncrement[]): string[] => [
  ...new Set(increments.map((increment) => increment.counterKey)),
];

export const unknownCounterError = (counterKey: string): BedrockGuardError =>
  new BedrockGuardError(`no usage counter ${counterKey} to mark`, {
    hint: 'A counter is marked after an add has created it; it may have expired (a week after its window ends).',
  });

interface Counter {
  readonly counterKey: string;
  readonly budgetId: string;
  readonly principal: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  inputTokens: number;
  outputTokens: number;
  invocations: number;
  readonly marks: Set<MarkLevel>;
}

/**
 * The same, per process: offline runs and tests. Each call runs without an
 * `await` in between, so concurrent callers in one process never interleave.
 * Nothing expires.
 */
export class MemoryUsageCounters implements UsageCounters {
  private readonly counters = new Map<string, Counter>();
  private readonly counted = new Set<string>();

  async add(increments: readonly CounterIncrement[]): Promise<AddResult> {
    let added = 0;
    for (const increment of increments) {
      const id = incrementId(increment);
      if (this.counted.has(id)) continue;
      this.counted.add(id);
      added += 1;
      let counter = this.counters.get(increment.counterKey);
      if (!counter) {
        counter = {
          counterKey: increment.counterKey,
          budgetId: increment.budgetId,
          principal: increment.principal,
          windowStart: increment.windowStart,
          windowEnd: increment.windowEnd,
          inputTokens: 0,
          outputTokens: 0,
          invocations: 0,
          marks: new Set(),
        };
        this.counters.set(increment.counterKey, counter);
      }
      counter.inputTokens += increment.inputTokens;
      counter.outputTokens += increment.outputTokens;
      counter.invocations += increment.invocations;
    }
    const totals = counterKeys(increments).flatMap((key) => {
      const counter = this.counters.get(key);
      return counter ? [snapshot(counter)] : [];
    });
    return { totals, added, duplicates: increments.length - added };
  }

  async mark(counterKey: string, level: MarkLevel): Promise<boolean> {
    const counter = this.counters.get(counterKey);
    if (!counter) throw unknownCounterError(counterKey);
    if (counter.marks.has(level)) return false;
    counter.marks.add(level);
    return true;
  }

  async unmark(counterKey: string, level: MarkLevel): Promise<void> {
    this.counters.get(counterKey)?.marks.delete(level);
  }
}

function snapshot(counter: Counter): CounterTotals {
  return {
    counterKey: counter.counterKey,
    budgetId: counter.budgetId,
    principal: counter.principal,
    windowStart: counter.windowStart,
    windowEnd: counter.windowEnd,
    inputTokens: counter.inputTokens,
    outputTokens: counter.outputTokens,
    invocations: counter.invocations,
    marks: MARK_LEVELS.filter((level) => counter.marks.has(level)),
  };
}
