import type { BudgetWindow } from '../policy-file/types.js';

/** A budget window in UTC: `start` inclusive, `end` exclusive, both ISO 8601 without milliseconds (`2025-11-18T00:00:00Z`). */
export interface WindowBounds {
  readonly start: string;
  readonly end: string;
}

const HOUR_MS = 3_600_000;
const UNIT_MS = { hour: HOUR_MS, day: 24 * HOUR_MS } as const;

/**
 * The window of a budget that holds `time`, in UTC. `Nh` and `Nd` windows
 * are aligned to whole multiples of N hours or N days since the Unix epoch
 * (1970-01-01T00:00Z), so every counter, on every machine, agrees on them
 * without remembering when counting began: `1d` is the UTC day, `6h` starts at
 * 00, 06, 12 and 18 UTC, and `7d` weeks start on Thursdays (the epoch's
 * weekday). `month` is the calendar month in UTC. The end is the next
 * window's start; it is also the time a budget deny lifts itself.
 *
 * @example
 * budgetWindow({ unit: 'day', count: 1 }, new Date('2025-11-18T10:00:00Z'));
 * // → { start: '2025-11-18T00:00:00Z', end: '2025-11-19T00:00:00Z' }
 * budgetWindow({ unit: 'month', count: 1 }, new Date('2024-02-29T23:59:59Z'));
 * // → { start: '2024-02-01T00:00:00Z', end: '2024-03-01T00:00:00Z' }
 * @throws RangeError for an invalid date.
 */
export function budgetWindow(window: BudgetWindow, time: Date): WindowBounds {
  const t = time.getTime();
  if (Number.isNaN(t)) throw new RangeError('budgetWindow: invalid date');
  if (window.unit === 'month') {
    const year = time.getUTCFullYear();
    const month = time.getUTCMonth();
    return { start: iso(monthStart(year, month)), end: iso(monthStart(year, month + 1)) };
  }
  const length = window.count * UNIT_MS[window.unit];
  const start = Math.floor(t / length) * length;
  return { start: iso(start), end: iso(start + length) };
}

/** The window as written in the policy file: `6h`, `1d`, `month`. */
export function windowText(window: BudgetWindow): string {
  return window.unit === 'month' ? 'month' : `${window.count}${window.unit === 'hour' ? 'h' : 'd'}`;
}

/** Midnight UTC on the first of a month (`month` may overflow into the next year); unlike `Date.UTC`, years 0–99 stay themselves. */
const monthStart = (year: number, month: number): number => new Date(0).setUTCFullYear(year, month, 1);

/** IAM's `aws:CurrentTime` form: whole seconds, `Z`. */
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
