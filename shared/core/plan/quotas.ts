import type { PrincipalKind } from '../snapshot/types.js';

/**
 * IAM's default quotas that bound a guard deny (IAM and AWS STS quotas,
 * "IAM object quotas"): characters per managed policy, characters of all
 * inline policies of one principal, and managed policies per principal.
 * Live values can be passed in by callers that read `GetAccountSummary`.
 */
export interface IamQuotas {
  readonly managedPolicyChars: number;
  readonly inlineChars: Readonly<Record<PrincipalKind, number>>;
  readonly attachedManagedPolicies: number;
}

export const DEFAULT_QUOTAS: IamQuotas = {
  managedPolicyChars: 6_144,
  inlineChars: { role: 10_240, user: 2_048 },
  attachedManagedPolicies: 10,
};

/** The finding the plan raises, instead of an invalid deny, when a principal's deny fits none of its quotas. */
export const QUOTA_FINDING = {
  id: 'deny-exceeds-quota',
  title: "The guard's deny does not fit the principal's IAM quotas",
  severity: 'high',
  docs:
    "The deny that would contain the principal's excess is larger than a managed policy may be and than the " +
    "principal's inline budget; the excess stays open until the principal's own policies are narrowed or a quota is raised.",
} as const;
