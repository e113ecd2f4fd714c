import type { DesiredState } from '../desired/grants.js';
import { globMatcher } from '../policy-file/glob.js';
import type { Budget, BudgetWindow, PolicyFile } from '../policy-file/types.js';
import type { Principal } from '../snapshot/types.js';
import type { UsageRecord } from './invocation-log.js';
import { budgetWindow, type WindowBounds, windowText } from './window.js';

/** A budget of the policy file that a call counts against. */
export interface BudgetMatch {
  /** Stable across edits that keep the budget's team, model sets and window: see {@link budgetIds}. */
  readonly id: string;
  readonly budget: Budget;
  /** Its position in the file's `budgets`. */
  readonly index: number;
}

/** What one call adds to one counter (DynamoDB: `UpdateItem … ADD`, once per request id). */
export interface CounterIncrement {
  /** `<budgetId>#<principalArn>#<windowStart>`: one counter per budget, principal and window. */
  readonly counterKey: string;
  readonly budgetId: string;
  /** The user or role ARN the call counts against. */
  readonly principal: string;
  readonly windowStart: string;
  /** Exclusive; when the counter stops mattering (its TTL) and a budget deny lifts. */
  readonly windowEnd: string;
  /** The call's request id: the counter adds it once, however often the log is delivered. */
  readonly requestId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly invocations: 1;
}

/** The longest budget id: `bedrock-guard-budget-<id>` must stay within IAM's 128-character policy names. */
export const MAX_BUDGET_ID_LENGTH = 107;

interface CompiledBudgets {
  readonly ids: readonly string[];
  /** Per budget: the model globs it counts (its sets that its team is granted). */
  readonly tests: readonly ((modelId: string) => boolean)[];
}

const compiled = new WeakMap<PolicyFile, CompiledBudgets>();

function compile(policy: PolicyFile): CompiledBudgets {
  let c = compiled.get(policy);
  if (!c) {
    const tests = policy.budgets.map((b) => {
      const matchers = budgetModelGlobs(policy, b).map(globMatcher);
      return (modelId: string) => matchers.some((m) => m(modelId));
    });
    c = { ids: budgetIds(policy), tests };
    compiled.set(policy, c);
  }
  return c;
}

/**
 * The ids of the file's budgets, by index: `<team>.<sets>.<window>`, e.g.
 * `data-science.premium.1d` or `apps.premium+standard.month` (sets sorted).
 * Derived from what the budget counts rather than from its position, so
 * reordering the file or changing a limit keeps the counters and the deny
 * names; changing the team, the sets or the window starts afresh, as it should.
 * Ids use only IAM-name-safe characters and never `#` (the counter key's
 * separator): a team name with other characters, or an id longer than
 * {@link MAX_BUDGET_ID_LENGTH}, is shortened and gets a hash of the full key.
 * Budgets alike in all three (limits apart) are told apart by `-2`, `-3`… in
 * file order.
 */
export function budgetIds(policy: Pick<PolicyFile, 'budgets'>): string[] {
  const seen = new Map<string, number>();
  return policy.budgets.map((b) => {
    const key = `${b.team}.${[...new Set(b.models)].sort().join('+')}.${windowText(b.window)}`;
    const safe = key.replace(/[^\w+=,.@-]/g, '-');
    let id =
      safe === key && safe.length <= MAX_BUDGET_ID_LENGTH
        ? key
        : `${safe.slice(0, MAX_BUDGET_ID_LENGTH - 11)}-${fnv1a(key)}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n > 1) id = `${id.slice(0, MAX_BUDGET_ID_LENGTH - String(n).length - 1)}-${n}`;
    return id;
  });
}

/**
 * The model globs a budget counts: those of its sets that its team is
 * granted (the policy file warns that a budget never counts a set its team
 * isn't granted).
 */
export function budgetModelGlobs(policy: Pick<PolicyFile, 'models' | 'teams'>, budget: Budget): string[] {
  const granted = new Set(policy.teams.filter((t) => t.name === budget.team).flatMap((t) => t.models));
  const globs = budget.models.filter((set) => granted.has(set)).flatMap((set) => policy.models[set] ?? []);
  return [...new Set(globs)];
}

/**
 * The budgets a call by `principal` to `modelId` counts against: those of the
 * teams the principal belongs to whose counted model sets hold the model.
 * Exempt principals (the file's `exempt`, service-linked roles, the guard's
 * own identity) count against none: the guard never denies them anything.
 * `desired` must be built from `policy`.
 *
 * @example
 * budgetsFor(policy, desired, dataScienceRole, 'anthropic.claude-3-opus-20240229-v1:0');
 * // → [{ id: 'data-science.premium.1d', budget: {…}, index: 0 }]
 */
export function budgetsFor(
  policy: PolicyFile,
  desired: DesiredState,
  principal: Principal,
  modelId: string,
): BudgetMatch[] {
  const grants = desired.grantsFor(principal);
  if (grants.exemptReason !== undefined) return [];
  const teams = new Set(grants.teams);
  const { ids, tests } = compile(policy);
  return policy.budgets.flatMap((budget, index) =>
    teams.has(budget.team) && (tests[index] as (id: string) => boolean)(modelId)
      ? [{ id: ids[index] as string, budget, index }]
      : [],
  );
}

export type WindowOf = (window: BudgetWindow, time: Date) => WindowBounds;

/**
 * What one metered call adds to each budget it counts against: its tokens and
 * one invocation, in the window that holds the call's time. A failed call
 * (`errorCode`) adds nothing: AWS bills none.
 *
 * @example
 * increments(record, role.arn, budgetsFor(policy, desired, role, modelId));
 * // → [{ counterKey: 'data-science.premium.1d#arn:aws:iam::111122223333:role/DataScience#2025-11-18T00:00:00Z', … }]
 */
export function increments(
  record: UsageRecord,
  principalArn: string,
  matches: readonly BudgetMatch[],
  windowOf: WindowOf = budgetWindow,
): CounterIncrement[] {
  if (record.errorCode !== undefined) return [];
  const time = new Date(record.time);
  return matches.map(({ id, budget }) => {
    const { start, end } = windowOf(budget.window, time);
    return {
      counterKey: counterKey(id, principalArn, start),
      budgetId: id,
      principal: principalArn,
      windowStart: start,
      windowEnd: end,
      requestId: record.requestId,
      inputTokens: record.inputTokens,
      outputTokens: record.outputTokens,
      invocations: 1,
    };
  });
}

export const counterKey = (budgetId: string, principalArn: string, windowStart: string): string =>
  `${budgetId}#${principalArn}#${windowStart}`;

/** FNV-1a, 32 bits, as 8 hex digits: a short stable tag for a shortened id (no crypto needed, nor allowed in the core). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
