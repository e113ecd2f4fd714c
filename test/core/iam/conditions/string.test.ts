import { describe, expect, it } from 'vitest';
import { operator, valueTest } from './helpers.js';

describe('string operators', () => {
  it.each([
    ['StringEquals', 'data-science', 'data-science', true],
    ['StringEquals', 'data-science', 'Data-Science', false],
    ['StringEquals', 'alpha-*', 'alpha-1', false],
    ['StringEquals', 'alpha-*', 'alpha-*', true],
    ['StringEquals', 'a?c', 'abc', false],
    ['StringEquals', '', '', true],
    ['StringEqualsIgnoreCase', 'Data-Science', 'DATA-science', true],
    ['StringEqualsIgnoreCase', 'Data-Science', 'data-sciences', false],
    ['StringEqualsIgnoreCase', 'a*', 'A*', true],
    ['StringEqualsIgnoreCase', 'a*', 'abc', false],
    ['StringLike', 'ml-*', 'ml-core', true],
    ['StringLike', 'ml-*', 'ML-core', false],
    ['StringLike', 'ml-*', 'ml-', true],
    ['StringLike', '??-admin', 'ab-admin', true],
    ['StringLike', '??-admin', 'abc-admin', false],
    ['StringLike', 'arn:aws:bedrock:*', 'arn:aws:bedrock:us-east-1:111122223333:job/1', true],
    ['StringLike', 'home/*/notes', 'home/a/b/notes', true],
  ])('%s %j vs %j → %s', (name, policy, value, expected) => {
    expect(valueTest(name, policy)(value)).toBe(expected);
  });

  it('negated twins share the positive test and are flagged negated', () => {
    for (const [positive, negated] of [
      ['StringEquals', 'StringNotEquals'],
      ['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'],
      ['StringLike', 'StringNotLike'],
    ] as const) {
      expect(operator(positive).negated).toBe(false);
      expect(operator(negated).negated).toBe(true);
      expect(valueTest(negated, 'a*')('abc')).toBe(valueTest(positive, 'a*')('abc'));
    }
  });

  it('accepts policy variables', () => {
    expect(operator('StringEquals').variables).toBe(true);
    expect(operator('StringNotLike').variables).toBe(true);
  });
});
