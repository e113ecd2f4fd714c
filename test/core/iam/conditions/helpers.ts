import { CONDITION_OPERATORS, type ConditionOperator } from '../../../../shared/core/iam/conditions/index.js';
import { parseTemplate } from '../../../../shared/core/iam/pattern.js';
import type { StringTest } from '../../../../shared/core/iam/types.js';

/** The registered operator by name (any case); fails the test when it is missing. */
export function operator(name: string): ConditionOperator {
  const op = CONDITION_OPERATORS.get(name.toLowerCase());
  if (!op) throw new Error(`operator ${name} is not registered`);
  return op;
}

/**
 * The operator's per-value test for one policy value as written. Negated
 * operators return their positive test here; `condition.ts` applies the negation.
 */
export function valueTest(name: string, policyValue: string): StringTest {
  return operator(name).compile(parseTemplate(policyValue, false).resolve(new Map()) ?? []);
}
