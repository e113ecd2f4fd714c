import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseGuardEvent } from '../../../shared/core/events/parse-event.js';
import { filesInScope, inScope, type Scope, scopeOf } from '../../../shared/core/events/scope.js';
import { type PrincipalRef, type Touch, touchOf } from '../../../shared/core/events/touch.js';
import { applyToFiles } from '../../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../../shared/core/plan/plan.js';
import type { PlanAction } from '../../../shared/core/plan/types.js';
import type { PolicyFile } from '../../../shared/core/policy-file/types.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import type { SnapshotFiles } from '../../../shared/core/snapshot/files.js';
import type { Snapshot } from '../../../shared/core/snapshot/types.js';
import { readPolicyFile } from '../../../shared/policy-file/read.js';
import { readSnapshotFiles } from '../../../shared/snapshot/read-folder.js';

/**
 * Which principals an event puts in scope, on the demo account, and the
 * property the event service rests on: planning only the scoped principals
 * decides for each of them exactly what planning the whole account does.
 */
const DEMO = 'examples/demo';
const NOW = new Date('2026-11-22T10:00:00Z');
const ACCOUNT = '111122223333';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const NO_EXTRA = { principals: [], groups: [] };

let files: SnapshotFiles;
let snapshot: Snapshot;
let policy: PolicyFile;

beforeAll(async () => {
  files = await readSnapshotFiles(`${DEMO}/snapshot`);
  snapshot = buildSnapshot(files);
  policy = (await readPolicyFile(`${DEMO}/bedrock-guard.yaml`)).policy;
});

const touchOfSample = (path: string): Touch =>
  touchOf(parseGuardEvent(JSON.parse(readFileSync(`events/${path}`, 'utf8')) as unknown));

/** An IAM change touching nothing; fields override. */
const touch = (fields: Partial<Touch> = {}): Touch => ({
  concern: 'iam-change',
  eventId: 'evt-1',
  eventName: 'AttachRolePolicy',
  eventSource: 'iam.amazonaws.com',
  eventTime: NOW.toISOString(),
  region: 'us-east-1',
  account: ACCOUNT,
  principals: [],
  groups: [],
  changedPolicies: [],
  models: [],
  scps: false,
  serviceCredentials: false,
  ...fields,
});

const arnsOf = (scope: Scope): string[] => (scope.kind === 'account' ? ['*'] : [...scope.arns].sort());
const scoped = (t: Touch, extra: { principals: PrincipalRef[]; groups: string[] } = NO_EXTRA) =>
  arnsOf(scopeOf(t, snapshot, extra));

describe('scopeOf', () => {
  it.each(['AttachPolicy', 'DetachPolicy', 'UpdatePolicy', 'CreatePolicy', 'DisablePolicyType'])(
    'puts the whole account in scope for the SCP change %s',
    (name) => {
      expect(scopeOf(touchOfSample(`scp-change/${name}.json`), snapshot, NO_EXTRA)).toStrictEqual({ kind: 'account' });
    },
  );

  it.each(['PutFoundationModelEntitlement', 'CreateFoundationModelAgreement', 'AcceptAgreementRequest'])(
    'puts the whole account in scope for the model-access event %s',
    (name) => {
      expect(scopeOf(touchOfSample(`model-access/${name}.json`), snapshot, NO_EXTRA)).toStrictEqual({
        kind: 'account',
      });
    },
  );

  it('puts the whole account in scope whenever SCPs may have changed, whatever the concern', () => {
    expect(scoped(touch({ scps: true, principals: [{ kind: 'role', name: 'Playground' }] }))).toEqual(['*']);
  });

  it('puts the role a role event names in scope, and only it', () => {
    expect(scoped(touchOfSample('iam-change/AttachRolePolicy.json'))).toEqual([role('Playground')]);
    expect(scoped(touchOfSample('iam-change/DeleteRolePermissionsBoundary.json'))).toEqual([role('ContractorRole')]);
    expect(scoped(touchOfSample('iam-change/TagRole.json'))).toEqual([role('ContractorRole')]);
  });

  it('puts the user a user event names in scope', () => {
    expect(scoped(touchOfSample('iam-change/AttachUserPolicy.json'))).toEqual([user('bob')]);
    expect(scoped(touchOfSample('iam-change/RemoveUserFromGroup.json'))).toEqual([user('alice')]);
  });

  it('puts the caller of an invoke in scope', () => {
    expect(scoped(touchOfSample('invoke/Converse-AccessDeniedException.json'))).toEqual([role('Playground')]);
    expect(scoped(touchOfSample('invoke/InvokeModel-AccessDenied.json'))).toEqual([user('bob')]);
  });

  it('puts the caller and the service role of a Bedrock configuration event in scope', () => {
    expect(scoped(touchOfSample('bedrock-config/CreateModelImportJob.json'))).toEqual([
      role('CMIExecutionRole'),
      role('DataScience'),
    ]);
  });

  it('puts the members of a changed group in scope (alice is in ml-engineers)', () => {
    for (const name of ['AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy']) {
      expect(scoped(touchOfSample(`iam-change/${name}.json`)), name).toEqual([user('alice')]);
    }
  });

  it('puts the principals a changed managed policy is attached to in scope', () => {
    const readOnly = 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly';
    expect(scoped(touch({ eventName: 'CreatePolicyVersion', changedPolicies: [readOnly] }))).toEqual([
      role('Playground'),
      role('ReadOnly'),
    ]);
  });

  it('puts the principals that use a changed managed policy as their boundary in scope', () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/ContractorBoundary`;
    expect(scoped(touch({ eventName: 'CreatePolicyVersion', changedPolicies: [boundary] }))).toEqual([
      role('ContractorRole'),
    ]);
  });

  it('adds the entities IAM lists for a changed policy (extra): groups by members, users and roles by name', () => {
    const t = touchOfSample('iam-change/CreatePolicyVersion.json');
    expect(t.changedPolicies).toEqual([`arn:aws:iam::${ACCOUNT}:policy/MLEngineersBedrockAccess`]);
    expect(scoped(t, { principals: [], groups: [] })).toEqual([user('alice')]); // through her group, without IAM's list
    expect(scoped(t, { principals: [], groups: ['ml-engineers'] })).toEqual([user('alice')]);
    // alice is in scope on her own: the policy reaches her through her group.
    expect(scoped(t, { principals: [{ kind: 'user', name: 'bob' }], groups: [] })).toEqual([
      user('alice'),
      user('bob'),
    ]);
    expect(scoped(t, { principals: [{ kind: 'role', name: 'BatchJobs' }], groups: ['ml-engineers'] })).toEqual([
      role('BatchJobs'),
      user('alice'),
    ]);
  });

  it('tells users and roles of the same name apart', () => {
    expect(scoped(touch({ principals: [{ kind: 'user', name: 'Playground' }] }))).toEqual([]);
    expect(scoped(touch({ principals: [{ kind: 'role', name: 'alice' }] }))).toEqual([]);
  });

  it('puts nobody in scope for a principal the account does not have (yet)', () => {
    expect(scoped(touchOfSample('iam-change/CreateRole.json'))).toEqual([]);
    expect(scoped(touch({ groups: ['no-such-group'] }))).toEqual([]);
  });

  it('inScope: anything for the account, else the ARNs in the set', () => {
    expect(inScope({ kind: 'account' }, role('Anything'))).toBe(true);
    const scope: Scope = { kind: 'principals', arns: new Set([role('Playground')]) };
    expect(inScope(scope, role('Playground'))).toBe(true);
    expect(inScope(scope, role('AppBackend'))).toBe(false);
  });
});

describe('filesInScope', () => {
  const iamOf = (f: SnapshotFiles) => f.iam as Record<string, Record<string, unknown>[]>;
  const names = (f: SnapshotFiles, key: string, field: string) =>
    (iamOf(f)[key] ?? []).map((e) => e[field] as string).sort();

  it('returns the files as they are for the whole account', () => {
    expect(filesInScope(files, { kind: 'account' })).toBe(files);
  });

  it('keeps only the in-scope users and roles, and every group, managed policy, SCP and catalogue file', () => {
    const scope: Scope = { kind: 'principals', arns: new Set([user('alice'), role('Playground')]) };
    const out = filesInScope(files, scope);
    expect(names(out, 'UserDetailList', 'UserName')).toEqual(['alice']);
    expect(names(out, 'RoleDetailList', 'RoleName')).toEqual(['Playground']);
    expect(iamOf(out).GroupDetailList).toStrictEqual(iamOf(files).GroupDetailList);
    expect(iamOf(out).Policies).toStrictEqual(iamOf(files).Policies);
    for (const key of Object.keys(files) as (keyof SnapshotFiles)[]) {
      if (key !== 'iam') expect(out[key], key).toBe(files[key]);
    }
    // The input is left alone.
    expect(names(files, 'RoleDetailList', 'RoleName')).toHaveLength(snapshot.principals.length - 2);
  });

  it('keeps no user or role for an empty scope, and the result still builds', () => {
    const out = filesInScope(files, { kind: 'principals', arns: new Set() });
    expect(names(out, 'UserDetailList', 'UserName')).toEqual([]);
    expect(names(out, 'RoleDetailList', 'RoleName')).toEqual([]);
    expect(buildSnapshot(out).principals).toEqual([]);
  });
});

/** What the plan decides for one principal: its findings, and the deny actions and alerts addressed to it. */
function decided(work: ReturnType<typeof planFromFiles>, arn: string) {
  const { findings, actions } = work.plan;
  return {
    findings: findings.filter((f) => f.principal === arn),
    actions: actions.filter((a: PlanAction) => a.principal === arn),
  };
}

describe('planning the scoped files decides for each principal what planning the account does', () => {
  const plan = (f: SnapshotFiles) => planFromFiles(f, policy, { now: NOW });

  it('has something to decide in the demo (the property is not vacuous)', () => {
    const whole = plan(files);
    expect(whole.plan.findings.length).toBeGreaterThan(0);
    expect(whole.plan.actions.some((a) => a.type === 'put-deny')).toBe(true);
  });

  it('for every principal of the demo, each in a scope of its own', () => {
    const whole = plan(files);
    expect(snapshot.principals.length).toBeGreaterThan(5);
    let withFindings = 0;
    for (const p of snapshot.principals) {
      const scope = scopeOf(touch({ principals: [{ kind: p.kind, name: p.name }] }), snapshot, NO_EXTRA);
      expect(arnsOf(scope), p.arn).toEqual([p.arn]);
      const part = plan(filesInScope(files, scope));
      expect(part.plan.selfCheck.passed, p.arn).toBe(true);
      expect(decided(part, p.arn), p.arn).toStrictEqual(decided(whole, p.arn));
      expect(part.plan.findings.every((f) => f.principal === p.arn)).toBe(true);
      if (decided(whole, p.arn).findings.length > 0) withFindings++;
    }
    expect(withFindings).toBeGreaterThanOrEqual(3);
  });

  it('for every principal once the guard denies are in place (contained findings, kept denies)', () => {
    const first = plan(files);
    const guarded = applyToFiles(files, first.changes);
    const whole = plan(guarded);
    expect(whole.plan.findings.some((f) => f.status === 'contained')).toBe(true);
    for (const p of buildSnapshot(guarded).principals) {
      const scope = scopeOf(touch({ principals: [{ kind: p.kind, name: p.name }] }), snapshot, NO_EXTRA);
      expect(decided(plan(filesInScope(guarded, scope)), p.arn), p.arn).toStrictEqual(decided(whole, p.arn));
    }
  });

  it('for a group event: the members of the group', () => {
    const whole = plan(files);
    const scope = scopeOf(touchOfSample('iam-change/AttachGroupPolicy.json'), snapshot, NO_EXTRA);
    const part = plan(filesInScope(files, scope));
    expect(decided(part, user('alice'))).toStrictEqual(decided(whole, user('alice')));
  });

  it('for a changed managed policy: every principal it is attached to', () => {
    const whole = plan(files);
    const t = touch({
      eventName: 'CreatePolicyVersion',
      changedPolicies: ['arn:aws:iam::aws:policy/AmazonBedrockReadOnly'],
    });
    const part = plan(filesInScope(files, scopeOf(t, snapshot, NO_EXTRA)));
    for (const arn of [role('Playground'), role('ReadOnly')]) {
      expect(decided(part, arn), arn).toStrictEqual(decided(whole, arn));
    }
  });
});
