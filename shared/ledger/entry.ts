import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';

/** What made the guard act: a CloudTrail event (its `eventID`), a person running the CLI, or the schedule. */
export interface Trigger {
  readonly kind: 'event' | 'manual' | 'schedule';
  /** The event id, or a run id for manual and scheduled runs. */
  readonly id: string;
}

export type LedgerResult = 'applied' | 'skipped' | 'failed';

/** One line of the audit trail: an action the guard took, or declined to take and why. */
export interface LedgerEntry {
  /** Derived from the trigger, the action and its target, so a retried write lands on the same item. */
  readonly id: string;
  /** ISO time of the action. */
  readonly time: string;
  readonly account: string;
  readonly trigger: Trigger;
  readonly action: 'put-deny' | 'remove-deny';
  readonly rules: readonly string[];
  readonly principal: string;
  readonly mechanism: 'managed' | 'inline';
  readonly policyName: string;
  readonly policyArn?: string;
  /** SHA-256 of the guard policy document before and after, absent when there was none. */
  readonly beforeHash?: string;
  readonly afterHash?: string;
  readonly result: LedgerResult;
  /** Why it was skipped or failed, or what changed. */
  readonly reason?: string;
}

/** Where entries are kept (DynamoDB in AWS). Writes are conditional: a retried record is not recorded twice. */
export interface Ledger {
  /** `duplicate` when an entry with this id is already there. */
  record(entry: LedgerEntry): Promise<'recorded' | 'duplicate'>;
  /** Entries from `since` (inclusive) to `until` (default now), oldest first. */
  list(query: { readonly since: Date; readonly until?: Date }): Promise<LedgerEntry[]>;
}

/** `sha256:<hex>` of a policy document, independent of key order and whitespace. */
export const documentHash = (document: unknown): string =>
  `sha256:${createHash('sha256').update(canonicalJson(document)).digest('hex')}`;

/**
 * The entry id: the same trigger doing the same thing to the same policy
 * gets the same id, so a Lambda retry or a redelivered event records once.
 */
export function entryId(
  trigger: Trigger,
  target: Pick<LedgerEntry, 'action' | 'principal' | 'mechanism' | 'policyName' | 'afterHash' | 'result'>,
): string {
  const key = canonicalJson([
    trigger.kind,
    trigger.id,
    target.action,
    target.principal,
    target.mechanism,
    target.policyName,
    target.afterHash ?? '',
    target.result,
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
