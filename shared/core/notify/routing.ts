import type { FindingsEvent, PublishedFinding } from '../events/findings-event.js';
import { type NotifyFilter, type NotifySettings, SEVERITIES, type Team } from '../policy-file/types.js';
import type { Alert } from './alert.js';

/** Where alerts go: a Slack webhook (by its reference, never the URL) or an SNS topic. */
export type Destination =
  { readonly kind: 'slack'; readonly webhook: string } | { readonly kind: 'sns'; readonly topic: string };

/** The alerts one destination gets from one findings event. */
export interface Delivery {
  readonly destination: Destination;
  readonly alerts: readonly Alert[];
}

/** `slack:ssm:/bedrock-guard/slack-webhook`, `sns:arn:…`: a destination's identity for deduplication. */
export const destinationKey = (d: Destination): string =>
  d.kind === 'slack' ? `slack:${d.webhook}` : `sns:${d.topic}`;

const rank = (severity: string): number => SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);

/** At least as severe as `minSeverity` (critical is the most severe), and of a listed rule when rules are listed. */
export function passes(filter: NotifyFilter, finding: PublishedFinding): boolean {
  return (
    rank(finding.severity) <= rank(filter.minSeverity) &&
    (filter.rules === undefined || (filter.rules as readonly string[]).includes(finding.rule))
  );
}

/**
 * Which destinations get which findings of one event: the file's Slack and
 * SNS destinations and its `routes`, each by severity and rule, and the
 * `notify` of every team the principal belongs to (the event names them),
 * so a denial's diagnosis reaches the team that owns the principal. A
 * destination named twice gets each finding once.
 */
export function routeFindings(event: FindingsEvent, notify: NotifySettings, teams: readonly Team[]): Delivery[] {
  const routes: { destination: Destination; filter: NotifyFilter }[] = [];
  const add = (filter: NotifyFilter, slack?: string, sns?: string) => {
    if (slack) routes.push({ destination: { kind: 'slack', webhook: slack }, filter });
    if (sns) routes.push({ destination: { kind: 'sns', topic: sns }, filter });
  };
  if (notify.slack) add(notify.slack, notify.slack.webhook);
  if (notify.sns) add(notify.sns, undefined, notify.sns.topic);
  for (const route of notify.routes) add(route, route.slack, route.sns);
  const member = new Set(event.teams ?? []);
  for (const team of teams)
    if (team.notify && member.has(team.name)) add(team.notify, team.notify.slack, team.notify.sns);

  const byDestination = new Map<string, { destination: Destination; findings: Set<PublishedFinding> }>();
  for (const { destination, filter } of routes) {
    const key = destinationKey(destination);
    let entry = byDestination.get(key);
    if (!entry) byDestination.set(key, (entry = { destination, findings: new Set() }));
    for (const f of event.findings) if (passes(filter, f)) entry.findings.add(f);
  }
  return [...byDestination.values()]
    .filter((e) => e.findings.size > 0)
    .map(({ destination, findings }) => ({
      destination,
      // In the event's order.
      alerts: event.findings.filter((f) => findings.has(f)).map((f) => alertOf(event, f)),
    }));
}

function alertOf(event: FindingsEvent, finding: PublishedFinding): Alert {
  return {
    account: event.account,
    partition: event.partition,
    trigger: event.trigger,
    ...(event.principal ? { principal: event.principal } : {}),
    ...(event.owner ? { owner: event.owner } : {}),
    teams: event.teams ?? [],
    dryRun: event.dryRun,
    finding,
    actions: event.actions,
    repeats: 0,
  };
}
