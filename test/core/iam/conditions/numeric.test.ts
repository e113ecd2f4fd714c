// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
import { describe, expect, it } from 'vitest';
import { PolicyGrammarError } from '../../../../shared/errors.js';
import { operator, valueTest } from './helpers.js';

describe('numeric operators', () => {
  it.each([
    ['NumericEquals', '90', '90', true],
    ['NumericEquals', '90', '090', true],
    ['NumericEquals', '90', '90.0', true],
    ['NumericEquals', '90', '91', false],
    ['NumericEquals', '-5', '-5', true],
    ['NumericEquals', '0.5', '.5', true],
    ['NumericLessThan', '3600', '3599', true],
    ['NumericLessThan', '3600', '3600', false],
    ['NumericLessThanEquals', '3600', '3600', true],
    ['NumericLessThanEquals', '3600', '3601', false],
    ['NumericGreaterThan', '3600', '3601', true],
    ['NumericGreaterThan', '3600', '3600', false],
    ['NumericGreaterThanEquals', '60', '60', true],
    ['NumericGreaterThanEquals', '60', '59.9', false],
    ['NumericLessThan', '100', '99.99', true],
    ['NumericLessThan', '100', '1e3', false],
  ])('%s %s vs %s → %s', (name, policy, value, expected) => {
    expect(valueTest(name, policy)(value)).toBe(expected);
  });

  it('compares as numbers, not as text', () => {
    expect(valueTest('NumericLessThanEquals', '90')('100')).toBe(false);
    expect(valueTest('NumericGreaterThan', '9')('10')).toBe(true);
  });

  it.each(['soon', '', '12abc', '0x10', '--1'])('a context value %j that is not a number never matches', (value) => {
    expect(valueTest('NumericEquals', '0')(value)).toBe(false);
    expect(valueTest('NumericLessThan', '100')(value)).toBe(false);
  });

  it.each(['ten', '', '1,000', '${aws:username}', '12 days'])('rejects the policy value %j', (value) => {
    expect(() => valueTest('NumericLessThan', value)).toThrow(PolicyGrammarError);
  });

  it('NumericNotEquals is the negated twin; variables are not substituted', () => {
    expect(operator('NumericNotEquals').negated).toBe(true);
    expect(operator('NumericEquals').variables).toBe(false);
  });
});
