import type { RuleId } from '../policy-file/types.js';
import type { Cohort } from '../reconcile/access.js';
import type { Reconciliation } from '../reconcile/reconcile.js';
import type { AccessReport, CellState, MatrixRow } from './types.js';

/**
 * The principals × models matrix of a plan, over every Region and route:
 * approved, excess, contained (the guard's deny blocks the excess, once the
 * plan is applied), denied (granted but IAM allows nothing) or none.
 */
export function accessReport(
  rec: Reconciliation,
  enforce: ReadonlySet<RuleId>,
  quotaFailed: ReadonlySet<string>,
): AccessReport {
  const { models, regions } = rec.scope;
  const rows: MatrixRow[] = [];
  for (const cohort of rec.cohorts) {
    const exempt = cohort.grants.exemptReason !== undefined;
    const cells = cohortCells(cohort, models, enforce, exempt);
    for (const p of cohort.principals) {
      const own = quotaFailed.has(p.arn) ? cells.map((c) => (c === 'contained' ? 'excess' : c)) : cells;
      rows.push({ principal: p.arn, principalKind: p.kind, teams: cohort.grants.teams, exempt, cells: own });
    }
  }
  rows.sort((a, b) => a.principal.localeCompare(b.principal));
  return { models, regions, rows };
}

function cohortCells(
  cohort: Cohort,
  models: readonly string[],
  enforce: ReadonlySet<RuleId>,
  exempt: boolean,
): CellState[] {
  const index = new Map(models.map((m, i) => [m, i]));
  const excess = new Array<boolean>(models.length).fill(false);
  const open = new Array<boolean>(models.length).fill(false);
  const approved = new Array<boolean>(models.length).fill(false);
  const granted = new Array<boolean>(models.length).fill(false);
  for (const cell of cohort.cells) {
    const i = index.get(cell.modelId);
    if (i === undefined) continue;
    if (cell.granted.length > 0) approved[i] = true;
    if (cohort.grants.grantsModel(cell.modelId, cell.region)) granted[i] = true;
    for (const e of cell.excess) {
      excess[i] = true;
      if (exempt || !enforce.has(e.rule)) open[i] = true;
    }
  }
  return models.map((_, i) =>
    excess[i] ? (open[i] ? 'excess' : 'contained') : approved[i] ? 'approved' : granted[i] ? 'denied' : 'none',
  );
}
