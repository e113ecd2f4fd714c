import type { ActionOutcome } from '../apply/apply-actions.js';
import type { DenyAction } from '../core/apply/safety.js';
import { short } from './render-plan.js';
import type { Style } from './style.js';

const where = (a: DenyAction) => `${a.mechanism} ${a.policyName}`;

/** What `apply --dry-run` would write, one line per action. */
export function renderDryRun(actions: readonly DenyAction[]): string {
  const lines = actions.map((a) => {
    const verb = a.type === 'put-deny' ? `would ${a.change === 'create' ? 'create' : 'update'}` : 'would remove';
    const why = a.type === 'remove-deny' ? ` (${a.reason})` : ` (${a.rules.join(', ')})`;
    return `  ${verb.padEnd(14)} ${short(a.principal).padEnd(32)} ${where(a)}${why}`;
  });
  return [`Dry run: ${actions.length} change(s), nothing written.`, ...lines].join('\n');
}

/** One aligned line per outcome: result, action, principal, policy, detail. */
export function renderOutcomes(outcomes: readonly ActionOutcome[], style: Style): string {
  const paint = { applied: style.green, skipped: style.yellow, failed: style.red } as const;
  return outcomes
    .map((o) => {
      const ledger = o.ledger === 'unrecorded' ? style.red(` [not in the ledger: ${o.ledgerError}]`) : '';
      const result = paint[o.result](o.result.padEnd(8));
      return `  ${result} ${o.action.type.padEnd(12)} ${short(o.action.principal).padEnd(32)} ${where(o.action)}: ${o.detail}${ledger}`;
    })
    .join('\n');
}

export interface AppliedSummary {
  readonly account: string;
  readonly trigger: string;
  readonly outcomes: readonly ActionOutcome[];
  /** From the verification; empty when the account ended as planned. */
  readonly problems: readonly string[];
  readonly table: string;
  readonly calls: number;
}

/** What `apply` did: each outcome, each verification problem (or that it verified), and the counts. */
export function renderApplied(r: AppliedSummary, style: Style): string {
  const count = (result: ActionOutcome['result']) => r.outcomes.filter((o) => o.result === result).length;
  const unrecorded = r.outcomes.filter((o) => o.ledger === 'unrecorded').length;
  const principals = new Set(r.outcomes.map((o) => o.action.principal)).size;
  const lines = [`Applied to account ${r.account} (trigger ${r.trigger}):`, renderOutcomes(r.outcomes, style)];
  for (const p of r.problems) lines.push(`  ${style.red('✗')} ${p}`);
  if (principals > 0 && r.problems.length === 0) {
    lines.push(
      `Verified: re-read from IAM, the ${principals} principal(s) touched have no open enforced finding and kept all approved access.`,
    );
  }
  lines.push(
    `${count('applied')} applied, ${count('skipped')} skipped, ${count('failed')} failed; ${r.calls} AWS calls; ` +
      `ledger table ${r.table}${unrecorded > 0 ? `, ${unrecorded} NOT recorded` : ''}.`,
  );
  return lines.join('\n');
}
