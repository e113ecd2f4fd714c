import type { Budget } from '../policy-file/types.js';

/** A principal's use of a budget in one window, as its counter sums it. */
export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly invocations: number;
}

export const LIMITS = ['inputTokens', 'outputTokens', 'invocations'] as const;
export type Limit = (typeof LIMITS)[number];

export const BUDGET_LEVELS = ['ok', 'warn', 'exceeded'] as const;
export type BudgetLevel = (typeof BUDGET_LEVELS)[number];

export interface BudgetState {
  readonly level: BudgetLevel;
  /** Use over limit of the limit nearest to (or furthest past) its end: 0.8 is 80 %. */
  readonly ratio: number;
  /** The limit that ratio is of. */
  readonly by: Limit;
}

/** The alert comes at 4/5 of a limit. */
const WARN = { numerator: 4, denominator: 5 } as const;

/**
 * How far a principal has got through a budget: `warn` once any limit is 80 %
 * used, `exceeded` once any is fully used (the next call would pass it — the
 * guard denies from there). The limit with the highest ratio decides; on a tie,
 * the first of input tokens, output tokens, invocations. Levels are decided in
 * whole numbers (5 × use ≥ 4 × limit), so 80 % is 80 % whatever the limit.
 *
 * @example
 * budgetState({ inputTokens: 1_600_000, outputTokens: 10, invocations: 3 }, { inputTokens: 2_000_000 });
 * // → { level: 'warn', ratio: 0.8, by: 'inputTokens' }
 */
export function budgetState(totals: UsageTotals, max: Budget['max']): BudgetState {
  let best: { level: BudgetLevel; ratio: number; by: Limit } | undefined;
  for (const by of LIMITS) {
    const limit = max[by];
    if (limit === undefined) continue;
    const used = totals[by];
    const level: BudgetLevel =
      used >= limit ? 'exceeded' : used * WARN.denominator >= limit * WARN.numerator ? 'warn' : 'ok';
    const ratio = used / limit;
    if (!best || rank(level) > rank(best.level) || (level === best.level && ratio > best.ratio)) {
      best = { level, ratio, by };
    }
  }
  // The file's schema asks for at least one limit; a budget without any is never spent.
  return best ?? { level: 'ok', ratio: 0, by: 'invocations' };
}

const rank = (level: BudgetLevel): number => BUDGET_LEVELS.indexOf(level);
