import type { RouteCheck } from '../bedrock/routes.js';
import type { DesiredState, Grants } from '../desired/grants.js';
import type { StatementRef } from '../iam/types.js';
import type { PolicyFile, Position, RuleId, Severity } from '../policy-file/types.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import type { Cohort } from './access.js';
import type { Prober } from './prober.js';
import type { Scope } from './scope.js';
import type { Finding } from './types.js';

/** Everything a rule may read; built once per reconcile. */
export interface RuleContext {
  readonly snapshot: Snapshot;
  readonly policy: PolicyFile;
  readonly desired: DesiredState;
  readonly scope: Scope;
  readonly cohorts: readonly Cohort[];
  readonly prober: Prober;
}

/** A built-in check: one file each under `rules/`, listed in `rules/index.ts`. */
export interface Rule {
  readonly id: RuleId;
  readonly title: string;
  readonly severity: Severity;
  /** Whether a guard-owned deny can contain it; other rules alert even in `enforce` mode. */
  readonly containable: boolean;
  /** What the rule checks and why, for `docs/rules.md` and `--help`. */
  readonly docs: string;
  /** A snapshot fact and a policy-file line that break the rule, and the change that makes it pass. */
  readonly example: { readonly violating: string; readonly compliant: string };
  check(ctx: RuleContext): Finding[];
}

export type FindingFields = Omit<
  Finding,
  'rule' | 'severity' | 'mode' | 'status' | 'principal' | 'principalKind' | 'exemptReason' | 'position'
>;

/** A finding with the parts every rule fills the same way: severity and mode from the file, exemption. */
export function makeFinding(
  ctx: RuleContext,
  rule: Rule,
  principal: Principal,
  grants: Grants,
  fields: FindingFields,
): Finding {
  const setting = ctx.policy.rules[rule.id];
  const position = rulePosition(ctx.policy, rule.id);
  return {
    rule: rule.id,
    severity: setting.severity ?? rule.severity,
    mode: rule.containable && setting.mode === 'enforce' ? 'enforce' : 'alert',
    status: grants.exemptReason ? 'exempt' : 'open',
    principal: principal.arn,
    principalKind: principal.kind,
    ...fields,
    ...(grants.exemptReason ? { exemptReason: grants.exemptReason } : {}),
    ...(position ? { position } : {}),
  };
}

const positions = new WeakMap<PolicyFile, Map<RuleId, Position | undefined>>();

/** Where the file sets the rule (looked up once per file and rule: findings are many). */
function rulePosition(policy: PolicyFile, id: RuleId): Position | undefined {
  let byRule = positions.get(policy);
  if (!byRule) {
    byRule = new Map();
    positions.set(policy, byRule);
  }
  if (!byRule.has(id)) byRule.set(id, policy.source.positionOf(['rules', id]));
  return byRule.get(id);
}

/** The statements that let each deciding check of a route through, without repeats. */
export function allowingStatements(ctx: RuleContext, principal: Principal, checks: readonly RouteCheck[]) {
  const out: StatementRef[] = [];
  const seen = new Set<string>();
  for (const check of checks) {
    if (check.advisory) continue;
    for (const s of ctx.prober.evaluate(principal, check).statements) {
      const key = `${s.policy.id}|${s.policy.name}|${s.index}`;
      if (s.policy.layer !== 'identity' || seen.has(key)) continue;
      seen.add(key);
      out.push(s);
    }
  }
  return out;
}
