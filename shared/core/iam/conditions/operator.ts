import type { Token } from '../pattern.js';
import type { StringTest } from '../types.js';

/**
 * A condition operator as documented by IAM. Negated operators (`StringNotEquals`…)
 * share the positive test and set `negated`; the condition evaluator applies
 * the negation per context value, which gives AWS's NOR semantics across
 * several policy values and lets `ForAllValues`/`ForAnyValue` compose.
 */
export interface ConditionOperator {
  readonly name: string;
  readonly negated: boolean;
  /** Whether policy variables are substituted in this operator's values (String* and Arn* only). */
  readonly variables: boolean;
  /**
   * Compile one policy value (already variable-resolved) into a test on one
   * context value. Throws `PolicyGrammarError` for a value IAM would reject.
   */
  compile(value: readonly Token[]): StringTest;
}

/** The policy value as written, with wildcard tokens turned back into text. */
export function tokensText(tokens: readonly Token[]): string {
  let s = '';
  for (const t of tokens) s += t.kind === 'text' ? t.text : t.kind === 'star' ? '*' : '?';
  return s;
}

/** The positive operator and its `Not` twin, sharing one compile function. */
export function pair(
  name: string,
  notName: string,
  variables: boolean,
  compile: ConditionOperator['compile'],
): ConditionOperator[] {
  return [
    { name, negated: false, variables, compile },
    { name: notName, negated: true, variables, compile },
  ];
}
