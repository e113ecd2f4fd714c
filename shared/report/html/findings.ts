import type { StatementRef } from '../../core/iam/types.js';
import type { Plan } from '../../core/plan/types.js';
import type { Finding, FindingStatus } from '../../core/reconcile/types.js';

/**
 * The findings table. As with the matrix, only its frame is markup: the page's
 * script draws, sorts and filters the rows from `findingData`. A folded finding
 * (a model's routes in several Regions, reported once) carries lists, unfolded
 * here so the script only joins them.
 */

export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'contained', 'exempt'];

const SORTABLE: readonly [key: string, label: string][] = [
  ['severity', 'Severity'],
  ['status', 'Status'],
  ['rule', 'Rule'],
  ['principal', 'Principal'],
  ['model', 'Model'],
  ['region', 'Region'],
  ['route', 'Route'],
];

export function findingsHtml(plan: Plan): string {
  const n = plan.findings.length;
  const statuses = FINDING_STATUSES.map(
    (s) =>
      `<label class="lg"><input type="checkbox" class="f-status" value="${s}" checked><span class="badge st-${s}">${s}</span></label>`,
  ).join('');
  const heads = SORTABLE.map(
    ([k, label]) =>
      `<th scope="col" data-key="${k}"${k === 'severity' ? ' aria-sort="descending"' : ''}><button type="button" class="sort" data-sort="${k}">${label}</button></th>`,
  ).join('');
  return `<section id="findings">
<h2>Findings</h2>
<div class="toolbar no-print">
<input type="search" id="f-filter" placeholder="Filter findings…" aria-label="Filter findings by any text" autocomplete="off">
<fieldset class="legend"><legend class="sr">Statuses</legend>${statuses}</fieldset>
<output id="f-count" aria-live="polite">${n} of ${n} findings</output>
</div>
<div class="tbl-wrap">
<table class="findings" id="f">
<thead><tr>${heads}<th scope="col">Message, evidence and remediation</th></tr></thead>
<tbody id="f-body"></tbody>
</table>
<button type="button" class="more no-print" id="f-more" hidden>Show all</button>
<p class="empty" id="f-empty"${n === 0 ? '' : ' hidden'}>${n === 0 ? 'No findings: the account matches the file.' : 'No finding matches the filter.'}</p>
</div>
</section>`;
}

/** `policy name #index (Sid)`, and the policy's id for a tooltip. */
function evidenceLabel(s: StatementRef): [label: string, title: string] {
  const label = `${s.policy.name} #${s.index}${s.sid ? ` (${s.sid})` : ''}`;
  const title = `${s.effect} · ${s.policy.layer} ${s.policy.kind} · ${s.policy.id}${s.policy.target ? ` at ${s.policy.target}` : ''}`;
  return [label, title];
}

/** A finding's Regions: its one Region, or every Region a folded finding covers. */
export function findingRegions(f: Finding): readonly string[] {
  return f.region !== undefined ? [f.region] : (f.regions ?? []);
}

/**
 * The route kinds a folded finding covers (its `route` is them comma-joined),
 * or none for a finding about one route or feature.
 */
export function findingRouteKinds(f: Finding): readonly string[] {
  if (!f.routes?.length || !f.route) return [];
  return f.route
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/**
 * Where a folded finding's routes are, one line per Region: `us-east-1: invoke, invoke-stream`
 * (route ids without their model, `routeId@region` → `kind`), for the Region cell's tooltip.
 */
export function findingRoutesByRegion(f: Finding): string {
  const byRegion = new Map<string, string[]>();
  for (const r of f.routes ?? []) {
    const at = r.lastIndexOf('@');
    const region = at >= 0 ? r.slice(at + 1) : '';
    const id = at >= 0 ? r.slice(0, at) : r;
    const colon = id.indexOf(':');
    const kind = colon >= 0 ? id.slice(0, colon) : id;
    const kinds = byRegion.get(region) ?? [];
    if (!kinds.includes(kind)) kinds.push(kind);
    byRegion.set(region, kinds);
  }
  return [...byRegion].map(([region, kinds]) => `${region || '?'}: ${kinds.join(', ')}`).join('\n');
}

/** One finding as the page's script reads it. */
export function findingData(f: Finding) {
  return {
    rule: f.rule,
    severity: f.severity,
    mode: f.mode,
    status: f.status,
    principal: f.principal,
    kind: f.principalKind,
    model: f.model ?? '',
    regions: findingRegions(f),
    route: f.route ?? '',
    kinds: findingRouteKinds(f),
    where: findingRoutesByRegion(f),
    message: f.message,
    remediation: f.remediation,
    exemptReason: f.exemptReason ?? '',
    line: f.position ? `${f.position.line}:${f.position.col}` : '',
    resources: f.resources,
    evidence: f.evidence.map(evidenceLabel),
  };
}
