import { groupBy } from '../group-by.js';
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
export function withoutGuardPolicies(files: SnapshotFiles): SnapshotFiles {
  const iam = { ...(files.iam as Json) };
  for (const [detailKey, inlineKey] of LISTS) {
    iam[detailKey] = list(iam[detailKey]).map((entry) => ({
      ...entry,
      AttachedManagedPolicies: list(entry.AttachedManagedPolicies).filter(
        (a) => !isGuardPolicyArn(a.PolicyArn as string),
      ),
      [inlineKey]: list(entry[inlineKey]).filter((p) => !isGuardInlineName(p.PolicyName as string)),
    }));
  }
  return { ...files, iam };
}

/** Whether the captured account holds any guard-owned policy. */
export function hasGuardPolicies(files: SnapshotFiles): boolean {
  const iam = files.iam as Json;
  return LISTS.some(([detailKey, inlineKey]) =>
    list(iam[detailKey]).some(
      (e) =>
        list(e.AttachedManagedPolicies).some((a) => isGuardPolicyArn(a.PolicyArn as string)) ||
        list(e[inlineKey]).some((p) => isGuardInlineName(p.PolicyName as string)),
    ),
  );
}
