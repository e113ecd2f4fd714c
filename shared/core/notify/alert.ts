import type { PublishedAction, PublishedFinding, PublishedTrigger } from '../events/findings-event.js';
import { uniqueStatements } from '../iam/statement-refs.js';
import type { StatementRef } from '../iam/types.js';

/**
 * One finding as a person receives it, in Slack or by SNS: the finding, whom
 * it is about, what the guard did, and how often the same alert was held
 * back since the last message.
 */
export interface Alert {
  readonly account: string;
  readonly partition: string;
  readonly trigger: PublishedTrigger;
  readonly principal?: string;
  /** The principal's `owner` tag. */
  readonly owner?: string;
  readonly teams: readonly string[];
  /** Nothing was written: a dry run, an alerting deployment, or offline. */
  readonly dryRun: boolean;
  readonly finding: PublishedFinding;
  /** What the guard did (or would do) about the principal, with the ledger entry of each. */
  readonly actions: readonly PublishedAction[];
  /** The same rule, principal and resource, held back since the last message (deduplication). */
  readonly repeats: number;
}

/** What deduplication counts as the same alert: rule + principal + resource. */
export function alertKey(alert: Pick<Alert, 'account' | 'principal' | 'finding'>): string {
  const f = alert.finding;
  const resource = f.model ?? f.route ?? f.region ?? '-';
  return [alert.account, f.rule, alert.principal ?? f.principal ?? 'account', resource].join('#');
}

/** The statements that decided a finding: its own evidence, then its diagnosis's, each once. */
export const decidingStatements = (f: PublishedFinding): StatementRef[] =>
  uniqueStatements([...(f.evidence ?? []), ...(f.diagnosis?.evidence ?? [])]);
