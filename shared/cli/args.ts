import { parseArgs } from 'node:util';
import type { ContextValue } from '../core/iam/types.js';
import { UsageError } from '../errors.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** `parseArgs`, strict, with errors that name the argument and exit 1 through UsageError. */
export function parseOptions<T extends OptionSpec>(args: readonly string[], options: T, command: string) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\. To specify.*$/s, '')}`, {
      hint: `Run \`bedrock-guard help\` for the options of ${command}.`,
    });
  }
}

/**
 * `--context key=value`, repeatable. A key given several times becomes a
 * multivalued key (`--context aws:TagKeys=a --context aws:TagKeys=b`).
 */
export function parseContext(pairs: readonly string[] | undefined): Record<string, ContextValue> {
  const out: Record<string, string[]> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--context "${pair}" is not key=value`, { hint: 'e.g. --context aws:PrincipalTag/team=ds' });
    }
    const key = pair.slice(0, eq);
    out[key] = [...(out[key] ?? []), pair.slice(eq + 1)];
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? (v[0] as string) : v]));
}

export function required(value: string | undefined, flag: string, hint: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`, { hint });
  return value;
}
