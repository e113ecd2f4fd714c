import { isBudgetDenyName } from '../budgets/budget-deny.js';
import type { Plan, RemoveDenyAction } from '../plan/types.js';

/**
 * After `apply`: the plan computed again on the re-read account must, for
 * every principal the apply touched, have no deny change left, no enforced
 * finding open (bar those no deny can fit), and every model the principal
 * could use as granted before must still be usable. A budget deny whose
 * window ended between the two plans is for the next run to remove, not a
 * write that failed.
 */
export function verifyApplied(before: Plan, after: Plan, touched: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const key = (a: RemoveDenyAction) => `${a.principal}|${a.policyName}`;
  const removed = new Set(before.actions.flatMap((a) => (a.type === 'remove-deny' ? [key(a)] : [])));
  for (const a of after.actions) {
    if (a.type === 'alert' || !touched.has(a.principal)) continue;
    if (a.type === 'remove-deny' && isBudgetDenyName(a.policyName) && !removed.has(key(a))) continue;
    problems.push(`${a.principal}: still planned after apply: ${a.type} ${a.policyName}`);
  }
  for (const f of after.findings) {
    if (touched.has(f.principal) && f.mode === 'enforce' && f.status === 'open' && f.rule !== 'deny-exceeds-quota') {
      problems.push(`${f.principal}: still open after apply: ${f.rule}: ${f.message}`);
    }
  }
  const afterRows = new Map(after.matrix.rows.map((r) => [r.principal, r]));
  const afterModel = new Map(after.matrix.models.map((m, i) => [m, i]));
  for (const row of before.matrix.rows) {
    if (!touched.has(row.principal)) continue;
    const now = afterRows.get(row.principal);
    row.cells.forEach((cell, i) => {
      if (cell !== 'approved') return;
      const model = before.matrix.models[i] as string;
      const j = afterModel.get(model);
      const state = now && j !== undefined ? now.cells[j] : undefined;
      if (state !== 'approved')
        problems.push(`${row.principal}: lost approved access to ${model} (now ${state ?? 'gone'})`);
    });
  }
  return problems;
}
