import * as z from 'zod';
import { didYouMean } from '../text/did-you-mean.js';
import { formatPath } from './issues.js';
import { FORMATS, type StringFormat } from './schema.js';
import type { PolicyPath, YamlSourceMap } from './source-map.js';
import type { PolicyFileIssue } from './types.js';

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/**
 * Zod's issues rewritten for people editing YAML: one issue per unknown key
 * (with "did you mean"), the branch of a union that fits the value's type
 * instead of every branch's complaint, and the position of each value.
 */
export function zodIssues(root: Schema, issues: readonly Issue[], map: YamlSourceMap): PolicyFileIssue[] {
  const out: PolicyFileIssue[] = [];
  const push = (path: PolicyPath, message: string, hint: string | undefined, onKey = false): void => {
    out.push({
      level: 'error',
      message,
      path: formatPath(path),
      position: onKey ? map.keyPositionOf(path) : map.positionOf(path),
      ...(hint === undefined ? {} : { hint }),
    });
  };

  const convert = (issue: Issue, prefix: PolicyPath): void => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    const input = issue.input;
    switch (issue.code) {
      case 'invalid_union': {
        const fitting = issue.errors.find((branch) => expectedKinds(branch, input) === undefined);
        if (fitting) {
          for (const sub of fitting) convert(sub, path);
          return;
        }
        const expected = [...new Set(issue.errors.flatMap((branch) => expectedKinds(branch, input) ?? []))];
        return typeMismatch(path, expected, input);
      }
      case 'unrecognized_keys': {
        const known = objectKeysAt(root, path);
        for (const key of issue.keys) {
          const guess = didYouMean(key, known);
          push(
            [...path, key],
            `unknown field "${key}"`,
            guess ? `did you mean "${guess}"?` : `expected one of: ${known.join(', ')}`,
            true,
          );
        }
        return;
      }
      case 'invalid_key': {
        const format = issue.issues.map(formatOf).find((f) => f !== undefined);
        const key = String(path.at(-1));
        return push(path, `${format?.message ?? 'invalid key'} "${key}"`, format?.hint, true);
      }
      case 'invalid_type':
        if (input === undefined) {
          return push(path, `missing required field "${String(path.at(-1))}"`, descriptionAt(root, path));
        }
        return typeMismatch(path, [issue.expected], input);
      case 'invalid_value':
        return invalidValue(path, issue.values, input);
      case 'invalid_format': {
        const format = formatOf(issue);
        return push(path, `${format?.message ?? 'invalid value'} ${JSON.stringify(input)}`, format?.hint);
      }
      case 'too_small': {
        const min = Number(issue.minimum);
        if (issue.origin === 'array' || issue.origin === 'string') {
          const message = min <= 1 ? 'must not be empty' : `must have at least ${min} entries`;
          return push(path, message, descriptionAt(root, path));
        }
        return push(path, `must be at least ${min}, got ${String(input)}`, descriptionAt(root, path));
      }
      case 'custom':
        return push(path, issue.message, undefined);
      default:
        return push(path, issue.message, descriptionAt(root, path));
    }
  };

  const typeMismatch = (path: PolicyPath, expected: readonly string[], input: unknown) => {
    if (input === undefined) {
      return push(path, `missing required field "${String(path.at(-1))}"`, descriptionAt(root, path));
    }
    const got = kindOf(input);
    const message = `expected ${orList(expected.map(describeKind))}, got ${describeKind(got)}`;
    let hint = descriptionAt(root, path);
    if (expected.length === 1 && expected[0] === 'string' && (got === 'number' || got === 'boolean')) {
      hint = `YAML reads ${String(input)} as a ${got}; quote it: "${String(input)}"`;
    } else if (expected.includes('array') && got === 'string') {
      hint = `write a list: [${String(input)}]`;
    } else if (got === 'null') {
      hint = `the value is empty. ${hint ?? ''}`.trim();
    }
    push(path, message, hint);
  };

  const invalidValue = (path: PolicyPath, values: readonly unknown[], input: unknown) => {
    const allowed = values.map(String);
    if (input === undefined) {
      return push(path, `missing required field "${String(path.at(-1))}"`, descriptionAt(root, path));
    }
    if (allowed.length === 1) {
      const hint =
        typeof input === 'string' && input === allowed[0]
          ? `write ${allowed[0]} without quotes`
          : `this bedrock-guard reads ${labelOf(path)} ${allowed[0]}`;
      return push(path, `must be ${allowed[0]}, got ${JSON.stringify(input)}`, hint);
    }
    const what = labelOf(path);
    if (typeof input !== 'string') {
      return push(path, `expected a ${what} (${allowed.join(', ')}), got ${describeKind(kindOf(input))}`, undefined);
    }
    const guess = didYouMean(input, allowed);
    push(
      path,
      `unknown ${what} "${input}"`,
      guess ? `did you mean "${guess}"? (one of: ${allowed.join(', ')})` : `expected one of: ${allowed.join(', ')}`,
    );
  };

  for (const issue of issues) convert(issue, []);
  return out;
}

/** The kinds a union branch expected when it rejected the value's type outright, else undefined (it fits). */
function expectedKinds(branch: readonly Issue[], input: unknown): string[] | undefined {
  for (const issue of branch) {
    if (issue.path.length > 0) continue;
    if (issue.code === 'invalid_type') return [issue.expected];
    if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v !== typeof input)) {
      return [...new Set(issue.values.map((v) => typeof v))];
    }
    if (issue.code === 'invalid_union') {
      const nested = issue.errors.map((b) => expectedKinds(b, input));
      if (nested.every((k) => k !== undefined)) return nested.flat();
    }
  }
  return undefined;
}

function formatOf(issue: Issue): StringFormat | undefined {
  if (issue.code !== 'invalid_format' || issue.format !== 'regex') return undefined;
  return Object.values(FORMATS).find((f) => String(f.pattern) === issue.pattern);
}

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;

const KIND_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'nothing',
};
const describeKind = (kind: string): string => KIND_NAMES[kind] ?? kind;
const orList = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

const LABELS: Record<string, string> = {
  version: 'version',
  features: 'feature',
  mode: 'mode',
  partition: 'partition',
  severity: 'severity',
  minSeverity: 'severity',
};

/** What an enum value is called in messages: `unknown feature "bach"`. */
function labelOf(path: PolicyPath): string {
  if (path[0] === 'rules' && path.length === 2) return 'mode';
  const name = [...path].reverse().find((s): s is string => typeof s === 'string');
  return (name && LABELS[name]) ?? 'value';
}

/** Wrappers that don't change which value is expected. */
function unwrap(schema: Schema): Schema[] {
  const s = schema as z.core.$ZodTypes;
  switch (s._zod.def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return [schema, ...unwrap(s._zod.def.innerType)];
    case 'pipe':
      return [schema, ...unwrap(s._zod.def.in)];
    case 'union':
      return [schema, ...s._zod.def.options.flatMap(unwrap)];
    default:
      return [schema];
  }
}

/** Every schema the value at `path` may be checked against (several where unions meet). */
function schemasAt(root: Schema, path: PolicyPath): Schema[] {
  let current = [root];
  for (const segment of path) {
    current = current.flatMap(unwrap).flatMap((schema): Schema[] => {
      const def = (schema as z.core.$ZodTypes)._zod.def;
      if (def.type === 'object' && typeof segment === 'string') {
        const child = def.shape[segment];
        return child ? [child] : [];
      }
      if (def.type === 'array' && typeof segment === 'number') return [def.element];
      if (def.type === 'record' && typeof segment === 'string') return [def.valueType];
      return [];
    });
  }
  return current;
}

function objectKeysAt(root: Schema, path: PolicyPath): string[] {
  const keys = schemasAt(root, path)
    .flatMap(unwrap)
    .flatMap((schema) => {
      const def = (schema as z.core.$ZodTypes)._zod.def;
      return def.type === 'object' ? Object.keys(def.shape) : [];
    });
  return [...new Set(keys)];
}

/** The field's documentation, as the JSON Schema shows it in editors. */
function descriptionAt(root: Schema, path: PolicyPath): string | undefined {
  for (const schema of schemasAt(root, path).flatMap(unwrap)) {
    const description = z.globalRegistry.get(schema)?.description;
    if (description) return description;
  }
  return undefined;
}
