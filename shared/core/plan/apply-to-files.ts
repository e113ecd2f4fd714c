import { groupBy } from '../group-by.js';
import { isBudgetDenyName } from '../budgets/budget-deny.js';
import type { SnapshotFiles } from '../snapshot/files.js';
import { GUARD_PATH, isGuardInlineName, isGuardPolicyArn } from './guard-owned.js';
import type { DenyMechanism } from './types.js';

/** A change to one principal's guard-owned deny. */
export type DenyChange =
  | {
      readonly type: 'put';
      readonly principal: string;
      readonly mechanism: DenyMechanism;
      readonly policyName: string;
      readonly policyArn?: string;
      readonly document: unknown;
    }
  | {
      readonly type: 'remove';
      readonly principal: string;
      readonly mechanism: DenyMechanism;
      readonly policyName: string;
      readonly policyArn?: string;
    };

type Json = Record<string, unknown>;
const LISTS = [
  ['UserDetailList', 'UserPolicyList'],
  ['RoleDetailList', 'RolePolicyList'],
] as const;

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/**
 * The snapshot files as they would be after the changes: what `apply` would
 * write, done to `iam.json` in memory (copy on write; the input is not
 * modified). Used to check a plan before anything touches AWS.
 */
export function applyToFiles(files: SnapshotFiles, changes: readonly DenyChange[]): SnapshotFiles {
  if (changes.length === 0) return files;
  const iam = { ...(files.iam as Json) };
  const byPrincipal = groupBy(changes, (c) => c.principal);
  const policies = new Map(list(iam.Policies).map((p) => [p.Arn as string, p]));

  for (const [detailKey, inlineKey] of LISTS) {
    iam[detailKey] = list(iam[detailKey]).map((entry) => {
      const own = byPrincipal.get(entry.Arn as string);
      if (!own) return entry;
      let attached = list(entry.AttachedManagedPolicies);
      let inline = list(entry[inlineKey]);
      // Each change touches only the policy it names, as `apply` does.
      for (const change of own) {
        if (change.mechanism === 'inline') {
          inline = inline.filter((p) => p.PolicyName !== change.policyName);
          if (change.type === 'put')
            inline = [...inline, { PolicyName: change.policyName, PolicyDocument: change.document }];
          continue;
        }
        const arn = change.policyArn as string;
        attached = attached.filter((a) => a.PolicyArn !== arn);
        if (change.type === 'remove') {
          policies.delete(arn);
          continue;
        }
        attached = [...attached, { PolicyName: change.policyName, PolicyArn: arn }];
        policies.set(arn, {
          PolicyName: change.policyName,
          Arn: arn,
          Path: GUARD_PATH,
          DefaultVersionId: 'v1',
          AttachmentCount: 1,
          IsAttachable: true,
          PolicyVersionList: [{ Document: change.document, VersionId: 'v1', IsDefaultVersion: true }],
        });
      }
      return { ...entry, AttachedManagedPolicies: attached, [inlineKey]: inline };
    });
  }
  iam.Policies = [...policies.values()];
  return { ...files, iam };
}

/** The files without any guard-owned policy: the access the account grants by itself. */
export const withoutGuardPolicies = (files: SnapshotFiles): SnapshotFiles =>
  without(files, isGuardPolicyArn, isGuardInlineName);

/**
 * The files without budget denies: what the plan judges containment on.
 * A budget deny lifts itself at its window's end, so what it blocks stays
 * the plan's to contain. The input itself when it holds none.
 */
export const withoutBudgetDenies = (files: SnapshotFiles): SnapshotFiles =>
  guardPoliciesIn(files).budgetDenies ? without(files, () => false, isBudgetDenyName) : files;

function without(files: SnapshotFiles, managed: (arn: string) => boolean, inline: (name: string) => boolean) {
  const iam = { ...(files.iam as Json) };
  for (const [detailKey, inlineKey] of LISTS) {
    iam[detailKey] = list(iam[detailKey]).map((entry) => ({
      ...entry,
      AttachedManagedPolicies: list(entry.AttachedManagedPolicies).filter((a) => !managed(a.PolicyArn as string)),
      [inlineKey]: list(entry[inlineKey]).filter((p) => !inline(p.PolicyName as string)),
    }));
  }
  return { ...files, iam };
}

/** Which guard-owned policies the captured account holds: the plan's denies, budget denies. */
export function guardPoliciesIn(files: SnapshotFiles): { readonly denies: boolean; readonly budgetDenies: boolean } {
  const iam = files.iam as Json;
  let denies = false;
  let budgetDenies = false;
  for (const [detailKey, inlineKey] of LISTS) {
    for (const e of list(iam[detailKey])) {
      denies ||= list(e.AttachedManagedPolicies).some((a) => isGuardPolicyArn(a.PolicyArn as string));
      for (const p of list(e[inlineKey])) {
        const name = p.PolicyName as string;
        if (isBudgetDenyName(name)) budgetDenies = true;
        else if (isGuardInlineName(name)) denies = true;
      }
      if (denies && budgetDenies) return { denies, budgetDenies };
    }
  }
  return { denies, budgetDenies };
}
