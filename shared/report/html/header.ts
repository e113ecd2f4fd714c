import type { Plan } from '../../core/plan/types.js';
import { SEVERITIES } from '../../core/policy-file/types.js';
import { escapeHtml } from './escape.js';
import { FINDING_STATUSES } from './findings.js';

/**
 * The top of the page, what a reader checks first: the account and file, drift,
 * the counts, and, only when it failed, the self-check's problems before
 * anything else.
 */

function count<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

function chip(label: string, n: number, cls: string): string {
  return `<span class="chip ${cls}${n === 0 ? ' zero' : ''}"><b>${n}</b> ${escapeHtml(label)}</span>`;
}

export function headerHtml(plan: Plan): string {
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

export function selfCheckHtml(plan: Plan): string {
  if (plan.selfCheck.passed) return '';
  return `<section class="alert-box" id="self-check"><h2>Self-check failed</h2>
<p>Applying this plan in memory and reconciling again did not converge. Do not apply it before these are understood:</p>
<ul>${plan.selfCheck.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></section>`;
}
