import type { StatementRef } from './types.js';

/** Each statement once, in order of first mention (a layer, policy and position name a statement). */
export function uniqueStatements(refs: readonly StatementRef[]): StatementRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.policy.layer}|${r.policy.id}|${r.policy.name}|${r.index}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
