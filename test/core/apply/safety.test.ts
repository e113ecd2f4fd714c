import { describe, expect, it } from 'vitest';
import {
  BlastRadiusError,
  type DenyAction,
  denyActions,
  refusal,
  type SafetyContext,
  writeOrder,
} from '../../../shared/core/apply/safety.js';
import { DesiredState } from '../../../shared/core/desired/grants.js';
import { guardPolicyArn } from '../../../shared/core/plan/guard-owned.js';
import { planFromFiles } from '../../../shared/core/plan/plan.js';
import type { Plan, PutDenyAction, RemoveDenyAction } from '../../../shared/core/plan/types.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import { ACCOUNT_ID, accountFiles, invokeAll } from '../../support/account-builder.js';
import { appTeam } from '../../support/policy-file.js';
import { NOW } from '../../support/snapshot-fixtures.js';

const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:role/${name}`;
const SERVICE_LINKED = `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForBedrock`;
const GUARD = roleArn('BedrockGuard');

/** App (in team apps), Admin (exempt in the file), BedrockGuard (running the guard) and a service-linked role. */
const files = (() => {
  const base = accountFiles({
    principals: [
      { name: 'App', statements: [invokeAll] },
      { name: 'Admin', statements: [invokeAll] },
      { name: 'BedrockGuard', statements: [invokeAll] },
      { name: 'AWSServiceRoleForBedrock', statements: [invokeAll] },
    ],
  });
  const iam = base.iam as { RoleDetailList: Array<Record<string, unknown>> };
  return {
    ...base,
    iam: {
      ...iam,
      RoleDetailList: iam.RoleDetailList.map((r) =>
        r.RoleName === 'AWSServiceRoleForBedrock'
          ? { ...r, Path: '/aws-service-role/bedrock.amazonaws.com/', Arn: SERVICE_LINKED }
          : r,
      ),
    },
  };
})();
const policy = appTeam(['standard']);
const protectedPrincipals = new Map([[GUARD, 'the identity running bedrock-guard']]);
const ctx: SafetyContext = {
  snapshot: buildSnapshot(files),
  desired: new DesiredState(policy, protectedPrincipals),
  protectedPrincipals,
};

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const put = (principal: string, overrides: Partial<PutDenyAction> = {}): PutDenyAction => {
  const policyName = `bedrock-guard-deny-role-${nameOf(principal)}`;
  return {
    type: 'put-deny',
    change: 'create',
    principal,
    principalKind: 'role',
    mechanism: 'managed',
    policyName,
    policyArn: guardPolicyArn('aws', ACCOUNT_ID, policyName),
    policy: { Version: '2012-10-17', Statement: [] },
    size: 40,
    quota: 6144,
    rules: ['unapproved-model-access'],
    ...overrides,
  };
};
const remove = (principal: string, overrides: Partial<RemoveDenyAction> = {}): RemoveDenyAction => {
  const policyName = `bedrock-guard-deny-role-${nameOf(principal)}`;
  return {
    type: 'remove-deny',
    principal,
    principalKind: 'role',
    mechanism: 'managed',
    policyName,
    policyArn: guardPolicyArn('aws', ACCOUNT_ID, policyName),
    reason: 'the principal is exempt',
    ...overrides,
  };
};

describe('refusal', () => {
  it('allows the deny the plan puts on an ordinary principal', () => {
    const work = planFromFiles(files, policy, { now: NOW, protectedPrincipals });
    const planned = denyActions(work.plan);
    expect(planned.map((a) => [a.type, a.principal])).toEqual([['put-deny', roleArn('App')]]);
    expect(refusal(planned[0] as DenyAction, ctx)).toBeUndefined();
  });

  it('allows a put or a remove of a guard-owned managed or inline deny', () => {
    expect(refusal(put(roleArn('App')), ctx)).toBeUndefined();
    expect(refusal(remove(roleArn('App')), ctx)).toBeUndefined();
    const inline = { mechanism: 'inline', policyArn: undefined } as const;
    expect(refusal(put(roleArn('App'), inline), ctx)).toBeUndefined();
    expect(refusal(remove(roleArn('App'), inline), ctx)).toBeUndefined();
  });

  it('refuses to put a deny on an exempt principal', () => {
    expect(refusal(put(roleArn('Admin')), ctx)).toBe('exempt: listed under exempt in the policy file');
  });

  it('allows removing the guard deny from an exempt principal: the revert the exemption asks for', () => {
    expect(refusal(remove(roleArn('Admin')), ctx)).toBeUndefined();
  });

  it('refuses anything on a protected principal, removes included', () => {
    expect(refusal(put(GUARD), ctx)).toBe('never written to: the identity running bedrock-guard');
    expect(refusal(remove(GUARD), ctx)).toBe('never written to: the identity running bedrock-guard');
  });

  it('refuses service-linked roles, removes included', () => {
    expect(refusal(put(SERVICE_LINKED), ctx)).toBe('service-linked role: managed by AWS, never written to');
    expect(refusal(remove(SERVICE_LINKED), ctx)).toBe('service-linked role: managed by AWS, never written to');
  });

  it('removes an expired budget deny (guard-owned inline) as any guard deny: exempt allowed, protected refused', () => {
    const expired = {
      mechanism: 'inline',
      policyName: 'bedrock-guard-budget-apps.standard.1d',
      policyArn: undefined,
      reason: 'budget deny expired at 2025-11-19T00:00:00Z',
    } as const;
    expect(refusal(remove(roleArn('App'), expired), ctx)).toBeUndefined();
    expect(refusal(remove(roleArn('Admin'), expired), ctx)).toBeUndefined();
    expect(refusal(remove(GUARD, expired), ctx)).toBe('never written to: the identity running bedrock-guard');
    expect(refusal(remove(SERVICE_LINKED, expired), ctx)).toBe('service-linked role: managed by AWS, never written to');
  });

  it('refuses a principal that is not in the captured account, but for taking away a stray managed deny', () => {
    expect(refusal(put(roleArn('Ghost')), ctx)).toBe('the principal is not in the captured account');
    expect(refusal(remove(roleArn('Ghost')), ctx)).toBeUndefined();
    expect(refusal(remove(roleArn('Ghost'), { mechanism: 'inline', policyArn: undefined }), ctx)).toBe(
      'the principal is not in the captured account',
    );
  });

  it('refuses a managed policy outside /bedrock-guard/', () => {
    const customer = `arn:aws:iam::${ACCOUNT_ID}:policy/bedrock-guard-deny-role-App`;
    expect(refusal(put(roleArn('App'), { policyArn: customer }), ctx)).toBe(
      `${customer} is not a guard-owned policy (path /bedrock-guard/)`,
    );
    expect(refusal(remove(roleArn('App'), { policyArn: customer }), ctx)).toMatch(/is not a guard-owned policy/);
  });

  it('refuses a managed deny without an ARN', () => {
    expect(refusal(put(roleArn('App'), { policyArn: undefined }), ctx)).toBe(
      'bedrock-guard-deny-role-App is not a guard-owned policy (path /bedrock-guard/)',
    );
  });

  it('refuses a managed policy under /bedrock-guard/ whose name lacks the guard prefix', () => {
    const odd = guardPolicyArn('aws', ACCOUNT_ID, 'AppPolicy');
    expect(refusal(put(roleArn('App'), { policyName: 'AppPolicy', policyArn: odd }), ctx)).toMatch(
      /is not a guard-owned policy/,
    );
  });

  it("refuses an inline policy that isn't the guard's (the customer's own)", () => {
    const customers = { mechanism: 'inline', policyName: 'bedrock', policyArn: undefined } as const;
    expect(refusal(put(roleArn('App'), customers), ctx)).toBe(
      'bedrock is not a guard-owned policy (path /bedrock-guard/)',
    );
    expect(refusal(remove(roleArn('App'), customers), ctx)).toMatch(/is not a guard-owned policy/);
  });

  it('judges ownership before the principal: a foreign policy on an unknown principal is refused as foreign', () => {
    expect(refusal(put(roleArn('Ghost'), { policyName: 'x', mechanism: 'inline' }), ctx)).toMatch(
      /not a guard-owned policy/,
    );
  });
});

describe('denyActions', () => {
  it('keeps the puts and removes of a plan, in order, and drops alerts', () => {
    const a = put(roleArn('App'));
    const b = remove(roleArn('Admin'));
    const plan = {
      actions: [
        a,
        {
          type: 'alert',
          principal: roleArn('App'),
          principalKind: 'role',
          rule: 'unapproved-model-access',
          severity: 'high',
          findings: 1,
        },
        b,
      ],
    } as unknown as Plan;
    expect(denyActions(plan)).toEqual([a, b]);
  });
});

describe('writeOrder', () => {
  it('puts every put before every remove, each kind in its original order', () => {
    const r1 = remove(roleArn('A'));
    const p1 = put(roleArn('B'));
    const r2 = remove(roleArn('C'), { mechanism: 'inline', policyArn: undefined });
    const p2 = put(roleArn('C'));
    expect(writeOrder([r1, p1, r2, p2])).toEqual([p1, p2, r1, r2]);
  });

  it('moves a deny from inline to managed with the new one written first', () => {
    const oldInline = remove(roleArn('App'), { mechanism: 'inline', policyArn: undefined });
    const newManaged = put(roleArn('App'));
    expect(writeOrder([oldInline, newManaged]).map((a) => a.type)).toEqual(['put-deny', 'remove-deny']);
  });

  it('leaves the input untouched', () => {
    const input = [remove(roleArn('A')), put(roleArn('B'))];
    const copy = [...input];
    writeOrder(input);
    expect(input).toEqual(copy);
  });
});

describe('BlastRadiusError', () => {
  it('says how many changes against which limit, and that nothing was written', () => {
    const error = new BlastRadiusError(12, 10);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BlastRadiusError');
    expect([error.changes, error.limit]).toEqual([12, 10]);
    expect(error.message).toBe('the plan changes 12 guard denies, more than the limit of 10; nothing was written');
  });
});
