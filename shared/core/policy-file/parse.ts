import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { PolicyFileError } from '../../errors.js';
import { checkPolicyFile, type CheckOptions } from './checks.js';
import { formatPath, lineOf, sortIssues } from './issues.js';
import { normalizePolicyFile } from './normalize.js';
import { policyFileSchema } from './schema.js';
import { duplicateKeys, yamlSourceMap, type YamlSourceMap } from './source-map.js';
import type { PolicyFile, PolicyFileIssue } from './types.js';
import { zodIssues } from './zod-issues.js';

export type ParseOptions = CheckOptions;

export interface ParseResult {
  /** The normalized file; undefined when any issue is an error. */
  readonly policy: PolicyFile | undefined;
  /** Every error and warning, in file order. */
  readonly issues: PolicyFileIssue[];
}

const START_HINT = 'A policy file starts with `version: 1`, then regions, models and teams; see docs/policy-file.md.';

/**
 * Parse and validate the text of `bedrock-guard.yaml` (pure: the caller
 * reads the file). Every problem is collected, not just the first, each with
 * its path and line:col: YAML syntax, duplicate keys, the schema, then the
 * cross-field checks. `knownModelIds` (a snapshot's catalogue) turns model
 * ids that match nothing into warnings.
 *
 * @example
 * const { policy, issues } = parsePolicyFile(text, 'bedrock-guard.yaml');
 * for (const i of issues) console.error(formatIssue('bedrock-guard.yaml', i));
 */
export function parsePolicyFile(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const map = yamlSourceMap(file, doc, lineCounter);
  const done = (issues: PolicyFileIssue[], policy?: PolicyFile): ParseResult => ({
    policy,
    issues: sortIssues(issues),
  });

  const yamlIssue = (level: PolicyFileIssue['level']) => (e: YAMLError) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { level, message: `YAML: ${e.message}`, path: '', position: { line, col } };
  };
  const issues: PolicyFileIssue[] = [...doc.errors.map(yamlIssue('error')), ...doc.warnings.map(yamlIssue('warning'))];
  if (doc.errors.length > 0) return done(issues);

  for (const d of duplicateKeys(doc, lineCounter)) {
    issues.push({
      level: 'error',
      message: `duplicate key "${d.key}" (first at ${lineOf(d.first)})`,
      path: formatPath(d.path),
      position: d.position,
      hint: 'YAML keys must be unique in a mapping; merge the two or remove one.',
    });
  }

  if (doc.contents === null) {
    return done([
      ...issues,
      { level: 'error', message: 'the file is empty', path: '', position: { line: 1, col: 1 }, hint: START_HINT },
    ]);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    return done([...issues, rootIssue(map, `YAML: ${(error as Error).message}`)]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return done([...issues, rootIssue(map, 'expected a mapping of fields (version, regions, models, teams, …)')]);
  }

  const parsed = policyFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) issues.push(...zodIssues(policyFileSchema, parsed.error.issues, map));
  issues.push(...checkPolicyFile(raw as Record<string, unknown>, map, options));

  const clean = parsed.success && !issues.some((i) => i.level === 'error');
  return done(issues, clean ? normalizePolicyFile(parsed.data, map) : undefined);
}

/**
 * Parse, validate and normalize, or throw `PolicyFileError` with every error
 * (so a command that needs the policy stops with all of them at once).
 */
export function loadPolicyFile(
  text: string,
  file: string,
  options: ParseOptions = {},
): { policy: PolicyFile; warnings: PolicyFileIssue[] } {
  const { policy, issues } = parsePolicyFile(text, file, options);
  if (!policy)
    throw new PolicyFileError(
      file,
      issues.filter((i) => i.level === 'error'),
    );
  return { policy, warnings: issues.filter((i) => i.level === 'warning') };
}

function rootIssue(map: YamlSourceMap, message: string): PolicyFileIssue {
  return { level: 'error', message, path: '', position: map.positionOf([]), hint: START_HINT };
}
