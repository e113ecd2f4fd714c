// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
import { describe, expect, it } from 'vitest';
import { parseDate } from '../../../../shared/core/iam/conditions/date.js';
import { PolicyGrammarError } from '../../../../shared/errors.js';
import { operator, valueTest } from './helpers.js';

const JAN_1_2026 = Date.UTC(2026, 0, 1);

describe('parseDate', () => {
  it.each([
    ['2026-01-01T00:00:00Z', JAN_1_2026],
    ['2026-01-01', JAN_1_2026],
    ['2026-01-01T00:00', JAN_1_2026],
    ['2026-01-01T00:00:00', JAN_1_2026],
    ['2026-01-01T00:00:00.000Z', JAN_1_2026],
    ['2026-01-01T01:00:00+01:00', JAN_1_2026],
    ['2026-01-01T01:00:00+0100', JAN_1_2026],
    ['2025-12-31T19:00:00-05:00', JAN_1_2026],
    ['1767225600', JAN_1_2026],
    ['0', 0],
  ])('%s', (text, ms) => {
    expect(parseDate(text)).toBe(ms);
  });

  it.each(['yesterday', '2026/01/01', '2026-1-1', '2026-13-01', '01-01-2026', '', '1767225600.5'])(
    'rejects %j',
    (text) => {
      expect(parseDate(text)).toBeUndefined();
    },
  );
});

describe('date operators', () => {
  it.each([
    ['DateEquals', '2026-03-01T12:00:00Z', '2026-03-01T12:00:00Z', true],
    ['DateEquals', '2026-03-01T13:00:00+01:00', '2026-03-01T12:00:00Z', true],
    ['DateEquals', '2026-03-01T12:00:00Z', '2026-03-01T12:00:01Z', false],
    ['DateLessThan', '2026-07-01T00:00:00Z', '2026-06-30T23:59:59Z', true],
    ['DateLessThan', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z', false],
    ['DateLessThanEquals', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z', true],
    ['DateGreaterThan', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', true],
    ['DateGreaterThan', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', false],
    ['DateGreaterThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', true],
    ['DateGreaterThanEquals', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z', false],
    ['DateGreaterThan', '1767225600', '1767225601', true],
    ['DateLessThanEquals', '1767225600', '2026-01-01T00:00:00Z', true],
    ['DateLessThanEquals', '2026-01-01T00:00:00Z', '1767225600', true],
    ['DateLessThan', '2026-07-01', '2026-06-30T23:59:59Z', true],
  ])('%s %s vs %s → %s', (name, policy, value, expected) => {
    expect(valueTest(name, policy)(value)).toBe(expected);
  });

  it('a context value that is not a date never matches', () => {
    expect(valueTest('DateLessThan', '2030-01-01T00:00:00Z')('not-a-date')).toBe(false);
    expect(valueTest('DateGreaterThan', '2020-01-01T00:00:00Z')('not-a-date')).toBe(false);
  });

  it.each(['yesterday', '2026-13-01', '${aws:CurrentTime}', 'now'])('rejects the policy value %j', (value) => {
    expect(() => valueTest('DateLessThan', value)).toThrow(PolicyGrammarError);
  });

  it('DateNotEquals is the negated twin; variables are not substituted', () => {
    expect(operator('DateNotEquals').negated).toBe(true);
    expect(operator('DateEquals').variables).toBe(false);
  });
});
