import { PolicyGrammarError } from '../../../errors.js';
import { type ConditionOperator, pair, tokensText } from './operator.js';

const EPOCH = /^\d+$/;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch for an ISO 8601 date or epoch seconds, as IAM accepts both. */
export function parseDate(text: string): number | undefined {
  const t = text.trim();
  if (EPOCH.test(t)) return Number(t) * 1000;
  if (!ISO.test(t)) return undefined;
  // A date-time without a zone is UTC in IAM, not local time as in JavaScript.
  const zoned = /[T ]\d{2}:\d{2}/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? `${t}Z` : t;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

function date(compare: (context: number, policy: number) => boolean) {
  return (value: Parameters<ConditionOperator['compile']>[0]) => {
    const text = tokensText(value);
    const policy = parseDate(text);
    if (policy === undefined) {
      throw new PolicyGrammarError(`"${text}" is not a date`, {
        hint: 'Date operators take ISO 8601 (2026-01-31T00:00:00Z) or epoch seconds.',
      });
    }
    return (v: string) => {
      const d = parseDate(v);
      return d !== undefined && compare(d, policy);
    };
  };
}

/** Date operators; a context value that isn't a date never matches. */
export const dateOperators: ConditionOperator[] = [
  ...pair(
    'DateEquals',
    'DateNotEquals',
    false,
    date((c, p) => c === p),
  ),
  { name: 'DateLessThan', negated: false, variables: false, compile: date((c, p) => c < p) },
  { name: 'DateLessThanEquals', negated: false, variables: false, compile: date((c, p) => c <= p) },
  { name: 'DateGreaterThan', negated: false, variables: false, compile: date((c, p) => c > p) },
  { name: 'DateGreaterThanEquals', negated: false, variables: false, compile: date((c, p) => c >= p) },
];
