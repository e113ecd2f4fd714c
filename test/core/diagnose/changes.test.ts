import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bedrockRoutes, type Route } from '../../../shared/core/bedrock/routes.js';
import { deniedRoute, type DeniedRequest } from '../../../shared/core/diagnose/denied-route.js';
import { diagnoseDenial } from '../../../shared/core/diagnose/diagnose-denial.js';
import type { Diagnosis, PolicyChange } from '../../../shared/core/diagnose/diagnosis.js';
import {
  blockersOf,
  changesFor,
  isGuardStatement,
  type JudgedCheck,
  withChanges,
} from '../../../shared/core/diagnose/policy-change.js';
import { Explainer } from '../../../shared/core/explain/explainer.js';
import { evaluate, type PolicySet } from '../../../shared/core/iam/evaluate.js';
import { applyToFiles } from '../../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../../shared/core/plan/plan.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import type { Principal, Snapshot } from '../../../shared/core/snapshot/types.js';
import { readPolicyFile } from '../../../shared/policy-file/read.js';
import { readSnapshotFiles } from '../../../shared/snapshot/read-folder.js';
import { accountFiles, REGIONS } from '../../support/account-builder.js';
import { DEMO, fm, INVOKE, request, SEED_001, SEED_001_EXEMPT, TIME } from './helpers.js';

/**
 * What the proposed changes promise, swept over every principal and every
 * route of the demo and seed-001 accounts: `verified` tells the truth (the
 * changes made, every deciding check of the route is allowed), each change
 * is needed, and none grants more than the route checks.
 */
type Json = Record<string, unknown>;

const list = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as string[]) : [value as string];
const INVOKE_ACTIONS = new Set(INVOKE.map((a) => a.toLowerCase()));
const at = new Date(TIME);

/** The requests each check of the route makes, as the diagnosis replays them. */
function judgedOf(snapshot: Snapshot, principal: Principal, route: Route): JudgedCheck[] {
  const explainer = new Explainer(snapshot, at);
  return route.checks.map((check) => ({
    check,
    request: explainer.explain({
      principal: principal.arn,
      action: check.action,
      resource: check.resource,
      context: check.context,
    }).request,
  }));
}

const allows = (set: PolicySet, judged: readonly JudgedCheck[]) =>
  judged.filter((j) => !j.check.advisory).every((j) => evaluate(set, j.request).decision === 'Allowed');

/** Least privilege: an added Allow names exact resources and only the actions the route checks. */
function expectLeastPrivilege(changes: readonly PolicyChange[], route: Route): void {
  const checked = new Set(route.checks.map((c) => `${c.action}|${c.resource}`.toLowerCase()));
  for (const change of changes.filter((c) => c.kind === 'add-statement')) {
    const { statement } = change;
    expect(statement.Effect).toBe('Allow');
    expect(statement.NotAction).toBeUndefined();
    expect(statement.NotResource).toBeUndefined();
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    for (const action of actions) {
      expect(action).not.toMatch(/\*/);
      for (const resource of resources) {
        if (INVOKE_ACTIONS.has(action.toLowerCase())) expect(resource).not.toMatch(/\*/);
        // Every action × resource pair the statement grants is one the route checks.
        expect(checked.has(`${action}|${resource}`.toLowerCase()), `${action} on ${resource}`).toBe(true);
      }
    }
  }
}

/** An SCP rewrite only adds the inference-profile exemption: the same Deny, every condition kept. */
function expectExemptionOnly(change: PolicyChange, set: PolicySet): void {
  const original = set.scps.flatMap((l) => l.policies).find((p) => p.source.id === change.policyId)?.statements[
    change.index as number
  ]?.raw as Json;
  const { Condition: before = {}, ...rest } = original;
  const { Condition: after, ...restAfter } = change.statement as Json;
  expect(restAfter).toStrictEqual(rest);
  const { ArnNotLike: beforeArn = {}, ...otherBefore } = before as Record<string, Json>;
  const { ArnNotLike: afterArn, ...otherAfter } = after as Record<string, Json>;
  expect(otherAfter).toStrictEqual(otherBefore);
  const { 'bedrock:InferenceProfileArn': added, ...keptArn } = afterArn as Json;
  const { 'bedrock:InferenceProfileArn': had, ...hadArn } = beforeArn;
  expect(keptArn).toStrictEqual(hadArn);
  expect(list(added)).toEqual(expect.arrayContaining(list(had)));
  for (const arn of list(added)) expect(arn).toMatch(/^arn:aws:bedrock:\*:\*:(application-)?inference-profile\/.+/);
}

/** The denied requests a principal could make for each model and Region: direct, streaming, batch, each profile. */
function requestsOf(snapshot: Snapshot, principal: Principal): DeniedRequest[] {
  const out: DeniedRequest[] = [];
  for (const region of snapshot.account.regions) {
    const models = new Set(snapshot.foundationModels.filter((m) => m.region === region).map((m) => m.modelId));
    for (const model of models) {
      for (const eventName of ['InvokeModel', 'ConverseStream', 'CreateModelInvocationJob']) {
        out.push(request(principal.arn, model, { region, eventName }));
      }
    }
    for (const profile of snapshot.inferenceProfiles.filter((p) => p.region === region)) {
      for (const eventName of ['Converse', 'InvokeModelWithResponseStream']) {
        out.push(
          request(principal.arn, profile.type === 'APPLICATION' ? profile.arn : profile.id, { region, eventName }),
        );
      }
    }
  }
  return out;
}

interface Swept {
  readonly name: string;
  readonly diagnosed: number;
  readonly verified: number;
  readonly causes: Set<string>;
}

function sweep(name: string, snapshot: Snapshot): Swept {
  const causes = new Set<string>();
  let diagnosed = 0;
  let verified = 0;
  for (const principal of snapshot.principals.filter((p) => !p.serviceLinked)) {
    const set = principal.policies;
    for (const req of requestsOf(snapshot, principal)) {
      const d: Diagnosis = diagnoseDenial(snapshot, req);
      const { route } = deniedRoute(snapshot, req, principal.kind, {});
      if (!route || d.failing === undefined) continue;
      diagnosed++;
      causes.add(d.cause);
      const judged = judgedOf(snapshot, principal, route);
      const where = `${principal.name} ${req.eventName} ${req.model} in ${req.region}: ${d.cause}`;
      expect(d.route, where).toBe(route.id);
      if (d.cause === 'missing-get-inference-profile') {
        const get = judged.find((j) => j.check.advisory) as JudgedCheck;
        expect(evaluate(withChanges(set, d.changes), get.request).decision, where).toBe('Allowed');
        expect(d.verified, where).toBe(true);
        continue;
      }
      expect(allows(set, judged), where).toBe(false);
      if (d.byDesign) {
        expect(d.changes, where).toStrictEqual([]);
        continue;
      }
      // verified tells the truth (and is absent when there is nothing to change).
      expect(d.verified, where).toBe(d.changes.length > 0 ? allows(withChanges(set, d.changes), judged) : undefined);
      expectLeastPrivilege(d.changes, route);
      for (const change of d.changes.filter((c) => c.kind === 'replace-statement')) {
        expect(change.layer, where).toBe('scp');
        expectExemptionOnly(change, set);
      }
      // The guard's own denies and a customer's deliberate ones are never edited.
      expect(
        d.changes.filter((c) => c.kind === 'replace-statement' && c.layer !== 'scp'),
        where,
      ).toStrictEqual([]);
      if (d.verified) {
        verified++;
        // Each change is needed: without any one of them, some check is still denied.
        for (const change of d.changes) {
          const others = d.changes.filter((c) => c !== change);
          expect(allows(withChanges(set, others), judged), `${where}: ${change.target} is not needed`).toBe(false);
        }
      }
    }
  }
  return { name, diagnosed, verified, causes };
}

let demo: Snapshot;
let guardedDemo: Snapshot;
let seed001: Snapshot;
let exempt: Snapshot;

beforeAll(async () => {
  const files = await readSnapshotFiles(`${DEMO}/snapshot`);
  const { policy } = await readPolicyFile(`${DEMO}/bedrock-guard.yaml`);
  demo = buildSnapshot(files);
  guardedDemo = buildSnapshot(applyToFiles(files, planFromFiles(files, policy, { now: at }).changes));
  seed001 = buildSnapshot(await readSnapshotFiles(`${SEED_001}/snapshot`));
  exempt = buildSnapshot(await readSnapshotFiles(`${SEED_001_EXEMPT}/snapshot`));
});

describe('the changes of every denied route', () => {
  it('the demo account', () => {
    const swept = sweep('demo', demo);
    expect(swept.diagnosed).toBeGreaterThan(500);
    expect(swept.verified).toBeGreaterThan(100);
    expect([...swept.causes]).toEqual(
      expect.arrayContaining([
        'no-identity-allow',
        'missing-destination-region',
        'missing-inference-profile',
        'scp-deny',
        'scp-region-without-profile-exemption',
        'explicit-deny',
      ]),
    );
  });

  it('the demo account with the guard denies in place', () => {
    const swept = sweep('guarded demo', guardedDemo);
    expect(swept.causes).toContain('guard-deny');
  });

  it('seed 001, without and with the SCP exemption', () => {
    const without = sweep('seed 001', seed001);
    const withExemption = sweep('seed 001 exempt', exempt);
    expect(without.causes).toContain('scp-region-without-profile-exemption');
    expect(withExemption.causes).not.toContain('scp-region-without-profile-exemption');
    expect(withExemption.causes).toContain('missing-destination-region');
  });
});

describe('changesFor on every route, API keys and bedrock-mantle included', () => {
  it.each([
    ['demo', () => demo],
    ['seed 001', () => seed001],
  ])('%s: the edits allow what they claim, and grant nothing the route does not check', (_, snapshot) => {
    const s = snapshot();
    for (const principal of s.principals.filter((p) => !p.serviceLinked)) {
      const set = principal.policies;
      for (const region of s.account.regions) {
        const models = new Set(s.foundationModels.filter((m) => m.region === region).map((m) => m.modelId));
        for (const modelId of models) {
          for (const route of bedrockRoutes(s, { modelId, region, principalKind: principal.kind })) {
            const judged = judgedOf(s, principal, route).filter((j) => !j.check.advisory);
            const failing = judged.filter((j) => evaluate(set, j.request).decision !== 'Allowed');
            if (failing.length === 0) continue;
            const blockers = failing.flatMap((j) => blockersOf(set, j));
            expect(blockers.length).toBeGreaterThan(0);
            const changes = changesFor(set, blockers, { principal, partition: 'aws' });
            expectLeastPrivilege(changes, route);
            // Sids are unique within each policy the changes add to.
            const sids = changes
              .filter((c) => c.kind === 'add-statement')
              .map((c) => `${c.target}|${String(c.statement.Sid)}`);
            expect(new Set(sids).size).toBe(sids.length);
            const fixable = blockers.every(
              (b) => b.kind === 'no-allow' || changes.some((c) => c.kind === 'replace-statement'),
            );
            const denies = blockers.filter((b) => b.kind === 'deny');
            if (denies.length === 0) expect(allows(withChanges(set, changes), judged), route.id).toBe(true);
            if (!fixable || denies.some((b) => b.statements.some(isGuardStatement))) {
              expect(allows(withChanges(set, changes), judged), route.id).toBe(false);
            }
          }
        }
      }
    }
  });
});

describe('generated accounts: one role, a Region SCP or none, a boundary or none', () => {
  const MODEL = 'amazon.nova-micro-v1:0';
  const PROFILE = (region: string) => `arn:aws:bedrock:${region}:111122223333:inference-profile/us.${MODEL}`;
  const BOUNDARY = 'arn:aws:iam::111122223333:policy/Boundary';
  /** Every resource a call of the model through any route may be checked on. */
  const RESOURCES = [...REGIONS.map((r) => fm(r, MODEL)), ...REGIONS.map(PROFILE)];
  const scpOf = (kind: 'none' | 'region' | 'region-exempt' | 'deny-east-2') => {
    const region = { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } };
    switch (kind) {
      case 'none':
        return undefined;
      case 'region':
        return [{ Sid: 'Region', Effect: 'Deny', NotAction: ['iam:*'], Resource: '*', Condition: region }];
      case 'region-exempt':
        return [
          {
            Sid: 'Region',
            Effect: 'Deny',
            Action: 'bedrock:*',
            Resource: '*',
            Condition: {
              ...region,
              ArnNotLike: { 'bedrock:InferenceProfileArn': 'arn:aws:bedrock:*:*:inference-profile/*' },
            },
          },
        ];
      case 'deny-east-2':
        return [{ Sid: 'NoEast2', Effect: 'Deny', Action: 'bedrock:*', Resource: fm('us-east-2', MODEL) }];
    }
  };
  const statementArb = fc.record({
    actions: fc.subarray(INVOKE, { minLength: 1 }),
    resources: fc.subarray(RESOURCES, { minLength: 1 }),
    throughProfile: fc.boolean(),
  });
  const scenarioArb = fc.record({
    identity: fc.array(statementArb, { maxLength: 3 }),
    boundary: fc.option(fc.subarray(RESOURCES), { nil: undefined }),
    scp: fc.constantFrom('none', 'region', 'region-exempt', 'deny-east-2') as fc.Arbitrary<
      'none' | 'region' | 'region-exempt' | 'deny-east-2'
    >,
    source: fc.constantFrom(...REGIONS),
    inferenceRegion: fc.constantFrom(...REGIONS),
    viaProfile: fc.boolean(),
    stream: fc.boolean(),
  });

  it('verified tells the truth, and a verified fix is least privilege and minimal', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const statements = sc.identity.map((s) => ({
          Effect: 'Allow',
          Action: s.actions,
          Resource: s.resources,
          ...(s.throughProfile
            ? {
                Condition: { StringLike: { 'bedrock:InferenceProfileArn': 'arn:aws:bedrock:*:*:inference-profile/*' } },
              }
            : {}),
        }));
        const scp = scpOf(sc.scp);
        const files = accountFiles({
          principals: [{ name: 'App', statements, ...(sc.boundary ? { boundary: BOUNDARY } : {}) }],
          models: [MODEL],
          profiles: [MODEL],
          ...(scp ? { scps: [{ Version: '2012-10-17', Statement: scp }] } : {}),
          ...(sc.boundary
            ? {
                policies: {
                  [BOUNDARY]: {
                    Version: '2012-10-17',
                    Statement:
                      sc.boundary.length > 0 ? [{ Effect: 'Allow', Action: INVOKE, Resource: sc.boundary }] : [],
                  },
                },
              }
            : {}),
        });
        const snapshot = buildSnapshot(files);
        const principal = snapshot.principals[0] as Principal;
        const req = request(principal.arn, sc.viaProfile ? `us.${MODEL}` : MODEL, {
          region: sc.source,
          eventName: sc.stream ? 'ConverseStream' : 'Converse',
          ...(sc.viaProfile ? { inferenceRegion: sc.inferenceRegion } : {}),
        });
        const d = diagnoseDenial(snapshot, req);
        const { route } = deniedRoute(snapshot, req, 'role', {});
        if (!route) return;
        const judged = judgedOf(snapshot, principal, route);
        const set = principal.policies;
        if (allows(set, judged)) {
          expect(['not-reproduced', 'missing-get-inference-profile']).toContain(d.cause);
          return;
        }
        expect(d.verified).toBe(d.changes.length > 0 ? allows(withChanges(set, d.changes), judged) : undefined);
        expectLeastPrivilege(d.changes, route);
        // Only a Deny nobody should edit away (on this check or another of the route) stands in a fix's way.
        if (d.verified !== true) expect(d.evidence.some((e) => e.effect === 'Deny')).toBe(true);
        if (d.verified) {
          for (const change of d.changes) {
            expect(
              allows(
                withChanges(
                  set,
                  d.changes.filter((c) => c !== change),
                ),
                judged,
              ),
            ).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
