/**
 * Globs in the policy file follow IAM's wildcards: `*` is any run of
 * characters (crossing `/` and `:`), `?` is one character; matching is
 * case-sensitive. Model-id globs therefore turn into IAM resource patterns
 * unchanged (`anthropic.claude-*` → `…:foundation-model/anthropic.claude-*`).
 */
export function globMatcher(glob: string): (value: string) => boolean {
  if (!/[*?]/.test(glob)) return (value) => value === glob;
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  const re = new RegExp(`^${source}$`);
  return (value) => re.test(value);
}

/** True when `glob` holds a wildcard. */
export const isGlob = (glob: string): boolean => /[*?]/.test(glob);
