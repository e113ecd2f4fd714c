import { createHash } from 'node:crypto';
import type { StatementRef } from '../core/iam/types.js';
import type { AlertAction, CellState, Plan, PlanAction, PutDenyAction, RemoveDenyAction } from '../core/plan/types.js';
import { SEVERITIES } from '../core/policy-file/types.js';
import type { Finding, FindingStatus } from '../core/reconcile/types.js';

/**
 * `plan --report FILE.html`: one self-contained page (inline CSS and script,
 * no URL of any kind) with the plan's header, access matrix, findings, actions
 * and warnings. Static parts are rendered here; the matrix and the findings
 * table are drawn by the page's script from JSON embedded in the page (one
 * letter per matrix cell), so a 2,000 × 100 matrix adds a few hundred
 * kilobytes, and the script draws only the rows near the viewport.
 */

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe to embed in `<script type="application/json">`: `<`, `>`, `&` and
 * the JS line separators are written as `\uXXXX` escapes, so no string can
 * close the element or open a comment.
 */
export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

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
const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'contained', 'exempt'];

/** Renders the plan as one HTML page. Pure: the same plan gives the same bytes. */
export function renderHtmlReport(plan: Plan): string {
  const data = scriptJson(clientData(plan));
  const title = `bedrock-guard plan · ${plan.account}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${headerHtml(plan)}
<main>
${selfCheckHtml(plan)}
${matrixHtml(plan)}
${findingsHtml(plan)}
${actionsHtml(plan.actions)}
${warningsHtml(plan.warnings)}
</main>
<footer>bedrock-guard plan report · self-contained: no network, no external files.</footer>
<script type="application/json" id="bg-data">${data}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}

// ---------------------------------------------------------------- header

function count<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

function chip(label: string, n: number, cls: string): string {
  return `<span class="chip ${cls}${n === 0 ? ' zero' : ''}"><b>${n}</b> ${escapeHtml(label)}</span>`;
}

function headerHtml(plan: Plan): string {
  const byStatus = count(plan.findings, (f) => f.status);
  const bySeverity = count(plan.findings, (f) => f.severity);
  const creates = plan.actions.filter((a) => a.type === 'put-deny' && a.change === 'create').length;
  const updates = plan.actions.filter((a) => a.type === 'put-deny' && a.change === 'update').length;
  const byType = count(plan.actions, (a) => a.type);
  const meta: [string, string][] = [
    ['Account', `<code>${escapeHtml(plan.account)}</code>`],
    ['Partition', `<code>${escapeHtml(plan.partition)}</code>`],
    ['Generated', `<time datetime="${escapeHtml(plan.generatedAt)}">${escapeHtml(plan.generatedAt)}</time>`],
    ['Policy file', `<code>${escapeHtml(plan.policyFile)}</code>`],
    [
      'Drift',
      plan.drift
        ? '<span class="pill bad" id="drift">yes — the account differs from the file</span>'
        : '<span class="pill ok" id="drift">no — the account matches the file</span>',
    ],
    [
      'Self-check',
      plan.selfCheck.passed
        ? '<span class="pill ok" id="selfcheck">passed</span>'
        : `<a class="pill bad" id="selfcheck" href="#self-check">failed (${plan.selfCheck.problems.length})</a>`,
    ],
  ];
  return `<header>
<h1>bedrock-guard plan</h1>
<dl class="meta">${meta.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
<div class="cards">
<section class="card" id="count-status"><h2>Findings <span class="n">${plan.findings.length}</span></h2>
${FINDING_STATUSES.map((s) => chip(s, byStatus.get(s) ?? 0, `st-${s}`)).join(' ')}</section>
<section class="card" id="count-severity"><h2>By severity</h2>
${SEVERITIES.map((s) => chip(s, bySeverity.get(s) ?? 0, `sev-${s}`)).join(' ')}</section>
<section class="card" id="count-actions"><h2>Actions <span class="n">${plan.actions.length}</span></h2>
${chip('put-deny', byType.get('put-deny') ?? 0, 'act-put')}<span class="sub">(${creates} create, ${updates} update)</span>
${chip('remove-deny', byType.get('remove-deny') ?? 0, 'act-remove')}
${chip('alert', byType.get('alert') ?? 0, 'act-alert')}</section>
</div>
<nav><a href="#matrix">Access matrix</a><a href="#findings">Findings</a><a href="#actions">Actions</a><a href="#warnings">Warnings (${plan.warnings.length})</a></nav>
</header>`;
}

function selfCheckHtml(plan: Plan): string {
  if (plan.selfCheck.passed) return '';
  return `<section class="alert-box" id="self-check"><h2>Self-check failed</h2>
<p>Applying this plan in memory and reconciling again did not converge. Do not apply it before these are understood:</p>
<ul>${plan.selfCheck.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></section>`;
}

// ---------------------------------------------------------------- matrix

function matrixHtml(plan: Plan): string {
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

// ---------------------------------------------------------------- findings

const SORTABLE: readonly [key: string, label: string][] = [
  ['severity', 'Severity'],
  ['status', 'Status'],
  ['rule', 'Rule'],
  ['principal', 'Principal'],
  ['model', 'Model'],
  ['region', 'Region'],
  ['route', 'Route'],
];

function findingsHtml(plan: Plan): string {
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

// ---------------------------------------------------------------- actions

const ACTION_ORDER: Record<string, number> = { 'put-deny:create': 0, 'put-deny:update': 1, 'remove-deny': 2, alert: 3 };
const actionKey = (a: PlanAction) => (a.type === 'put-deny' ? `put-deny:${a.change}` : a.type);

function principalHtml(arn: string, kind: string): string {
  return `<span class="pr" title="${escapeHtml(arn)}">${escapeHtml(shortName(arn))}</span> <span class="muted">${escapeHtml(kind)}</span>`;
}

function policyNameHtml(a: PutDenyAction | RemoveDenyAction): string {
  const where = a.mechanism === 'managed' ? 'managed policy' : 'inline policy';
  const arn = a.policyArn ? ` title="${escapeHtml(a.policyArn)}"` : '';
  return `<span class="muted">${where}</span> <code${arn}>${escapeHtml(a.policyName)}</code>`;
}

function putDenyHtml(a: PutDenyAction): string {
  const pct = a.quota > 0 ? Math.min(100, Math.round((a.size / a.quota) * 100)) : 100;
  const doc = escapeHtml(JSON.stringify(a.policy, null, 2) ?? 'null');
  return `<tr class="row-put"><td><span class="badge act-put">put-deny</span> <span class="badge ch-${a.change}">${a.change}</span></td>
<td>${principalHtml(a.principal, a.principalKind)}</td><td>${policyNameHtml(a)}</td>
<td>rules ${a.rules.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}
<div class="size${pct >= 90 ? ' near' : ''}"><span class="bar"><span style="width:${pct}%"></span></span> ${a.size.toLocaleString('en-US')} of ${a.quota.toLocaleString('en-US')} characters (${pct}%)</div>
<details><summary>Policy document</summary><pre><code>${doc}</code></pre></details></td></tr>`;
}

function removeDenyHtml(a: RemoveDenyAction): string {
  return `<tr class="row-remove"><td><span class="badge act-remove">remove-deny</span></td>
<td>${principalHtml(a.principal, a.principalKind)}</td><td>${policyNameHtml(a)}</td><td>${escapeHtml(a.reason)}</td></tr>`;
}

function alertHtml(a: AlertAction): string {
  return `<tr class="row-alert"><td><span class="badge act-alert">alert</span></td>
<td>${principalHtml(a.principal, a.principalKind)}</td><td><code>${escapeHtml(a.rule)}</code></td>
<td><span class="badge sev-${escapeHtml(a.severity)}">${escapeHtml(a.severity)}</span> ${a.findings} ${a.findings === 1 ? 'finding' : 'findings'}</td></tr>`;
}

function actionsHtml(actions: readonly PlanAction[]): string {
  const sorted = [...actions].sort((x, y) => (ACTION_ORDER[actionKey(x)] ?? 9) - (ACTION_ORDER[actionKey(y)] ?? 9));
  const body = sorted
    .map((a) => (a.type === 'put-deny' ? putDenyHtml(a) : a.type === 'remove-deny' ? removeDenyHtml(a) : alertHtml(a)))
    .join('\n');
  return `<section id="actions">
<h2>Planned actions</h2>
${
  actions.length === 0
    ? '<p class="empty">No action: nothing to contain, remove or alert on.</p>'
    : `<div class="tbl-wrap"><table class="actions"><thead><tr><th scope="col">Action</th><th scope="col">Principal</th><th scope="col">Policy or rule</th><th scope="col">Details</th></tr></thead>
<tbody>${body}</tbody></table></div>`
}
</section>`;
}

function warningsHtml(warnings: readonly string[]): string {
  return `<section id="warnings">
<h2>Warnings</h2>
${warnings.length === 0 ? '<p class="empty">No warnings.</p>' : `<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`}
</section>`;
}

// ---------------------------------------------------------------- data for the script

/** The user or role name: what follows the ARN's last `/`. */
function shortName(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 && i < arn.length - 1 ? arn.slice(i + 1) : arn;
}

/** Keeps both ends of a long model id, where vendor, family, date and version are. */
function middleEllipsis(s: string, max: number): string {
  if (s.length <= max) return s;
  const tail = Math.floor((max - 1) / 2);
  return `${s.slice(0, max - 1 - tail)}…${s.slice(s.length - tail)}`;
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

function findingData(f: Finding) {
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

function clientData(plan: Plan) {
  return {
    policyFile: plan.policyFile,
    severities: SEVERITIES,
    states: CELL_STATES.map((s) => ({ name: s, ...CELL_STATE_STYLE[s] })),
    models: plan.matrix.models,
    rows: plan.matrix.rows.map((r) => ({
      p: r.principal,
      k: r.principalKind,
      t: r.teams,
      x: r.exempt,
      c: r.cells.map((c) => CELL_STATE_STYLE[c].code).join(''),
    })),
    findings: plan.findings.map(findingData),
  };
}

// ---------------------------------------------------------------- style

const CSS = `
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--accent:#0969da;
--ok-bg:#d2f4dc;--ok:#116329;--bad-bg:#ffd7d5;--bad:#a40e26;--warn-bg:#fbefc1;--warn:#7d4e00;
--gap-bg:#ece2ff;--gap:#6639ba;--info-bg:#ddf4ff;--info:#0550ae;--cell:22px;
font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",sans-serif;color:var(--fg);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;--accent:#4493f8;
--ok-bg:#173d23;--ok:#56d364;--bad-bg:#5c1a1d;--bad:#ff9492;--warn-bg:#45300a;--warn:#e3b341;
--gap-bg:#33245a;--gap:#c297ff;--info-bg:#0f2f52;--info:#79c0ff}}
*{box-sizing:border-box}
body{margin:0;padding:16px 24px 24px}
h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:24px 0 8px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace}
a{color:var(--accent)}
.muted{color:var(--muted)}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.meta{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0 0 12px}.meta div{display:flex;gap:6px;align-items:baseline}
.meta dt{color:var(--muted)}.meta dd{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:var(--panel);min-width:220px}
.card h2{margin:0 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.card h2 .n{color:var(--fg);font-size:13px}
.chip{display:inline-block;margin:2px 4px 2px 0;padding:1px 8px;border-radius:10px;background:var(--bg);border:1px solid var(--line)}
.chip.zero{background:var(--bg);color:var(--muted);border-color:var(--line)}.sub{color:var(--muted);margin-right:6px}
nav{display:flex;gap:16px;margin:12px 0 0;padding-top:8px;border-top:1px solid var(--line)}
.pill{padding:1px 8px;border-radius:10px;font-weight:600;text-decoration:none}
.ok{background:var(--ok-bg);color:var(--ok)}.bad{background:var(--bad-bg);color:var(--bad)}
.alert-box{border:1px solid var(--bad);background:var(--bad-bg);color:var(--fg);border-radius:6px;padding:8px 14px;margin:16px 0}
.alert-box h2{margin:4px 0;color:var(--bad)}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;margin:0 0 8px}
.toolbar input[type=search]{font:inherit;padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;border:0;margin:0;padding:0}
.lg{display:inline-flex;align-items:center;gap:4px;cursor:pointer;white-space:nowrap}
.lg input{margin:0}
output{color:var(--muted);font-variant-numeric:tabular-nums}
.c{text-align:center;font-weight:700}
.sw{display:inline-block;width:18px;height:18px;line-height:18px;border-radius:3px;border:1px solid var(--line)}
.c-a{background:var(--ok-bg);color:var(--ok)}.c-e{background:var(--bad-bg);color:var(--bad)}
.c-c{background:var(--warn-bg);color:var(--warn)}.c-d{background:var(--gap-bg);color:var(--gap)}.c-n{background:transparent}
.mx-wrap{overflow:auto;max-height:78vh;width:fit-content;max-width:100%;border:1px solid var(--line);border-radius:6px}
table{border-collapse:separate;border-spacing:0}
.mx{font-size:12px}
.mx th,.mx td{border-bottom:1px solid var(--line);white-space:nowrap}
.mx thead th{position:sticky;top:0;z-index:2;background:var(--panel);text-align:left;vertical-align:bottom;padding:4px 6px}
.mx th.p{position:sticky;left:0;z-index:1;background:var(--bg);text-align:left;font-weight:400;padding:2px 8px;min-width:12em;max-width:18em;overflow:hidden;text-overflow:ellipsis;border-right:1px solid var(--line)}
.mx thead th.p{z-index:3;background:var(--panel)}
.mx td.k,.mx td.t{padding:2px 8px;color:var(--muted)}.mx td.t{max-width:12em;overflow:hidden;text-overflow:ellipsis}
.mx th.m{width:var(--cell);min-width:var(--cell);max-width:var(--cell);padding:6px 0;text-align:center}
.mx th.m span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;max-height:24em;overflow:hidden;text-overflow:ellipsis;font-weight:500;font-size:11px}
.mx td.c{width:var(--cell);height:var(--cell);padding:0;border-left:1px solid var(--bg);font-size:12px}
.mx tbody tr:hover th,.mx tbody tr:hover td.k,.mx tbody tr:hover td.t{background:var(--panel)}
.mx tbody tr:hover td.c-n{background:var(--panel)}
.mx tr.pad td{padding:0;border:0}
.pr{font-weight:600}
.pl{color:inherit;text-decoration:none;font-weight:600}.pl:hover{text-decoration:underline}
.badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;line-height:18px;white-space:nowrap;border:1px solid transparent}
.ex{background:var(--gap-bg);color:var(--gap)}
.sev-critical{background:var(--bad);color:var(--bg)}.sev-high{background:var(--bad-bg);color:var(--bad)}
.sev-medium{background:var(--warn-bg);color:var(--warn)}.sev-low{background:var(--info-bg);color:var(--info)}
.sev-info{background:var(--panel);color:var(--muted);border-color:var(--line)}
.st-open{background:var(--bad-bg);color:var(--bad)}.st-contained{background:var(--warn-bg);color:var(--warn)}
.st-exempt{background:var(--gap-bg);color:var(--gap)}
.chip.sev-critical b,.chip.sev-critical{color:var(--bg)}.chip.zero.sev-critical,.chip.zero.sev-critical b{color:var(--muted)}
.act-put{background:var(--info-bg);color:var(--info)}.act-remove{background:var(--panel);color:var(--fg);border-color:var(--line)}
.act-alert{background:var(--warn-bg);color:var(--warn)}
.ch-create{background:var(--ok-bg);color:var(--ok)}.ch-update{background:var(--warn-bg);color:var(--warn)}
.tbl-wrap{overflow-x:auto}
.actions td:first-child{white-space:nowrap}
.findings,.actions{width:100%;font-size:12px}
.findings th,.findings td,.actions th,.actions td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.findings thead th,.actions thead th{background:var(--panel);position:sticky;top:0;z-index:1;white-space:nowrap}
.sort{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
.sort::after{content:" ↕";color:var(--muted);font-weight:400}
th[aria-sort=ascending] .sort::after{content:" ▲";color:var(--fg)}th[aria-sort=descending] .sort::after{content:" ▼";color:var(--fg)}
.findings td.msg{min-width:22em;max-width:56em}.nw{white-space:nowrap}
.findings .fix{color:var(--muted);margin-top:2px}.findings .fix::before{content:"→ "}
.findings .ev{color:var(--muted);margin-top:2px}
.findings code,.actions code{overflow-wrap:break-word}.findings td.rule{min-width:11em}.findings td.w{min-width:10em}
.size{margin:4px 0;color:var(--muted)}.bar{display:inline-block;vertical-align:middle;width:90px;height:6px;border-radius:3px;background:var(--line);overflow:hidden}
.bar span{display:block;height:100%;background:var(--info)}.size.near .bar span{background:var(--bad)}
details summary{cursor:pointer;color:var(--accent)}
pre{margin:6px 0;padding:8px;background:var(--panel);border:1px solid var(--line);border-radius:6px;max-height:360px;overflow:auto}
.warnings li{margin:2px 0}
.empty{color:var(--muted);padding:8px;margin:0}
.more{font:inherit;margin:8px 0;padding:4px 12px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
footer{margin-top:28px;color:var(--muted);font-size:11px}
@media print{:root{--bg:#fff;--fg:#000;font-size:10px}body{padding:0}.no-print,nav{display:none}
.mx-wrap{max-height:none;overflow:visible;border:0}.mx thead th,.mx th.p,.findings thead th{position:static}
tr{break-inside:avoid}pre{max-height:none}}
`.trim();

// ---------------------------------------------------------------- script

/*
 * The page's script, plain ES2020 for any current browser. It reads the
 * embedded JSON and draws the matrix and the findings with one innerHTML
 * string each, listening only on containers (no per-cell listener). Past a
 * few hundred matching rows the matrix draws only the rows around the
 * viewport, between two spacer rows, so 2,000 × 100 scrolls and filters at
 * once; the findings table draws the first 500 matches and a "show all"
 * button. Every plan string goes through `esc`.
 */
const CLIENT_JS = String.raw`
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('bg-data').textContent);
  const byId = (id) => document.getElementById(id);
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ESC[c]);
  const shortName = (arn) => { const i = arn.lastIndexOf('/'); return i >= 0 && i < arn.length - 1 ? arn.slice(i + 1) : arn; };
  // Model ids and route ids wrap after a dot or a slash, a colon before a letter, or a hyphen before a date
  // or a version (never inside v1:0); lists of Regions or route kinds wrap between items only.
  const nw = (s) => '<span class="nw">' + esc(s) + '</span>';
  const brk = (s) => String(s).split(/(?<=[./])|(?<=:)(?=[a-z])|(?<=-)(?=\d{6}|v\d+:)/i).map(nw).join('<wbr>');
  const list = (items) => items.map(nw).join(', ');
  // An empty cell says why it is empty.
  const none = (why) => '<span class="muted" title="' + esc(why) + '">—</span>';
  const debounce = (fn, ms) => { let t; return () => { clearTimeout(t); t = setTimeout(fn, ms); }; };
  let printing = false;

  // ---- matrix
  const ALL_ROWS = 400;
  const BUFFER = 40;
  const states = {};
  const bits = {};
  const cellHtml = {};
  data.states.forEach((s, i) => {
    states[s.code] = s;
    bits[s.code] = 1 << i;
    cellHtml[s.code] = '<td class="c c-' + s.code + '" title="' + esc(s.name) + '">' + esc(s.symbol) + '</td>';
  });
  const rows = data.rows;
  const cols = 3 + data.models.length;
  const hay = rows.map((r) => (r.p + ' ' + r.t.join(' ')).toLowerCase());
  const mask = rows.map((r) => { let m = 0; for (let j = 0; j < r.c.length; j++) m |= bits[r.c[j]] || 0; return m; });
  const rowCache = new Array(rows.length);
  const rowHtml = (i) => {
    if (rowCache[i]) return rowCache[i];
    const r = rows[i];
    const teams = r.t.join(', ');
    let h = '<tr data-i="' + i + '"><th scope="row" class="p"><a class="pl" href="#findings" data-p="' + i + '" title="' + esc(r.p) + '">' + esc(shortName(r.p)) + '</a>' +
      (r.x ? ' <span class="badge ex" title="exempt: reported, never touched">exempt</span>' : '') +
      '</th><td class="k">' + esc(r.k) + '</td><td class="t" title="' + esc(teams) + '">' + esc(teams) + '</td>';
    for (let j = 0; j < r.c.length; j++) h += cellHtml[r.c[j]] || cellHtml.n;
    return (rowCache[i] = h + '</tr>');
  };
  const pad = (px) => '<tr class="pad" aria-hidden="true"><td colspan="' + cols + '" style="height:' + px + 'px"></td></tr>';
  const wrap = byId('mx-wrap');
  const mxBody = byId('mx-body');
  let shown = [];
  let rowH = 0;
  let from = -1;
  let to = -1;
  const drawMatrix = (force) => {
    const n = shown.length;
    let a = 0;
    let b = n;
    if (n > ALL_ROWS && !printing) {
      const h = rowH || 23;
      const top = Math.max(0, wrap.scrollTop - byId('mx').tHead.offsetHeight);
      a = Math.min(Math.max(0, Math.floor(top / h) - BUFFER), n);
      b = Math.min(n, Math.ceil((top + wrap.clientHeight) / h) + BUFFER);
    }
    if (!force && a === from && b === to) return;
    from = a;
    to = b;
    const parts = [];
    for (let k = a; k < b; k++) parts.push(rowHtml(shown[k]));
    const h = rowH || 23;
    mxBody.innerHTML = (a > 0 ? pad(a * h) : '') + parts.join('') + (b < n ? pad((n - b) * h) : '');
    if (!rowH && b > a) {
      const tr = mxBody.querySelector('tr[data-i]');
      rowH = tr ? tr.getBoundingClientRect().height || 23 : 23;
      if (n > ALL_ROWS) drawMatrix(true);
    }
  };
  let raf = 0;
  wrap.addEventListener('scroll', () => {
    if (!raf) raf = requestAnimationFrame(() => { raf = 0; drawMatrix(false); });
  }, { passive: true });
  const mxFilter = byId('mx-filter');
  const mxStates = Array.from(document.querySelectorAll('input.mx-state'));
  const applyMatrix = () => {
    const q = mxFilter.value.trim().toLowerCase();
    let want = 0;
    let all = true;
    mxStates.forEach((b) => { if (b.checked) want |= bits[b.value]; else all = false; });
    shown = [];
    for (let i = 0; i < rows.length; i++) {
      if ((!q || hay[i].includes(q)) && (all || (mask[i] & want) !== 0)) shown.push(i);
    }
    byId('mx-count').textContent = shown.length + ' of ' + rows.length + ' principals';
    byId('mx-empty').hidden = shown.length !== 0;
    wrap.scrollTop = 0;
    drawMatrix(true);
  };
  mxFilter.addEventListener('input', debounce(applyMatrix, 60));
  mxStates.forEach((b) => b.addEventListener('change', applyMatrix));
  // Cell tooltips name the principal and the model, written on first hover.
  mxBody.addEventListener('mouseover', (e) => {
    const td = e.target.closest && e.target.closest('td.c');
    if (!td || td.dataset.t) return;
    const r = rows[td.parentNode.dataset.i];
    const s = states[r.c[td.cellIndex - 3]] || states.n;
    td.dataset.t = '1';
    td.title = shortName(r.p) + ' × ' + data.models[td.cellIndex - 3] + ': ' + s.name + ' (' + s.text + ')';
  });

  // ---- findings
  const LIMIT = 500;
  const F = data.findings;
  const sevRank = {};
  data.severities.forEach((s, i) => { sevRank[s] = i; });
  const stRank = { open: 0, contained: 1, exempt: 2 };
  const fCache = new Array(F.length);
  const fRowHtml = (i) => {
    if (fCache[i]) return fCache[i];
    const f = F[i];
    return (fCache[i] = '<tr data-i="' + i + '"><td><span class="badge sev-' + esc(f.severity) + '">' + esc(f.severity) + '</span></td>' +
      '<td><span class="badge st-' + esc(f.status) + '" title="' + esc('mode: ' + f.mode) + '">' + esc(f.status) + '</span></td>' +
      '<td class="rule"><code>' + esc(f.rule) + '</code>' + (f.line ? '<div class="muted" title="' + esc(data.policyFile + ':' + f.line) + '">line ' + esc(f.line) + '</div>' : '') + '</td>' +
      '<td><span class="pr" title="' + esc(f.principal) + '">' + esc(shortName(f.principal)) + '</span> <span class="muted">' + esc(f.kind) + '</span></td>' +
      '<td class="w">' + (f.model ? '<code>' + brk(f.model) + '</code>' : none('not about one model')) + '</td>' +
      '<td class="rg"' + (f.where ? ' title="' + esc(f.where) + '"' : '') + '>' + (f.regions.length ? list(f.regions) : none('not about one Region')) + '</td>' +
      '<td class="w">' + (f.route ? '<code>' + (f.kinds.length ? list(f.kinds) : brk(f.route)) + '</code>' : none('no route')) + '</td>' +
      '<td class="msg"' + (f.resources.length ? ' title="' + esc(f.resources.join('\n')) + '"' : '') + '>' + esc(f.message) +
      (f.exemptReason ? '<div class="muted">exempt: ' + esc(f.exemptReason) + '</div>' : '') +
      (f.evidence.length ? '<div class="ev">evidence: ' + f.evidence.map((e) => '<span class="nw" title="' + esc(e[1]) + '">' + esc(e[0]) + '</span>').join(', ') + '</div>' : '') +
      '<div class="fix">' + esc(f.remediation) + '</div></td></tr>');
  };
  const fHay = F.map((f) => [f.rule, f.severity, f.status, f.principal, f.model, f.regions.join(' '), f.route, f.message, f.remediation, f.exemptReason]
    .concat(f.evidence.map((e) => e[0])).join(' ').toLowerCase());
  const fBody = byId('f-body');
  const fFilter = byId('f-filter');
  const fMore = byId('f-more');
  const fStatuses = Array.from(document.querySelectorAll('input.f-status'));
  let fOrder = F.map((_, i) => i);
  let fLimit = LIMIT;
  const drawFindings = () => {
    const q = fFilter.value.trim().toLowerCase();
    const want = new Set(fStatuses.filter((b) => b.checked).map((b) => b.value));
    const match = fOrder.filter((i) => want.has(F[i].status) && (!q || fHay[i].includes(q)));
    const n = printing ? match.length : Math.min(match.length, fLimit);
    fBody.innerHTML = match.slice(0, n).map(fRowHtml).join('');
    byId('f-count').textContent = match.length + ' of ' + F.length + ' findings' + (n < match.length ? ', first ' + n + ' shown' : '');
    fMore.hidden = n >= match.length;
    fMore.textContent = 'Show all ' + match.length;
    if (F.length) byId('f-empty').hidden = match.length !== 0;
  };
  const refilterFindings = () => { fLimit = LIMIT; drawFindings(); };
  fFilter.addEventListener('input', debounce(refilterFindings, 60));
  fStatuses.forEach((b) => b.addEventListener('change', refilterFindings));
  fMore.addEventListener('click', () => { fLimit = Infinity; drawFindings(); });
  const keyOf = {
    severity: (f) => sevRank[f.severity],
    status: (f) => stRank[f.status],
    rule: (f) => f.rule,
    principal: (f) => shortName(f.principal).toLowerCase(),
    model: (f) => f.model,
    region: (f) => f.regions.join(', '),
    route: (f) => f.route,
  };
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  let sortKey = 'severity';
  let sortDir = 1;
  const sortFindings = () => {
    const k = keyOf[sortKey];
    fOrder = F.map((_, i) => i).sort((a, b) =>
      sortDir * cmp(k(F[a]), k(F[b])) || cmp(sevRank[F[a].severity], sevRank[F[b].severity]) ||
      cmp(stRank[F[a].status], stRank[F[b].status]) || cmp(F[a].principal, F[b].principal) || a - b);
    document.querySelectorAll('#f thead th[data-key]').forEach((th) => {
      if (th.dataset.key === sortKey) th.setAttribute('aria-sort', (sortKey === 'severity' ? -sortDir : sortDir) > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    drawFindings();
  };
  document.querySelector('#f thead').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-sort]');
    if (!b) return;
    sortDir = b.dataset.sort === sortKey ? -sortDir : 1;
    sortKey = b.dataset.sort;
    sortFindings();
  });
  // A principal in the matrix filters the findings to it.
  mxBody.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-p]');
    if (!a) return;
    fFilter.value = rows[a.dataset.p].p;
    refilterFindings();
  });
  // Printing shows everything: every matching row, every policy document.
  window.addEventListener('beforeprint', () => {
    printing = true;
    document.querySelectorAll('details').forEach((d) => { d.open = true; });
    drawMatrix(true);
    drawFindings();
  });
  window.addEventListener('afterprint', () => { printing = false; drawMatrix(true); drawFindings(); });
  applyMatrix();
  sortFindings();
  document.documentElement.dataset.ready = '1';
})();
`;

const CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(CLIENT_JS).digest('base64')}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
