import type { PolicyPath } from './source-map.js';
import type { PolicyFileIssue, Position } from './types.js';

/** `['teams', 1, 'models', 0]` → `teams[1].models[0]`; keys that aren't plain names are quoted. */
export function formatPath(path: PolicyPath): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[A-Za-z0-9_-]+$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/**
 * One issue as compilers print them, so editors and CI annotate the line:
 * `file:line:col: error: message (at teams[1].models[0])`, then `  hint: …`.
 */
export function formatIssue(file: string, issue: PolicyFileIssue): string {
  const where = issue.position ? `${file}:${issue.position.line}:${issue.position.col}` : file;
  const at = issue.path ? ` (at ${issue.path})` : '';
  const hint = issue.hint ? `\n  hint: ${issue.hint}` : '';
  return `${where}: ${issue.level}: ${issue.message}${at}${hint}`;
}

/** In file order; issues without a position last. */
export function sortIssues(issues: readonly PolicyFileIssue[]): PolicyFileIssue[] {
  const key = (p: Position | undefined) => (p ? p.line * 1_000_000 + p.col : Infinity);
  return [...issues].sort((a, b) => key(a.position) - key(b.position));
}

/** `3:12` for messages that point back at an earlier occurrence. */
export const lineOf = (position: Position | undefined): string =>
  position ? `${position.line}:${position.col}` : 'an earlier line';
