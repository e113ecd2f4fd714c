import { describe, expect, it } from 'vitest';
import { planFromFiles } from '../../../shared/core/plan/plan.js';
import { DEFAULT_QUOTAS, quotasFromSummary } from '../../../shared/core/plan/quotas.js';
import type { PutDenyAction } from '../../../shared/core/plan/types.js';
import { ACCOUNT_ID, accountFiles, allow, invokeAll } from '../../support/account-builder.js';
import { appTeam } from '../../support/policy-file.js';
import { NOW } from '../../support/snapshot-fixtures.js';

/** A SummaryMap as IAM's GetAccountSummary returns it with default quotas (moto answers the same keys). */
const DEFAULT_SUMMARY = {
  Users: 3,
  Roles: 12,
  PolicySizeQuota: 6144,
  RolePolicySizeQuota: 10240,
  UserPolicySizeQuota: 2048,
  AttachedPoliciesPerRoleQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  GroupsPerUserQuota: 10,
};

describe('quotasFromSummary', () => {
  it('reads the default quotas as the defaults', () => {
    expect(quotasFromSummary(DEFAULT_SUMMARY)).toEqual(DEFAULT_QUOTAS);
  });

  it('takes raised quotas', () => {
    const raised = {
      ...DEFAULT_SUMMARY,
      PolicySizeQuota: 10240,
      RolePolicySizeQuota: 20480,
      UserPolicySizeQuota: 4096,
      AttachedPoliciesPerRoleQuota: 20,
      AttachedPoliciesPerUserQuota: 15,
    };
    expect(quotasFromSummary(raised)).toEqual({
      managedPolicyChars: 10240,
      inlineChars: { role: 20480, user: 4096 },
      attachedManagedPolicies: { role: 20, user: 15 },
    });
  });

  it('keeps the default of each key that is missing', () => {
    expect(quotasFromSummary({})).toEqual(DEFAULT_QUOTAS);
    expect(quotasFromSummary({ AttachedPoliciesPerRoleQuota: 25 })).toEqual({
      ...DEFAULT_QUOTAS,
      attachedManagedPolicies: { role: 25, user: 10 },
    });
  });

  it('keeps the default of a key that is zero or undefined', () => {
    const quotas = quotasFromSummary({ PolicySizeQuota: 0, UserPolicySizeQuota: undefined, RolePolicySizeQuota: 1 });
    expect(quotas.managedPolicyChars).toBe(6144);
    expect(quotas.inlineChars).toEqual({ role: 1, user: 2048 });
  });
});

describe('planning with the account quotas', () => {
  const attached = Array.from({ length: 3 }, (_, i) => `arn:aws:iam::${ACCOUNT_ID}:policy/p${i}`);
  const files = accountFiles({
    policies: Object.fromEntries(
      attached.map((arn) => [arn, { Version: '2012-10-17', Statement: [allow('s3:GetObject', 'arn:aws:s3:::b/*')] }]),
    ),
    principals: [{ name: 'App', statements: [invokeAll], managed: attached }],
  });
  const put = (quotas = DEFAULT_QUOTAS) =>
    planFromFiles(files, appTeam(['standard']), { now: NOW, quotas }).plan.actions.find(
      (a): a is PutDenyAction => a.type === 'put-deny',
    );

  it('attaches a managed deny while the role has a free attachment', () => {
    expect(put()).toMatchObject({ mechanism: 'managed', quota: 6144 });
  });

  it('puts the deny inline when the account quota leaves the role no free attachment', () => {
    const full = quotasFromSummary({ ...DEFAULT_SUMMARY, AttachedPoliciesPerRoleQuota: 3 });
    const deny = put(full);
    expect(deny).toMatchObject({ mechanism: 'inline', policyName: 'bedrock-guard-deny-role-App', quota: 10240 });
    expect(deny?.policyArn).toBeUndefined();
  });

  it('still attaches a managed deny when the quota leaves exactly one free attachment', () => {
    expect(put(quotasFromSummary({ AttachedPoliciesPerRoleQuota: 4 }))).toMatchObject({ mechanism: 'managed' });
  });

  it("counts the raised inline budget as the inline deny's quota", () => {
    const full = quotasFromSummary({ AttachedPoliciesPerRoleQuota: 3, RolePolicySizeQuota: 20480 });
    expect(put(full)).toMatchObject({ mechanism: 'inline', quota: 20480 });
  });
});
