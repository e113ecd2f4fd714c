import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/core/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[1,{"y":1,"z":0}]},"b":1}',
    );
  });

  it('gives the same text whatever the key order', () => {
    const a = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }] };
    const b = { Statement: [{ Resource: '*', Action: 'bedrock:*', Effect: 'Deny' }], Version: '2012-10-17' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('writes no whitespace, whatever the input was parsed from', () => {
    const pretty = JSON.parse('{\n  "b" : [ 1 , 2 ],\n  "a" : "x y"\n}') as unknown;
    expect(canonicalJson(pretty)).toBe('{"a":"x y","b":[1,2]}');
  });

  it('keeps array order: arrays are sequences', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });

  it('drops object members that are undefined, like JSON.stringify', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('keeps null members', () => {
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
  });

  it('writes scalars as JSON', () => {
    expect([canonicalJson('a"b'), canonicalJson(1.5), canonicalJson(true), canonicalJson(null)]).toEqual([
      '"a\\"b"',
      '1.5',
      'true',
      'null',
    ]);
  });

  it('escapes keys as JSON strings', () => {
    expect(canonicalJson({ 'a"b': 1 })).toBe('{"a\\"b":1}');
  });

  it('is valid JSON that parses back to an equal value', () => {
    const value = { z: [{ b: 'x', a: [null, false, 0] }], a: { '': 'empty key' } };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});
