import { BedrockGuardError } from '../../errors.js';
import { modelIdOf } from '../bedrock/arns.js';
import { globMatcher } from '../policy-file/glob.js';
import type { Budget, PolicyFile } from '../policy-file/types.js';
import type { DenyDocument, DenyStatement } from '../plan/deny-document.js';
import { one, sorted } from '../plan/deny-document.js';
import type { ProvisionedModel } from '../snapshot/types.js';
import { budgetModelGlobs } from './budgets.js';
import { baseModelId } from './usage.js';

/** Inline policy names of budget denies; within the guard's own `bedrock-guard-` prefix (guard-owned.ts). */
const PREFIX = 'bedrock-guard-budget-';

/** What the on-demand invoke routes are authorised as: InvokeModel, Converse, StartAsyncInvoke, API keys (bedrock/routes.ts). */
const INVOKE = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;
const MANTLE = 'bedrock-mantle:CreateInference';
const CURRENT_TIME = 'aws:CurrentTime';

/**
 * The inline policy name of a budget's deny on a principal:
 * `bedrock-guard-budget-<budgetId>`. Budget ids are IAM-name-safe and short
 * enough (`budgetIds`), so the name is within IAM's 128 characters and
 * `[\w+=,.@-]`. Inline, because the deny is per principal and per budget and
 * short-lived: no managed policy to create, attach and delete.
 */
export const budgetDenyName = (budgetId: string): string => `${PREFIX}${budgetId}`;

export const isBudgetDenyName = (name: string): boolean => name.startsWith(PREFIX);

/** The budget id a budget deny's name carries; `undefined` for other names. */
export const budgetIdOfDenyName = (name: string): string | undefined =>
  isBudgetDenyName(name) ? name.slice(PREFIX.length) : undefined;

export interface BudgetDenyOptions {
  /**
   * The account's provisioned throughput (a snapshot's `provisionedModels`):
   * calls to a provisioned model count against the budget of its model, so
   * the deny names those of the budget's models too. Provisioned models are
   * authorised on their own ARN only, which no model pattern reaches.
   */
  readonly provisionedModels?: readonly ProvisionedModel[];
}

/**
 * The deny that stops a principal using a spent budget's models until the
 * window ends. Every statement carries `DateLessThan aws:CurrentTime <end>`, so
 * IAM lifts it by itself at the end of the window, even if the guard is down;
 * removing it afterwards is tidying, not enforcement.
 *
 * It covers every route of the `invoke` feature, the routes budgets meter:
 * - `bedrock:InvokeModel` and `InvokeModelWithResponseStream` (which Converse,
 *   ConverseStream, StartAsyncInvoke and API-key calls are authorised as) on
 *   the budget's models in every Region, Region-less global ARNs included;
 *   calls through a system, global or application inference profile are
 *   authorised on these model ARNs as well, so they are denied here whatever
 *   profile they take;
 * - the same actions on the system inference profiles of the budget's models
 *   (`inference-profile/*.<glob>`), so that a denial names the profile the
 *   caller used; only for globs that name a provider (`anthropic.…`) or start
 *   with a wildcard, since any other glob matches no model id and its profile
 *   pattern could match another model's profile;
 * - `bedrock-mantle:CreateInference` for the budget's models
 *   (`bedrock-mantle:Model`);
 * - provisioned models of the budget's models, when `options` lists them.
 *
 * Batch inference (`bedrock:CreateModelInvocationJob`) is not denied: it is
 * its own feature (`batch`), invocation logs don't meter it, and a job created
 * before the window ends would run past it anyway.
 *
 * @example
 * budgetDeny(policy, budget, '2025-11-19T00:00:00Z');
 * // → { Version: '2012-10-17', Statement: [{ Sid: 'BedrockGuardBudget', Effect: 'Deny', Action: [...],
 * //      Resource: ['arn:aws:bedrock:*::foundation-model/anthropic.claude-3-opus-20240229-v1:0', …],
 * //      Condition: { DateLessThan: { 'aws:CurrentTime': '2025-11-19T00:00:00Z' } } }, …] }
 * @throws BedrockGuardError when the budget counts no model (its team is granted none of its sets): it can't be spent.
 */
export function budgetDeny(
  policy: Pick<PolicyFile, 'partition' | 'models' | 'teams'>,
  budget: Budget,
  windowEnd: string,
  options: BudgetDenyOptions = {},
): DenyDocument {
  const globs = sorted(budgetModelGlobs(policy, budget));
  if (globs.length === 0) {
    throw new BedrockGuardError(`the budget of team "${budget.team}" counts no model, so it can't be spent`, {
      hint: "grant the team the budget's model sets, or remove the budget",
    });
  }
  const p = policy.partition;
  const until = { DateLessThan: { [CURRENT_TIME]: windowEnd } };
  const profileGlobs = globs.filter((g) => /^[*?]/.test(g) || /^[^*?]*\./.test(g));
  const statements: DenyStatement[] = [
    {
      Sid: 'BedrockGuardBudget',
      Effect: 'Deny',
      Action: INVOKE,
      Resource: [
        ...globs.map((g) => `arn:${p}:bedrock:*::foundation-model/${g}`),
        ...profileGlobs.map((g) => `arn:${p}:bedrock:*:*:inference-profile/*.${g}`),
      ],
      Condition: until,
    },
    {
      Sid: 'BedrockGuardBudgetMantle',
      Effect: 'Deny',
      Action: MANTLE,
      Resource: '*',
      Condition: { StringLike: { 'bedrock-mantle:Model': one(globs) }, ...until },
    },
  ];
  const matches = globs.map(globMatcher);
  const provisioned = sorted(
    (options.provisionedModels ?? [])
      .filter((m) => {
        const id = modelIdOf(m.foundationModelArn ?? m.modelArn);
        return id !== undefined && matches.some((match) => match(baseModelId(id)) || match(id));
      })
      .map((m) => m.arn),
  );
  if (provisioned.length > 0) {
    statements.push({
      Sid: 'BedrockGuardBudgetProvisioned',
      Effect: 'Deny',
      Action: INVOKE,
      Resource: one(provisioned),
      Condition: until,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * When a budget deny lifts: the `aws:CurrentTime` bound its statements carry,
 * read back from the document as IAM holds it (decoded JSON). `undefined`
 * when a statement lacks the bound (the document was edited and no longer
 * lifts itself) or the document isn't one; the latest bound when they differ.
 */
export function budgetDenyExpiry(document: unknown): string | undefined {
  if (!isRecord(document)) return undefined;
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  let latest: { text: string; ms: number } | undefined;
  for (const s of statements) {
    const text = isRecord(s) ? dateLessThan(s.Condition) : undefined;
    const ms = text === undefined ? NaN : Date.parse(text);
    if (text === undefined || Number.isNaN(ms)) return undefined;
    if (!latest || ms > latest.ms) latest = { text, ms };
  }
  return latest?.text;
}

/** `Condition.DateLessThan["aws:CurrentTime"]`; IAM reads operator and key names case-insensitively. */
function dateLessThan(condition: unknown): string | undefined {
  if (!isRecord(condition)) return undefined;
  const op = Object.entries(condition).find(([k]) => k.toLowerCase() === 'datelessthan')?.[1];
  if (!isRecord(op)) return undefined;
  const value = Object.entries(op).find(([k]) => k.toLowerCase() === CURRENT_TIME.toLowerCase())?.[1];
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return typeof single === 'string' ? single : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
