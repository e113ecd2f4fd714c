/**
 * IAM string patterns with policy variables.
 *
 * A pattern is a list of tokens: literal text, `*` (any run) and `?` (one
 * character). Text substituted for a policy variable is always literal, so a
 * principal tag holding `*` can never widen a statement; `${*}`, `${?}` and
 * `${$}` are the documented escapes for literal `*`, `?` and `$`.
 */
import { parseArn } from './arn.js';

import type { RequestContext, StringTest } from './types.js';

export type Token =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'star' } | { readonly kind: 'one' };

type Part =
  | { readonly kind: 'token'; readonly token: Token }
  | { readonly kind: 'var'; readonly key: string; readonly fallback: string | undefined };

/** A pattern as written in a policy, compiled once; `resolve` fills its variables per request. */
export interface Template {
  readonly source: string;
  readonly hasVariables: boolean;
  /** The context keys the variables read (lower-case). */
  readonly variableKeys: readonly string[];
  /** Tokens for this request, or `undefined` when a variable has no value and no default. */
  resolve(context: RequestContext): readonly Token[] | undefined;
}

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
const VARIABLE = /^\s*([^,\s}]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/**
 * Parse `source`; `variables` is false for policies whose Version predates
 * 2012-10-17, where IAM treats `${…}` as literal text.
 */
export function parseTemplate(source: string, variables: boolean): Template {
  const parts: Part[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push({ kind: 'token', token: { kind: 'text', text } });
    text = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '*' || c === '?') {
      flush();
      parts.push({ kind: 'token', token: c === '*' ? { kind: 'star' } : { kind: 'one' } });
    } else if (variables && c === '$' && source[i + 1] === '{') {
      const end = source.indexOf('}', i + 2);
      if (end < 0) {
        text += c;
        continue;
      }
      const inner = source.slice(i + 2, end);
      const escaped = ESCAPES[inner];
      if (escaped !== undefined) {
        text += escaped;
      } else {
        const m = VARIABLE.exec(inner);
        if (!m) {
          text += source.slice(i, end + 1);
        } else {
          flush();
          parts.push({ kind: 'var', key: (m[1] as string).toLowerCase(), fallback: m[2] });
        }
      }
      i = end;
    } else {
      text += c;
    }
  }
  flush();
  const variableKeys = parts.flatMap((p) => (p.kind === 'var' ? [p.key] : []));
  const staticTokens = variableKeys.length === 0 ? parts.map((p) => (p as { token: Token }).token) : undefined;
  return {
    source,
    hasVariables: variableKeys.length > 0,
    variableKeys,
    resolve(context) {
      if (staticTokens) return staticTokens;
      const out: Token[] = [];
      for (const p of parts) {
        if (p.kind === 'token') {
          out.push(p.token);
          continue;
        }
        const value = context.get(p.key);
        // A multivalued key can't be substituted; IAM then falls back to the default, if any.
        const single = typeof value === 'string' ? value : undefined;
        const resolved = single ?? p.fallback;
        if (resolved === undefined) return undefined;
        out.push({ kind: 'text', text: resolved });
      }
      return out;
    },
  };
}

/** The literal text of a token list when it holds no wildcard, else `undefined`. */
export function literalText(tokens: readonly Token[]): string | undefined {
  let s = '';
  for (const t of tokens) {
    if (t.kind !== 'text') return undefined;
    s += t.text;
  }
  return s;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function tokensToRegexSource(tokens: readonly Token[]): string {
  let src = '';
  for (const t of tokens) src += t.kind === 'text' ? escapeRegex(t.text) : t.kind === 'star' ? '.*' : '.';
  return src;
}

/** Whole-string glob match; `ignoreCase` for actions and the IgnoreCase operators. */
export function compileTokens(tokens: readonly Token[], ignoreCase = false): StringTest {
  const literal = literalText(tokens);
  if (literal !== undefined) {
    if (!ignoreCase) return (v) => v === literal;
    const lower = literal.toLowerCase();
    return (v) => v.toLowerCase() === lower;
  }
  if (tokens.length === 1 && tokens[0]?.kind === 'star') return () => true;
  const last = tokens[tokens.length - 1];
  const head = tokens.slice(0, -1);
  const prefix = last?.kind === 'star' ? literalText(head) : undefined;
  if (prefix !== undefined) {
    if (!ignoreCase) return (v) => v.startsWith(prefix);
    const lower = prefix.toLowerCase();
    return (v) => v.toLowerCase().startsWith(lower);
  }
  const re = new RegExp(`^${tokensToRegexSource(tokens)}$`, ignoreCase ? 'is' : 's');
  return (v) => re.test(v);
}

/** Split tokens at literal colons into at most `limit` segments (the last keeps the rest). */
function splitAtColons(tokens: readonly Token[], limit: number): Token[][] {
  const segments: Token[][] = [[]];
  const current = () => segments[segments.length - 1] as Token[];
  for (const t of tokens) {
    if (t.kind !== 'text') {
      current().push(t);
      continue;
    }
    t.text.split(':').forEach((piece, i) => {
      if (i > 0) {
        if (segments.length < limit) segments.push([]);
        else current().push({ kind: 'text', text: ':' });
      }
      if (piece) current().push({ kind: 'text', text: piece });
    });
  }
  return segments;
}

const isArnPattern = (tokens: readonly Token[]) => {
  const first = tokens[0];
  return first?.kind === 'text' && first.text.startsWith('arn:');
};

/**
 * Match a `Resource`/`NotResource` entry. IAM compares ARNs segment by
 * segment, case-sensitively, but a `*` that ends a segment may run on past
 * the colons (so `arn:aws:bedrock:*` covers every Bedrock ARN, Region-less
 * ones included); inside a segment `*` and `?` stop at colons. Everything
 * after the fifth colon is one segment. A lone `*` matches any resource.
 */
export function compileResourceTokens(tokens: readonly Token[]): StringTest {
  if (tokens.length === 1 && tokens[0]?.kind === 'star') return () => true;
  if (!isArnPattern(tokens)) return compileTokens(tokens);
  let colons = 0;
  let src = '';
  tokens.forEach((t, i) => {
    if (t.kind === 'text') {
      src += escapeRegex(t.text);
      for (const ch of t.text) if (ch === ':') colons++;
      return;
    }
    const inResource = colons >= 5;
    const next = tokens[i + 1];
    const endsSegment = next === undefined || (next.kind === 'text' && next.text.startsWith(':'));
    if (t.kind === 'one') src += inResource ? '.' : '[^:]';
    else src += inResource || endsSegment ? '.*' : '[^:]*';
  });
  const re = new RegExp(`^${src}$`, 's');
  return (v) => re.test(v);
}

/**
 * Match an ARN the way the `ArnEquals`/`ArnLike` operators do: each of the
 * six colon-separated parts on its own, case-sensitive, with wildcards that
 * never cross a colon except in the final resource part. A pattern or value
 * with fewer than six parts is not an ARN and matches nothing.
 */
export function compileArnLikeTokens(tokens: readonly Token[]): StringTest {
  const segments = splitAtColons(tokens, 6);
  if (segments.length < 6 || !isArnPattern(tokens)) return () => false;
  const [, partition, service, region, account, resource] = segments.map((s) => compileTokens(s)) as StringTest[];
  return (value) => {
    const arn = parseArn(value);
    return (
      arn !== undefined &&
      (service as StringTest)(arn.service) &&
      (resource as StringTest)(arn.resource) &&
      (region as StringTest)(arn.region) &&
      (account as StringTest)(arn.account) &&
      (partition as StringTest)(arn.partition)
    );
  };
}

/** Compile a resolved pattern, memoised: a handful of distinct patterns serve millions of checks. */
export function memoise(compile: (tokens: readonly Token[]) => StringTest): (tokens: readonly Token[]) => StringTest {
  const cache = new Map<string, StringTest>();
  return (tokens) => {
    const key = JSON.stringify(tokens);
    let test = cache.get(key);
    if (!test) {
      if (cache.size > 10_000) cache.clear();
      test = compile(tokens);
      cache.set(key, test);
    }
    return test;
  };
}
