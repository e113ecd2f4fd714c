import { isBudgetDenyName } from '../budgets/budget-deny.js';
import type { AlertRuleId, RuleId } from '../policy-file/types.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import type { DenyMechanism, RemoveDenyAction } from './types.js';

/**
 * What marks a policy as the guard's own: managed policies live under this
 * IAM path (and carry the tag below); inline policies carry the name prefix.
 * The guard only ever writes, changes or deletes policies marked this way.
 */
export const GUARD_PATH = '/bedrock-guard/';
export const GUARD_TAG = { key: 'managed-by', value: 'bedrock-guard' } as const;
const PREFIX = 'bedrock-guard-';

/** One deny per principal; managed policy names are unique per account, so the name carries the principal. */
export const guardPolicyName = (p: Pick<Principal, 'kind' | 'name'>): string => `${PREFIX}deny-${p.kind}-${p.name}`;

export const guardPolicyArn = (partition: string, account: string, name: string): string =>
  `arn:${partition}:iam::${account}:policy${GUARD_PATH}${name}`;

export const isGuardPolicyArn = (arn: string): boolean => arn.includes(`:policy${GUARD_PATH}`);
/** Every guard-owned inline policy: the plan's deny and budget denies alike (what the IAM writer may touch). */
export const isGuardInlineName = (name: string): boolean => name.startsWith(PREFIX);

/**
 * The plan's own inline deny, as against a budget deny (`bedrock-guard-budget-…`,
 * budget-deny.ts): budget denies are written by the metering function, one per
 * spent budget, and lift themselves; the plan never counts them as its deny.
 */
export const isPlanDenyName = (name: string): boolean => isGuardInlineName(name) && !isBudgetDenyName(name);

/** The principal a guard deny is for, from its name or ARN (`bedrock-guard-deny-role-AppBackend`). */
export function guardPolicyOwner(nameOrArn: string): Pick<Principal, 'kind' | 'name'> | undefined {
  const named = NAMED.exec(nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1));
  return named ? { kind: named[1] as Principal['kind'], name: named[2] as string } : undefined;
}

/** The rules a guard deny enforces: the policy file's, and the budgets' (the metering function's finding). */
export type GuardRuleId = RuleId | Extract<AlertRuleId, 'budget-exceeded'>;

/**
 * The rule a statement of a guard deny enforces, from its Sid
 * (synthesize-deny.ts and budget-deny.ts name them): what a denial "by
 * design" points to.
 */
export function guardRuleOf(sid: string | undefined): GuardRuleId {
  if (sid?.startsWith('BedrockGuardBudget')) return 'budget-exceeded';
  if (sid?.startsWith('BedrockGuardLongTermApiKey')) return 'long-term-api-keys';
  if (sid?.startsWith('BedrockGuardUnapprovedFeatures')) return 'unapproved-feature';
  return 'unapproved-model-access';
}

/** A guard-owned deny found on a principal. */
export interface ExistingDeny {
  readonly mechanism: DenyMechanism;
  readonly policyName: string;
  readonly policyArn?: string;
  readonly document: unknown;
}

/**
 * The guard's deny policies on a principal as captured (normally one; more
 * only if someone copied them). Budget denies are not among them: they are
 * not the plan's to update or remove as copies (budget-denies.ts).
 */
export function existingDenies(snapshot: Snapshot, principal: Principal): ExistingDeny[] {
  const out: ExistingDeny[] = [];
  for (const arn of principal.managedPolicyArns) {
    if (!isGuardPolicyArn(arn)) continue;
    const policy = snapshot.managedPolicies.get(arn);
    out.push({
      mechanism: 'managed',
      policyName: policy?.name ?? arn.slice(arn.lastIndexOf('/') + 1),
      policyArn: arn,
      document: policy?.document,
    });
  }
  for (const { name, document } of ownInlinePolicies(principal)) {
    if (isPlanDenyName(name)) out.push({ mechanism: 'inline', policyName: name, document });
  }
  return out;
}

/** The principal's own inline policies (not its groups'), documents rebuilt from their statements. */
export function ownInlinePolicies(principal: Principal): { readonly name: string; readonly document: unknown }[] {
  const out: { name: string; document: unknown }[] = [];
  for (const policy of principal.policies.identity) {
    const { source } = policy;
    if (source.kind !== 'inline' || source.id !== principal.arn) continue;
    out.push({
      name: source.name,
      document: { Version: '2012-10-17', Statement: policy.statements.map((s) => s.raw) },
    });
  }
  return out;
}

/** Characters of a policy document as IAM counts them: without insignificant whitespace. */
export const documentSize = (document: unknown): number => JSON.stringify(document).length;

const NAMED = /^bedrock-guard-deny-(role|user)-(.+)$/;

/**
 * Guard-owned managed policies attached to nobody: left when the principal
 * they guarded was deleted (IAM makes its policies be detached first). They
 * deny nothing, but count against the account's policy quota: each becomes a
 * removal, addressed to the principal its name carries.
 */
export function strayDenies(snapshot: Snapshot): RemoveDenyAction[] {
  const { partition, accountId } = snapshot.account;
  const out: RemoveDenyAction[] = [];
  for (const policy of snapshot.managedPolicies.values()) {
    const named = NAMED.exec(policy.name);
    if (!isGuardPolicyArn(policy.arn) || policy.attachmentCount !== 0 || !named) continue;
    const kind = named[1] as Principal['kind'];
    const name = named[2] as string;
    const principal = snapshot.principals.find((p) => p.kind === kind && p.name === name);
    out.push({
      type: 'remove-deny',
      principal: principal?.arn ?? `arn:${partition}:iam::${accountId}:${kind}/${name}`,
      principalKind: kind,
      mechanism: 'managed',
      policyName: policy.name,
      policyArn: policy.arn,
      reason: 'attached to no principal any more',
    });
  }
  return out;
}
