import { createHash } from 'node:crypto';
import { applyActions, type ActionOutcome } from '../apply/apply-actions.js';
import { reverify } from '../apply/verify-live.js';
import type { AwsClients } from '../aws/clients.js';
import type { IamDenyWriter } from '../aws/iam-writer.js';
import { readInvocationLogging } from '../aws/invocation-logging.js';
import { refreshForTouch } from '../aws/touch-reader.js';
import { loggingFindings } from '../core/budgets/logging-health.js';
import { canonicalJson } from '../core/canonical-json.js';
import { thirdParty } from '../core/diagnose/diagnose-denial.js';
import { BlastRadiusError, type DenyAction, denyActions } from '../core/apply/safety.js';
import { namedModelId } from '../core/bedrock/arns.js';
import { eventFindings, isDenial } from '../core/events/event-findings.js';
import {
  type FindingsEvent,
  findingsEvents,
  type PublishedAction,
  type PublishedFinding,
  type PublishedTrigger,
} from '../core/events/findings-event.js';
import { filesInScope, inScope, type Scope, scopeOf } from '../core/events/scope.js';
import type { Touch } from '../core/events/touch.js';
import { planFromFiles } from '../core/plan/plan.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { BedrockGuardError } from '../errors.js';
import type { Ledger, Trigger } from '../ledger/entry.js';
import type { AccountCache, AccountView } from './account-cache.js';
import type { ServiceConfig } from './config.js';
import { DesiredStates } from './desired-states.js';
import type { FirstUseGate, ModelFirstUse } from './first-use.js';
import type { HeartbeatStore } from './heartbeats.js';
import type { FindingsPublisher } from './publisher.js';

/** What the service needs; live parts are absent offline (a snapshot folder, nothing written or sent). */
export interface ServiceParts {
  readonly config: ServiceConfig;
  readonly policy: PolicyFile;
  readonly policyPath: string;
  readonly accounts: AccountCache;
  readonly publisher: FindingsPublisher;
  readonly gate: FirstUseGate;
  readonly modelFirstUse: ModelFirstUse;
  /** When invokes and invocation log records were last seen, per Region: is logging delivering? */
  readonly heartbeats: HeartbeatStore;
  readonly live?: { readonly aws: AwsClients; readonly writer: IamDenyWriter; readonly ledger: Ledger };
  /** Structured log lines (the Lambda's Powertools logger; stderr in the CLI). */
  readonly log?: (message: string, extra?: Record<string, unknown>) => void;
}

/** A deny action and what became of it. */
export interface RunAction {
  readonly type: 'put-deny' | 'remove-deny';
  readonly principal: string;
  readonly policyName: string;
  readonly result: PublishedAction['result'];
  readonly detail?: string;
  readonly ledgerId?: string;
}

/** What one run did: small enough to be stored as the idempotency record and returned by `invoke`. */
export interface RunResult {
  readonly trigger: PublishedTrigger;
  readonly dryRun: boolean;
  /** Principals planned, or `account`. */
  readonly scope: number | 'account';
  /** Set when the run stopped early, and why (the guard's own change, an approved model…). */
  readonly ignored?: string;
  readonly findings: number;
  readonly published: number;
  readonly actions: readonly RunAction[];
  /** Verification problems: what did not end as planned. */
  readonly problems: readonly string[];
  /** Why nothing was written: more changes than the blast-radius limit allows. */
  readonly refused?: string;
  readonly warnings: readonly string[];
  /** Offline runs (no findings bus): what would have been published. */
  readonly findingsEvents?: readonly FindingsEvent[];
}

/** A manual reconcile: `{dryRun, principals?, maxChanges?}` (principals by ARN or name). */
export interface ReconcileRequest {
  readonly dryRun?: boolean;
  readonly principals?: readonly string[];
  readonly maxChanges?: number;
}

/** Some writes failed, were not recorded or did not verify: thrown after reporting, so Lambda retries. */
export class IncompleteRunError extends BedrockGuardError {
  constructor(readonly result: RunResult) {
    super(
      `the run did not complete: ${[...result.actions.filter((a) => a.result === 'failed').map((a) => `${a.principal}: ${a.detail ?? 'failed'}`), ...result.problems].join('; ')}`,
      { hint: 'Lambda retries the event; after the last retry it goes to the dead-letter queue.' },
    );
  }
}

/**
 * The event service's pipeline, shared by the Lambda handlers and
 * `bedrock-guard handle-event`: event → what it touched → re-read that →
 * the same plan and apply as the CLI, limited to the touched principals →
 * findings published to the guard's bus.
 */
export class GuardService {
  /** Per principal, what this container last published about it: events re-publish only what changed. */
  private readonly published = new Map<string, string>();
  /** The policy file compiled, per set of protected principals (one per account view). */
  private readonly desired: DesiredStates;

  constructor(private readonly parts: ServiceParts) {
    this.desired = new DesiredStates(parts.policy);
  }

  /** One CloudTrail event, delivered by EventBridge, as `touchOf` reads it. */
  async handleEvent(touch: Touch): Promise<RunResult> {
    const trigger: PublishedTrigger = {
      kind: 'event',
      id: touch.eventId,
      eventName: touch.eventName,
      eventSource: touch.eventSource,
      region: touch.region,
      ...(touch.actor ? { actor: touch.actor } : {}),
    };
    const loaded = await this.parts.accounts.load();
    let { view } = loaded;
    const { accountId } = view.snapshot.account;
    if (touch.account && touch.account !== accountId)
      return this.ignored(trigger, `an event of account ${touch.account}; this guard runs in ${accountId}`);
    if (touch.actor && this.isGuard(view, touch.actor)) return this.ignored(trigger, "the guard's own change");
    if (touch.concern === 'invoke' && touch.error && !isDenial(touch))
      return this.ignored(trigger, `an invoke that failed with ${touch.error.code}, not a denial`);
    // A third-party model's first use starts its Marketplace subscription: denials right after are that settling.
    const firstUse = touch.concern === 'invoke' ? await this.firstUse(touch, view) : undefined;
    const known = firstUse ? { firstUse } : {};
    if (touch.concern === 'invoke' && !touch.error) {
      // Against the meter's last record: invokes without log records mean logging is not delivering.
      await this.parts.heartbeats.beat('invoke', touch.region, touch.eventTime);
      // Successful invokes are frequent: decided on the cached account, without a call, unless unapproved.
      const unapproved = this.eventFindings(touch, view, known);
      if (unapproved.length === 0)
        return this.ignored(trigger, 'an approved model, or a caller the guard does not plan');
      const model = namedModelId(touch.models[0] ?? '') ?? touch.models[0];
      if (!(await this.parts.gate.first(`${touch.actor}#${model}`)))
        return this.ignored(trigger, 'already reported in this window');
    }
    const extra = { principals: [] as Touch['principals'], groups: [] as string[] };
    const { live } = this.parts;
    // Right after a full capture (a cold start) the account is as fresh as a re-read would make it.
    if (live && !loaded.captured) {
      const refreshed = await refreshForTouch(live.aws, view.files, touch, {
        partition: view.snapshot.account.partition,
        accountId: view.snapshot.account.accountId,
        ...(this.parts.config.orgRoleArn ? { orgRoleArn: this.parts.config.orgRoleArn } : {}),
      });
      view = this.parts.accounts.update(refreshed.files, refreshed.warnings);
      extra.principals = [...refreshed.entities];
      extra.groups = [...refreshed.groups];
    }
    const scope = scopeOf(touch, view.snapshot, extra);
    this.parts.log?.('event in scope', {
      concern: touch.concern,
      principals: scope.kind === 'account' ? 'account' : [...scope.arns],
    });
    return this.run(
      view,
      scope,
      { kind: 'event', id: touch.eventId },
      trigger,
      this.eventFindings(touch, view, known),
      {},
    );
  }

  /** The scheduled or manual sweep: the whole account captured afresh (or the principals named). */
  async reconcile(request: ReconcileRequest, trigger: Trigger): Promise<RunResult> {
    const view = await this.parts.accounts.refresh();
    let scope: Scope = { kind: 'account' };
    if (request.principals && request.principals.length > 0) {
      const wanted = new Set(request.principals);
      const arns = view.snapshot.principals.filter((p) => wanted.has(p.arn) || wanted.has(p.name)).map((p) => p.arn);
      const unknown = request.principals.filter(
        (w) => !view.snapshot.principals.some((p) => p.arn === w || p.name === w),
      );
      if (unknown.length > 0) {
        throw new BedrockGuardError(
          `no such user or role in account ${view.snapshot.account.accountId}: ${unknown.join(', ')}`,
          {
            hint: 'Name principals by ARN or by user or role name.',
          },
        );
      }
      scope = { kind: 'principals', arns: new Set(arns) };
    }
    return this.run(view, scope, trigger, { kind: trigger.kind, id: trigger.id }, await this.loggingHealth(), request);
  }

  /** The sweep also checks invocation logging in each approved Region: off, or on but not delivering. */
  private async loggingHealth(): Promise<PublishedFinding[]> {
    const { policy, live } = this.parts;
    if (!live || policy.rules['invocation-logging-disabled'].mode === 'off') return [];
    const logging = await Promise.all(
      policy.regions.map((region) =>
        readInvocationLogging(live.aws, region).catch((error: unknown) => {
          this.parts.log?.('invocation logging not read', { region, error: (error as Error).message });
          return undefined;
        }),
      ),
    );
    const heartbeats = await this.parts.heartbeats.read(policy.regions);
    return loggingFindings({
      policy,
      logging: logging.filter((l) => l !== undefined),
      heartbeats,
      now: new Date(),
    });
  }

  private async run(
    view: AccountView,
    scope: Scope,
    trigger: Trigger,
    published: PublishedTrigger,
    fromEvent: readonly PublishedFinding[],
    request: ReconcileRequest,
  ): Promise<RunResult> {
    const { config, policy, live } = this.parts;
    const dryRun = request.dryRun === true || config.dryRun || !config.enforce || !live;
    const planOptions = {
      quotas: view.quotas,
      protectedPrincipals: view.protectedPrincipals,
      policyFile: this.parts.policyPath,
    };
    const work = planFromFiles(filesInScope(view.files, scope), policy, planOptions);
    const { plan } = work;
    if (!plan.selfCheck.passed) {
      throw new BedrockGuardError(
        `the plan failed its self-check; nothing was written: ${plan.selfCheck.problems.join('; ')}`,
        {
          hint: 'Please report it with the event; `bedrock-guard plan` on a snapshot shows the same plan.',
        },
      );
    }
    const actions = denyActions(plan).filter((a) => inScope(scope, a.principal));
    let outcomes: RunAction[] = actions.map((a) => runAction(a, 'planned'));
    let problems: string[] = [];
    let refused: string | undefined;
    if (!dryRun && live && actions.length > 0) {
      const maxChanges = request.maxChanges ?? config.maxChanges;
      try {
        const done = await applyActions(
          actions,
          {
            writer: live.writer,
            ledger: live.ledger,
            snapshot: work.actual,
            desired: work.reconciliation.desired,
            protectedPrincipals: view.protectedPrincipals,
          },
          { trigger, maxChanges },
        );
        outcomes = done.map(outcomeAction);
        const verified = await reverify(live.aws, view.files, policy, plan, actions, {
          ...planOptions,
          planScope: (files) => filesInScope(files, scope),
        });
        problems = verified.problems;
        this.parts.accounts.update({ ...view.files, iam: verified.iam });
      } catch (error) {
        if (!(error instanceof BlastRadiusError)) throw error;
        outcomes = actions.map((a) => runAction(a, 'skipped', error.message));
        refused = `${error.message}: refused before any write (raise maxChanges, or run reconcile with a higher one)`;
      }
    }
    const byPrincipal = new Map<string, PublishedAction[]>();
    for (const o of outcomes) {
      const list = byPrincipal.get(o.principal) ?? [];
      list.push({
        type: o.type,
        policyName: o.policyName,
        result: o.result,
        ...(o.detail ? { detail: o.detail } : {}),
        ...(o.ledgerId ? { ledgerId: o.ledgerId } : {}),
      });
      byPrincipal.set(o.principal, list);
    }
    const findings = plan.findings.filter((f) => inScope(scope, f.principal));
    const events = findingsEvents({
      account: plan.account,
      partition: plan.partition,
      trigger: published,
      dryRun,
      findings,
      eventFindings: fromEvent,
      actions: byPrincipal,
      audience: (arn) => this.desired.audience(view, arn),
    });
    const count = await this.parts.publisher.publish(trigger.kind === 'event' ? this.news(events) : events);
    for (const e of events) this.remember(e);
    const result: RunResult = {
      trigger: published,
      dryRun,
      scope: scope.kind === 'account' ? 'account' : scope.arns.size,
      findings: events.reduce((n, e) => n + e.findings.length, 0),
      published: count,
      actions: outcomes,
      problems,
      ...(refused ? { refused } : {}),
      warnings: [...view.warnings],
    };
    this.parts.log?.('run done', {
      findings: result.findings,
      published: count,
      actions: outcomes.length,
      problems: problems.length,
    });
    // A refusal is an answer (recorded, published); a failed write or a failed verification is retried.
    if (outcomes.some((o) => o.result === 'failed') || problems.length > 0) throw new IncompleteRunError(result);
    return result;
  }

  /** Entries that say something new for their principal since this container last published about it. */
  private news(events: readonly FindingsEvent[]): FindingsEvent[] {
    return events.filter((e) => this.published.get(e.principal ?? '') !== digest(e));
  }

  private remember(event: FindingsEvent): void {
    const key = event.principal ?? '';
    this.published.delete(key);
    this.published.set(key, digest(event));
    // Oldest first: a long-lived container keeps the principals it saw last.
    if (this.published.size > PUBLISHED_MEMORY) this.published.delete(this.published.keys().next().value as string);
  }

  private eventFindings(touch: Touch, view: AccountView, extra: { firstUse?: string } = {}): PublishedFinding[] {
    // Compiled once per account view: successful invokes, the frequent events, are judged here without a call.
    return eventFindings(touch, {
      policy: this.parts.policy,
      desired: this.desired.of(view),
      snapshot: view.snapshot,
      ...extra,
    });
  }

  /** When the account first used the invoked model; only third-party models are subscribed through Marketplace. */
  private async firstUse(touch: Touch, view: AccountView): Promise<string | undefined> {
    const model = namedModelId(touch.models[0] ?? '');
    if (model === undefined) return undefined;
    return thirdParty(view.snapshot, model) ? this.parts.modelFirstUse.firstUse(model, touch.eventTime) : undefined;
  }

  private isGuard(view: AccountView, actor: string): boolean {
    return actor === view.callerArn || view.protectedPrincipals.has(actor);
  }

  private ignored(trigger: PublishedTrigger, why: string): RunResult {
    this.parts.log?.('event ignored', { reason: why });
    return {
      trigger,
      dryRun: true,
      scope: 0,
      ignored: why,
      findings: 0,
      published: 0,
      actions: [],
      problems: [],
      warnings: [],
    };
  }
}

/** Principals whose last publication a container remembers. */
const PUBLISHED_MEMORY = 10_000;

/** What an entry says, without what triggered it. */
const digest = (e: FindingsEvent): string =>
  createHash('sha256')
    .update(canonicalJson({ findings: e.findings, actions: e.actions, dryRun: e.dryRun }))
    .digest('base64');

const runAction = (a: DenyAction, result: RunAction['result'], detail?: string): RunAction => ({
  type: a.type,
  principal: a.principal,
  policyName: a.policyName,
  result,
  ...(detail ? { detail } : {}),
});

const outcomeAction = (o: ActionOutcome): RunAction => ({
  ...runAction(o.action, o.result, o.detail),
  ledgerId: o.ledgerId,
  ...(o.ledger === 'unrecorded'
    ? { result: 'failed' as const, detail: `not recorded in the ledger: ${o.ledgerError ?? ''}` }
    : {}),
});
