// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../../shared/core/iam/condition.js';
import { contextFrom } from '../../../shared/core/iam/context.js';
import type { ContextValue } from '../../../shared/core/iam/types.js';
import { PolicyGrammarError } from '../../../shared/errors.js';

/** Evaluate `operator: { key: values }` against a request context (Version 2012-10-17 unless told). */
function holds(
  operator: string,
  key: string,
  values: unknown,
  context: Record<string, ContextValue>,
  variables = true,
): boolean {
  return compileCondition(operator, key, values, variables, 'Condition').test(contextFrom(context));
}

const K = 'aws:PrincipalTag/team';

describe('absent keys', () => {
  it.each([
    ['StringEquals', 'x', false],
    ['StringLike', 'x', false],
    ['StringEqualsIgnoreCase', 'x', false],
    ['NumericLessThan', '1', false],
    ['DateGreaterThan', '2026-01-01T00:00:00Z', false],
    ['Bool', 'true', false],
    ['BinaryEquals', 'QQ==', false],
    ['IpAddress', '10.0.0.0/8', false],
    ['ArnLike', 'arn:aws:iam::*:role/*', false],
    ['ArnEquals', 'arn:aws:iam::*:role/*', false],
    ['StringNotEquals', 'x', true],
    ['StringNotLike', 'x', true],
    ['StringNotEqualsIgnoreCase', 'x', true],
    ['NumericNotEquals', '1', true],
    ['DateNotEquals', '2026-01-01T00:00:00Z', true],
    ['NotIpAddress', '10.0.0.0/8', true],
    ['ArnNotLike', 'arn:aws:iam::*:role/*', true],
    ['ArnNotEquals', 'arn:aws:iam::*:role/*', true],
    ['StringEqualsIfExists', 'x', true],
    ['StringNotEqualsIfExists', 'x', true],
    ['StringLikeIfExists', 'x', true],
    ['NumericLessThanIfExists', '1', true],
    ['DateLessThanIfExists', '2026-01-01T00:00:00Z', true],
    ['BoolIfExists', 'true', true],
    ['BinaryEqualsIfExists', 'QQ==', true],
    ['IpAddressIfExists', '10.0.0.0/8', true],
    ['NotIpAddressIfExists', '10.0.0.0/8', true],
    ['ArnLikeIfExists', 'arn:aws:iam::*:role/*', true],
  ])('%s %j on an absent key → %s', (operator, value, expected) => {
    expect(holds(operator, 'some:key', value, {})).toBe(expected);
  });

  it('IfExists on a present key is the plain operator', () => {
    expect(holds('StringEqualsIfExists', K, 'ml', { [K]: 'ml' })).toBe(true);
    expect(holds('StringEqualsIfExists', K, 'ml', { [K]: 'web' })).toBe(false);
    expect(holds('StringNotEqualsIfExists', K, 'ml', { [K]: 'ml' })).toBe(false);
  });
});

describe('several values', () => {
  it('are ORed for a positive operator', () => {
    expect(holds('StringEquals', K, ['a', 'b'], { [K]: 'b' })).toBe(true);
    expect(holds('StringEquals', K, ['a', 'b'], { [K]: 'c' })).toBe(false);
  });

  it('are NORed for a negated operator', () => {
    expect(holds('StringNotEquals', K, ['a', 'b'], { [K]: 'a' })).toBe(false);
    expect(holds('StringNotEquals', K, ['a', 'b'], { [K]: 'b' })).toBe(false);
    expect(holds('StringNotEquals', K, ['a', 'b'], { [K]: 'c' })).toBe(true);
    expect(holds('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.0.2.1'], { 'aws:SourceIp': '192.0.2.1' })).toBe(
      false,
    );
  });

  it('accept JSON numbers and booleans as text', () => {
    expect(holds('NumericEquals', 'k', 5, { k: '5' })).toBe(true);
    expect(holds('Bool', 'k', false, { k: 'false' })).toBe(true);
    expect(holds('StringEquals', 'k', [1, true], { k: 'true' })).toBe(true);
  });
});

describe('key names', () => {
  it('are case-insensitive; values are not', () => {
    expect(holds('StringEquals', 'AWS:PrincipalTag/team', 'ml', { 'aws:principaltag/team': 'ml' })).toBe(true);
    expect(holds('StringEquals', K, 'ml', { [K]: 'ML' })).toBe(false);
  });
});

describe('ForAllValues', () => {
  const tags = (v?: string[]): Record<string, ContextValue> => (v === undefined ? {} : { 'aws:TagKeys': v });
  it.each([
    [['a'], true],
    [['a', 'b'], true],
    [['a', 'c'], false],
    [[], true],
    [undefined, true],
  ])('StringEquals [a, b] with %j → %s', (value, expected) => {
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b'], tags(value))).toBe(expected);
  });

  it('negated: none of the request values may match any policy value', () => {
    expect(holds('ForAllValues:StringNotLike', 'aws:TagKeys', ['aws:*', 'x'], tags(['team', 'y']))).toBe(true);
    expect(holds('ForAllValues:StringNotLike', 'aws:TagKeys', ['aws:*', 'x'], tags(['team', 'x']))).toBe(false);
    expect(holds('ForAllValues:StringNotLike', 'aws:TagKeys', ['aws:*', 'x'], tags())).toBe(true);
  });

  it('a single-valued context value counts as a set of one', () => {
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['a'], { 'aws:TagKeys': 'a' })).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['a'], { 'aws:TagKeys': 'b' })).toBe(false);
  });

  it('the prefix is case-insensitive', () => {
    expect(holds('forallvalues:StringEquals', 'aws:TagKeys', ['a'], tags(['b']))).toBe(false);
  });
});

describe('ForAnyValue', () => {
  const tags = (v?: string[]): Record<string, ContextValue> => (v === undefined ? {} : { 'aws:TagKeys': v });
  it.each([
    [['a'], true],
    [['c', 'b'], true],
    [['c'], false],
    [[], false],
    [undefined, false],
  ])('StringEquals [a, b] with %j → %s', (value, expected) => {
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b'], tags(value))).toBe(expected);
  });

  it('negated: at least one request value must match none of the policy values; absent fails', () => {
    expect(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', 'team', tags(['team', 'x']))).toBe(true);
    expect(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', 'team', tags(['team']))).toBe(false);
    expect(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', 'team', tags())).toBe(false);
  });

  // AWS documents IfExists as "true when the key is absent" for any operator; we apply that
  // before the ForAnyValue rule (absent → false). AWS gives no example of the combination.
  it('with IfExists an absent key passes', () => {
    expect(holds('ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', 'a', tags())).toBe(true);
    expect(holds('ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', 'a', tags(['b']))).toBe(false);
  });
});

describe('a multivalued key under a plain operator', () => {
  it('a positive operator needs one value to match, a negated one needs every value to avoid the set', () => {
    expect(holds('StringEquals', 'aws:TagKeys', 'a', { 'aws:TagKeys': ['a', 'b'] })).toBe(true);
    expect(holds('StringNotEquals', 'aws:TagKeys', 'a', { 'aws:TagKeys': ['a', 'b'] })).toBe(false);
    expect(holds('StringNotEquals', 'aws:TagKeys', 'a', { 'aws:TagKeys': ['b', 'c'] })).toBe(true);
  });
});

describe('Null', () => {
  it.each([
    ['true', {}, true],
    ['true', { k: 'v' }, false],
    ['false', {}, false],
    ['false', { k: 'v' }, true],
    ['TRUE', {}, true],
    ['true', { k: [] }, true],
    ['false', { k: [] }, false],
  ] as [string, Record<string, ContextValue>, boolean][])('Null %s with %j → %s', (value, context, expected) => {
    expect(holds('Null', 'k', value, context)).toBe(expected);
  });

  it('takes a JSON boolean', () => {
    expect(holds('Null', 'k', true, {})).toBe(true);
  });
});

describe('policy variables in values', () => {
  it('are substituted for string and ARN operators', () => {
    expect(
      holds('StringEquals', 'aws:ResourceTag/owner', '${aws:username}', {
        'aws:ResourceTag/owner': 'alice',
        'aws:username': 'alice',
      }),
    ).toBe(true);
    expect(
      holds('ArnLike', 'aws:SourceArn', 'arn:aws:bedrock:*:${aws:PrincipalAccount}:*', {
        'aws:SourceArn': 'arn:aws:bedrock:us-east-1:111122223333:job/1',
        'aws:PrincipalAccount': '111122223333',
      }),
    ).toBe(true);
  });

  it('without a value: positive operators fail, negated operators pass', () => {
    const ctx = { 'aws:ResourceTag/owner': 'alice' };
    expect(holds('StringEquals', 'aws:ResourceTag/owner', '${aws:username}', ctx)).toBe(false);
    expect(holds('StringLike', 'aws:ResourceTag/owner', '*${aws:username}*', ctx)).toBe(false);
    expect(holds('StringNotEquals', 'aws:ResourceTag/owner', '${aws:username}', ctx)).toBe(true);
    expect(holds('StringNotLike', 'aws:ResourceTag/owner', ['${aws:username}', 'bob'], ctx)).toBe(true);
    expect(holds('StringNotLike', 'aws:ResourceTag/owner', ['${aws:username}', 'alice'], ctx)).toBe(false);
  });

  it('use the default when the key is absent', () => {
    expect(holds('StringEquals', K, "${aws:PrincipalTag/dept, 'none'}", { [K]: 'none' })).toBe(true);
  });

  it('are literal text in Version 2008-10-17', () => {
    expect(holds('StringEquals', 'k', '${aws:username}', { k: 'alice', 'aws:username': 'alice' }, false)).toBe(false);
    expect(holds('StringEquals', 'k', '${aws:username}', { k: '${aws:username}' }, false)).toBe(true);
  });

  it('are listed in reads, with the key, in lower case', () => {
    const c = compileCondition(
      'StringEquals',
      'AWS:ResourceTag/Owner',
      ['${aws:username}', '${aws:username}'],
      true,
      'w',
    );
    expect(c.reads).toEqual(['aws:resourcetag/owner', 'aws:username']);
  });
});

describe('grammar errors name the location', () => {
  it.each([
    ['StringEqualz', 'x', 'Condition'],
    ['ForSomeValues:StringEquals', 'x', 'Condition'],
    ['NullIfExists', 'true', 'Condition'],
    ['ForAllValues:Null', 'true', 'Condition'],
    ['IfExists', 'x', 'Condition'],
    ['Null', 'maybe', 'Condition[0]'],
    ['StringEquals', [], 'Condition'],
    ['StringEquals', [{ nested: true }], 'Condition[0]'],
    ['StringEquals', null, 'Condition[0]'],
    ['NumericLessThan', ['1', 'ten'], 'Condition[1]'],
    ['DateLessThan', 'yesterday', 'Condition[0]'],
    ['Bool', 'yes', 'Condition[0]'],
    ['IpAddress', ['10.0.0.0/8', '10.0.0.0/'], 'Condition[1]'],
    ['NumericEquals', '${aws:MultiFactorAuthAge}', 'Condition[0]'],
  ])('%s %j', (operator, values, location) => {
    let error: unknown;
    try {
      compileCondition(operator, 'k', values, true, 'Condition');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyGrammarError);
    expect((error as PolicyGrammarError).location).toBe(location);
  });
});
