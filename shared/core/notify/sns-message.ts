import type { Diagnosis } from '../diagnose/diagnosis.js';
import type { PublishedAction, PublishedTrigger } from '../events/findings-event.js';
import { parseArn } from '../iam/arn.js';
import type { StatementRef } from '../iam/types.js';
import { type Alert, decidingStatements } from './alert.js';

/** SNS rejects a subject longer than 100 characters. */
export const MAX_SUBJECT_CHARS = 100;
/** SNS takes at most 10 message attributes. */
export const MAX_ATTRIBUTES = 10;
/**
 * SNS takes 256 KB per message, attributes included, and the SQS envelope
 * escapes the body once more: the body stays well within it.
 */
export const MAX_BODY_BYTES = 200_000;
/** An attribute is for filtering, not reading: a longer value (a team list…) is cut. */
export const MAX_ATTRIBUTE_CHARS = 1_024;
/** Statements listed as evidence before `and N more`. */
export const MAX_EVIDENCE = 20;
/** Any one free text (a message, an AWS error, a fix) before it is cut. */
const MAX_TEXT_CHARS = 4_000;
/** Policy changes of a diagnosis shown, each as pretty JSON cut at `MAX_CHANGE_CHARS`; the rest are counted. */
const MAX_CHANGES = 10;
const MAX_CHANGE_CHARS = 10_000;

export interface SnsAttribute {
  readonly DataType: 'String';
  readonly StringValue: string;
}

export interface SnsMessage {
  readonly subject: string;
  readonly message: string;
  /** What subscribers filter on: `severity`, `rule`, `account`, `status`, `mode`, `dryRun`, and when known `principal`, `owner`, `model`, `teams`. */
  readonly attributes: Record<string, SnsAttribute>;
}

/**
 * The SNS message of an alert: a subject within SNS's rules, message
 * attributes that subscription filter policies can match, and a plain-text
 * body with one fact per line, for e-mail and chat subscribers alike.
 *
 * @example
 * const { subject, message, attributes } = snsMessage(alert);
 * // subject: 'bedrock-guard HIGH unapproved-model-invoked: role/AppBackend (anthropic.claude-3-opus-20240229-v1:0)'
 * // attributes.severity: { DataType: 'String', StringValue: 'high' }
 */
export function snsMessage(alert: Alert): SnsMessage {
  return { subject: snsSubject(alert), message: snsBody(alert), attributes: snsAttributes(alert) };
}

/**
 * At most 100 printable ASCII characters, one line, starting with a letter:
 * `bedrock-guard HIGH <rule>: <principal> (<model>)`, the model only when it
 * fits, the whole cut with `...` when even the principal doesn't.
 */
export function snsSubject(alert: Alert): string {
  const f = alert.finding;
  const principal = alert.principal ?? f.principal;
  const who = principal ? shortPrincipal(principal) : `account ${alert.account}`;
  const head = `bedrock-guard ${subjectText(f.severity).toUpperCase()} ${subjectText(f.rule)}: ${subjectText(who)}`;
  const model = f.model ? subjectText(shortModel(f.model)) : '';
  const withModel = model ? `${head} (${model})` : head;
  const subject = withModel.length <= MAX_SUBJECT_CHARS ? withModel : head;
  return subject.length <= MAX_SUBJECT_CHARS
    ? subject.trimEnd()
    : `${subject.slice(0, MAX_SUBJECT_CHARS - 3).trimEnd()}...`;
}

/** The message attributes, each a non-empty String; at most ten. */
export function snsAttributes(alert: Alert): Record<string, SnsAttribute> {
  const f = alert.finding;
  const values: Record<string, string | undefined> = {
    severity: f.severity,
    rule: f.rule,
    account: alert.account,
    status: f.status,
    mode: f.mode,
    dryRun: String(alert.dryRun),
    principal: alert.principal ?? f.principal,
    owner: alert.owner,
    model: f.model,
    teams: alert.teams.join(','),
  };
  const attributes: Record<string, SnsAttribute> = {};
  for (const [name, raw] of Object.entries(values)) {
    const value = raw === undefined ? '' : attributeText(raw);
    if (value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  }
  return attributes;
}

/** The body: what happened, about whom, where, why, the fix, what the guard did, and the trigger. */
export function snsBody(alert: Alert): string {
  const f = alert.finding;
  const lines: string[] = [text(f.message), ''];
  const fact = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`${label}: ${indented(text(value))}`);
  };
  fact('Severity', f.severity);
  fact('Rule', f.rule);
  fact('Status', `${f.status} (${f.mode} mode)`);
  fact('Dry run', alert.dryRun ? 'yes, nothing was written' : 'no');
  fact('Principal', alert.principal ?? f.principal);
  fact('Owner', alert.owner);
  fact('Teams', alert.teams.join(', '));
  fact('Account', `${alert.account} (${alert.partition})`);
  fact('Model', f.model);
  fact('Route', f.route);
  fact('Region', f.region);
  fact('Regions', f.regions?.join(', '));
  fact('Inference Region', f.inferenceRegion);
  fact('AWS error', f.detail);

  const evidence = decidingStatements(f);
  if (evidence.length > 0) {
    lines.push('', 'Evidence:');
    for (const s of evidence.slice(0, MAX_EVIDENCE)) lines.push(`  - ${statementLine(s)}`);
    if (evidence.length > MAX_EVIDENCE) lines.push(`  and ${evidence.length - MAX_EVIDENCE} more`);
  }
  // A denial's remediation is its diagnosis's fix (event-findings.ts): said once, under the diagnosis.
  if (f.remediation && f.remediation !== f.diagnosis?.fix) lines.push('', `Fix: ${indented(text(f.remediation))}`);
  if (f.diagnosis) lines.push('', ...diagnosisLines(f.diagnosis));
  if (alert.actions.length > 0) {
    const ledger = alert.actions.some((a) => a.ledgerId) ? ' (`bedrock-guard ledger` lists each entry)' : '';
    lines.push('', `${alert.dryRun ? 'What the guard would do' : 'What the guard did'}${ledger}:`);
    for (const a of alert.actions) lines.push(`  - ${actionLine(a)}`);
  }
  if (alert.repeats > 0) {
    lines.push('', `${alert.repeats} more like this since the last message.`);
  }
  lines.push('', `Trigger: ${indented(text(triggerText(alert.trigger)))}`);
  return fitBytes(lines.join('\n'), MAX_BODY_BYTES);
}

function diagnosisLines(d: Diagnosis): string[] {
  const lines = [`Why it was denied (${d.cause}${d.layer ? `, ${d.layer}` : ''}):`];
  const fact = (label: string, value: string | undefined) => {
    if (value) lines.push(`  ${label}: ${indented(text(value), '    ')}`);
  };
  fact('Summary', d.summary);
  if (d.awsSays) fact('AWS says', d.awsSays);
  if (d.failing) fact('Failing check', `${d.failing.action} on ${d.failing.resource} (${d.failing.purpose})`);
  if (d.route) fact('Route replayed', d.route);
  fact('Fix', d.fix);
  if (d.byDesign) {
    const where = d.byDesign.line !== undefined ? `${d.byDesign.file}:${d.byDesign.line}` : d.byDesign.file;
    fact('By design', `rule ${d.byDesign.rule} (${where})`);
  }
  if (d.verified && d.changes.length > 0) lines.push('  Replayed with the changes below, the request is allowed.');
  for (const [i, c] of d.changes.slice(0, MAX_CHANGES).entries()) {
    const title = d.changes.length === 1 ? 'Change' : `Change ${i + 1} of ${d.changes.length}`;
    const verb =
      c.kind === 'add-statement'
        ? 'add this statement to'
        : `replace ${c.index === undefined ? 'the statement' : `statement #${c.index}`} in`;
    const at = c.scpTarget ? ` (attached to ${c.scpTarget})` : '';
    lines.push(`  ${title}: ${verb} ${text(c.target)}${text(at)}`);
    const json = cut(JSON.stringify(c.statement, null, 2), MAX_CHANGE_CHARS);
    for (const line of json.split('\n')) lines.push(`    ${line}`);
  }
  if (d.changes.length > MAX_CHANGES) lines.push(`  and ${d.changes.length - MAX_CHANGES} more changes`);
  return lines;
}

/** `AmazonBedrockFullAccess (identity, managed) statement #0 BedrockAll: Allow`. */
function statementLine(s: StatementRef): string {
  const p = s.policy;
  const where =
    p.kind === 'inline'
      ? ` of ${shortPrincipal(p.id)}`
      : p.kind === 'scp'
        ? ` ${p.id}${p.target ? ` at ${p.target}` : ''}`
        : '';
  const sid = s.sid ? ` ${s.sid}` : '';
  return text(`${p.name} (${p.layer}, ${p.kind})${where} statement #${s.index}${sid}: ${s.effect}`);
}

function actionLine(a: PublishedAction): string {
  const notes = [a.detail, a.ledgerId ? `ledger entry ${a.ledgerId}` : undefined].filter(Boolean);
  return indented(
    text(`${a.type} ${a.policyName}: ${a.result}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`),
    '    ',
  );
}

/** `CloudTrail event InvokeModel (bedrock.amazonaws.com) by <actor> in us-east-1, id …`. */
function triggerText(t: PublishedTrigger): string {
  const what =
    t.kind === 'event'
      ? `event ${t.eventName ?? '(unnamed)'}${t.eventSource ? ` from ${t.eventSource}` : ''}`
      : t.kind === 'schedule'
        ? 'scheduled reconcile'
        : 'manual run';
  const by = t.actor ? ` by ${t.actor}` : '';
  const where = t.region ? ` in ${t.region}` : '';
  return `${what}${by}${where} (id ${t.id})`;
}

/** `role/Name`, `user/Name`, `assumed-role/Role`: the kind and the name, without the path; other strings as they are. */
export function shortPrincipal(principal: string): string {
  const arn = parseArn(principal);
  if (!arn) return principal;
  const parts = arn.resource.split('/');
  const kind = parts[0] ?? '';
  if (kind === 'assumed-role' && parts.length >= 2) return `assumed-role/${parts[1]}`;
  if (parts.length >= 2 && ['role', 'user', 'group'].includes(kind)) return `${kind}/${parts[parts.length - 1]}`;
  return arn.resource || principal;
}

/** A model ARN's model or profile id; a model id as it is. */
function shortModel(model: string): string {
  const arn = parseArn(model);
  if (!arn) return model;
  const slash = arn.resource.lastIndexOf('/');
  return slash >= 0 ? arn.resource.slice(slash + 1) : arn.resource;
}

/** Printable ASCII only, on one line: other characters become `?`, runs of white space one space. */
function subjectText(value: string): string {
  return Array.from(value, (c) => (/\s/.test(c) ? ' ' : c >= ' ' && c <= '~' ? c : '?'))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** One line, no control characters, within the attribute length. */
function attributeText(value: string): string {
  return cut(wellFormed(value).replace(/\s+/g, ' ').replace(CONTROL, '').trim(), MAX_ATTRIBUTE_CHARS);
}

/**
 * Characters SQS refuses in a body it receives from SNS (C0 controls but tab and
 * line feed, U+FFFE, U+FFFF) go; `\r\n` becomes `\n`; long texts are cut.
 */
function text(value: string): string {
  return cut(wellFormed(value).replace(/\r\n?/g, '\n').replace(CONTROL, ''), MAX_TEXT_CHARS);
}

// eslint-disable-next-line no-control-regex -- the control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F\uFFFE\uFFFF]/g;

/** Lone surrogates (half an emoji from a cut) become U+FFFD, as UTF-8 encoding would. */
function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Continuation lines of a multi-line value, indented under their label. */
function indented(value: string, indent = '  '): string {
  return value.replace(/\n/g, `\n${indent}`);
}

/** At most `max` characters, ending with `…` when cut; never half a surrogate pair. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end--;
  return `${value.slice(0, end)}…`;
}

const utf8 = new TextEncoder();

/** At most `max` UTF-8 bytes, cut at a character boundary with a note of what was left out. */
function fitBytes(body: string, max: number): string {
  const bytes = utf8.encode(body);
  if (bytes.length <= max) return body;
  // Room for the note: 100 bytes hold it whatever the count.
  let end = max - 100;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${new TextDecoder().decode(bytes.subarray(0, end))}\n\n(cut: ${bytes.length - end} more bytes did not fit in an SNS message)`;
}
