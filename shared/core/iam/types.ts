/**
 * The vocabulary of the IAM evaluator: requests, decisions and the
 * statements that decide them. Plain data, no AWS SDK types.
 */

export type StringTest = (value: string) => boolean;

/** A context value: one string, or several for a multivalued key such as `aws:TagKeys`. */
export type ContextValue = string | readonly string[];

/**
 * Request context keyed by lower-case condition key (IAM key names are
 * case-insensitive). A `Map` is one; the matrix layers several without copying.
 */
export interface RequestContext {
  get(key: string): ContextValue | undefined;
}

export interface AuthorizationRequest {
  /** `service:Action`, matched case-insensitively. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that have no resource type. */
  readonly resource: string;
  readonly context: RequestContext;
}

export const DECISIONS = ['Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied'] as const;
export type Decision = (typeof DECISIONS)[number];

export type Effect = 'Allow' | 'Deny';

/** Where a policy sits in AWS's evaluation: identity policies, the permissions boundary, or an SCP level. */
export type PolicyLayer = 'identity' | 'boundary' | 'scp';

/** Identifies a policy for explanations: a managed policy's ARN, or `<principal or group>/<inline name>`. */
export interface PolicySource {
  readonly layer: PolicyLayer;
  /** Human name: the managed policy name, the inline policy name, or the SCP name. */
  readonly name: string;
  /** Managed policy ARN, SCP id, or the owning principal/group ARN for inline policies. */
  readonly id: string;
  readonly kind: 'managed' | 'inline' | 'scp';
  /** For SCPs: the root, OU or account the policy is attached to. */
  readonly target?: string;
}

/** One statement that took part in a decision. */
export interface StatementRef {
  readonly policy: PolicySource;
  /** Zero-based position in the policy's Statement array. */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
}

/** Which layer stopped a request that was not allowed. */
export interface BlockingLayer {
  readonly layer: PolicyLayer;
  /** For SCPs: the target (root, OU or account) whose level had no Allow, or held the Deny. */
  readonly target?: string;
}

export interface EvaluationResult {
  readonly decision: Decision;
  /**
   * The decisive statements: every matching Deny for `ExplicitlyDenied`;
   * the matching Allows of each layer for `Allowed`; none for `ImplicitlyDenied`.
   */
  readonly statements: readonly StatementRef[];
  /** Set for both kinds of denial. */
  readonly blockedBy?: BlockingLayer;
}
