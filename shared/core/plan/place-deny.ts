import { canonicalJson } from '../canonical-json.js';
import type { Grants } from '../desired/grants.js';
import type { Finding } from '../reconcile/types.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import {
  documentSize,
  type ExistingDeny,
  existingDenies,
  guardPolicyArn,
  guardPolicyName,
  isPlanDenyName,
  ownInlinePolicies,
} from './guard-owned.js';
import { type IamQuotas, QUOTA_FINDING } from './quotas.js';
import type { SynthesizedDeny } from './synthesize-deny.js';
import type { DenyMechanism, PutDenyAction, RemoveDenyAction } from './types.js';

/** What a principal's deny takes: nothing, a put (and removing stray guard denies), or a quota finding. */
export type Placement =
  | { readonly kind: 'current' }
  | { readonly kind: 'put'; readonly put: PutDenyAction; readonly removals: readonly RemoveDenyAction[] }
  | { readonly kind: 'over-quota'; readonly finding: Finding };

/**
 * Where a principal's deny goes: where its current guard deny is, when the
 * new one fits there; else a managed policy while the principal has a free
 * attachment; else inline within its inline budget. An unchanged document is
 * no action; a deny that fits nowhere is a finding, never an invalid plan.
 */
export function placeDeny(
  snapshot: Snapshot,
  principal: Principal,
  deny: SynthesizedDeny,
  quotas: IamQuotas,
  grants: Grants,
): Placement {
  const existing = existingDenies(snapshot, principal);
  const current = existing[0];
  if (existing.length === 1 && current && canonicalJson(current.document) === canonicalJson(deny.document)) {
    return { kind: 'current' };
  }
  const size = documentSize(deny.document);
  const attached = principal.managedPolicyArns.filter((arn) => arn !== current?.policyArn).length;
  const inlineUsed = ownInlineChars(principal);
  const maxAttached = quotas.attachedManagedPolicies[principal.kind];
  const fitsManaged = size <= quotas.managedPolicyChars && attached < maxAttached;
  const fitsInline = inlineUsed + size <= quotas.inlineChars[principal.kind];
  const mechanism: DenyMechanism | undefined =
    current?.mechanism === 'inline' && fitsInline
      ? 'inline'
      : fitsManaged
        ? 'managed'
        : fitsInline
          ? 'inline'
          : undefined;
  if (!mechanism) {
    const budget = `${inlineUsed} of ${quotas.inlineChars[principal.kind]} characters used`;
    return {
      kind: 'over-quota',
      finding: {
        rule: QUOTA_FINDING.id,
        severity: QUOTA_FINDING.severity,
        mode: 'enforce',
        status: 'open',
        principal: principal.arn,
        principalKind: principal.kind,
        resources: [principal.arn],
        message: `the guard's deny (${size} characters) fits neither a managed policy (${quotas.managedPolicyChars} characters, ${attached} of ${maxAttached} attachments used) nor the inline budget (${budget})`,
        evidence: [],
        remediation:
          "Narrow the principal's own Bedrock statements so less needs denying, free a managed-policy attachment, or raise the IAM quota; the excess stays open until then.",
        ...(grants.exemptReason ? { exemptReason: grants.exemptReason } : {}),
      },
    };
  }
  const name = guardPolicyName(principal);
  const { partition, accountId } = snapshot.account;
  const policyArn = mechanism === 'managed' ? guardPolicyArn(partition, accountId, name) : undefined;
  const target = (d: ExistingDeny) => d.mechanism === mechanism && d.policyName === name;
  return {
    kind: 'put',
    put: {
      type: 'put-deny',
      change: existing.some(target) ? 'update' : 'create',
      principal: principal.arn,
      principalKind: principal.kind,
      mechanism,
      policyName: name,
      ...(policyArn ? { policyArn } : {}),
      policy: deny.document,
      size,
      quota: mechanism === 'managed' ? quotas.managedPolicyChars : quotas.inlineChars[principal.kind],
      rules: deny.rules,
    },
    // A principal holds one guard deny: one that moved (managed ↔ inline) or a stray copy goes.
    removals: existing
      .filter((d) => !target(d))
      .map((d) => removeDeny(principal, d, `the guard's deny for this principal is now ${mechanism} ${name}`)),
  };
}

export function removeDeny(principal: Principal, existing: ExistingDeny, reason: string): RemoveDenyAction {
  return {
    type: 'remove-deny',
    principal: principal.arn,
    principalKind: principal.kind,
    mechanism: existing.mechanism,
    policyName: existing.policyName,
    ...(existing.policyArn ? { policyArn: existing.policyArn } : {}),
    reason,
  };
}

/**
 * Characters of the principal's own inline policies against IAM's inline
 * quota, which all of them share: the plan's own denies excluded (the plan
 * replaces or removes them), budget denies included. A budget deny is in IAM
 * until it is removed, and an expired one is removed only after the plan's
 * puts (apply writes puts first), so it counts even when this plan removes it.
 */
function ownInlineChars(principal: Principal): number {
  return ownInlinePolicies(principal)
    .filter((p) => !isPlanDenyName(p.name))
    .reduce((total, p) => total + documentSize(p.document), 0);
}
