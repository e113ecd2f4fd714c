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
