import { PolicyGrammarError } from '../../../errors.js';
import { type ConditionOperator, tokensText } from './operator.js';

/** `Bool`: `true`/`false`, case-insensitive on both sides. */
export const boolOperators: ConditionOperator[] = [
  {
    name: 'Bool',
    negated: false,
    variables: false,
    compile(value) {
      const expected = tokensText(value).toLowerCase();
      if (expected !== 'true' && expected !== 'false') {
        throw new PolicyGrammarError(`"${tokensText(value)}" is not a boolean`, {
          hint: 'Bool takes "true" or "false".',
        });
      }
      return (v) => v.toLowerCase() === expected;
    },
  },
];
