import { DesiredState } from '../desired/grants.js';
import type { PolicyFile } from '../policy-file/types.js';
import type { Snapshot } from '../snapshot/types.js';
import { analyseAccess, type Cohort } from './access.js';
import { Prober } from './prober.js';
import type { Rule, RuleContext } from './rule.js';
import { RULES } from './rules/index.js';
import { type Scope, sweepScope } from './scope.js';
import type { Finding } from './types.js';

export interface Reconciliation {
  readonly findings: readonly Finding[];
  readonly cohorts: readonly Cohort[];
  readonly scope: Scope;
  readonly desired: DesiredState;
}

/**
 * Desired × observed → findings. Pure: the snapshot and the policy file in,
 * every way the account breaks the file out, rule by rule.
 */
export interface ReconcileOptions {
  readonly now?: Date;
  /** Principal ARN → why the guard must not act on it (the guard's own identity); reported as exempt. */
  readonly protectedPrincipals?: ReadonlyMap<string, string>;
}

export function reconcile(snapshot: Snapshot, policy: PolicyFile, options: ReconcileOptions = {}): Reconciliation {
  const now = options.now ?? new Date();
  const desired = new DesiredState(policy, options.protectedPrincipals);
  const scope = sweepScope(snapshot);
  const cohorts = analyseAccess(snapshot, desired, scope, now);
  const ctx: RuleContext = { snapshot, policy, desired, scope, cohorts, prober: new Prober(snapshot, now) };
  return { findings: runRules(ctx), cohorts, scope, desired };
}

/** Every rule the file doesn't turn off (and `only` keeps), over the context's cohorts. */
export function runRules(ctx: RuleContext, only: (rule: Rule) => boolean = () => true): Finding[] {
  return RULES.filter((rule) => ctx.policy.rules[rule.id].mode !== 'off' && only(rule)).flatMap((rule) =>
    rule.check(ctx),
  );
}
