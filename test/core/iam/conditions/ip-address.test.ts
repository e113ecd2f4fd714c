import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../../shared/core/iam/conditions/ip-address.js';
import { PolicyGrammarError } from '../../../../shared/errors.js';
import { operator, valueTest } from './helpers.js';

describe('parseAddress', () => {
  it.each([
    ['203.0.113.42', 32, 0xcb00712an],
    ['0.0.0.0', 32, 0n],
    ['255.255.255.255', 32, 0xffffffffn],
    ['::', 128, 0n],
    ['::1', 128, 1n],
    ['2001:db8::1', 128, 0x20010db8000000000000000000000001n],
    ['2001:DB8::1', 128, 0x20010db8000000000000000000000001n],
    ['2001:db8:0:0:0:0:0:1', 128, 0x20010db8000000000000000000000001n],
    ['1:2:3:4:5:6:7::', 128, 0x00010002000300040005000600070000n],
    ['::ffff:192.0.2.1', 128, 0xffffc0000201n],
  ])('%s', (text, bits, value) => {
    expect(parseAddress(text)).toEqual({ bits, value });
  });

  it.each([
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    'a.b.c.d',
    '2001:db8::1::2',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'fe80::1%eth0',
    '',
  ])('rejects %j', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });
});

describe('IpAddress', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.0', true],
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['198.51.100.7', '198.51.100.7', true],
    ['198.51.100.7', '198.51.100.8', false],
    ['198.51.100.7/32', '198.51.100.7', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['0.0.0.0/0', '192.0.2.1', true],
    ['203.0.113.9/24', '203.0.113.200', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5678:abcd::1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8::/32', '2001:db9::', false],
    ['2001:db8::1/128', '2001:db8::1', true],
    ['2001:db8::1/128', '2001:db8::2', false],
    ['2001:db8::/33', '2001:db8:8000::', false],
    ['2001:db8::/33', '2001:db8:7fff::', true],
  ])('%s contains %s → %s', (cidr, address, expected) => {
    expect(valueTest('IpAddress', cidr)(address)).toBe(expected);
  });

  it('never matches across families', () => {
    expect(valueTest('IpAddress', '0.0.0.0/0')('2001:db8::1')).toBe(false);
    expect(valueTest('IpAddress', '::/0')('192.0.2.1')).toBe(false);
  });

  it('a context value that is not an address never matches', () => {
    expect(valueTest('IpAddress', '0.0.0.0/0')('bedrock.amazonaws.com')).toBe(false);
  });

  it.each([
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/0x8',
    '10.0.0.0/8/8',
    '10.0.0.0/8.0',
    'not-an-ip',
    '300.0.0.0/8',
    '',
  ])('rejects the policy value %j', (value) => {
    expect(() => valueTest('IpAddress', value)).toThrow(PolicyGrammarError);
  });

  it('NotIpAddress is the negated twin; variables are not substituted', () => {
    expect(operator('NotIpAddress').negated).toBe(true);
    expect(operator('IpAddress').variables).toBe(false);
  });
});
