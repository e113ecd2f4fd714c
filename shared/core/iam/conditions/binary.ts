import { type ConditionOperator, tokensText } from './operator.js';

/** `BinaryEquals`: the base64 text of both sides compared byte for byte. */
export const binaryOperators: ConditionOperator[] = [
  {
    name: 'BinaryEquals',
    negated: false,
    variables: false,
    compile(value) {
      const expected = tokensText(value);
      return (v) => v === expected;
    },
  },
];
