/**
 * The desired state: `bedrock-guard.yaml` after parsing and validation
 * (PRODUCT.md §3.3). Every name is resolved and every default filled, so the
 * reconcile engine never re-checks the file.
 */

export const RULE_IDS = [
  'unapproved-model-access',
  'unapproved-feature',
  'full-access-managed-policy',
  'long-term-api-keys',
  'cross-region-profile-gaps',
  'custom-model-import-role',
  'invocation-logging-disabled',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * Findings only the services raise: the event service from what one
 * CloudTrail event shows, the metering function when a budget is spent.
 */
export const EVENT_RULE_IDS = [
  'guard-policy-tampered',
  'unapproved-model-enabled',
  'unapproved-model-invoked',
  'invoke-denied',
  'budget-warning',
  'budget-exceeded',
] as const;

/** Every rule a published finding can carry (the file's rules, the plan's own, the events'): what `notify` routes by. */
export const ALERT_RULE_IDS = [...RULE_IDS, 'deny-exceeds-quota', ...EVENT_RULE_IDS] as const;
export type AlertRuleId = (typeof ALERT_RULE_IDS)[number];

/** enforce: contain with guard-owned denies (where the rule can); alert: report only; off: skip. */
export const MODES = ['enforce', 'alert', 'off'] as const;
export type Mode = (typeof MODES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What a team may do with the models it is granted. `invoke` covers every
 * on-demand route (InvokeModel, Converse, streaming, async, inference profiles,
 * bedrock-mantle); the others are Bedrock features with their own IAM actions.
 */
export const FEATURES = [
  'invoke',
  'batch',
  'provisioned-throughput',
  'api-keys',
  'long-term-api-keys',
  'agents',
  'guardrails',
  'knowledge-bases',
  'customization',
  'custom-model-import',
] as const;
export type Feature = (typeof FEATURES)[number];

/** A line and column (both 1-based) in the policy file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Matches a principal when every field it sets matches (an empty selector matches nothing). */
export interface PrincipalSelector {
  /** IAM-style globs (`*`, `?`) on the user or role ARN; any may match. */
  readonly arns?: readonly string[];
  /** Principal tags: each key must be present with one of the listed values (`*` globs allowed). */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  /** IAM group names (users only); any may match. */
  readonly groups?: readonly string[];
}

export interface TeamNotify {
  /** `ssm:/param`, `secretsmanager:name` or an `https://hooks.slack.com/…` URL. */
  readonly slack?: string;
  /** SNS topic ARN. */
  readonly sns?: string;
  /** The least severe finding about the team's principals sent there (default low: denial diagnoses reach the team). */
  readonly minSeverity: Severity;
}

export interface Team {
  readonly name: string;
  /** Any selector may match. */
  readonly principals: readonly PrincipalSelector[];
  /** Model-set names, each defined under `models`. */
  readonly models: readonly string[];
  /** Defaults to `[invoke]`. */
  readonly features: readonly Feature[];
  /** Narrows the file's `regions` for this team; defaults to all of them. */
  readonly regions: readonly string[];
  readonly notify?: TeamNotify;
  /** Where the team is declared, for findings that name the file line. */
  readonly position?: Position;
}

export type BudgetWindow =
  { readonly unit: 'hour' | 'day'; readonly count: number } | { readonly unit: 'month'; readonly count: 1 };

export interface Budget {
  readonly team: string;
  readonly models: readonly string[];
  readonly window: BudgetWindow;
  readonly max: {
    readonly inputTokens?: number;
    readonly outputTokens?: number;
    readonly invocations?: number;
  };
  readonly position?: Position;
}

export interface RuleSetting {
  readonly mode: Mode;
  /** Overrides the rule's default severity. */
  readonly severity?: Severity;
}

/** Which findings a destination gets: at least this severe, and of these rules when listed. */
export interface NotifyFilter {
  readonly minSeverity: Severity;
  /** Only these rules; every rule when absent. */
  readonly rules?: readonly AlertRuleId[];
}

/** Extra destinations for some findings, e.g. denial diagnoses to a support channel. */
export interface NotifyRoute extends NotifyFilter {
  readonly slack?: string;
  readonly sns?: string;
}

export interface NotifySettings {
  readonly slack?: { readonly webhook: string } & NotifyFilter;
  readonly sns?: { readonly topic: string } & NotifyFilter;
  readonly routes: readonly NotifyRoute[];
  /** The same rule, principal and resource is sent once per destination in this window; repeats are counted. */
  readonly windowMs: number;
}

export interface PolicyFile {
  readonly version: 1;
  /** `aws`, `aws-us-gov` or `aws-cn`. */
  readonly partition: string;
  /** Approved Regions. */
  readonly regions: readonly string[];
  /** The default mode of every rule. */
  readonly mode: Mode;
  /** ARN globs of principals that are reported but never touched. */
  readonly exempt: readonly string[];
  /** Named sets of approved model-id globs. */
  readonly models: Readonly<Record<string, readonly string[]>>;
  readonly teams: readonly Team[];
  readonly budgets: readonly Budget[];
  /** Every rule, with the file's mode or the default mode filled in. */
  readonly rules: Readonly<Record<RuleId, RuleSetting>>;
  readonly notify: NotifySettings;
  /** The file it was read from and where each value sits, for messages that name `file:line:col`. */
  readonly source: PolicySourceMap;
}

export interface PolicySourceMap {
  readonly file: string;
  /** The position of a value by its path, e.g. `['teams', 1, 'models', 0]`; the nearest parent when absent. */
  positionOf(path: readonly (string | number)[]): Position | undefined;
}

/** A problem found in a policy file: an error stops it from loading, a warning does not. */
export interface PolicyFileIssue {
  readonly level: 'error' | 'warning';
  readonly message: string;
  /** `teams[1].models[0]`. */
  readonly path: string;
  readonly position: Position | undefined;
  readonly hint?: string;
}
