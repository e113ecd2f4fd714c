import type { PolicyLayer, StatementRef } from '../iam/types.js';

/** Why AWS refused a Bedrock request, as replayed on the account. */
export const DENIAL_CAUSES = [
  /** A bedrock-guard deny blocked it: by design, per the policy file. */
  'guard-deny',
  /** A customer's own Deny statement (identity policy or permissions boundary). */
  'explicit-deny',
  /** An SCP Deny statement. */
  'scp-deny',
  /** An SCP that denies Regions outside a list, without an exemption for inference profiles. */
  'scp-region-without-profile-exemption',
  /** An SCP level (root, OU or account) without an Allow for the action. */
  'scp-no-allow',
  /** The permissions boundary doesn't allow the action. */
  'boundary-no-allow',
  /** No identity policy allows the action on the model. */
  'no-identity-allow',
  /** The inference profile itself isn't allowed. */
  'missing-inference-profile',
  /** A cross-Region profile routed to a Region whose model ARN isn't allowed. */
  'missing-destination-region',
  /** A global profile's Region-less model ARN is only allowed for `aws:RequestedRegion = unspecified`. */
  'global-needs-unspecified',
  /** Every invoke check passes, but `bedrock:GetInferenceProfile` (called by consoles and SDK helpers) is denied. */
  'missing-get-inference-profile',
  /** The first use of a third-party model: the automatic AWS Marketplace subscription is still settling. */
  'marketplace-settling',
  /** Access to the model isn't set up (Marketplace permissions, use-case form, or not offered in the Region). */
  'model-access',
  /** The account as captured allows it: it changed since, or a layer the guard can't see decided. */
  'not-reproduced',
  /** The caller isn't a user or role of the account as captured. */
  'unknown-principal',
] as const;
export type DenialCause = (typeof DENIAL_CAUSES)[number];

/** One edit to one policy, part of the smallest change that lets the request through. */
export interface PolicyChange {
  readonly layer: PolicyLayer;
  /** Add a statement, or change an existing one (`statement` is then its replacement). */
  readonly kind: 'add-statement' | 'replace-statement';
  /** Which policy, in words (`the identity policies of role AppBackend`, `SCP RegionGuard (p-1234)`). */
  readonly target: string;
  /** The policy changed: the boundary's ARN or the SCP's id; absent for a new identity statement or a new SCP. */
  readonly policyId?: string;
  /** For SCPs: the root, OU or account the policy is attached to. */
  readonly scpTarget?: string;
  /** For `replace-statement`: the statement's position in the policy. */
  readonly index?: number;
  /** The IAM statement, as JSON. */
  readonly statement: Readonly<Record<string, unknown>>;
}

/** What the guard says about one denied request: where it stopped, why, and the fix. */
export interface Diagnosis {
  readonly cause: DenialCause;
  /** The layer that stopped it (`guard` for a guard-owned deny). */
  readonly layer?: PolicyLayer | 'guard';
  /** Why, in a sentence or two. */
  readonly summary: string;
  /** What to do about it, in words. */
  readonly fix: string;
  /** Every edit needed, in evaluation order (SCPs, boundary, identity); empty when there is nothing to change. */
  readonly changes: readonly PolicyChange[];
  /** Replaying the request with `changes` made allows it (checked by the evaluator). */
  readonly verified?: boolean;
  /** When a guard deny blocked it by design: the rule, and where the policy file says so. */
  readonly byDesign?: { readonly rule: string; readonly file: string; readonly line?: number };
  /** The route replayed (`invoke`, `cross-region-profile:us.amazon.nova-micro-v1:0`…). */
  readonly route?: string;
  /** The check that failed: the action and resource AWS authorised. */
  readonly failing?: { readonly action: string; readonly resource: string; readonly purpose: string };
  /** The statements that decided it (the Denies, or the Allows that fell short). */
  readonly evidence: readonly StatementRef[];
  /** The layer AWS named in its error message, when it named one. */
  readonly awsSays?: string;
}
