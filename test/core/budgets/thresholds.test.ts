import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetState } from '../../../shared/core/budgets/thresholds.js';

const none = { inputTokens: 0, outputTokens: 0, invocations: 0 };

describe('budgetState', () => {
  it.each([
    [0, 'ok'],
    [799, 'ok'], // 79.9 %
    [800, 'warn'], // 80 %
    [999, 'warn'], // 99.9 %
    [1000, 'exceeded'], // 100 %
    [1500, 'exceeded'],
  ] as const)('%i of 1000 invocations is %s', (invocations, level) => {
    expect(budgetState({ ...none, invocations }, { invocations: 1000 })).toEqual({
      level,
      ratio: invocations / 1000,
      by: 'invocations',
    });
  });

  it('decides 80 % exactly whatever the limit (no floating-point slack)', () => {
    // 0.8 * limit is not exact in binary for these limits; 5 × use ≥ 4 × limit is.
    for (const limit of [3, 7, 11, 49, 1_000_003, 2_000_000]) {
      const warnAt = Math.ceil((limit * 4) / 5);
      expect(budgetState({ ...none, outputTokens: warnAt - 1 }, { outputTokens: limit }).level).toBe('ok');
      expect(budgetState({ ...none, outputTokens: warnAt }, { outputTokens: limit }).level).toBe(
        warnAt >= limit ? 'exceeded' : 'warn',
      );
      expect(budgetState({ ...none, outputTokens: limit - 1 }, { outputTokens: limit }).level).toBe(
        limit - 1 >= warnAt ? 'warn' : 'ok',
      );
      expect(budgetState({ ...none, outputTokens: limit }, { outputTokens: limit }).level).toBe('exceeded');
    }
  });

  it('lets the limit with the highest ratio decide', () => {
    const max = { inputTokens: 2_000_000, outputTokens: 400_000, invocations: 5000 };
    expect(budgetState({ inputTokens: 1_000_000, outputTokens: 330_000, invocations: 10 }, max)).toEqual({
      level: 'warn',
      ratio: 0.825,
      by: 'outputTokens',
    });
    expect(budgetState({ inputTokens: 2_000_000, outputTokens: 1, invocations: 4999 }, max)).toMatchObject({
      level: 'exceeded',
      by: 'inputTokens',
    });
    expect(budgetState({ inputTokens: 10, outputTokens: 10, invocations: 10 }, max)).toMatchObject({
      level: 'ok',
      by: 'invocations',
    });
  });

  it('ignores use of what the budget sets no limit on', () => {
    expect(budgetState({ inputTokens: 10 ** 12, outputTokens: 10 ** 12, invocations: 1 }, { invocations: 10 })).toEqual(
      {
        level: 'ok',
        ratio: 0.1,
        by: 'invocations',
      },
    );
  });

  it('breaks ties in the order input tokens, output tokens, invocations', () => {
    expect(
      budgetState({ inputTokens: 5, outputTokens: 5, invocations: 5 }, { inputTokens: 10, outputTokens: 10 }).by,
    ).toBe('inputTokens');
  });

  it('agrees with the highest ratio over every limit', () => {
    const limit = fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined });
    const used = fc.integer({ min: 0, max: 20_000_000 });
    fc.assert(
      fc.property(
        fc.record({ inputTokens: limit, outputTokens: limit, invocations: limit }),
        fc.record({ inputTokens: used, outputTokens: used, invocations: used }),
        (max, totals) => {
          const ratios = (['inputTokens', 'outputTokens', 'invocations'] as const).flatMap((k) => {
            const m = max[k];
            return m === undefined ? [] : [totals[k] / m];
          });
          const state = budgetState(totals, max);
          if (ratios.length === 0) {
            expect(state.level).toBe('ok');
            return;
          }
          const top = Math.max(...ratios);
          expect(state.ratio).toBe(top);
          expect(state.level).toBe(top >= 1 ? 'exceeded' : top >= 0.8 ? 'warn' : 'ok');
        },
      ),
    );
  });
});
