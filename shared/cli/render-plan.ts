import { groupBy } from '../core/group-by.js';
import type { DenyStatement } from '../core/plan/deny-document.js';
import type { Plan, PlanAction } from '../core/plan/types.js';
import type { Finding } from '../core/reconcile/types.js';
import { planSummary } from '../report/json.js';
import type { Style } from './style.js';

/** `1 finding`, `2 findings`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
export const short = (arn: string): string =>
  arn.slice(arn.indexOf(':', 'arn:aws:iam::'.length) + 1).replace(/^\d{12}:/, '');
const list = (v: string | readonly string[] | undefined) => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** One statement of a guard deny on one line: what it denies, on what, when. */
function statementLine(s: DenyStatement): string {
  const actions = list(s.Action).join(', ');
  const on = s.NotResource ? `everything but ${s.NotResource.join(', ')}` : list(s.Resource).join(', ');
  const when = s.Condition
    ? ` when ${Object.entries(s.Condition)
        .flatMap(([op, block]) => Object.entries(block).map(([k, v]) => `${op} ${k} = ${list(v).join(' | ')}`))
        .join(' and ')}`
    : '';
  return `${s.Sid}: deny ${actions} on ${on}${when}`;
}

function renderAction(a: PlanAction, style: Style): string[] {
  switch (a.type) {
    case 'put-deny': {
      const sign = a.change === 'create' ? style.green('+') : style.yellow('~');
      const doc = a.policy as { Statement: DenyStatement[] };
      return [
        `  ${sign} ${a.change} ${a.mechanism} deny ${a.policyName} (${a.size} of ${a.quota} characters; ${a.rules.join(', ')})`,
        ...doc.Statement.map((s) => style.dim(`      ${statementLine(s)}`)),
      ];
    }
    case 'remove-deny':
      return [`  ${style.red('-')} remove ${a.mechanism} deny ${a.policyName}: ${a.reason}`];
    case 'alert':
      return [`  ${style.yellow('!')} alert ${a.rule} (${a.severity}): ${count(a.findings, 'finding')}`];
  }
}

/** Route findings of one rule and principal, folded per model: the Regions and routes. */
function foldRoutes(findings: readonly Finding[]): string[] {
  const byModel = new Map<string, { regions: Set<string>; routes: Set<string>; evidence: Set<string> }>();
  for (const f of findings) {
    const key = f.model ?? '';
    const entry = byModel.get(key) ?? { regions: new Set(), routes: new Set(), evidence: new Set() };
    for (const r of f.regions ?? (f.region ? [f.region] : [])) entry.regions.add(r);
    for (const r of f.route?.split(', ') ?? []) entry.routes.add(r.replace(/:.*$/, ''));
    for (const s of f.evidence) entry.evidence.add(`${s.policy.name}#${s.index}${s.sid ? ` (${s.sid})` : ''}`);
    byModel.set(key, entry);
  }
  return [...byModel.entries()].map(
    ([model, e]) =>
      `${model} in ${[...e.regions].join(', ')} via ${[...e.routes].join(', ')}${e.evidence.size > 0 ? ` — allowed by ${[...e.evidence].join(', ')}` : ''}`,
  );
}

const ROUTE_RULES = new Set(['unapproved-model-access', 'unapproved-feature', 'long-term-api-keys']);

/**
 * `plan` for a terminal: per principal, its findings (route findings folded
 * per model) and the actions planned for it, then a summary line, like
 * `terraform plan`.
 */
export function renderPlan(plan: Plan, style: Style): string {
  const out: string[] = [
    style.bold(`bedrock-guard plan — account ${plan.account} (${plan.partition}), policy ${plan.policyFile}`),
    '',
  ];
  const findings = groupBy(plan.findings, (f) => f.principal);
  const actions = groupBy(plan.actions, (a) => a.principal);
  const teams = new Map(plan.matrix.rows.map((r) => [r.principal, r.teams]));
  const principals = [...new Set([...findings.keys(), ...actions.keys()])].sort();

  for (const principal of principals) {
    const own = findings.get(principal) ?? [];
    const open = own.filter((f) => f.status === 'open');
    const exempt = own.filter((f) => f.status === 'exempt');
    const contained = own.filter((f) => f.status === 'contained');
    const planned = actions.get(principal) ?? [];
    if (open.length === 0 && planned.length === 0 && exempt.length === 0) continue;
    const team = teams.get(principal) ?? [];
    out.push(`${style.bold(short(principal))}  ${style.dim(`teams: ${team.length > 0 ? team.join(', ') : 'none'}`)}`);
    if (exempt.length > 0) {
      out.push(
        `  ${style.dim(`exempt (${exempt[0]?.exemptReason ?? ''}): ${exempt.length} findings reported, nothing planned`)}`,
      );
    }
    const byRule = groupBy(open, (f) => f.rule);
    for (const [rule, list] of byRule) {
      const first = list[0] as Finding;
      const mark = first.severity === 'critical' || first.severity === 'high' ? style.red('✗') : style.yellow('!');
      out.push(`  ${mark} ${rule} (${first.severity}, ${first.mode}): ${count(list.length, 'finding')}`);
      if (ROUTE_RULES.has(rule) && list.every((f) => f.model)) {
        for (const line of foldRoutes(list)) out.push(`      ${line}`);
      } else {
        for (const f of list) out.push(`      ${f.message}`, style.dim(`        fix: ${f.remediation}`));
      }
    }
    if (contained.length > 0)
      out.push(`  ${style.dim(`${count(contained.length, 'finding')} already contained by the guard's deny`)}`);
    for (const a of planned) out.push(...renderAction(a, style));
    out.push('');
  }

  const s = planSummary(plan);
  const n = (k: string) => s.actions[k as keyof typeof s.actions] ?? 0;
  if (plan.warnings.length > 0) out.push(...plan.warnings.map((w) => style.yellow(`warning: ${w}`)), '');
  out.push(
    style.bold(
      `Plan: ${n('put-deny:create')} to create, ${n('put-deny:update')} to update, ${n('remove-deny')} to remove (guard denies); ${count(n('alert'), 'alert')}.`,
    ),
    `Findings: ${s.byStatus.open ?? 0} open, ${s.byStatus.contained ?? 0} contained, ${s.byStatus.exempt ?? 0} exempt; ${s.principalsWithOpenFindings} principals with open findings.`,
    plan.selfCheck.passed
      ? style.green('Self-check passed: after this plan, no enforced finding stays open and no granted access is lost.')
      : style.red(`Self-check FAILED:\n${plan.selfCheck.problems.map((p) => `  ${p}`).join('\n')}`),
    plan.drift
      ? 'Drift: the account differs from the policy file (exit 2).'
      : 'No drift: the account matches the policy file.',
  );
  return out.join('\n');
}
