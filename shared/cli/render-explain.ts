import type { RouteDecision } from '../core/bedrock/decide.js';
import type { Explanation, ModelExplanation } from '../core/explain/explain.js';
import type { BlockingLayer, Decision, EvaluationResult, StatementRef } from '../core/iam/types.js';
import type { Style } from './style.js';

/** Human output of `explain`: short, one decision per block, the deciding statements underneath. */

function decisionText(d: Decision, style: Style): string {
  return d === 'Allowed' ? style.green(d) : d === 'ExplicitlyDenied' ? style.red(d) : style.yellow(d);
}

export function blockedText(b: BlockingLayer | undefined, decision: Decision): string {
  if (!b) return '';
  const where =
    b.layer === 'identity'
      ? 'identity policies'
      : b.layer === 'boundary'
        ? 'the permissions boundary'
        : `the SCPs at ${b.target ?? 'an organisation level'}`;
  return decision === 'ExplicitlyDenied' ? `denied by ${where}` : `no Allow in ${where}`;
}

export function statementText(s: StatementRef): string {
  const p = s.policy;
  const name =
    p.kind === 'inline'
      ? `inline ${p.name} of ${p.id}`
      : p.kind === 'scp'
        ? `SCP ${p.name} (${p.id}) at ${p.target}`
        : p.id;
  const sid = s.sid ? ` Sid "${s.sid}"` : '';
  return `${s.effect.padEnd(5)} ${p.layer.padEnd(8)} ${name} Statement[${s.index}]${sid}`;
}

function resultLines(r: EvaluationResult, indent: string, style: Style): string[] {
  const lines: string[] = [];
  const why = blockedText(r.blockedBy, r.decision);
  if (why) lines.push(`${indent}${why}`);
  for (const s of r.statements) lines.push(`${indent}${style.dim('·')} ${statementText(s)}`);
  return lines;
}

export function renderExplanation(e: Explanation, style: Style): string {
  return [
    `${decisionText(e.result.decision, style)}  ${e.principal.arn}`,
    `  ${e.request.action} on ${e.request.resource}`,
    ...resultLines(e.result, '  ', style),
  ].join('\n');
}

function routeLine(d: RouteDecision, style: Style): string[] {
  const mark = d.allowed ? style.green('✓') : style.red('✗');
  const lines = [`  ${mark} ${d.route.id}  ${style.dim(d.route.apis)}`];
  if (d.route.via) lines.push(`      ${style.dim(`via ${d.route.via}`)}`);
  if (d.route.unavailable) lines.push(`      ${style.dim(`(catalogue: ${d.route.unavailable})`)}`);
  if (d.failing) {
    const f = d.failing;
    lines.push(
      `      ${decisionText(f.result.decision, style)}: ${f.check.action} on ${f.check.resource} (${f.check.purpose})`,
    );
    lines.push(...resultLines(f.result, '        ', style));
  }
  for (const w of d.warnings) {
    lines.push(
      `      ${style.yellow('note')}: ${w.check.action} on ${w.check.resource} is ${w.result.decision} (${w.check.purpose})`,
    );
  }
  return lines;
}

export function renderModelExplanation(m: ModelExplanation, style: Style): string {
  const allowed = m.routes.filter((r) => r.allowed).length;
  return [
    `${style.bold(m.principal.arn)} → ${m.modelId} in ${m.region}: ${allowed} of ${m.routes.length} routes allowed`,
    ...m.routes.flatMap((r) => routeLine(r, style)),
  ].join('\n');
}
