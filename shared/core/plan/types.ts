import type { AlertRuleId, RuleId, Severity } from '../policy-file/types.js';
import type { Finding } from '../reconcile/types.js';
import type { PrincipalKind } from '../snapshot/types.js';

/** How a guard-owned deny is attached: a managed policy under `/bedrock-guard/`, or an inline policy. */
export type DenyMechanism = 'managed' | 'inline';

/** Creates or replaces the principal's guard-owned deny policy. */
export interface PutDenyAction {
  readonly type: 'put-deny';
  readonly change: 'create' | 'update';
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  readonly mechanism: DenyMechanism;
  /** Managed policy or inline policy name, e.g. `bedrock-guard-deny-role-AppBackend`. */
  readonly policyName: string;
  /** For managed policies. */
  readonly policyArn?: string;
  /** The IAM policy document, as it will be written. */
  readonly policy: unknown;
  /** Characters of the minified document, as IAM counts them. */
  readonly size: number;
  /** The quota the size counts against, in characters. */
  readonly quota: number;
  /** The rules it enforces (a budget deny: `budget-exceeded`). */
  readonly rules: readonly AlertRuleId[];
}

/** Deletes a guard-owned deny that nothing needs any more. */
export interface RemoveDenyAction {
  readonly type: 'remove-deny';
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  readonly mechanism: DenyMechanism;
  readonly policyName: string;
  readonly policyArn?: string;
  readonly reason: string;
}

/** Tells people about findings of rules in alert mode (or that no deny can contain). */
export interface AlertAction {
  readonly type: 'alert';
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  readonly rule: RuleId;
  readonly severity: Severity;
  /** How many findings the alert stands for. */
  readonly findings: number;
}

export type PlanAction = PutDenyAction | RemoveDenyAction | AlertAction;

/** One principal × model cell of the access matrix in reports, over every scanned Region and route. */
export type CellState =
  /** The file grants it and IAM allows it. */
  | 'approved'
  /** IAM allows a route the file does not grant, and nothing blocks it yet. */
  | 'excess'
  /** The excess is blocked by a guard deny, existing or planned. */
  | 'contained'
  /** The file grants it but IAM allows no route. */
  | 'denied'
  /** Neither granted nor allowed. */
  | 'none';

export interface MatrixRow {
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  readonly teams: readonly string[];
  readonly exempt: boolean;
  /** In the order of `AccessReport.models`. */
  readonly cells: readonly CellState[];
}

export interface AccessReport {
  readonly models: readonly string[];
  readonly regions: readonly string[];
  readonly rows: readonly MatrixRow[];
}

export interface SelfCheck {
  /** Applying the plan in memory and reconciling again leaves no enforceable finding and loses no granted access. */
  readonly passed: boolean;
  readonly problems: readonly string[];
}

export interface Plan {
  readonly account: string;
  readonly partition: string;
  /** ISO time the plan was computed at (the request context's aws:CurrentTime). */
  readonly generatedAt: string;
  readonly policyFile: string;
  readonly findings: readonly Finding[];
  readonly actions: readonly PlanAction[];
  readonly matrix: AccessReport;
  readonly warnings: readonly string[];
  readonly selfCheck: SelfCheck;
  /** True when the account differs from the file: an open finding or a planned deny change. */
  readonly drift: boolean;
}
