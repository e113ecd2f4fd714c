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
