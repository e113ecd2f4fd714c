import { describe, expect, it } from 'vitest';
import { CONDITION_OPERATORS } from '../../../../shared/core/iam/conditions/index.js';

/** Every base operator in the IAM "Condition operators" reference (Null and the modifiers are handled elsewhere). */
const DOCUMENTED = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
];

/** AWS allows policy variables only with the string and ARN operators. */
const WITH_VARIABLES = /^(String|Arn)/;

describe('the operator registry', () => {
  it('holds exactly the documented operators', () => {
    expect([...CONDITION_OPERATORS.values()].map((op) => op.name).sort()).toEqual([...DOCUMENTED].sort());
  });

  it.each(DOCUMENTED)('%s is keyed by its lower-case name, flagged negated and variables correctly', (name) => {
    const op = CONDITION_OPERATORS.get(name.toLowerCase());
    expect(op?.name).toBe(name);
    expect(op?.negated).toBe(/Not/.test(name));
    expect(op?.variables).toBe(WITH_VARIABLES.test(name));
  });
});
