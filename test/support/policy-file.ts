import {
  type Feature,
  type PolicyFile,
  RULE_IDS,
  type RuleId,
  type RuleSetting,
  type Team,
} from '../../shared/core/policy-file/types.js';

export interface TeamSpec {
  readonly name: string;
  readonly principals: Team['principals'];
  readonly models: readonly string[];
  readonly features?: readonly Feature[];
  readonly regions?: readonly string[];
}

/**
 * A normalized policy file built in code, for core tests that must not depend
 * on the YAML parser. Rules default to the file's mode, as the parser fills them.
 */
export function policyFile(spec: {
  readonly regions: readonly string[];
  readonly models: Readonly<Record<string, readonly string[]>>;
  readonly teams: readonly TeamSpec[];
  readonly exempt?: readonly string[];
  readonly mode?: PolicyFile['mode'];
  readonly rules?: Partial<Record<RuleId, RuleSetting['mode']>>;
  readonly partition?: string;
}): PolicyFile {
  const mode = spec.mode ?? 'enforce';
  const rules = Object.fromEntries(RULE_IDS.map((id) => [id, { mode: spec.rules?.[id] ?? mode }])) as Record<
    RuleId,
    RuleSetting
  >;
  return {
    version: 1,
    partition: spec.partition ?? 'aws',
    regions: spec.regions,
    mode,
    exempt: spec.exempt ?? [],
    models: spec.models,
    teams: spec.teams.map((t) => ({
      name: t.name,
      principals: t.principals,
      models: t.models,
      features: t.features ?? ['invoke'],
      regions: t.regions ?? spec.regions,
    })),
    budgets: [],
    rules,
    notify: { routes: [], windowMs: 86_400_000 },
    source: { file: 'test.yaml', positionOf: () => undefined },
  };
}

/** One team, `apps`, for the role `App`, granted `models` (sets: standard, premium, more) through `features`; `Admin` is exempt. */
export const appTeam = (models: readonly string[] = ['standard'], features?: readonly Feature[]) =>
  policyFile({
    regions: ['us-east-1', 'us-east-2', 'us-west-2'],
    models: {
      standard: ['amazon.nova-micro-v1:0'],
      premium: ['anthropic.claude-3-haiku-20240307-v1:0'],
      more: ['amazon.nova-micro-v1:0', 'amazon.nova-lite-v1:0'],
    },
    teams: [
      { name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models, ...(features ? { features } : {}) },
    ],
    exempt: ['arn:aws:iam::*:role/Admin'],
  });
