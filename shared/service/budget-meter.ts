import { applyActions } from '../apply/apply-actions.js';
import type { IamDenyWriter } from '../aws/iam-writer.js';
import { budgetDeny, budgetDenyName } from '../core/budgets/budget-deny.js';
import { budgetIds, budgetsFor, type CounterIncrement, increments } from '../core/budgets/budgets.js';
import { isInvalidRecord, parseInvocationLog, type UsageRecord } from '../core/budgets/invocation-log.js';
import { budgetState } from '../core/budgets/thresholds.js';
import { resolveUsage } from '../core/budgets/usage.js';
import { windowText } from '../core/budgets/window.js';
import {
  findingsEvents,
  type PublishedAction,
  type PublishedFinding,
  type PublishedTrigger,
} from '../core/events/findings-event.js';
import { documentSize } from '../core/plan/guard-owned.js';
import type { PutDenyAction } from '../core/plan/types.js';
import type { Budget, PolicyFile } from '../core/policy-file/types.js';
import type { Principal } from '../core/snapshot/types.js';
import { BedrockGuardError } from '../errors.js';
import type { Ledger, Trigger } from '../ledger/entry.js';
import type { AccountCache, AccountView } from './account-cache.js';
import { DesiredStates } from './desired-states.js';
import type { HeartbeatStore } from './heartbeats.js';
import type { FindingsPublisher } from './publisher.js';
import type { CounterTotals, UsageCounters } from './usage-counters.js';

export interface MeterParts {
  readonly policy: PolicyFile;
  readonly accounts: AccountCache;
  readonly counters: UsageCounters;
  readonly publisher: FindingsPublisher;
  /** The latest record per Region: reconcile tells logging that stopped delivering. */
  readonly heartbeats: HeartbeatStore;
  /** IAM writes and the ledger; absent offline, and when budgets only alert. */
  readonly live?: { readonly writer: IamDenyWriter; readonly ledger: Ledger };
  /** Deny a spent budget (the policy file's `mode` is enforce and the service is not in a dry run). */
  readonly enforce: boolean;
  readonly log?: (message: string, extra?: Record<string, unknown>) => void;
}

/** What one batch of log records did. */
export interface MeterResult {
  readonly records: number;
  /** Not invocation log records (each logged with the field that is wrong). */
  readonly invalid: number;
  /** Records of a caller or model the account doesn't know, or of another account. */
  readonly unattributed: number;
  /** Counter increments added, and those already counted (a redelivered record). */
  readonly counted: number;
  readonly duplicates: number;
  readonly alerts: number;
  readonly denies: readonly PublishedAction[];
}

/** A budget deny could not be written: the batch is retried (counting is idempotent), then sent to the DLQ. */
export class BudgetDenyError extends BedrockGuardError {}

/**
 * Usage budgets: invocation log records → the caller (a session is its role)
 * and model (a profile is its model) → the budgets of the caller's teams that
 * count that model → counters per budget, principal and window, added once
 * per request id → at 80 % an alert, at 100 % a deny of the budget's models
 * for that principal, self-expiring at the window's end (`DateLessThan
 * aws:CurrentTime`), recorded in the ledger. Each threshold acts once per
 * window across every consumer.
 */
export class BudgetMeter {
  private readonly desired: DesiredStates;

  constructor(private readonly parts: MeterParts) {
    this.desired = new DesiredStates(parts.policy);
  }

  async meter(values: readonly unknown[], trigger: Trigger & { readonly kind: 'event' }): Promise<MeterResult> {
    const { policy, log } = this.parts;
    const records: UsageRecord[] = [];
    let invalid = 0;
    for (const value of values) {
      const record = parseInvocationLog(value);
      if (isInvalidRecord(record)) {
        invalid++;
        log?.('not an invocation log record', { reason: record.invalid });
      } else records.push(record);
    }
    const latest = new Map<string, string>();
    for (const r of records) if (r.region && r.time > (latest.get(r.region) ?? '')) latest.set(r.region, r.time);
    await Promise.all([...latest].map(([region, time]) => this.parts.heartbeats.beat('record', region, time)));
    const loaded = await this.parts.accounts.load();
    let { view } = loaded;
    let attributed = this.attribute(records, view);
    // A caller created since the account was captured: read it again once rather than lose its usage.
    if (!loaded.captured && attributed.unknownCallers > 0) {
      view = await this.parts.accounts.refresh();
      attributed = this.attribute(records, view);
    }
    const { counted, unattributed } = attributed;
    if (unattributed > 0) log?.('records not attributed', { unattributed });
    const added =
      policy.budgets.length > 0 ? await this.parts.counters.add(counted) : { totals: [], added: 0, duplicates: 0 };
    const findings: PublishedFinding[] = [];
    const actions = new Map<string, PublishedAction[]>();
    const failures: string[] = [];
    for (const totals of added.totals) {
      const acted = await this.act(totals, view, trigger);
      if (acted.finding) findings.push(acted.finding);
      if (acted.action) actions.set(totals.principal, [...(actions.get(totals.principal) ?? []), acted.action]);
      if (acted.failure) failures.push(acted.failure);
    }
    const published: PublishedTrigger = { kind: 'event', id: trigger.id, eventName: 'ModelInvocationLog' };
    const { accountId, partition } = view.snapshot.account;
    await this.parts.publisher.publish(
      findingsEvents({
        account: accountId,
        partition,
        trigger: published,
        dryRun: !this.parts.enforce || !this.parts.live,
        findings: [],
        eventFindings: findings,
        actions,
        audience: (arn) => this.desired.audience(view, arn),
      }),
    );
    if (failures.length > 0) {
      throw new BudgetDenyError(`budget deny not written: ${failures.join('; ')}`, {
        hint: 'The batch is retried (its usage is counted once); after the last retry it goes to the dead-letter queue.',
      });
    }
    return {
      records: values.length,
      invalid,
      unattributed,
      counted: added.added,
      duplicates: added.duplicates,
      alerts: findings.length,
      denies: [...actions.values()].flat(),
    };
  }

  /** Each record's increments; records whose caller or model the account doesn't know count against nothing. */
  private attribute(records: readonly UsageRecord[], view: AccountView) {
    const { policy } = this.parts;
    const desired = this.desired.of(view);
    const { accountId } = view.snapshot.account;
    const counted: CounterIncrement[] = [];
    let unattributed = 0;
    let unknownCallers = 0;
    for (const record of records) {
      if (record.account !== undefined && record.account !== accountId) {
        unattributed++;
        continue;
      }
      const { principal, modelId } = resolveUsage(record, view.snapshot);
      if (!principal || modelId === undefined) {
        unattributed++;
        if (!principal) unknownCallers++;
        continue;
      }
      counted.push(...increments(record, principal.arn, budgetsFor(policy, desired, principal, modelId)));
    }
    return { counted, unattributed, unknownCallers };
  }

  /** A counter past a threshold: the alert (80 %) or the deny (100 %), once per window. */
  private async act(totals: CounterTotals, view: AccountView, trigger: Trigger) {
    const { policy } = this.parts;
    const index = budgetIds(policy).indexOf(totals.budgetId);
    const budget = policy.budgets[index];
    const principal = view.snapshot.principal(totals.principal);
    if (!budget || !principal) return {};
    const state = budgetState(totals, budget.max);
    if (state.level === 'ok') return {};
    const percent = Math.floor(state.ratio * 100);
    const used = `${totals[state.by].toLocaleString('en-US')} of ${(budget.max[state.by] ?? 0).toLocaleString('en-US')} ${state.by}`;
    const where = `budget ${totals.budgetId} (team ${budget.team}, ${budget.models.join(', ')}, ${windowText(budget.window)}; ${policy.source.file}${budget.position ? `:${budget.position.line}` : ''})`;
    if (state.level === 'warn') {
      if (!(await this.parts.counters.mark(totals.counterKey, 'warn'))) return {};
      return {
        finding: this.finding(totals, budget, 'budget-warning', 'medium', {
          message: `${principal.arn} has used ${percent}% of ${where}: ${used}, in the window ending ${totals.windowEnd}`,
          remediation: `At 100% the guard denies ${budget.models.join(', ')} to it until ${totals.windowEnd}.`,
        }),
      };
    }
    if (!(await this.parts.counters.mark(totals.counterKey, 'exceeded'))) return {};
    const message = `${principal.arn} has spent ${where}: ${used}, in the window ending ${totals.windowEnd}`;
    // Records of a window already over (log delivery lags, S3's by minutes): a deny would deny nothing, and under
    // the budget's one name it would replace the deny of the window now running.
    if (Date.parse(totals.windowEnd) <= Date.now()) {
      return {
        finding: this.finding(totals, budget, 'budget-exceeded', 'high', {
          message,
          remediation: `Not denied: the window ended at ${totals.windowEnd}, before these records arrived; the budget allows again.`,
        }),
      };
    }
    const { live, enforce } = this.parts;
    if (!live || !enforce) {
      return {
        finding: this.finding(totals, budget, 'budget-exceeded', 'high', {
          message,
          remediation: `Not denied: budgets only alert while the policy file's mode is alert (or the service runs dry). Raise the budget in ${policy.source.file}, or wait for ${totals.windowEnd}.`,
        }),
      };
    }
    const deny = this.denyAction(principal, totals, budget, view);
    const [outcome] = await applyActions(
      [deny],
      {
        writer: live.writer,
        ledger: live.ledger,
        snapshot: view.snapshot,
        desired: this.desired.of(view),
        protectedPrincipals: view.protectedPrincipals,
      },
      { trigger, maxChanges: Number.POSITIVE_INFINITY },
    );
    const action: PublishedAction = {
      type: 'put-deny',
      policyName: deny.policyName,
      result: outcome?.result ?? 'failed',
      ...(outcome?.detail ? { detail: outcome.detail } : {}),
      ...(outcome?.ledgerId ? { ledgerId: outcome.ledgerId } : {}),
    };
    if (outcome?.result === 'failed') {
      // Taken back so the retried batch tries the deny again.
      await this.parts.counters.unmark(totals.counterKey, 'exceeded');
      return { action, failure: `${principal.arn}: ${outcome.detail}` };
    }
    const denied = outcome?.result === 'applied';
    return {
      action,
      finding: this.finding(totals, budget, 'budget-exceeded', 'high', {
        message,
        status: denied ? 'contained' : 'open',
        remediation: denied
          ? `Denied ${budget.models.join(', ')} until ${totals.windowEnd} (inline policy ${deny.policyName}; it lifts itself then). To allow more, raise the budget in ${policy.source.file} and remove the deny.`
          : `Not denied (${outcome?.detail ?? 'skipped'}).`,
      }),
    };
  }

  private denyAction(principal: Principal, totals: CounterTotals, budget: Budget, view: AccountView): PutDenyAction {
    const document = budgetDeny(this.parts.policy, budget, totals.windowEnd, {
      provisionedModels: view.snapshot.provisionedModels,
    });
    return {
      type: 'put-deny',
      change: 'create',
      principal: principal.arn,
      principalKind: principal.kind,
      mechanism: 'inline',
      policyName: budgetDenyName(totals.budgetId),
      policy: document,
      size: documentSize(document),
      quota: view.quotas.inlineChars[principal.kind],
      rules: ['budget-exceeded'],
    };
  }

  private finding(
    totals: CounterTotals,
    budget: Budget,
    rule: 'budget-warning' | 'budget-exceeded',
    severity: PublishedFinding['severity'],
    text: { message: string; remediation: string; status?: PublishedFinding['status'] },
  ): PublishedFinding {
    return {
      rule,
      severity,
      mode: this.parts.enforce ? 'enforce' : 'alert',
      status: text.status ?? 'open',
      principal: totals.principal,
      // The budget is the resource: deduplication keeps one alert per budget and principal.
      route: `budget:${totals.budgetId}`,
      message: text.message,
      remediation: text.remediation,
      detail: `window ${totals.windowStart} – ${totals.windowEnd}: inputTokens ${totals.inputTokens}, outputTokens ${totals.outputTokens}, invocations ${totals.invocations}; limits ${JSON.stringify(budget.max)}`,
    };
  }
}
