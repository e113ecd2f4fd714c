import type { Grants } from '../desired/grants.js';
import type { PolicyFile, RuleId } from '../policy-file/types.js';
import { reconcile, type Reconciliation } from '../reconcile/reconcile.js';
import { RULES } from '../reconcile/rules/index.js';
import type { Finding } from '../reconcile/types.js';
import { buildSnapshot } from '../snapshot/build.js';
import type { SnapshotFiles } from '../snapshot/files.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { accessReport } from './access-report.js';
import { type DenyChange, hasGuardPolicies, withoutGuardPolicies } from './apply-to-files.js';
import { documentSize, existingDenies, guardPolicyArn, guardPolicyName, isGuardInlineName } from './guard-owned.js';
import { DEFAULT_QUOTAS, type IamQuotas, QUOTA_FINDING } from './quotas.js';
import { selfCheck } from './self-check.js';
import { type SynthesizedDeny, synthesizeDeny } from './synthesize-deny.js';
import type { AlertAction, DenyMechanism, Plan, PlanAction, PutDenyAction } from './types.js';

export interface PlanOptions {
  readonly now?: Date;
  readonly quotas?: IamQuotas;
  /** Label of the policy file in reports. */
  readonly policyFile?: string;
  /** Re-reconcile the planned state in memory (on by default). */
  readonly selfCheck?: boolean;
  /** Called between phases, for progress on long runs. */
  readonly progress?: (phase: string) => void;
}

/** Everything a plan is computed from, kept for `apply` and the self-check. */
export interface PlanWork {
  readonly plan: Plan;
  readonly changes: readonly DenyChange[];
  readonly actual: Snapshot;
  readonly reconciliation: Reconciliation;
}

/** Findings about the same thing, before and after the guard's denies (folded findings by model alone). */
const findingKey = (f: Finding) =>
  `${f.rule}|${f.principal}|${f.model ?? ''}|${f.routes ? '' : `${f.region ?? ''}|${f.route ?? ''}|${f.resources.join(',')}`}`;

/**
 * Desired × observed → findings → actions, like `terraform plan`. The excess
 * is judged on the account without the guard's own denies (so a deny that is
 * no longer needed shows up), then each finding is marked open or contained
 * by the account as it is. Pure: files and the policy in, the plan out.
 */
export function planFromFiles(files: SnapshotFiles, policy: PolicyFile, options: PlanOptions = {}): PlanWork {
  const now = options.now ?? new Date();
  const quotas = options.quotas ?? DEFAULT_QUOTAS;
  const progress = options.progress ?? (() => undefined);
  progress('reading the snapshot');
  const actual = buildSnapshot(files);
  const guarded = hasGuardPolicies(files);
  const raw = guarded ? buildSnapshot(withoutGuardPolicies(files)) : actual;
  progress(`reconciling ${raw.principals.length} principals`);
  const rawRec = reconcile(raw, policy, { now });
  const openKeys = guarded ? new Set(reconcile(actual, policy, { now }).findings.map(findingKey)) : undefined;
  const statusOf = (f: Finding): Finding =>
    f.status === 'open' && openKeys && !openKeys.has(findingKey(f)) ? { ...f, status: 'contained' } : f;

  progress('planning denies');
  const enforce = new Set<RuleId>(
    RULES.filter((r) => r.containable && policy.rules[r.id].mode === 'enforce').map((r) => r.id),
  );
  const byPrincipal = new Map<string, Finding[]>();
  for (const f of rawRec.findings) {
    const list = byPrincipal.get(f.principal);
    if (list) list.push(f);
    else byPrincipal.set(f.principal, [f]);
  }

  const findings: Finding[] = rawRec.findings.map(statusOf);
  const actions: PlanAction[] = [];
  const changes: DenyChange[] = [];
  const quotaFailed = new Set<string>();
  const planned = new Set<string>();
  const { partition, accountId } = actual.account;

  for (const cohort of rawRec.cohorts) {
    if (cohort.grants.exemptReason) continue;
    const first = cohort.principals[0] as Principal;
    const own = (byPrincipal.get(first.arn) ?? []).filter((f) => f.mode === 'enforce');
    const deny =
      own.length > 0
        ? synthesizeDeny({
            cohort,
            enforce,
            partition,
            account: accountId,
            profiles: actual.inferenceProfiles,
            findings: own,
          })
        : undefined;
    if (!deny) continue;
    for (const rawPrincipal of cohort.principals) {
      const principal = actual.principal(rawPrincipal.arn) as Principal;
      planned.add(principal.arn);
      const put = putDeny(actual, principal, deny, quotas);
      if ('finding' in put) {
        quotaFailed.add(principal.arn);
        findings.push(put.finding(cohort.grants));
        continue;
      }
      if (!put.action) continue;
      actions.push(put.action);
      changes.push({
        type: 'put',
        principal: principal.arn,
        mechanism: put.action.mechanism,
        policyName: put.action.policyName,
        ...(put.action.policyArn ? { policyArn: put.action.policyArn } : {}),
        document: put.action.policy,
      });
    }
  }
  for (const principal of actual.principals) {
    if (planned.has(principal.arn)) continue;
    for (const existing of existingDenies(actual, principal)) {
      const grants = rawRec.desired.grantsFor(principal);
      const reason = grants.exemptReason
        ? `the principal is exempt (${grants.exemptReason})`
        : 'the principal no longer has access the policy file does not grant';
      const { policyArn } = existing;
      actions.push({
        type: 'remove-deny',
        principal: principal.arn,
        principalKind: principal.kind,
        mechanism: existing.mechanism,
        policyName: existing.policyName,
        ...(policyArn ? { policyArn } : {}),
        reason,
      });
      changes.push({
        type: 'remove',
        principal: principal.arn,
        mechanism: existing.mechanism,
        policyName: existing.policyName,
        ...(policyArn ? { policyArn } : {}),
      });
    }
  }
  actions.push(...alerts(findings));

  const check =
    options.selfCheck === false
      ? { passed: true, problems: ['not run'] }
      : (progress('checking the plan against the snapshot'),
        selfCheck({ files, changes, policy, before: rawRec, quotaFailed, now }));
  const matrix = accessReport(rawRec, enforce, quotaFailed);
  const drift = actions.some((a) => a.type !== 'alert') || findings.some((f) => f.status === 'open');
  const plan: Plan = {
    account: accountId,
    partition,
    generatedAt: now.toISOString(),
    policyFile: options.policyFile ?? policy.source.file,
    findings,
    actions,
    matrix,
    warnings: [],
    selfCheck: check,
    drift,
  };
  return { plan, changes, actual, reconciliation: rawRec };
}

/** One alert per principal and rule for open findings that no deny contains. */
function alerts(findings: readonly Finding[]): AlertAction[] {
  const byKey = new Map<string, AlertAction>();
  for (const f of findings) {
    if (f.status !== 'open' || f.mode !== 'alert' || f.rule === 'deny-exceeds-quota') continue;
    const key = `${f.principal}|${f.rule}`;
    const existing = byKey.get(key);
    byKey.set(
      key,
      existing
        ? { ...existing, findings: existing.findings + 1 }
        : {
            type: 'alert',
            principal: f.principal,
            principalKind: f.principalKind,
            rule: f.rule,
            severity: f.severity,
            findings: 1,
          },
    );
  }
  return [...byKey.values()];
}

type PutOutcome = { action: PutDenyAction | undefined } | { finding: (grants: Grants) => Finding };

/**
 * Where the deny goes: the managed policy the principal already has, else a
 * new managed policy while the principal has a free attachment, else inline
 * within the principal's inline budget. Unchanged documents are no action.
 */
function putDeny(snapshot: Snapshot, principal: Principal, deny: SynthesizedDeny, quotas: IamQuotas): PutOutcome {
  const size = documentSize(deny.document);
  const existing = existingDenies(snapshot, principal);
  const current = existing[0];
  if (existing.length === 1 && current && JSON.stringify(current.document) === JSON.stringify(deny.document)) {
    return { action: undefined };
  }
  const name = guardPolicyName(principal);
  const others = principal.managedPolicyArns.filter((arn) => arn !== current?.policyArn).length;
  const inlineUsed = ownInlineChars(principal);
  const fitsManaged = size <= quotas.managedPolicyChars && others < quotas.attachedManagedPolicies;
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
    return {
      finding: (grants) => ({
        rule: QUOTA_FINDING.id,
        severity: QUOTA_FINDING.severity,
        mode: 'enforce',
        status: 'open',
        principal: principal.arn,
        principalKind: principal.kind,
        resources: [principal.arn],
        message: `the guard's deny for ${principal.name} (${size} characters) fits neither a managed policy (${quotas.managedPolicyChars} characters, ${others} of ${quotas.attachedManagedPolicies} attachments used) nor its inline budget (${inlineUsed} of ${quotas.inlineChars[principal.kind]} characters used)`,
        evidence: [],
        remediation:
          "Narrow the principal's own Bedrock statements so less needs denying, free a managed-policy attachment, or raise the IAM quota; the excess stays open until then.",
        ...(grants.exemptReason ? { exemptReason: grants.exemptReason } : {}),
      }),
    };
  }
  const policyArn =
    mechanism === 'managed' ? guardPolicyArn(snapshot.account.partition, snapshot.account.accountId, name) : undefined;
  return {
    action: {
      type: 'put-deny',
      change: current ? 'update' : 'create',
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
  };
}

/** Characters of the principal's own inline policies, the guard's excluded (IAM's per-principal inline quota). */
function ownInlineChars(principal: Principal): number {
  let total = 0;
  for (const policy of principal.policies.identity) {
    const { source } = policy;
    if (source.kind !== 'inline' || source.id !== principal.arn || isGuardInlineName(source.name)) continue;
    total += documentSize({ Version: '2012-10-17', Statement: policy.statements.map((s) => s.raw) });
  }
  return total;
}
