import type { PolicyFileOutput } from './schema.js';
import {
  RULE_IDS,
  type Budget,
  type BudgetWindow,
  type NotifySettings,
  type PolicyFile,
  type PolicySourceMap,
  type PrincipalSelector,
  type RuleId,
  type RuleSetting,
  type Team,
} from './types.js';

type Selector = Exclude<PolicyFileOutput['teams'][number]['principals'], readonly unknown[]>;

const toArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/**
 * The validated YAML value in the shape the engine reads: one-or-many fields
 * become lists, every default is filled (team features and Regions, every
 * rule's mode), budget windows are parsed, and teams and budgets carry their
 * positions. Only called once the file has no errors.
 */
export function normalizePolicyFile(input: PolicyFileOutput, source: PolicySourceMap): PolicyFile {
  const teams: Team[] = input.teams.map((team, i) => ({
    name: team.name,
    principals: toArray(team.principals).map(selectorOf),
    models: team.models,
    features: team.features,
    regions: team.regions ?? input.regions,
    ...(team.notify ? { notify: team.notify } : {}),
    position: source.positionOf(['teams', i]),
  }));

  const budgets: Budget[] = input.budgets.map((budget, i) => ({
    team: budget.team,
    models: budget.models,
    window: windowOf(budget.window),
    max: budget.max,
    position: source.positionOf(['budgets', i]),
  }));

  const rules = Object.fromEntries(
    RULE_IDS.map((id): [RuleId, RuleSetting] => {
      const written = input.rules?.[id];
      if (written === undefined) return [id, { mode: input.mode }];
      if (typeof written === 'string') return [id, { mode: written }];
      return [id, { mode: written.mode ?? input.mode, ...(written.severity ? { severity: written.severity } : {}) }];
    }),
  ) as Record<RuleId, RuleSetting>;

  const notify: NotifySettings = {
    ...(input.notify.slack ? { slack: withoutUndefined(input.notify.slack) } : {}),
    ...(input.notify.sns ? { sns: withoutUndefined(input.notify.sns) } : {}),
    routes: input.notify.routes.map(withoutUndefined),
    windowMs: durationMs(input.notify.window),
  };

  return {
    version: input.version,
    partition: input.partition,
    regions: input.regions,
    mode: input.mode,
    exempt: input.exempt,
    models: input.models,
    teams,
    budgets,
    rules,
    notify,
    source,
  };
}

function selectorOf(selector: Selector): PrincipalSelector {
  if (typeof selector === 'string') return { arns: [selector] };
  return {
    ...(selector.arns === undefined ? {} : { arns: toArray(selector.arns) }),
    ...(selector.tags === undefined
      ? {}
      : { tags: Object.fromEntries(Object.entries(selector.tags).map(([k, v]) => [k, toArray(v)])) }),
    ...(selector.groups === undefined ? {} : { groups: toArray(selector.groups) }),
  };
}

/** `6h`, `1d`, `month` (the schema has checked the form). */
/** `30m`, `6h`, `1d` in milliseconds. */
export function durationMs(text: string): number {
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[text.slice(-1)] ?? 0;
  return Number.parseInt(text, 10) * unit;
}

/** Optional fields the schema left unset are absent, not `undefined` (exactOptionalPropertyTypes). */
const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export function windowOf(window: string): BudgetWindow {
  if (window === 'month') return { unit: 'month', count: 1 };
  return { unit: window.endsWith('h') ? 'hour' : 'day', count: Number.parseInt(window, 10) };
}
