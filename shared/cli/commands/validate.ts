import { formatIssue } from '../../core/policy-file/issues.js';
import { type ParseOptions, parsePolicyFile } from '../../core/policy-file/parse.js';
import type { PolicyFile, PolicyFileIssue } from '../../core/policy-file/types.js';
import { UsageError } from '../../errors.js';
import { readPolicyFileText } from '../../policy-file/read.js';
import { readSnapshotFolder } from '../../snapshot/read-folder.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';

const OPTIONS = {
  snapshot: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `bedrock-guard validate FILE [--snapshot DIR] [--json]`: every error and
 * warning of a policy file with its line:col, then a one-line verdict. With a
 * snapshot, model ids that match nothing in its catalogue are warnings (a
 * typo there would silently approve nothing). Exit 0 valid, 1 invalid.
 */
export async function validateCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'validate');
  const [file, extra] = positionals;
  if (file === undefined) {
    throw new UsageError('validate: the policy file is required', {
      hint: 'e.g. bedrock-guard validate bedrock-guard.yaml',
    });
  }
  if (extra !== undefined) throw new UsageError(`validate: unexpected argument "${extra}"`);

  const text = await readPolicyFileText(file);
  const known = values.snapshot === undefined ? {} : await snapshotFacts(values.snapshot);
  const { policy, issues } = parsePolicyFile(text, file, known);

  if (values.json) {
    io.stdout.write(`${JSON.stringify({ valid: policy !== undefined, issues: issues.map(issueJson) })}\n`);
  } else {
    for (const issue of issues) io.stderr.write(`${formatIssue(file, issue)}\n`);
    io.stdout.write(`${file}: ${policy ? `valid — ${summary(policy)}` : `invalid — ${errorCount(issues)}`}\n`);
  }
  return policy ? 0 : 1;
}

/** The snapshot's Regions and model ids (none when it has no catalogue, so nothing is flagged for lack of one). */
async function snapshotFacts(dir: string): Promise<ParseOptions> {
  const snapshot = await readSnapshotFolder(dir);
  const ids = [...new Set(snapshot.foundationModels.map((m) => m.modelId))];
  return { knownRegions: snapshot.account.regions, ...(ids.length > 0 ? { knownModelIds: ids } : {}) };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function summary(policy: PolicyFile): string {
  const enforcing = Object.values(policy.rules).filter((r) => r.mode === 'enforce').length;
  return [
    plural(policy.teams.length, 'team'),
    plural(Object.keys(policy.models).length, 'model set'),
    `${plural(enforcing, 'rule')} enforcing`,
  ].join(', ');
}

const errorCount = (issues: readonly PolicyFileIssue[]) =>
  plural(issues.filter((i) => i.level === 'error').length, 'error');

function issueJson(issue: PolicyFileIssue) {
  return {
    level: issue.level,
    message: issue.message,
    path: issue.path,
    line: issue.position?.line ?? null,
    col: issue.position?.col ?? null,
    ...(issue.hint === undefined ? {} : { hint: issue.hint }),
  };
}
