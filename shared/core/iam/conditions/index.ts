import { arnOperators } from './arn.js';
import { binaryOperators } from './binary.js';
import { boolOperators } from './bool.js';
import { dateOperators } from './date.js';
import { ipAddressOperators } from './ip-address.js';
import { numericOperators } from './numeric.js';
import type { ConditionOperator } from './operator.js';
import { stringOperators } from './string.js';

export type { ConditionOperator } from './operator.js';

/** Every base operator IAM documents, by lower-case name. `Null` and the modifiers live in condition.ts. */
export const CONDITION_OPERATORS: ReadonlyMap<string, ConditionOperator> = new Map(
  [
    ...stringOperators,
    ...numericOperators,
    ...dateOperators,
    ...boolOperators,
    ...binaryOperators,
    ...ipAddressOperators,
    ...arnOperators,
  ].map((op) => [op.name.toLowerCase(), op]),
);
