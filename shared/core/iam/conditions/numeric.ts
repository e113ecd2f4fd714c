import { PolicyGrammarError } from '../../../errors.js';
import { type ConditionOperator, pair, tokensText } from './operator.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text) : undefined;
}

function numeric(compare: (context: number, policy: number) => boolean) {
  return (value: Parameters<ConditionOperator['compile']>[0]) => {
    const text = tokensText(value);
    const policy = parseNumber(text);
    if (policy === undefined) {
      throw new PolicyGrammarError(`"${text}" is not a number`, {
        hint: 'Numeric operators take integers or decimals.',
      });
    }
    return (v: string) => {
      const n = parseNumber(v);
      return n !== undefined && compare(n, policy);
    };
  };
}

/** Numeric operators; a context value that isn't a number never matches. */
export const numericOperators: ConditionOperator[] = [
  ...pair(
    'NumericEquals',
    'NumericNotEquals',
    false,
    numeric((c, p) => c === p),
  ),
  { name: 'NumericLessThan', negated: false, variables: false, compile: numeric((c, p) => c < p) },
  { name: 'NumericLessThanEquals', negated: false, variables: false, compile: numeric((c, p) => c <= p) },
  { name: 'NumericGreaterThan', negated: false, variables: false, compile: numeric((c, p) => c > p) },
  { name: 'NumericGreaterThanEquals', negated: false, variables: false, compile: numeric((c, p) => c >= p) },
];
