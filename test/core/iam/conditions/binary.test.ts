import { describe, expect, it } from 'vitest';
import { operator, valueTest } from './helpers.js';

describe('BinaryEquals', () => {
  it('compares the base64 text exactly', () => {
    const test = valueTest('BinaryEquals', 'QmluYXJ5VmFsdWVJbkJhc2U2NA==');
    expect(test('QmluYXJ5VmFsdWVJbkJhc2U2NA==')).toBe(true);
    expect(test('qmluyxj5vmfsdwvjbkjhc2u2na==')).toBe(false);
    expect(test('T3RoZXJWYWx1ZQ==')).toBe(false);
  });

  it('takes * literally', () => {
    expect(valueTest('BinaryEquals', 'ab*')('abc')).toBe(false);
  });

  it('is positive only and takes no variables', () => {
    expect(operator('BinaryEquals').negated).toBe(false);
    expect(operator('BinaryEquals').variables).toBe(false);
  });
});
