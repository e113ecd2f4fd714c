import type { Diagnosis } from '../diagnose/diagnosis.js';
import type { StatementRef } from '../iam/types.js';
import type { Severity } from '../policy-file/types.js';
import type { Finding } from '../reconcile/types.js';
import type { Principal } from '../snapshot/types.js';

/** The findings bus entries' `source` and `detail-type`: what a rule on the bus (the notifier) matches. */
export const FINDINGS_SOURCE = 'bedrock-guard';
export const FINDINGS_DETAIL_TYPE = 'Bedrock Guard Findings';

/** EventBridge takes at most 256 KB per entry; leave room for the envelope. */
const MAX_DETAIL_CHARS = 200_000;

/** A finding as published: a plan finding, or one only the event shows (tampering, an unapproved invoke…). */
export interface PublishedFinding {
  readonly rule: string;
  readonly severity: Severity;
  readonly mode: 'enforce' | 'alert';
  readonly status: 'open' | 'contained';
  readonly principal?: string;
  readonly model?: string;
  readonly region?: string;
  readonly regions?: readonly string[];
  readonly route?: string;
  readonly message: string;
  readonly remediation?: string;
  readonly evidence?: readonly StatementRef[];
  /** For event findings: the error AWS returned, and the Region an inference profile routed to. */
  readonly detail?: string;
  readonly inferenceRegion?: string;
  /** For `invoke-denied`: why, and the fix. */
  readonly diagnosis?: Diagnosis;
}

/** What the guard did (or, in a dry run, would do) about a principal. */
export interface PublishedAction {
  readonly type: 'put-deny' | 'remove-deny';
  readonly policyName: string;
  readonly result: 'applied' | 'skipped' | 'failed' | 'planned';
  readonly detail?: string;
  /** The ledger entry that records it (`bedrock-guard ledger` lists it). */
  readonly ledgerId?: string;
}

export interface PublishedTrigger {
  readonly kind: 'event' | 'manual' | 'schedule';
  readonly id: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly actor?: string;
  readonly region?: string;
}

/** The `detail` of one findings bus entry: one principal's findings (or the account's, without a principal). */
export interface FindingsEvent {
  readonly version: 1;
  readonly account: string;
  readonly partition: string;
  readonly trigger: PublishedTrigger;
  readonly principal?: string;
  /** The principal's `owner` tag: who is told about its denials. */
  readonly owner?: string;
  /** The teams of the policy file the principal matches: a team's own notify destinations get its findings. */
  readonly teams?: readonly string[];
  readonly dryRun: boolean;
  readonly findings: readonly PublishedFinding[];
  readonly actions: readonly PublishedAction[];
  /** Findings left out to stay within EventBridge's entry size. */
  readonly omitted?: number;
}

export interface FindingsInput {
  readonly account: string;
  readonly partition: string;
  readonly trigger: PublishedTrigger;
  readonly dryRun: boolean;
  /** The plan's findings for the principals in scope. */
  readonly findings: readonly Finding[];
  readonly eventFindings: readonly PublishedFinding[];
  /** Deny actions by principal ARN, with their outcome. */
  readonly actions: ReadonlyMap<string, readonly PublishedAction[]>;
  /** Who is told about a principal: its `owner` tag and its teams. */
  readonly audience?: (principal: string) => Pick<FindingsEvent, 'owner' | 'teams'>;
}

/**
 * Who is told about a principal's findings: its `owner` tag (the key in any
 * case) and the policy file's teams it belongs to, whose own `notify`
 * destinations the notifier adds (notify/routing.ts).
 */
export function audienceOf(principal: Principal, teams: readonly string[]): Pick<FindingsEvent, 'owner' | 'teams'> {
  const owner = Object.entries(principal.tags).find(([key]) => key.toLowerCase() === 'owner')?.[1];
  return { ...(owner ? { owner } : {}), ...(teams.length > 0 ? { teams } : {}) };
}

/**
 * The bus entries for a run, one per principal with something to say: open
 * findings (not exempt, not already contained), what this run did about
 * them, and the event's own findings. A finding whose principal just got its
 * deny is published as contained. Nothing to say, nothing published.
 */
export function findingsEvents(input: FindingsInput): FindingsEvent[] {
  const byPrincipal = new Map<string | undefined, { findings: PublishedFinding[]; actions: PublishedAction[] }>();
  const entry = (principal: string | undefined) => {
    let e = byPrincipal.get(principal);
    if (!e)
      byPrincipal.set(
        principal,
        (e = { findings: [], actions: [...(principal ? (input.actions.get(principal) ?? []) : [])] }),
      );
    return e;
  };
  for (const f of input.findings) {
    if (f.status !== 'open') continue;
    const contained =
      f.mode === 'enforce' &&
      (input.actions.get(f.principal) ?? []).some((a) => a.type === 'put-deny' && a.result === 'applied');
    entry(f.principal).findings.push(published(f, contained ? 'contained' : 'open'));
  }
  for (const f of input.eventFindings) entry(f.principal).findings.push(f);
  for (const [principal, actions] of input.actions) if (actions.length > 0) entry(principal);
  return [...byPrincipal].map(([principal, { findings, actions }]) =>
    fitted({
      version: 1,
      account: input.account,
      partition: input.partition,
      trigger: input.trigger,
      ...(principal ? { principal, ...input.audience?.(principal) } : {}),
      dryRun: input.dryRun,
      findings,
      actions,
    }),
  );
}

function published(f: Finding, status: 'open' | 'contained'): PublishedFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    mode: f.mode,
    status,
    ...(f.model ? { model: f.model } : {}),
    principal: f.principal,
    ...(f.region ? { region: f.region } : {}),
    ...(f.regions ? { regions: f.regions } : {}),
    ...(f.route ? { route: f.route } : {}),
    message: f.message,
    remediation: f.remediation,
    evidence: f.evidence,
  };
}

/** Within EventBridge's size limit: evidence dropped first, then the last findings (counted in `omitted`). */
function fitted(event: FindingsEvent): FindingsEvent {
  const size = (e: FindingsEvent) => JSON.stringify(e).length;
  if (size(event) <= MAX_DETAIL_CHARS) return event;
  const lean = { ...event, findings: event.findings.map(({ evidence: _, ...f }) => f) };
  if (size(lean) <= MAX_DETAIL_CHARS) return lean;
  const findings = [...lean.findings];
  while (
    findings.length > 1 &&
    size({ ...lean, findings, omitted: event.findings.length - findings.length }) > MAX_DETAIL_CHARS
  ) {
    findings.splice(Math.floor(findings.length / 2));
  }
  const omitted = event.findings.length - findings.length;
  if (size({ ...lean, findings, omitted }) <= MAX_DETAIL_CHARS) return { ...lean, findings, omitted };
  // One finding too big on its own (its resources and routes): what it is about, and its message.
  return {
    ...lean,
    findings: findings.map(({ rule, severity, mode, status, principal, model, message }) => ({
      rule,
      severity,
      mode,
      status,
      ...(principal ? { principal } : {}),
      ...(model ? { model } : {}),
      message: message.slice(0, 2_000),
    })),
    omitted,
  };
}
