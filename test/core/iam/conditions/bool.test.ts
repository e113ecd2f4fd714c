import { describe, expect, it } from 'vitest';
import { PolicyGrammarError } from '../../../../shared/errors.js';
import { operator, valueTest } from './helpers.js';

describe('Bool', () => {
  it.each([
    ['true', 'true', true],
    ['true', 'false', false],
    ['false', 'false', true],
    ['True', 'true', true],
    ['true', 'TRUE', true],
    ['true', 'yes', false],
  ])('%s vs %s → %s', (policy, value, expected) => {
    expect(valueTest('Bool', policy)(value)).toBe(expected);
  });

  it.each(['yes', '1', '', 't'])('rejects the policy value %j', (value) => {
    expect(() => valueTest('Bool', value)).toThrow(PolicyGrammarError);
  });

  it('has no negated twin', () => {
    expect(operator('Bool').negated).toBe(false);
    expect(() => operator('NotBool')).toThrow();
  });
});
