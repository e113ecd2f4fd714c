import { globMatcher } from '../policy-file/glob.js';
import type { PrincipalSelector } from '../policy-file/types.js';
import type { Principal } from '../snapshot/types.js';

export type PrincipalTest = (principal: Principal) => boolean;

/**
 * Compile a team's selectors: a principal matches when any selector matches,
 * and a selector matches when every field it sets does. Tag keys compare
 * without case (IAM keeps tag keys unique regardless of case); values and
 * ARNs are case-sensitive globs.
 */
export function compileSelectors(selectors: readonly PrincipalSelector[]): PrincipalTest {
  const tests = selectors.map(compileSelector);
  return (p) => tests.some((t) => t(p));
}

function compileSelector(selector: PrincipalSelector): PrincipalTest {
  const parts: PrincipalTest[] = [];
  if (selector.arns) {
    const arns = selector.arns.map(globMatcher);
    parts.push((p) => arns.some((m) => m(p.arn)));
  }
  if (selector.tags) {
    const tags = Object.entries(selector.tags).map(([key, values]) => ({
      key: key.toLowerCase(),
      values: values.map(globMatcher),
    }));
    parts.push((p) => {
      const own = new Map(Object.entries(p.tags).map(([k, v]) => [k.toLowerCase(), v]));
      return tags.every(({ key, values }) => {
        const value = own.get(key);
        return value !== undefined && values.some((m) => m(value));
      });
    });
  }
  if (selector.groups) {
    const groups = new Set(selector.groups);
    parts.push((p) => p.groups.some((g) => groups.has(g)));
  }
  if (parts.length === 0) return () => false;
  return (p) => parts.every((t) => t(p));
}
