import type { DeniedRequest } from '../core/diagnose/denied-route.js';
import type { Diagnosis, PolicyChange } from '../core/diagnose/diagnosis.js';
import { statementText } from './render-explain.js';
import type { Style } from './style.js';

/**
 * Human output of `explain-denial`: the request as CloudTrail recorded it,
 * the cause, the check and statements that decided it, then the fix with each
 * policy edit as the JSON to paste.
 */
export function renderDiagnosis(
  request: DeniedRequest,
  d: Diagnosis,
  style: Style,
  /** The caller as CloudTrail named it (an assumed-role session ARN), when it differs from `request.principal`. */
  caller?: string,
): string {
  const session = caller && caller !== request.principal ? ` ${style.dim(`(${caller})`)}` : '';
  const lines = [
    `${style.red(request.errorCode)}  ${request.principal}${session}`,
    `  ${request.eventName} ${request.model} in ${request.region}${request.inferenceRegion ? ` (routed to ${request.inferenceRegion})` : ''} at ${request.time}`,
    ...(d.route ? [`  ${style.dim('route')} ${d.route}`] : []),
    ...(d.awsSays ? [`  AWS says: ${d.awsSays}`] : []),
    '',
    `${style.bold('Cause')}: ${d.cause}${d.layer ? ` ${style.dim(`(${d.layer})`)}` : ''}`,
    `  ${d.summary}`,
  ];
  if (d.failing) lines.push(`  failing: ${d.failing.action} on ${d.failing.resource} (${d.failing.purpose})`);
  for (const s of d.evidence) lines.push(`  ${style.dim('·')} ${statementText(s)}`);
  if (d.byDesign) {
    const at = d.byDesign.line !== undefined ? `${d.byDesign.file}:${d.byDesign.line}` : d.byDesign.file;
    lines.push(`  ${style.yellow('by design')}: rule ${d.byDesign.rule} (${at})`);
  }
  lines.push('', `${style.bold('Fix')}: ${d.fix}`);
  d.changes.forEach((c, i) => lines.push(...changeLines(c, i + 1)));
  if (d.changes.length > 0 && d.verified !== undefined) {
    const these = d.changes.length === 1 ? 'this change' : 'these changes';
    lines.push(
      d.verified
        ? `  ${style.green('✓ verified')}: replayed with ${these}, the request is allowed`
        : `  ${style.yellow('✗ not enough')}: replayed with ${these}, the request is still denied`,
    );
  }
  return lines.join('\n');
}

function changeLines(c: PolicyChange, n: number): string[] {
  const where = [
    ...(c.index !== undefined ? [`Statement[${c.index}]`] : []),
    ...(c.scpTarget ? [`attached to ${c.scpTarget}`] : []),
  ];
  const head =
    c.kind === 'add-statement'
      ? `add to ${c.target}`
      : `replace in ${c.target}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
  const json = JSON.stringify(c.statement, null, 2)
    .split('\n')
    .map((line) => `       ${line}`);
  return [`  ${n}. ${head}:`, ...json];
}
