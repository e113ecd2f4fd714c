import type { PublishedAction, PublishedFinding, PublishedTrigger } from '../events/findings-event.js';
import type { Diagnosis } from '../diagnose/diagnosis.js';
import type { StatementRef } from '../iam/types.js';
import type { Severity } from '../policy-file/types.js';
import { type Alert, decidingStatements } from './alert.js';

/** Slack's Block Kit limits (api.slack.com/reference/block-kit): past any of them Slack rejects the message. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  headerText: 150,
  sectionFields: 10,
  fieldText: 2_000,
  contextElements: 10,
} as const;

export interface SlackPlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

/** `verbatim`: no auto-linking of URLs, channel names or mentions; only what the text spells out with `<…>`. */
export interface SlackMrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
  readonly verbatim: true;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackPlainText }
  | { readonly type: 'section'; readonly text: SlackMrkdwn; readonly fields?: readonly SlackMrkdwn[] }
  | { readonly type: 'context'; readonly elements: readonly SlackMrkdwn[] }
  | { readonly type: 'divider' };

/** The body of an incoming-webhook post: `text` is the notification's fallback, `blocks` the message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/**
 * Slack's escaping: `&`, `<` and `>` as entities. Every string that did not
 * come from this module goes through it, because `<…>` is how Slack spells
 * links and mentions (`<!channel>`, `<@U123>`, `<https://x|click>`): a
 * principal name, a tag or an AWS error message must never spell one.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/** A Slack member id (`U…`, or `W…` on Enterprise Grid): the only owner tag rendered as a mention. */
const MEMBER_ID = /^[UW][A-Z0-9]{6,}$/;

/** Statements and actions listed per alert; the rest are counted. */
const MAX_LISTED = 10;
/** Policy changes shown per alert, a section each. */
const MAX_CHANGES = 3;

/**
 * The Slack messages for a run's alerts (usually one findings event: one
 * principal). Each alert is a group of blocks — what happened, to whom, the
 * evidence, the fix, what the guard did — and groups are packed into as few
 * messages as Slack's 50-block limit allows, never split. Pure.
 *
 * @example
 * for (const message of slackMessages(alerts)) await webhook.post(url, message, { label });
 */
export function slackMessages(alerts: readonly Alert[]): SlackMessage[] {
  return slackBatches(alerts).map((b) => b.message);
}

/** The messages with the alerts each one carries: a failed post releases just its own alerts' deduplication. */
export function slackBatches(
  alerts: readonly Alert[],
): { readonly alerts: readonly Alert[]; readonly message: SlackMessage }[] {
  const messages: { alerts: Alert[]; blocks: SlackBlock[] }[] = [];
  for (const alert of alerts) {
    const blocks = alertBlocks(alert);
    const last = messages.at(-1);
    if (last && last.blocks.length + 1 + blocks.length <= SLACK_LIMITS.blocksPerMessage) {
      last.alerts.push(alert);
      last.blocks.push({ type: 'divider' }, ...blocks);
    } else {
      messages.push({ alerts: [alert], blocks });
    }
  }
  return messages.map((m) => ({ alerts: m.alerts, message: { text: fallbackText(m.alerts), blocks: m.blocks } }));
}

/** One alert's blocks: at most 11, well within a message. */
function alertBlocks(alert: Alert): SlackBlock[] {
  const f = alert.finding;
  const blocks: SlackBlock[] = [header(alert), section(prose(f.message, 2_900), fields(alert))];
  if (f.detail) blocks.push(section(`*AWS said*\n${codeBlock(f.detail, 2_800)}`));
  const evidence = decidingStatements(f).map(statementLine);
  if (evidence.length > 0) blocks.push(listSection('*Evidence*', evidence));
  const fix = fixLines(f);
  if (fix.length > 0) blocks.push(section(fix.join('\n')));
  if (f.diagnosis) blocks.push(...changeSections(f.diagnosis));
  if (alert.actions.length > 0) {
    const title = alert.dryRun ? 'What the guard would do' : 'What the guard did';
    blocks.push(listSection(`*${title}*`, alert.actions.map(actionLine)));
  }
  blocks.push(context(alert));
  return blocks;
}

function header(alert: Alert): SlackBlock {
  const f = alert.finding;
  const words = [f.severity.toUpperCase(), f.rule, f.status, ...(alert.dryRun ? ['dry run'] : [])];
  const text = `${SEVERITY_EMOJI[f.severity]} ${words.map((w) => escapeSlack(w)).join(' · ')}`;
  return { type: 'header', text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.headerText), emoji: true } };
}

function fields(alert: Alert): SlackMrkdwn[] {
  const f = alert.finding;
  const principal = alert.principal ?? f.principal;
  const owner = alert.owner
    ? `\nowner ${MEMBER_ID.test(alert.owner) ? `<@${alert.owner}>` : code(alert.owner, 300)}`
    : '';
  const regions = f.regions && f.regions.length > 0 ? f.regions : f.region ? [f.region] : [];
  const out = [
    field('Principal', `${principal ? code(principal, 1_500) : 'the account'}${owner}`),
    field('Account', `${code(alert.account, 100)} (${escapeSlack(alert.partition)})`),
    f.model && field('Model', code(f.model, 1_900)),
    f.route && field('Route', code(f.route, 1_900)),
    regions.length > 0 && field(regions.length === 1 ? 'Region' : 'Regions', codes(regions, 1_900)),
    f.inferenceRegion && field('Inference Region', code(f.inferenceRegion, 100)),
    alert.teams.length > 0 && field(alert.teams.length === 1 ? 'Team' : 'Teams', codes(alert.teams, 1_900)),
  ];
  return out.filter((x): x is SlackMrkdwn => typeof x === 'object').slice(0, SLACK_LIMITS.sectionFields);
}

const field = (label: string, value: string): SlackMrkdwn =>
  mrkdwn(clip(`*${label}*\n${value}`, SLACK_LIMITS.fieldText));

/** `• `AmazonBedrockFullAccess` (identity, managed) statement #0 `BedrockAll`: Allow`, with where an SCP or inline policy sits. */
function statementLine(s: StatementRef): string {
  const p = s.policy;
  const where =
    p.kind === 'inline'
      ? ` of ${code(p.id, 150)}`
      : p.kind === 'scp'
        ? ` ${code(p.id, 60)}${p.target ? ` at ${code(p.target, 100)}` : ''}`
        : '';
  const sid = s.sid ? ` ${code(s.sid, 100)}` : '';
  return `• ${code(p.name, 130)} (${escapeSlack(p.layer)}, ${escapeSlack(p.kind)})${where} statement #${s.index}${sid}: ${escapeSlack(s.effect)}`;
}

function fixLines(f: PublishedFinding): string[] {
  const d = f.diagnosis;
  const out: string[] = [];
  // A denial's remediation is its diagnosis's fix (event-findings.ts): said once, under the diagnosis.
  const remediation = f.remediation === d?.fix ? undefined : f.remediation;
  if (remediation) out.push(`*Fix*\n${prose(remediation, 1_000)}`);
  if (d) {
    out.push(`*Why* (${code(d.cause, 60)})\n${prose(d.summary, 700)}`);
    const checked =
      d.verified && d.changes.length > 0 ? '\n_Replayed with the changes below, the request is allowed._' : '';
    out.push(`*${remediation ? 'To let it through' : 'Fix'}*\n${prose(d.fix, 700)}${checked}`);
    if (d.byDesign) {
      const where = d.byDesign.line === undefined ? d.byDesign.file : `${d.byDesign.file}:${d.byDesign.line}`;
      out.push(`*By design*: rule ${code(d.byDesign.rule, 100)} in ${code(where, 300)}`);
    }
  }
  return out;
}

/** A diagnosis's policy changes, a section each (the statement as JSON); past `MAX_CHANGES`, counted. */
function changeSections(d: Diagnosis): SlackBlock[] {
  const changes = d.changes;
  const shown = changes.slice(0, MAX_CHANGES).map((c, i) => {
    const title = `*${changes.length === 1 ? 'Change' : `Change ${i + 1} of ${changes.length}`}*`;
    const verb =
      c.kind === 'add-statement'
        ? 'add this statement to'
        : `replace ${c.index === undefined ? 'the statement' : `statement #${c.index}`} in`;
    const at = c.scpTarget ? `, attached to ${code(c.scpTarget, 200)}` : '';
    const json = codeBlock(JSON.stringify(c.statement, null, 2), 2_400);
    return section(`${title}: ${verb} ${prose(c.target, 300)}${at}\n${json}`);
  });
  if (changes.length > MAX_CHANGES) {
    shown.push(section(`and ${changes.length - MAX_CHANGES} more changes`));
  }
  return shown;
}

/** `• put-deny `bedrock-guard-deny-app` — applied · ledger entry `01HZ…``. */
function actionLine(a: PublishedAction): string {
  const detail = a.detail ? `: ${prose(a.detail, 150)}` : '';
  const ledger = a.ledgerId ? ` · ledger entry ${code(a.ledgerId, 100)}` : '';
  return `• ${escapeSlack(a.type)} ${code(a.policyName, 150)} — ${escapeSlack(a.result)}${detail}${ledger}`;
}

/**
 * The lines of a list section under its title: at most `MAX_LISTED`, and no
 * more than fit in a section, then how many more.
 */
function listSection(title: string, lines: readonly string[]): SlackBlock {
  let text = title;
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i;
    const more = rest > 1 ? `\nand ${rest - 1} more`.length : 0;
    if (i === MAX_LISTED || text.length + 1 + line.length + more > SLACK_LIMITS.sectionText) {
      return section(`${text}\nand ${rest} more`);
    }
    text += `\n${line}`;
  }
  return section(text);
}

function context(alert: Alert): SlackBlock {
  const elements = [mrkdwn(clip(triggerLine(alert.trigger, alert.finding.mode), SLACK_LIMITS.sectionText))];
  if (alert.repeats > 0) {
    elements.push(mrkdwn(`${alert.repeats} more like this since the last message`));
  }
  return { type: 'context', elements };
}

function triggerLine(t: PublishedTrigger, mode: PublishedFinding['mode']): string {
  const parts = [
    `${escapeSlack(t.kind)} trigger`,
    t.eventName && code(t.eventName, 100),
    t.eventSource && `from ${code(t.eventSource, 100)}`,
    t.actor && `by ${code(t.actor, 400)}`,
    t.region && `in ${code(t.region, 40)}`,
    `id ${code(t.id, 200)}`,
  ];
  return `${parts.filter(Boolean).join(' ')} · rule mode ${escapeSlack(mode)}`;
}

/** The notification's plain line: the first alert, and how many more the message holds. */
function fallbackText(alerts: readonly Alert[]): string {
  const first = alerts[0];
  if (!first) return '';
  const f = first.finding;
  const status = `${f.status}${first.dryRun ? ', dry run' : ''}`;
  const who = first.principal ?? f.principal ?? 'the account';
  const more = alerts.length > 1 ? ` and ${alerts.length - 1} more` : '';
  return clip(escapeSlack(`bedrock-guard ${f.severity.toUpperCase()} ${f.rule} (${status}): ${who}${more}`), 300);
}

function section(text: string, fields?: readonly SlackMrkdwn[]): SlackBlock {
  const t = mrkdwn(clip(text, SLACK_LIMITS.sectionText));
  return fields && fields.length > 0 ? { type: 'section', text: t, fields } : { type: 'section', text: t };
}

const mrkdwn = (text: string): SlackMrkdwn => ({ type: 'mrkdwn', text, verbatim: true });

/**
 * `text` (already escaped) in at most `max` characters, with an ellipsis when
 * cut: never in the middle of an entity or a surrogate pair.
 */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${head(text, max - 1)}…`;
}

/** The first `n` characters of escaped text, without a broken entity or surrogate pair at the end. */
const head = (text: string, n: number) =>
  text
    .slice(0, n)
    .replace(/[\uD800-\uDBFF]$/, '')
    .replace(/&[a-z]{0,3}$/, '');

/**
 * A value in an inline code span, on one line: no formatting applies inside,
 * and a backtick of its own (which would close the span) becomes `ˋ`.
 */
function code(value: string, max: number): string {
  const inner = clip(escapeSlack(value.replace(/\s+/g, ' ').trim()).replace(/`/g, 'ˋ'), max - 2);
  return inner ? `\`${inner}\`` : '—';
}

/** Values in code spans, as many as fit in `max` characters, then an ellipsis. */
function codes(values: readonly string[], max: number): string {
  let out = '';
  for (const v of values) {
    const next = `${out}${out ? ' ' : ''}${code(v, 200)}`;
    if (next.length > max - 2) return `${out} …`;
    out = next;
  }
  return out;
}

/**
 * A preformatted block. A zero-width space on each side of every backtick of
 * its own keeps a ``` inside (or at either end) from closing it.
 */
function codeBlock(value: string, max: number): string {
  return `\`\`\`${clip(escapeSlack(value).replace(/`/g, '\u200B`\u200B'), max - 6)}\`\`\``;
}

/** An ARN inside a sentence: set in code, so its `_` or `*` format nothing. */
const ARN = /arn:[a-z-]+:[^\s`'"()<>]*[^\s`'"()<>.,;:]/g;

/**
 * A sentence written from data (a finding's message, a fix): escaped, its
 * ARNs in code spans, its own backticks made inert, and cut at `max`
 * characters between spans, never inside one.
 */
function prose(text: string, max: number): string {
  const pieces: { text: string; span: boolean }[] = [];
  const plain = (s: string) => ({ text: escapeSlack(s).replace(/`/g, 'ˋ'), span: false });
  let from = 0;
  for (const m of text.matchAll(ARN)) {
    pieces.push(plain(text.slice(from, m.index)), { text: code(m[0], 600), span: true });
    from = m.index + m[0].length;
  }
  pieces.push(plain(text.slice(from)));
  const full = pieces.map((p) => p.text).join('');
  if (full.length <= max) return full;
  let out = '';
  for (const p of pieces) {
    const room = max - 1 - out.length;
    if (p.text.length > room) return `${out}${p.span ? '' : head(p.text, room)}…`;
    out += p.text;
  }
  return out;
}
