import { describe, expect, it } from 'vitest';
import { applyToFiles } from '../../../shared/core/plan/apply-to-files.js';
import { planFromFiles, type PlanWork } from '../../../shared/core/plan/plan.js';
import { selfCheck } from '../../../shared/core/plan/self-check.js';
import type { PutDenyAction } from '../../../shared/core/plan/types.js';
import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';
import type { PolicyFile } from '../../../shared/core/policy-file/types.js';
import {
  ACCOUNT_ID,
  accountFiles,
  allow,
  CLAUDE,
  fm,
  invokeAll,
  LITE,
  NOVA,
  provisionedArn,
  REGIONS,
} from '../../support/account-builder.js';
import { appTeam, policyFile } from '../../support/policy-file.js';
import { NOW } from '../../support/snapshot-fixtures.js';
import { SCENARIOS } from '../reconcile/scenarios.js';

const plan = (files: SnapshotFiles, policy: PolicyFile) => planFromFiles(files, policy, { now: NOW });
const applied = (work: PlanWork, files: SnapshotFiles) => applyToFiles(files, work.changes);
const puts = (work: PlanWork) => work.plan.actions.filter((a): a is PutDenyAction => a.type === 'put-deny');

describe.each(SCENARIOS)('plan of "$name"', ({ files, policy }) => {
  it('passes its self-check and is idempotent once applied', () => {
    const first = plan(files, policy);
    expect(first.plan.selfCheck).toEqual({ passed: true, problems: [] });
    const second = plan(applied(first, files), policy);
    expect(second.plan.actions.filter((a) => a.type !== 'alert')).toEqual([]);
    expect(second.plan.findings.filter((f) => f.mode === 'enforce' && f.status === 'open')).toEqual([]);
    expect(second.plan.selfCheck.passed).toBe(true);
  });
});

const manyModels = Array.from({ length: 40 }, (_, i) => `vendor.model-${String(i).padStart(2, '0')}-v1:0`);

describe('deny synthesis', () => {
  it('writes one managed deny per principal under /bedrock-guard/, tagged by rule', () => {
    const work = plan(accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] }), appTeam(['standard']));
    const [put] = puts(work);
    expect(put).toMatchObject({
      type: 'put-deny',
      change: 'create',
      mechanism: 'managed',
      policyName: 'bedrock-guard-deny-role-App',
      policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/bedrock-guard/bedrock-guard-deny-role-App`,
      rules: ['unapproved-model-access'],
    });
    expect(put?.size).toBe(JSON.stringify(put?.policy).length);
    expect(put?.quota).toBe(6144);
  });

  it('lists the excess when that is shorter, exempting calls through inference profiles', () => {
    const work = plan(accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] }), appTeam(['standard']));
    expect(puts(work)[0]?.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'BedrockGuardUnapprovedModels',
          Effect: 'Deny',
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          Resource: [fm('*', LITE), fm('*', CLAUDE)],
          Condition: { Null: { 'bedrock:InferenceProfileArn': 'true' } },
        },
      ],
    });
  });

  it('switches to a NotResource allow-list when the excess is long, factored into models × Regions', () => {
    const files = accountFiles({
      models: [NOVA, ...manyModels],
      principals: [{ name: 'App', statements: [invokeAll] }],
    });
    const policy = policyFile({
      regions: ['us-east-1', 'us-west-2'],
      models: { standard: [NOVA] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
    });
    const [put] = puts(plan(files, policy));
    const [models, regions] = (put?.policy as { Statement: Record<string, unknown>[] }).Statement;
    expect(models).toMatchObject({
      Sid: 'BedrockGuardUnapprovedModels',
      NotResource: [fm('*', NOVA), `arn:aws:bedrock:*:${ACCOUNT_ID}:*`],
    });
    expect(regions).toEqual({
      Sid: 'BedrockGuardUnapprovedModelsRegions',
      Effect: 'Deny',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: fm('*', '*'),
      Condition: {
        Null: { 'bedrock:InferenceProfileArn': 'true' },
        StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] },
      },
    });
  });

  it('lists each granted model ARN when teams grant different Regions', () => {
    const files = accountFiles({
      models: [NOVA, LITE, ...manyModels],
      principals: [{ name: 'App', statements: [invokeAll] }],
    });
    const policy = policyFile({
      regions: REGIONS,
      models: { a: [NOVA], b: [LITE] },
      teams: [
        { name: 'east', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['a'], regions: ['us-east-1'] },
        { name: 'west', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['b'], regions: ['us-west-2'] },
      ],
    });
    const work = plan(files, policy);
    const [models] = (puts(work)[0]?.policy as { Statement: Record<string, unknown>[] }).Statement;
    expect(models?.NotResource).toEqual([
      fm('us-east-1', NOVA),
      fm('us-west-2', LITE),
      `arn:aws:bedrock:*:${ACCOUNT_ID}:*`,
    ]);
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('denies only the unapproved Regions of an approved model', () => {
    const files = accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] });
    const policy = policyFile({
      regions: ['us-east-1'],
      models: { standard: [NOVA] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
    });
    const statement = (puts(plan(files, policy))[0]?.policy as { Statement: Record<string, unknown>[] }).Statement[0];
    const listed = (statement?.Resource ?? statement?.NotResource) as string[];
    expect(listed).toContain(statement?.Resource ? fm('us-east-2', NOVA) : fm('us-east-1', NOVA));
  });

  it('denies provisioned throughput of an unapproved model, and all of it without the feature', () => {
    const files = accountFiles({
      provisioned: { lite: LITE, nova: NOVA },
      principals: [{ name: 'App', statements: [invokeAll, allow('bedrock:InvokeModel*', provisionedArn('*'))] }],
    });
    const withFeature = plan(files, appTeam(['standard'], ['invoke', 'provisioned-throughput']));
    const statement = (work: PlanWork) =>
      (puts(work)[0]?.policy as { Statement: Record<string, unknown>[] }).Statement.find(
        (s) => s.Sid === 'BedrockGuardUnapprovedProvisioned',
      );
    expect(statement(withFeature)?.Resource).toBe(provisionedArn('lite'));
    expect(withFeature.plan.selfCheck.passed).toBe(true);
    const without = plan(files, appTeam(['standard']));
    expect(statement(without)?.Resource).toBe(`arn:aws:bedrock:*:${ACCOUNT_ID}:provisioned-model/*`);
    expect(without.plan.selfCheck.passed).toBe(true);
  });

  it('denies bedrock-mantle inference on the models the file does not grant', () => {
    const files = accountFiles({
      principals: [{ name: 'App', statements: [invokeAll, allow('bedrock-mantle:CreateInference')] }],
    });
    const work = plan(files, appTeam(['standard']));
    const mantle = (puts(work)[0]?.policy as { Statement: Record<string, unknown>[] }).Statement.filter((s) =>
      String(s.Sid).startsWith('BedrockGuardUnapprovedMantle'),
    );
    expect(mantle).toEqual([
      {
        Sid: 'BedrockGuardUnapprovedMantle',
        Effect: 'Deny',
        Action: 'bedrock-mantle:CreateInference',
        Resource: '*',
        Condition: { StringEquals: { 'bedrock-mantle:Model': [LITE, CLAUDE] } },
      },
    ]);
    expect(work.plan.findings.find((f) => f.model === LITE)?.route).toContain('mantle');
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('turns the feature off on every model when no team grants it', () => {
    const files = accountFiles({
      principals: [{ name: 'App', statements: [invokeAll, allow('bedrock:CreateModelInvocationJob')] }],
    });
    const doc = puts(plan(files, appTeam(['standard'])))[0]?.policy as { Statement: Record<string, unknown>[] };
    expect(doc.Statement.find((s) => s.Sid === 'BedrockGuardUnapprovedBatch')).toMatchObject({
      Action: 'bedrock:CreateModelInvocationJob',
      Resource: 'arn:aws:bedrock:*::foundation-model/*',
    });
  });

  it('keeps alert-mode excess out of the deny and plans an alert instead', () => {
    const policy = {
      ...appTeam(['standard']),
      rules: { ...appTeam(['standard']).rules, 'unapproved-model-access': { mode: 'alert' as const } },
    };
    const work = plan(accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] }), policy);
    expect(puts(work)).toEqual([]);
    expect(work.plan.actions).toEqual([
      expect.objectContaining({
        type: 'alert',
        rule: 'unapproved-model-access',
        principal: `arn:aws:iam::${ACCOUNT_ID}:role/App`,
      }),
    ]);
    expect(work.plan.drift).toBe(true);
  });

  it('never plans against exempt principals or service-linked roles', () => {
    const files = accountFiles({
      principals: [
        { name: 'Admin', statements: [allow('bedrock:*')] },
        { name: 'App', statements: [allow(['bedrock:InvokeModel'], fm('us-east-1', NOVA))] },
      ],
    });
    const work = plan(files, appTeam(['standard']));
    expect(work.plan.actions.filter((a) => a.principal.endsWith('role/Admin'))).toEqual([]);
    expect(
      work.plan.findings.filter((f) => f.principal.endsWith('role/Admin')).every((f) => f.status === 'exempt'),
    ).toBe(true);
  });
});

describe('existing guard denies', () => {
  const files = accountFiles({ principals: [{ name: 'App', statements: [invokeAll] }] });
  const first = plan(files, appTeam(['standard']));
  const deployed = applied(first, files);

  it('mark their findings contained, and plan nothing when the deny is current', () => {
    const again = plan(deployed, appTeam(['standard']));
    expect(again.plan.actions).toEqual([]);
    expect(again.plan.drift).toBe(false);
    const enforced = again.plan.findings.filter((f) => f.rule === 'unapproved-model-access');
    expect(enforced.length).toBeGreaterThan(0);
    expect(enforced.every((f) => f.status === 'contained')).toBe(true);
    expect(again.plan.matrix.rows[0]?.cells).toContain('contained');
  });

  it('update the deny when the file changes', () => {
    const again = plan(deployed, appTeam(['more']));
    expect(again.plan.actions).toEqual([expect.objectContaining({ type: 'put-deny', change: 'update' })]);
    expect(again.plan.selfCheck.passed).toBe(true);
  });

  it('leave one guard deny per principal: a stray copy is removed', () => {
    const [put] = puts(first);
    const iam = deployed.iam as { RoleDetailList: { RolePolicyList: unknown[] }[] };
    const withCopy = {
      ...deployed,
      iam: {
        ...iam,
        RoleDetailList: iam.RoleDetailList.map((r) => ({
          ...r,
          RolePolicyList: [...r.RolePolicyList, { PolicyName: 'bedrock-guard-deny-copy', PolicyDocument: put?.policy }],
        })),
      },
    };
    const again = plan(withCopy, appTeam(['standard']));
    expect(again.plan.actions).toEqual([
      expect.objectContaining({ type: 'put-deny', change: 'update', mechanism: 'managed' }),
      expect.objectContaining({ type: 'remove-deny', mechanism: 'inline', policyName: 'bedrock-guard-deny-copy' }),
    ]);
    expect(again.plan.selfCheck).toEqual({ passed: true, problems: [] });
  });

  it('remove the deny once the file grants what it blocked', () => {
    const everything = policyFile({
      regions: REGIONS,
      models: { all: ['*'] },
      teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['all'] }],
    });
    const again = plan(deployed, everything);
    expect(again.plan.actions).toEqual([
      expect.objectContaining({
        type: 'remove-deny',
        policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/bedrock-guard/bedrock-guard-deny-role-App`,
      }),
    ]);
    const after = plan(applied(again, deployed), everything);
    expect(after.plan.actions).toEqual([]);
    expect(after.plan.findings).toEqual([]);
  });
});

describe('stray guard denies', () => {
  /** The files with a guard-owned managed policy that `count` users, groups and roles have attached. */
  const withGuardPolicy = (name: string, count: number, statements?: unknown[]) => {
    const files = accountFiles({ principals: [{ name: 'App', ...(statements ? { statements } : {}) }] });
    const iam = files.iam as { Policies: unknown[] };
    const stray = {
      PolicyName: name,
      Arn: `arn:aws:iam::${ACCOUNT_ID}:policy/bedrock-guard/${name}`,
      Path: '/bedrock-guard/',
      DefaultVersionId: 'v1',
      AttachmentCount: count,
      PolicyVersionList: [
        {
          VersionId: 'v1',
          IsDefaultVersion: true,
          Document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }] },
        },
      ],
    };
    return { ...files, iam: { ...iam, Policies: [...iam.Policies, stray] } };
  };

  it('removes a guard deny attached to nobody, addressed to the principal its name carries', () => {
    const work = plan(withGuardPolicy('bedrock-guard-deny-role-Departed', 0), appTeam(['standard']));
    expect(work.plan.actions).toEqual([
      {
        type: 'remove-deny',
        principal: `arn:aws:iam::${ACCOUNT_ID}:role/Departed`,
        principalKind: 'role',
        mechanism: 'managed',
        policyName: 'bedrock-guard-deny-role-Departed',
        policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/bedrock-guard/bedrock-guard-deny-role-Departed`,
        reason: 'attached to no principal any more',
      },
    ]);
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('reuses, not removes, a stray policy that a planned deny names again', () => {
    const work = plan(withGuardPolicy('bedrock-guard-deny-role-App', 0, [invokeAll]), appTeam(['standard']));
    expect(work.plan.actions.map((a) => a.type)).toEqual(['put-deny']);
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('leaves one attached somewhere (a group, say), and one whose name is not the guard’s pattern', () => {
    expect(plan(withGuardPolicy('bedrock-guard-deny-role-Departed', 1), appTeam(['standard'])).plan.actions).toEqual(
      [],
    );
    expect(plan(withGuardPolicy('someone-elses-policy', 0), appTeam(['standard'])).plan.actions).toEqual([]);
  });
});

describe('IAM quotas', () => {
  const fullManaged = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::${ACCOUNT_ID}:policy/p${i}`);
  const policies = Object.fromEntries(
    fullManaged.map((arn) => [arn, { Version: '2012-10-17', Statement: [allow('s3:GetObject', 'arn:aws:s3:::b/*')] }]),
  );

  it('puts the deny inline when the principal has no free managed-policy attachment', () => {
    const files = accountFiles({
      policies,
      principals: [{ name: 'App', statements: [invokeAll], managed: fullManaged }],
    });
    const work = plan(files, appTeam(['standard']));
    expect(puts(work)[0]).toMatchObject({
      mechanism: 'inline',
      policyName: 'bedrock-guard-deny-role-App',
      quota: 10240,
    });
    expect(work.plan.selfCheck.passed).toBe(true);
  });

  it('reports a finding instead of a deny that fits nowhere', () => {
    const bigInline = { Version: '2012-10-17', Statement: [allow('s3:GetObject', 'x'.repeat(2100))] };
    const files = accountFiles({
      policies,
      models: [NOVA, ...manyModels],
      principals: [
        { kind: 'user', name: 'carol', statements: [invokeAll], managed: fullManaged, inline: { big: bigInline } },
      ],
    });
    const policy = policyFile({
      regions: REGIONS,
      models: { standard: [NOVA] },
      teams: [
        { name: 'people', principals: ['arn:aws:iam::*:user/*'].map((a) => ({ arns: [a] })), models: ['standard'] },
      ],
    });
    const work = plan(files, policy);
    expect(puts(work)).toEqual([]);
    const quota = work.plan.findings.find((f) => f.rule === 'deny-exceeds-quota');
    expect(quota?.message).toMatch(/fits neither a managed policy .* nor the inline budget/);
    expect(work.plan.selfCheck.passed).toBe(true);
    expect(work.plan.drift).toBe(true);
  });
});

describe('self-check', () => {
  const files = accountFiles({
    principals: [{ name: 'App', statements: [invokeAll, allow(['bedrock:CreateAgent', 'bedrock:InvokeAgent'])] }],
  });
  const policy = appTeam(['standard']);
  const work = plan(files, policy);
  const check = (changes: PlanWork['changes']) =>
    selfCheck({ files, changes, policy, before: work.reconciliation, quotaFailed: new Set(), now: NOW });

  it('passes on the plan as computed', () => {
    expect(check(work.changes)).toEqual({ passed: true, problems: [] });
  });

  it('fails when the plan leaves an enforced finding open', () => {
    const result = check([]);
    expect(result.passed).toBe(false);
    expect(result.problems.some((p) => p.startsWith('still open after the plan: unapproved-model-access'))).toBe(true);
    expect(result.problems.some((p) => p.startsWith('still open after the plan: unapproved-feature'))).toBe(true);
  });

  it('fails when a deny takes away what the file grants', () => {
    const [put] = work.changes;
    if (put?.type !== 'put') throw new Error('expected a put');
    const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }] };
    const result = check([{ ...put, document: everything }]);
    expect(result.passed).toBe(false);
    expect(result.problems).toContain(
      'granted access lost: arn:aws:iam::111122223333:role/App can no longer use amazon.nova-micro-v1:0 in us-east-1 via invoke',
    );
  });
});
