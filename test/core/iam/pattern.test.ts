// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
import { describe, expect, it } from 'vitest';
import { contextFrom } from '../../../shared/core/iam/context.js';
import {
  compileArnLikeTokens,
  compileResourceTokens,
  compileTokens,
  literalText,
  memoise,
  parseTemplate,
  type Token,
} from '../../../shared/core/iam/pattern.js';
import type { ContextValue } from '../../../shared/core/iam/types.js';

const resolve = (source: string, context: Record<string, ContextValue> = {}, variables = true) =>
  parseTemplate(source, variables).resolve(contextFrom(context));

/** Compile a pattern as written (no variables) with one of the matchers. */
const matcher = (compile: (tokens: readonly Token[]) => (v: string) => boolean, pattern: string) =>
  compile(parseTemplate(pattern, true).resolve(new Map()) ?? []);

describe('parseTemplate', () => {
  it('splits text and wildcards into tokens', () => {
    expect(resolve('a*b?c')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'star' },
      { kind: 'text', text: 'b' },
      { kind: 'one' },
      { kind: 'text', text: 'c' },
    ]);
  });

  it('substitutes a variable as literal text and lists the keys it reads in lower case', () => {
    const t = parseTemplate('home/${aws:username}/${aws:PrincipalTag/Team}', true);
    expect(t.hasVariables).toBe(true);
    expect(t.variableKeys).toEqual(['aws:username', 'aws:principaltag/team']);
    expect(literalText(t.resolve(contextFrom({ 'aws:username': 'alice', 'aws:PrincipalTag/Team': 'ml' })) ?? [])).toBe(
      'home/alice/ml',
    );
  });

  it('keeps a * or ? inside a substituted value literal, so a tag value cannot widen a pattern', () => {
    const tokens = resolve('profile/${aws:PrincipalTag/team}-x', { 'aws:PrincipalTag/team': '*?' });
    expect(tokens).toEqual([
      { kind: 'text', text: 'profile/' },
      { kind: 'text', text: '*?' },
      { kind: 'text', text: '-x' },
    ]);
    const test = compileTokens(tokens ?? []);
    expect(test('profile/*?-x')).toBe(true);
    expect(test('profile/ds-x')).toBe(false);
  });

  it('returns undefined when a variable has no value and no default', () => {
    expect(resolve('user/${aws:username}')).toBeUndefined();
  });

  it("uses the default after ', ' when the key is absent", () => {
    expect(literalText(resolve("bucket-${aws:PrincipalTag/team, 'company-wide'}") ?? [])).toBe('bucket-company-wide');
    expect(
      literalText(resolve("bucket-${aws:PrincipalTag/team, 'company-wide'}", { 'aws:PrincipalTag/team': 'ml' }) ?? []),
    ).toBe('bucket-ml');
  });

  it('does not substitute a multivalued key; the default applies instead', () => {
    expect(resolve('x/${aws:TagKeys}', { 'aws:TagKeys': ['a', 'b'] })).toBeUndefined();
    expect(literalText(resolve("x/${aws:TagKeys, 'none'}", { 'aws:TagKeys': ['a', 'b'] }) ?? [])).toBe('x/none');
  });

  it('turns ${*}, ${?} and ${$} into literal characters', () => {
    expect(resolve('a${*}b${?}c${$}d')).toEqual([{ kind: 'text', text: 'a*b?c$d' }]);
    expect(parseTemplate('a${*}', true).hasVariables).toBe(false);
  });

  it('leaves an unclosed or malformed ${ as text', () => {
    expect(resolve('a${aws:username')).toEqual([{ kind: 'text', text: 'a${aws:username' }]);
    expect(resolve('a${}b')).toEqual([{ kind: 'text', text: 'a${}b' }]);
  });

  it('treats ${...} as literal text when variables are off (Version 2008-10-17)', () => {
    const t = parseTemplate('user/${aws:username}', false);
    expect(t.hasVariables).toBe(false);
    expect(literalText(t.resolve(contextFrom({ 'aws:username': 'alice' })) ?? [])).toBe('user/${aws:username}');
  });
});

describe('compileTokens (string globs)', () => {
  it.each([
    ['exact', 'abc', 'abc', true],
    ['exact is case-sensitive', 'abc', 'ABC', false],
    ['* spans / and :', 'arn:aws:iam::*:role/ml-*', 'arn:aws:iam::111122223333:role/ml-a/b:c', true],
    ['* matches nothing', 'ab*', 'ab', true],
    ['? is exactly one character', 'a?c', 'abc', true],
    ['? does not match zero characters', 'a?c', 'ac', false],
    ['? does not match two characters', 'a?c', 'abbc', false],
    ['inner * anchors both ends', 'a*z', 'a-y', false],
    ['regex metacharacters are literal', 'a.b+(c)', 'a.b+(c)', true],
    ['a dot is not any character', 'a.b', 'axb', false],
    ['* matches across newlines', 'a*b', 'a\nb', true],
  ])('%s: %s vs %s', (_name, pattern, value, expected) => {
    expect(matcher((t) => compileTokens(t), pattern)(value)).toBe(expected);
  });

  it('ignores case on request when asked (actions, IgnoreCase operators)', () => {
    const test = compileTokens(parseTemplate('bedrock:invoke*', false).resolve(new Map()) ?? [], true);
    expect(test('BEDROCK:InvokeModel')).toBe(true);
    expect(test('s3:InvokeModel')).toBe(false);
  });
});

describe('compileResourceTokens (Resource / NotResource)', () => {
  const cases: [string, string, string, boolean][] = [
    ['lone * matches anything', '*', 'arn:aws:s3:::b', true],
    ['lone * matches the no-resource marker', '*', '*', true],
    [
      'exact ARN',
      'arn:aws:bedrock:us-east-1::foundation-model/m:0',
      'arn:aws:bedrock:us-east-1::foundation-model/m:0',
      true,
    ],
    [
      'case-sensitive',
      'arn:aws:bedrock:us-east-1::foundation-model/m',
      'arn:aws:bedrock:us-east-1::foundation-model/M',
      false,
    ],
    [
      '* in the resource part crosses colons',
      'arn:aws:bedrock:*::foundation-model/*',
      'arn:aws:bedrock:eu-west-1::foundation-model/a:0:8k',
      true,
    ],
    [
      'Region * matches an empty Region',
      'arn:aws:bedrock:*::foundation-model/m',
      'arn:aws:bedrock:::foundation-model/m',
      true,
    ],
    [
      'Region * crosses colons when it ends the segment',
      'arn:aws:bedrock:*:foundation-model/m',
      'arn:aws:bedrock:us-east-1::foundation-model/m',
      true,
    ],
    [
      '* inside a segment stops at colons',
      'arn:aws:bedrock:us-*-1::foundation-model/m',
      'arn:aws:bedrock:us-x:y-1::foundation-model/m',
      false,
    ],
    [
      '* inside a segment matches within it',
      'arn:aws:bedrock:us-*-1::foundation-model/m',
      'arn:aws:bedrock:us-east-1::foundation-model/m',
      true,
    ],
    [
      '? inside a segment never matches a colon',
      'arn:aws:bedrock:us-east-??foundation-model/m',
      'arn:aws:bedrock:us-east-1::foundation-model/m',
      false,
    ],
    [
      '? in the resource part may match a colon',
      'arn:aws:bedrock:us-east-1::foundation-model/m?0',
      'arn:aws:bedrock:us-east-1::foundation-model/m:0',
      true,
    ],
    [
      'trailing * on a short ARN covers every ARN of the service',
      'arn:aws:bedrock:*',
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.x:0',
      true,
    ],
    [
      'trailing * on a short ARN keeps the service literal',
      'arn:aws:bedrock:*',
      'arn:aws:bedrock-mantle:us-east-1:111122223333:project/default',
      false,
    ],
    ['arn:* covers every ARN', 'arn:*', 'arn:aws-us-gov:s3:::bucket', true],
    ['an ARN pattern never matches the no-resource marker', 'arn:aws:bedrock:*', '*', false],
    [
      'account * matches an empty account',
      'arn:aws:bedrock:*:*:foundation-model/m',
      'arn:aws:bedrock:us-east-1::foundation-model/m',
      true,
    ],
    [
      'an account id does not match an empty account',
      'arn:aws:bedrock:*:111122223333:foundation-model/m',
      'arn:aws:bedrock:us-east-1::foundation-model/m',
      false,
    ],
    ['a non-ARN pattern is a plain glob', 'bucket/*', 'bucket/a:b', true],
  ];
  it.each(cases)('%s', (_name, pattern, value, expected) => {
    expect(matcher(compileResourceTokens, pattern)(value)).toBe(expected);
  });
});

describe('compileArnLikeTokens (ArnEquals / ArnLike)', () => {
  const cases: [string, string, string, boolean][] = [
    ['exact ARN', 'arn:aws:iam::111122223333:role/app', 'arn:aws:iam::111122223333:role/app', true],
    ['case-sensitive', 'arn:aws:iam::111122223333:role/app', 'arn:aws:iam::111122223333:role/App', false],
    [
      'wildcards per part',
      'arn:aws:bedrock:us-*:*:inference-profile/*',
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.x:0',
      true,
    ],
    [
      'Region * matches an empty Region',
      'arn:aws:bedrock:*::foundation-model/*',
      'arn:aws:bedrock:::foundation-model/m',
      true,
    ],
    [
      'Region * does not spill into the account part',
      'arn:aws:bedrock:*:111122223333:x/*',
      'arn:aws:bedrock:us-east-1:444455556666:111122223333:x/y',
      false,
    ],
    ['fewer than six parts never match', 'arn:aws:bedrock:*', 'arn:aws:bedrock:us-east-1:111122223333:job/1', false],
    [
      'the resource part keeps its colons',
      'arn:aws:bedrock:us-east-1::foundation-model/m:0',
      'arn:aws:bedrock:us-east-1::foundation-model/m:0',
      true,
    ],
    ['a value that is not an ARN never matches', 'arn:aws:iam::*:role/*', 'AROAEXAMPLE', false],
    [
      '? is one character within a part',
      'arn:aws:ec2:*:*:instance/i-?????',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-12345',
      true,
    ],
    [
      '? does not match six characters',
      'arn:aws:ec2:*:*:instance/i-?????',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-123456',
      false,
    ],
    ['a pattern that is not an ARN never matches', '*', 'arn:aws:iam::111122223333:role/app', false],
  ];
  it.each(cases)('%s', (_name, pattern, value, expected) => {
    expect(matcher(compileArnLikeTokens, pattern)(value)).toBe(expected);
  });
});

describe('memoise', () => {
  it('compiles each distinct token list once', () => {
    let compiled = 0;
    const compile = memoise((tokens) => {
      compiled++;
      return compileTokens(tokens);
    });
    const a = resolve('a*') ?? [];
    expect(compile(a)('abc')).toBe(true);
    expect(compile(resolve('a*') ?? [])('xbc')).toBe(false);
    expect(compiled).toBe(1);
    compile(resolve('b*') ?? []);
    expect(compiled).toBe(2);
  });
});
