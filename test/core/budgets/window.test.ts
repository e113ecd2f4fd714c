import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetWindow, windowText } from '../../../shared/core/budgets/window.js';
import type { BudgetWindow } from '../../../shared/core/policy-file/types.js';

const at = (iso: string) => new Date(iso);
const DAY: BudgetWindow = { unit: 'day', count: 1 };
const MONTH: BudgetWindow = { unit: 'month', count: 1 };

/** Times from 1970 to 2200, to the millisecond. */
const timeArb = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const windowArb: fc.Arbitrary<BudgetWindow> = fc.oneof(
  fc.record({ unit: fc.constantFrom('hour' as const, 'day' as const), count: fc.integer({ min: 1, max: 400 }) }),
  fc.constant(MONTH),
);

describe('budgetWindow', () => {
  it('is the UTC day for 1d', () => {
    expect(budgetWindow(DAY, at('2025-11-18T10:00:00Z'))).toEqual({
      start: '2025-11-18T00:00:00Z',
      end: '2025-11-19T00:00:00Z',
    });
    expect(budgetWindow(DAY, at('2025-11-18T23:59:59.999Z')).end).toBe('2025-11-19T00:00:00Z');
    expect(budgetWindow(DAY, at('2025-11-19T00:00:00Z')).start).toBe('2025-11-19T00:00:00Z');
  });

  it('aligns N-hour and N-day windows to multiples since the epoch', () => {
    expect(budgetWindow({ unit: 'hour', count: 6 }, at('2025-11-18T13:30:00Z'))).toEqual({
      start: '2025-11-18T12:00:00Z',
      end: '2025-11-18T18:00:00Z',
    });
    expect(budgetWindow({ unit: 'hour', count: 1 }, at('2025-11-18T13:30:00Z'))).toEqual({
      start: '2025-11-18T13:00:00Z',
      end: '2025-11-18T14:00:00Z',
    });
    // 1970-01-01 was a Thursday: 7d windows run Thursday to Thursday.
    const week = budgetWindow({ unit: 'day', count: 7 }, at('2025-11-18T10:00:00Z'));
    expect(week).toEqual({ start: '2025-11-13T00:00:00Z', end: '2025-11-20T00:00:00Z' });
    expect(new Date(week.start).getUTCDay()).toBe(4);
    // 5h does not divide a day: windows cross midnight.
    expect(budgetWindow({ unit: 'hour', count: 5 }, at('2025-11-19T00:30:00Z'))).toEqual({
      start: '2025-11-18T20:00:00Z',
      end: '2025-11-19T01:00:00Z',
    });
  });

  it('is the calendar month in UTC, across the year end', () => {
    expect(budgetWindow(MONTH, at('2025-11-18T10:00:00Z'))).toEqual({
      start: '2025-11-01T00:00:00Z',
      end: '2025-12-01T00:00:00Z',
    });
    expect(budgetWindow(MONTH, at('2025-12-31T23:59:59.999Z'))).toEqual({
      start: '2025-12-01T00:00:00Z',
      end: '2026-01-01T00:00:00Z',
    });
    expect(budgetWindow(MONTH, at('2026-01-01T00:00:00Z')).start).toBe('2026-01-01T00:00:00Z');
  });

  it('knows February in leap and common years (2000 leap, 1900 and 2100 not)', () => {
    expect(budgetWindow(MONTH, at('2024-02-29T23:59:59Z'))).toEqual({
      start: '2024-02-01T00:00:00Z',
      end: '2024-03-01T00:00:00Z',
    });
    expect(budgetWindow(MONTH, at('2024-03-01T00:00:00Z')).start).toBe('2024-03-01T00:00:00Z');
    expect(budgetWindow(MONTH, at('2025-02-28T12:00:00Z')).end).toBe('2025-03-01T00:00:00Z');
    expect(budgetWindow(MONTH, at('2000-02-29T12:00:00Z')).end).toBe('2000-03-01T00:00:00Z');
    expect(budgetWindow(MONTH, at('2100-02-28T12:00:00Z')).end).toBe('2100-03-01T00:00:00Z');
    expect(budgetWindow(DAY, at('2024-02-29T12:00:00Z'))).toEqual({
      start: '2024-02-29T00:00:00Z',
      end: '2024-03-01T00:00:00Z',
    });
  });

  it('keeps years below 100 themselves (no Date.UTC two-digit-year quirk)', () => {
    const time = new Date(0);
    time.setUTCFullYear(50, 5, 15);
    expect(budgetWindow(MONTH, time)).toEqual({ start: '0050-06-01T00:00:00Z', end: '0050-07-01T00:00:00Z' });
  });

  it('writes the form aws:CurrentTime compares against: whole seconds and Z', () => {
    const { start, end } = budgetWindow(DAY, at('2025-11-18T10:00:00.123Z'));
    for (const t of [start, end]) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('throws on an invalid date', () => {
    expect(() => budgetWindow(DAY, new Date('nope'))).toThrow(RangeError);
  });

  it('holds the time: start ≤ time < end', () => {
    fc.assert(
      fc.property(windowArb, timeArb, (window, time) => {
        const { start, end } = budgetWindow(window, time);
        expect(Date.parse(start)).toBeLessThanOrEqual(time.getTime());
        expect(time.getTime()).toBeLessThan(Date.parse(end));
      }),
    );
  });

  it('tiles time: the window after a window starts at its end, and every time in it has that window', () => {
    fc.assert(
      fc.property(windowArb, timeArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (w, time, f) => {
        const { start, end } = budgetWindow(w, time);
        const next = budgetWindow(w, new Date(end));
        expect(next.start).toBe(end);
        const before = budgetWindow(w, new Date(Date.parse(start) - 1));
        expect(before.end).toBe(start);
        const inside = Date.parse(start) + Math.floor(f * (Date.parse(end) - Date.parse(start)));
        expect(budgetWindow(w, new Date(inside))).toEqual({ start, end });
      }),
    );
  });

  it('has fixed lengths for hours and days, and calendar lengths for months', () => {
    fc.assert(
      fc.property(windowArb, timeArb, (w, time) => {
        const { start, end } = budgetWindow(w, time);
        const length = Date.parse(end) - Date.parse(start);
        if (w.unit === 'month') {
          const s = new Date(start);
          expect(s.getUTCDate()).toBe(1);
          expect(s.getUTCHours()).toBe(0);
          expect(new Date(end).getUTCDate()).toBe(1);
          expect(length / 86_400_000).toBeGreaterThanOrEqual(28);
          expect(length / 86_400_000).toBeLessThanOrEqual(31);
          // The month after ends at the start of the month after that.
          expect(budgetWindow(w, new Date(end)).start).toBe(end);
        } else {
          expect(length).toBe(w.count * (w.unit === 'hour' ? 3_600_000 : 86_400_000));
          expect(Date.parse(start) % length).toBe(0);
        }
      }),
    );
  });
});

describe('windowText', () => {
  it('writes the window as the policy file does', () => {
    expect(windowText({ unit: 'hour', count: 6 })).toBe('6h');
    expect(windowText({ unit: 'day', count: 1 })).toBe('1d');
    expect(windowText(MONTH)).toBe('month');
  });
});
