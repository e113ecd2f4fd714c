import type { CellState, Plan } from '../../core/plan/types.js';
import { escapeHtml } from './escape.js';

/**
 * The access matrix, principal × model. Only its frame (filter, legend, column
 * heads) is markup: the rows travel in the page's data, one letter per cell, so
 * a 2,000 × 100 matrix adds a few hundred kilobytes, and the page's script
 * draws only the rows near the viewport.
 */

/** How the report shows each cell state: a one-letter code in the embedded data, a symbol, a sentence. */
export const CELL_STATE_STYLE: Readonly<
  Record<CellState, { readonly code: string; readonly symbol: string; readonly text: string }>
> = {
  approved: { code: 'a', symbol: '✓', text: 'the file grants it and IAM allows it' },
  excess: { code: 'e', symbol: '!', text: 'IAM allows a route the file does not grant, and nothing blocks it yet' },
  contained: { code: 'c', symbol: '⊘', text: 'the excess is blocked by a guard deny, existing or planned' },
  denied: { code: 'd', symbol: '✗', text: 'the file grants it but IAM allows no route' },
  none: { code: 'n', symbol: '', text: 'neither granted nor allowed' },
};

const CELL_STATES = Object.keys(CELL_STATE_STYLE) as CellState[];

/** Keeps both ends of a long model id, where vendor, family, date and version are. */
function middleEllipsis(s: string, max: number): string {
  if (s.length <= max) return s;
  const tail = Math.floor((max - 1) / 2);
  return `${s.slice(0, max - 1 - tail)}…${s.slice(s.length - tail)}`;
}

export function matrixHtml(plan: Plan): string {
  const { rows, models, regions } = plan.matrix;
  const rowsWith = new Map<CellState, number>(CELL_STATES.map((s) => [s, 0]));
  for (const r of rows) for (const s of new Set(r.cells)) rowsWith.set(s, (rowsWith.get(s) ?? 0) + 1);
  const legend = CELL_STATES.map((s) => {
    const st = CELL_STATE_STYLE[s];
    return `<label class="lg" title="${escapeHtml(`${s}: ${st.text}`)}"><input type="checkbox" class="mx-state" value="${st.code}" data-state="${s}" checked><span class="c c-${st.code} sw">${st.symbol}</span>${s} <span class="muted">${rowsWith.get(s) ?? 0}</span></label>`;
  }).join('');
  const head = models.map(
    (m) => `<th scope="col" class="m" title="${escapeHtml(m)}"><span>${escapeHtml(middleEllipsis(m, 36))}</span></th>`,
  );
  return `<section id="matrix">
<h2>Access matrix</h2>
<p class="muted">Principal × model over ${regions.length === 0 ? 'no Region' : `${regions.length === 1 ? 'Region' : 'Regions'} ${regions.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}`} and every route. Tick the states to keep rows that have at least one such cell.</p>
<div class="toolbar no-print">
<input type="search" id="mx-filter" placeholder="Filter by principal or team…" aria-label="Filter principals by name, ARN or team" autocomplete="off">
<fieldset class="legend"><legend class="sr">Cell states</legend>${legend}</fieldset>
<output id="mx-count" aria-live="polite">${rows.length} of ${rows.length} principals</output>
</div>
<div class="mx-wrap" id="mx-wrap" tabindex="0">
<table class="mx" id="mx">
<thead><tr><th scope="col" class="p">Principal</th><th scope="col" class="k">Kind</th><th scope="col" class="t">Teams</th>${head.join('')}</tr></thead>
<tbody id="mx-body"></tbody>
</table>
<p class="empty" id="mx-empty" hidden>No principal matches the filter.</p>
</div>
<noscript><p class="alert-box">The matrix and the findings table are drawn by this page's script: enable JavaScript to see them.</p></noscript>
</section>`;
}

/** The matrix part of the page's data: the states' legend, the model columns, and each row with one letter per cell. */
export function matrixData(plan: Plan) {
  return {
    states: CELL_STATES.map((s) => ({ name: s, ...CELL_STATE_STYLE[s] })),
    models: plan.matrix.models,
    rows: plan.matrix.rows.map((r) => ({
      p: r.principal,
      k: r.principalKind,
      t: r.teams,
      x: r.exempt,
      c: r.cells.map((c) => CELL_STATE_STYLE[c].code).join(''),
    })),
  };
}
