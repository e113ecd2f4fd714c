import { PolicyGrammarError } from '../../errors.js';
import { CONDITION_OPERATORS, type ConditionOperator } from './conditions/index.js';
import { memoise, parseTemplate, type Template, type Token } from './pattern.js';
import type { RequestContext, StringTest } from './types.js';

type SetModifier = 'ForAnyValue' | 'ForAllValues' | undefined;

/** One `operator: { key: values }` test of a statement's Condition block. */
export interface CompiledCondition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The key as written. */
  readonly key: string;
  /** Context keys this condition reads: its key and any policy variables in its values. */
  readonly reads: readonly string[];
  test(context: RequestContext): boolean;
}

const NEVER: StringTest = () => false;

function parseOperator(written: string, where: string) {
  let rest = written;
  let set: SetModifier;
  const lower = written.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    set = 'ForAnyValue';
    rest = written.slice('foranyvalue:'.length);
  } else if (lower.startsWith('forallvalues:')) {
    set = 'ForAllValues';
    rest = written.slice('forallvalues:'.length);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists') && rest.toLowerCase() !== 'ifexists') {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  if (rest.toLowerCase() === 'null') {
    if (ifExists || set) {
      throw new PolicyGrammarError(`"${written}" is not a valid condition operator`, {
        location: where,
        hint: 'Null takes no IfExists suffix and no ForAnyValue/ForAllValues prefix.',
      });
    }
    return { base: 'null' as const, set, ifExists };
  }
  const base = CONDITION_OPERATORS.get(rest.toLowerCase());
  if (!base) {
    throw new PolicyGrammarError(`unknown condition operator "${written}"`, {
      location: where,
      hint: 'Use an operator from the IAM reference, e.g. StringEquals, ArnLike, NumericLessThan, Bool, Null.',
    });
  }
  return { base, set, ifExists };
}

function asValues(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) {
    throw new PolicyGrammarError('a condition key needs at least one value', { location: where });
  }
  return list.map((v, i) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyGrammarError(`condition values must be strings, numbers or booleans, not ${JSON.stringify(v)}`, {
      location: `${where}[${i}]`,
    });
  });
}

function compileNull(written: string, key: string, values: string[], where: string): CompiledCondition {
  const wants = values.map((v, i) => {
    const lower = v.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new PolicyGrammarError(`Null takes "true" or "false", not "${v}"`, { location: `${where}[${i}]` });
    }
    return lower === 'true';
  });
  const lowerKey = key.toLowerCase();
  return {
    operator: written,
    key,
    reads: [lowerKey],
    test(context) {
      const value = context.get(lowerKey);
      // An empty multivalued key counts as absent.
      const absent = value === undefined || (Array.isArray(value) && value.length === 0);
      return wants.some((want) => want === absent);
    },
  };
}

/** Compile the matchers for a condition's values; variable values resolve per request. */
function compileValues(
  op: ConditionOperator,
  values: string[],
  variables: boolean,
  where: string,
): (context: RequestContext) => StringTest[] {
  const templates: Template[] = values.map((v) => parseTemplate(v, variables && op.variables));
  const compileChecked = (tokens: readonly Token[], i: number) => {
    try {
      return op.compile(tokens);
    } catch (error) {
      if (error instanceof PolicyGrammarError) {
        throw new PolicyGrammarError(error.message, { location: `${where}[${i}]`, hint: error.hint });
      }
      throw error;
    }
  };
  // Static values compile now, so a malformed value fails at load time, not mid-request.
  const fixed = templates.map((t, i) => (t.hasVariables ? undefined : compileChecked(t.resolve(new Map()) ?? [], i)));
  if (templates.every((t) => !t.hasVariables)) {
    const tests = fixed as StringTest[];
    return () => tests;
  }
  const dynamic = memoise((tokens) => op.compile(tokens));
  return (context) =>
    templates.map((t, i) => {
      const f = fixed[i];
      if (f) return f;
      const tokens = t.resolve(context);
      // A variable with no value and no default makes that value match nothing.
      return tokens === undefined ? NEVER : dynamic(tokens);
    });
}

/** One context value against a condition's values: any match (none, for a negated operator). */
function satisfies(matchers: readonly StringTest[], value: string, negated: boolean): boolean {
  for (const m of matchers) if (m(value)) return !negated;
  return negated;
}

/**
 * Compile one condition `operator: { key: value(s) }` pair.
 *
 * Semantics, as AWS documents them: several values for a key are ORed (NOR
 * for negated operators); an absent key fails positive operators and passes
 * negated ones; `…IfExists` passes when the key is absent; `ForAllValues`
 * passes on an absent or empty key; `ForAnyValue` fails on one.
 */
export function compileCondition(
  written: string,
  key: string,
  rawValues: unknown,
  variables: boolean,
  where: string,
): CompiledCondition {
  const values = asValues(rawValues, where);
  const parsed = parseOperator(written, where);
  if (parsed.base === 'null') return compileNull(written, key, values, where);
  const { base, set, ifExists } = parsed;
  const lowerKey = key.toLowerCase();
  const matchersFor = compileValues(base, values, variables, where);
  const reads = [
    lowerKey,
    ...new Set(values.flatMap((v) => parseTemplate(v, variables && base.variables).variableKeys)),
  ];
  const negated = base.negated;
  return {
    operator: written,
    key,
    reads,
    test(context) {
      const value = context.get(lowerKey);
      if (value === undefined) {
        if (ifExists || set === 'ForAllValues') return true;
        if (set === 'ForAnyValue') return false;
        return negated;
      }
      const matchers = matchersFor(context);
      if (typeof value === 'string') return satisfies(matchers, value, negated);
      // A multivalued key under a single-valued operator: any value may satisfy a
      // positive test, while a negated one needs every value to avoid the set.
      const every = set === 'ForAllValues' || (set === undefined && negated);
      for (const v of value) {
        if (satisfies(matchers, v, negated) !== every) return !every;
      }
      return every;
    },
  };
}
