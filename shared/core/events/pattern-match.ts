/**
 * EventBridge content filtering, small enough to read: the rules in
 * `functions/event-rules.json` are tested with it, since the emulator's
 * `TestEventPattern` answers nothing. Semantics follow the EventBridge user
 * guide and the Event Ruler library it is built on:
 *
 * - A pattern is an object; every key must match (AND). A leaf is an array of
 *   values and operators; one of them must match (OR). `$or` holds two or more
 *   sub-patterns, one of which must match.
 * - Leaves compare with the event's leaf values at the same path. An array in
 *   the event matches when any element does (arrays nest; objects inside
 *   arrays are matched element by element, so two fields never combine across
 *   elements). Objects are not leaves: `{"exists": false}` matches a field
 *   that is absent, an object, or an empty array; `{"exists": true}` matches a
 *   string, number, boolean or `null` (null is a value, written `[null]`).
 * - Values are typed: `"5"` never matches `5`; `""` never matches `null`.
 * - `anything-but` needs a value to be present and matches when any of the
 *   field's values is not excluded.
 */

type Leaf = string | number | boolean | null;
type StringTest = (value: string) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLeaf = (v: unknown): v is Leaf =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

const OR = '$or';
const NUMERIC_OPS = ['<', '<=', '=', '>', '>='] as const;
type NumericOp = (typeof NUMERIC_OPS)[number];
const STRING_OPS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

/**
 * Whether `event` matches the EventBridge event `pattern`. A malformed pattern
 * never throws: the parts `validatePattern` would reject simply don't match.
 *
 * @example
 * matchesPattern({ detail: { errorCode: [{ prefix: 'AccessDenied' }] } },
 *                { detail: { errorCode: 'AccessDeniedException' } }) // true
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return isObject(pattern) && matchObject(pattern, event);
}

function matchObject(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === OR && isOrList(sub)) return sub.some((branch) => matchObject(branch, event));
    const value = isObject(event) && Object.hasOwn(event, key) ? event[key] : undefined;
    if (Array.isArray(sub)) return matchLeaf(sub, leavesOf(value));
    if (isObject(sub)) return matchNested(sub, value);
    return false;
  });
}

/** Objects a nested pattern applies to: the value itself, or each object in an array (arrays flattened). */
function matchNested(pattern: Record<string, unknown>, value: unknown): boolean {
  const objects = Array.isArray(value) ? value.flat(Infinity).filter(isObject) : isObject(value) ? [value] : [];
  return objects.length === 0 ? matchObject(pattern, undefined) : objects.some((o) => matchObject(pattern, o));
}

/** The leaf values at a path: none for an absent field or an object; each leaf of an array. */
function leavesOf(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flat(Infinity).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

const matchLeaf = (matchers: readonly unknown[], values: readonly Leaf[]) => matchers.some((m) => matchOne(m, values));

function matchOne(matcher: unknown, values: readonly Leaf[]): boolean {
  if (isLeaf(matcher)) return values.some((v) => v === matcher);
  if (!isObject(matcher)) return false;
  const entries = Object.entries(matcher);
  if (entries.length !== 1) return false;
  const [op, arg] = entries[0] as [string, unknown];
  if (op === 'exists') return typeof arg === 'boolean' && values.length > 0 === arg;
  if (op === 'numeric') {
    const test = numericTest(arg);
    return test !== undefined && values.some((v) => typeof v === 'number' && test(v));
  }
  if (op === 'cidr') {
    const test = typeof arg === 'string' ? cidrTest(arg) : undefined;
    return test !== undefined && values.some((v) => typeof v === 'string' && test(v));
  }
  if (op === 'anything-but') {
    const excluded = exclusionTest(arg);
    return excluded !== undefined && values.some((v) => !excluded(v));
  }
  const test = stringTest(op, arg);
  return test !== undefined && values.some((v) => typeof v === 'string' && test(v));
}

/** `prefix`/`suffix` (each optionally `{"equals-ignore-case": …}`), `equals-ignore-case`, `wildcard`. */
function stringTest(op: string, arg: unknown): StringTest | undefined {
  const ignoreCase = isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string';
  const text = ignoreCase ? (arg['equals-ignore-case'] as string) : arg;
  if (typeof text !== 'string') return undefined;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  switch (op) {
    case 'prefix':
      return (v) => fold(v).startsWith(fold(text));
    case 'suffix':
      return (v) => fold(v).endsWith(fold(text));
    case 'equals-ignore-case':
      return ignoreCase ? undefined : (v) => v.toLowerCase() === text.toLowerCase();
    case 'wildcard':
      return ignoreCase ? undefined : wildcardTest(text);
    default:
      return undefined;
  }
}

/** What `anything-but` excludes: a value, a list of values, or one string operator (its text or a list of texts). */
function exclusionTest(arg: unknown): ((v: Leaf) => boolean) | undefined {
  if (typeof arg === 'string' || typeof arg === 'number') return (v) => v === arg;
  if (Array.isArray(arg)) {
    const values: readonly unknown[] = arg;
    const sameType = values.every((a) => typeof a === 'string') || values.every((a) => typeof a === 'number');
    return values.length > 0 && sameType ? (v) => values.some((x) => x === v) : undefined;
  }
  if (!isObject(arg) || Object.keys(arg).length !== 1) return undefined;
  const [op, texts] = Object.entries(arg)[0] as [string, unknown];
  const list = Array.isArray(texts) ? texts : [texts];
  const tests = list.map((t) => stringTest(op, t));
  if (list.length === 0 || tests.some((t) => t === undefined)) return undefined;
  return (v) => typeof v === 'string' && tests.some((t) => t?.(v));
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function wildcardTest(pattern: string): StringTest | undefined {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') return undefined;
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') return undefined;
      source += '.*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  const re = new RegExp(`^${source}$`, 's');
  return (v) => re.test(v);
}

/** `["<", 10]` or a range `[">", 0, "<=", 5]` (a lower bound, then an upper bound). */
function numericTest(arg: unknown): ((v: number) => boolean) | undefined {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) return undefined;
  const parts: [NumericOp, number][] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const bound: unknown = arg[i + 1];
    if (!NUMERIC_OPS.includes(op as NumericOp) || typeof bound !== 'number') return undefined;
    parts.push([op as NumericOp, bound]);
  }
  if (parts.length === 2) {
    const [[low], [high]] = parts as [[NumericOp, number], [NumericOp, number]];
    if (!(low === '>' || low === '>=') || !(high === '<' || high === '<=')) return undefined;
  }
  return (v) => parts.every(([op, bound]) => compare(v, op, bound));
}

function compare(v: number, op: NumericOp, bound: number): boolean {
  switch (op) {
    case '<':
      return v < bound;
    case '<=':
      return v <= bound;
    case '=':
      return v === bound;
    case '>':
      return v > bound;
    case '>=':
      return v >= bound;
  }
}

/** An IPv4 or IPv6 CIDR block; addresses of the other family never match. */
function cidrTest(cidr: string): StringTest | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const network = parseIp(cidr.slice(0, slash));
  const bitsText = cidr.slice(slash + 1);
  if (network === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const width = network.v6 ? 128 : 32;
  if (bits > width) return undefined;
  const shift = BigInt(width - bits);
  return (v) => {
    const ip = parseIp(v);
    return ip !== undefined && ip.v6 === network.v6 && ip.value >> shift === network.value >> shift;
  };
}

function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
}

function parseIpv6(text: string): { v6: boolean; value: bigint } | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v6: true, value: all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n) };
}

const isOrList = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length >= 2 && v.every(isObject);

/**
 * Problems EventBridge would reject (or silently never match) in `pattern`:
 * unknown operators, a leaf that is not an array, an empty array, operators
 * with the wrong operand. Each problem names its path, e.g.
 * `detail.errorCode[0]: "prefx" is not an EventBridge operator`. Empty means
 * valid.
 */
export function validatePattern(pattern: unknown): string[] {
  if (!isObject(pattern)) return ['(pattern): must be a JSON object'];
  const problems: string[] = [];
  checkObject(pattern, '', problems);
  return problems;
}

function checkObject(pattern: Record<string, unknown>, path: string, problems: string[]): void {
  if (Object.keys(pattern).length === 0) problems.push(`${path || '(pattern)'}: an empty object matches nothing`);
  for (const [key, sub] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === OR) {
      if (!isOrList(sub)) problems.push(`${here}: must be an array of two or more pattern objects`);
      else sub.forEach((branch, i) => checkObject(branch, `${here}[${i}]`, problems));
    } else if (Array.isArray(sub)) {
      if (sub.length === 0) problems.push(`${here}: an empty array matches nothing`);
      sub.forEach((m, i) => checkMatcher(m, `${here}[${i}]`, problems));
    } else if (isObject(sub)) {
      checkObject(sub, here, problems);
    } else {
      problems.push(`${here}: a leaf must be an array of values, e.g. [${JSON.stringify(sub)}]`);
    }
  }
}

function checkMatcher(matcher: unknown, path: string, problems: string[]): void {
  if (isLeaf(matcher)) return;
  if (!isObject(matcher)) {
    problems.push(`${path}: must be a string, number, boolean, null or an operator object`);
    return;
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    problems.push(`${path}: an operator object holds exactly one operator, found ${keys.length}`);
    return;
  }
  const op = keys[0] as string;
  const arg = matcher[op];
  const bad = (what: string) => problems.push(`${path}: "${op}" ${what}`);
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') bad('takes true or false');
      return;
    case 'numeric':
      if (numericTest(arg) === undefined) bad('takes ["<op>", n] or a range [">"|">=", n, "<"|"<=", m]');
      return;
    case 'cidr':
      if (typeof arg !== 'string' || cidrTest(arg) === undefined) bad('takes an IPv4 or IPv6 CIDR block');
      return;
    case 'anything-but':
      if (exclusionTest(arg) === undefined)
        bad(
          'takes a string, a number, a non-empty list of them, or one of {prefix|suffix|equals-ignore-case|wildcard}',
        );
      return;
    default:
      if (!(STRING_OPS as readonly string[]).includes(op)) bad('is not an EventBridge operator');
      else if (stringTest(op, arg) === undefined)
        bad(
          op === 'prefix' || op === 'suffix'
            ? 'takes a string or {"equals-ignore-case": string}'
            : op === 'wildcard'
              ? 'takes a string without consecutive "*" (escape "*" and "\\" with "\\")'
              : 'takes a string',
        );
  }
}
