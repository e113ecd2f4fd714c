import type { AlertAction, PlanAction, PutDenyAction, RemoveDenyAction } from '../../core/plan/types.js';
import { escapeHtml } from './escape.js';

/**
 * The planned actions, grouped create, update, remove, alert. Plain markup the
 * script never redraws: a put-deny shows its policy document and how close it
 * comes to the size quota, which a reviewer reads before applying.
 */

const ACTION_ORDER: Record<string, number> = { 'put-deny:create': 0, 'put-deny:update': 1, 'remove-deny': 2, alert: 3 };
const actionKey = (a: PlanAction) => (a.type === 'put-deny' ? `put-deny:${a.change}` : a.type);

/** The user or role name: what follows the ARN's last `/`. */
function shortName(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 && i < arn.length - 1 ? arn.slice(i + 1) : arn;
}

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

export function actionsHtml(actions: readonly PlanAction[]): string {
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
