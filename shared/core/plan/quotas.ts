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
  readonly attachedManagedPolicies: Readonly<Record<PrincipalKind, number>>;
}

export const DEFAULT_QUOTAS: IamQuotas = {
  managedPolicyChars: 6_144,
  inlineChars: { role: 10_240, user: 2_048 },
  attachedManagedPolicies: { role: 10, user: 10 },
};

/**
 * The account's quotas from `GetAccountSummary`'s `SummaryMap` (raised
 * quotas show there); a key that is missing keeps its default.
 */
export function quotasFromSummary(summary: Readonly<Record<string, number | undefined>>): IamQuotas {
  const pick = (key: string, fallback: number) => {
    const value = summary[key];
    return typeof value === 'number' && value > 0 ? value : fallback;
  };
  const d = DEFAULT_QUOTAS;
  return {
    managedPolicyChars: pick('PolicySizeQuota', d.managedPolicyChars),
    inlineChars: {
      role: pick('RolePolicySizeQuota', d.inlineChars.role),
      user: pick('UserPolicySizeQuota', d.inlineChars.user),
    },
    attachedManagedPolicies: {
      role: pick('AttachedPoliciesPerRoleQuota', d.attachedManagedPolicies.role),
      user: pick('AttachedPoliciesPerUserQuota', d.attachedManagedPolicies.user),
    },
  };
}

/** The finding the plan raises, instead of an invalid deny, when a principal's deny fits none of its quotas. */
export const QUOTA_FINDING = {
  id: 'deny-exceeds-quota',
  title: "The guard's deny does not fit the principal's IAM quotas",
  severity: 'high',
  docs:
    "The deny that would contain the principal's excess is larger than a managed policy may be and than the " +
    "principal's inline budget; the excess stays open until the principal's own policies are narrowed or a quota is raised.",
} as const;
