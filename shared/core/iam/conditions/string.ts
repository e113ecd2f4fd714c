import { compileTokens } from '../pattern.js';
import { type ConditionOperator, pair, tokensText } from './operator.js';

/** String operators: case-sensitive equality, IgnoreCase, and `*`/`?` globs for Like. */
export const stringOperators: ConditionOperator[] = [
  ...pair('StringEquals', 'StringNotEquals', true, (value) => {
    const expected = tokensText(value);
    return (v) => v === expected;
  }),
  ...pair('StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', true, (value) => {
    const expected = tokensText(value).toLowerCase();
    return (v) => v.toLowerCase() === expected;
  }),
  ...pair('StringLike', 'StringNotLike', true, (value) => compileTokens(value)),
];
