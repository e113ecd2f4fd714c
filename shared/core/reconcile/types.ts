import type { StatementRef } from '../iam/types.js';
import type { Mode, Position, RuleId, Severity } from '../policy-file/types.js';
import type { PrincipalKind } from '../snapshot/types.js';

/** Findings the plan itself raises, beside the policy file's rules. */
export type PlanRuleId = 'deny-exceeds-quota';

/**
 * open: the account allows it now; contained: a guard-owned deny already
 * blocks it; exempt: the principal is exempt (reported, never planned against).
 */
export type FindingStatus = 'open' | 'contained' | 'exempt';

/** One way an account breaks the policy file. */
export interface Finding {
  readonly rule: RuleId | PlanRuleId;
  readonly severity: Severity;
  /** The rule's effective mode; `enforce` only where the rule can be contained by a deny. */
  readonly mode: Exclude<Mode, 'off'>;
  readonly status: FindingStatus;
  /** User or role ARN. */
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  readonly model?: string;
  /** The Region, for findings about one Region. */
  readonly region?: string;
  /** The Regions, for findings that fold a model's routes in several Regions into one. */
  readonly regions?: readonly string[];
  /**
   * What the finding is about: a route id (`cross-region-profile:us.amazon.nova-micro-v1:0`), a feature
   * (`agents`), or, for folded findings, the route kinds joined (`invoke, invoke-stream, batch`).
   */
  readonly route?: string;
  /** For folded findings: every route id, in every Region. */
  readonly routes?: readonly string[];
  /** The ARNs the finding is about (the route's checked resources, the role, the policy). */
  readonly resources: readonly string[];
  /** One line saying what is wrong. */
  readonly message: string;
  /** The statements that grant what the file does not (or that block, for gaps). */
  readonly evidence: readonly StatementRef[];
  /** What a person should change; the plan's deny is the guard's own answer. */
  readonly remediation: string;
  /** Why the principal is exempt, when it is. */
  readonly exemptReason?: string;
  /** The policy-file line the finding is judged against (a team, a rule), when there is one. */
  readonly position?: Position;
}
