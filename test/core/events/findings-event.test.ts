import { describe, expect, it } from 'vitest';
import {
  type FindingsInput,
  type PublishedAction,
  type PublishedFinding,
  findingsEvents,
} from '../../../shared/core/events/findings-event.js';
import type { StatementRef } from '../../../shared/core/iam/types.js';
import type { Finding } from '../../../shared/core/reconcile/types.js';

const ACCOUNT = '111122223333';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const APP = role('AppBackend');
const PLAY = role('Playground');
const LIMIT = 200_000;

const evidence: StatementRef[] = [
  {
    policy: {
      layer: 'identity',
      kind: 'managed',
      name: 'AmazonBedrockFullAccess',
      id: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
    },
    index: 0,
    sid: 'BedrockAll',
    effect: 'Allow',
  },
];

/** A plan finding: an enforced unapproved model on AppBackend; fields override. */
const finding = (fields: Partial<Finding> = {}): Finding => ({
  rule: 'unapproved-model-access',
  severity: 'high',
  mode: 'enforce',
  status: 'open',
  principal: APP,
  principalKind: 'role',
  model: 'anthropic.claude-3-opus-20240229-v1:0',
  region: 'us-east-1',
  route: 'invoke',
  resources: ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0'],
  message: 'AppBackend can invoke anthropic.claude-3-opus-20240229-v1:0, which its teams are not granted',
  evidence,
  remediation: 'Remove bedrock:* from its policies.',
  ...fields,
});

const eventFinding = (fields: Partial<PublishedFinding> = {}): PublishedFinding => ({
  rule: 'invocation-logging-disabled',
  severity: 'medium',
  mode: 'alert',
  status: 'open',
  region: 'us-east-1',
  message: 'someone turned off Bedrock model invocation logging',
  ...fields,
});

const putDeny = (result: PublishedAction['result']): PublishedAction => ({
  type: 'put-deny',
  policyName: 'bedrock-guard-deny-role-AppBackend',
  result,
});

const input = (fields: Partial<FindingsInput> = {}): FindingsInput => ({
  account: ACCOUNT,
  partition: 'aws',
  trigger: { kind: 'event', id: 'evt-1', eventName: 'AttachRolePolicy', eventSource: 'iam.amazonaws.com' },
  dryRun: false,
  findings: [],
  eventFindings: [],
  actions: new Map(),
  ...fields,
});

describe('findingsEvents', () => {
  it('publishes nothing when there is nothing to say', () => {
    expect(findingsEvents(input())).toEqual([]);
    expect(findingsEvents(input({ actions: new Map([[APP, []]]) }))).toEqual([]);
  });

  it('makes one entry per principal, with the run around it', () => {
    const events = findingsEvents(
      input({
        findings: [
          finding(),
          finding({ principal: PLAY, model: 'deepseek.r1-v1:0' }),
          finding({ region: 'us-west-2' }),
        ],
      }),
    );
    expect(events.map((e) => e.principal)).toEqual([APP, PLAY]);
    expect(events[0]).toMatchObject({
      version: 1,
      account: ACCOUNT,
      partition: 'aws',
      trigger: { kind: 'event', id: 'evt-1' },
      dryRun: false,
      actions: [],
    });
    expect(events[0]?.findings.map((f) => f.region)).toEqual(['us-east-1', 'us-west-2']);
    expect(events[1]?.findings).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('omitted');
  });

  it('publishes a plan finding with what a subscriber needs', () => {
    const [event] = findingsEvents(input({ findings: [finding()] }));
    expect(event?.findings).toStrictEqual([
      {
        rule: 'unapproved-model-access',
        severity: 'high',
        mode: 'enforce',
        status: 'open',
        model: 'anthropic.claude-3-opus-20240229-v1:0',
        principal: APP,
        region: 'us-east-1',
        route: 'invoke',
        message: finding().message,
        remediation: finding().remediation,
        evidence,
      },
    ]);
  });

  it('does not publish exempt or already contained findings', () => {
    const events = findingsEvents(
      input({
        findings: [
          finding({ status: 'exempt', principal: role('BreakGlass'), exemptReason: 'listed under exempt' }),
          finding({ status: 'contained' }),
        ],
      }),
    );
    expect(events).toEqual([]);
  });

  it('publishes an enforced finding as contained when the run applied its principal a deny', () => {
    const [event] = findingsEvents(
      input({
        findings: [finding(), finding({ mode: 'alert', rule: 'full-access-managed-policy' })],
        actions: new Map([[APP, [putDeny('applied')]]]),
      }),
    );
    expect(event?.findings.map((f) => [f.rule, f.status])).toEqual([
      ['unapproved-model-access', 'contained'],
      ['full-access-managed-policy', 'open'],
    ]);
    expect(event?.actions).toEqual([putDeny('applied')]);
  });

  it.each(['planned', 'skipped', 'failed'] as const)('keeps it open when the deny was %s', (result) => {
    const [event] = findingsEvents(
      input({ findings: [finding()], actions: new Map([[APP, [putDeny(result)]]]), dryRun: result === 'planned' }),
    );
    expect(event?.findings[0]?.status).toBe('open');
    expect(event?.actions).toEqual([putDeny(result)]);
  });

  it('keeps it open when the deny applied is for someone else, or was a removal', () => {
    const removed: PublishedAction = {
      type: 'remove-deny',
      policyName: 'bedrock-guard-deny-role-AppBackend',
      result: 'applied',
    };
    const events = findingsEvents(
      input({
        findings: [finding()],
        actions: new Map([
          [PLAY, [putDeny('applied')]],
          [APP, [removed]],
        ]),
      }),
    );
    expect(events.find((e) => e.principal === APP)?.findings[0]?.status).toBe('open');
    expect(events.find((e) => e.principal === APP)?.actions).toEqual([removed]);
  });

  it('publishes an entry for a principal the run acted on without a finding (a deny removed)', () => {
    const removed: PublishedAction = {
      type: 'remove-deny',
      policyName: 'bedrock-guard-deny-role-Playground',
      result: 'applied',
    };
    expect(findingsEvents(input({ actions: new Map([[PLAY, [removed]]]) }))).toMatchObject([
      { principal: PLAY, findings: [], actions: [removed] },
    ]);
  });

  it("adds the event's own findings to their principal's entry", () => {
    const tampered = eventFinding({ rule: 'guard-policy-tampered', severity: 'high', principal: APP });
    const [event, ...more] = findingsEvents(input({ findings: [finding()], eventFindings: [tampered] }));
    expect(more).toEqual([]);
    expect(event?.findings.map((f) => f.rule)).toEqual(['unapproved-model-access', 'guard-policy-tampered']);
  });

  it('puts event findings without a principal in an account entry, without a principal key', () => {
    const events = findingsEvents(input({ eventFindings: [eventFinding()], findings: [finding()] }));
    expect(events.map((e) => e.principal)).toEqual([APP, undefined]);
    const account = events[1];
    expect(account).not.toHaveProperty('principal');
    expect(account?.findings).toEqual([eventFinding()]);
    expect(account?.actions).toEqual([]);
  });

  it('carries dryRun and the trigger', () => {
    const trigger = { kind: 'schedule', id: 'sched-1' } as const;
    const [event] = findingsEvents(input({ dryRun: true, trigger, findings: [finding()] }));
    expect(event).toMatchObject({ dryRun: true, trigger });
  });

  describe('the size limit', () => {
    const big = (n: number, evidenceSize: number) =>
      Array.from({ length: n }, (_, i) =>
        finding({
          model: `vendor.model-${i}-v1:0`,
          evidence: Array.from({ length: evidenceSize }, (_, j) => ({ ...evidence[0], index: j }) as StatementRef),
        }),
      );

    it('drops the evidence first, and keeps every finding when that is enough', () => {
      const findings = big(200, 20);
      expect(JSON.stringify(findings).length).toBeGreaterThan(LIMIT);
      expect(
        JSON.stringify(findingsEvents(input({ findings: findings.map((f) => ({ ...f, evidence: [] })) }))).length,
      ).toBeLessThan(LIMIT);
      const [event] = findingsEvents(input({ findings }));
      expect(JSON.stringify(event).length).toBeLessThanOrEqual(LIMIT);
      expect(event?.findings).toHaveLength(200);
      expect(event?.findings.every((f) => f.evidence === undefined)).toBe(true);
      expect(event).not.toHaveProperty('omitted');
    });

    it('cuts a huge list to fit, counting what it left out', () => {
      const findings = big(5_000, 3);
      expect(JSON.stringify(findings.map((f) => ({ ...f, evidence: [] }))).length).toBeGreaterThan(LIMIT);
      const [event, ...more] = findingsEvents(input({ findings }));
      expect(more).toEqual([]);
      const size = JSON.stringify(event).length;
      expect(size).toBeLessThanOrEqual(LIMIT);
      expect(event?.omitted).toBeGreaterThan(0);
      expect((event?.findings.length ?? 0) + (event?.omitted ?? 0)).toBe(5_000);
      expect(event?.findings.every((f) => f.evidence === undefined)).toBe(true);
      // The first findings are kept, in order.
      expect(event?.findings.map((f) => f.model)).toEqual(
        findings.slice(0, event?.findings.length).map((f) => f.model),
      );
    });

    it('keeps a single finding too big on its own to what it is about and a cut message', () => {
      const [event] = findingsEvents(input({ findings: [finding({ message: 'x'.repeat(300_000) })] }));
      expect(JSON.stringify(event).length).toBeLessThanOrEqual(LIMIT);
      expect(event?.findings).toHaveLength(1);
      expect(event?.findings[0]).not.toHaveProperty('remediation');
      expect(event?.findings[0]?.message).toHaveLength(2_000);
    });

    it('leaves an entry within the limit as it is', () => {
      const [event] = findingsEvents(input({ findings: big(3, 2) }));
      expect(event?.findings.every((f) => f.evidence?.length === 2)).toBe(true);
      expect(event).not.toHaveProperty('omitted');
    });
  });
});
