import { describe, expect, it } from 'vitest';
import {
  type Heartbeats,
  type InvocationLogging,
  loggingFindings,
} from '../../../shared/core/budgets/logging-health.js';
import type { Budget, PolicyFile, RuleSetting } from '../../../shared/core/policy-file/types.js';
import { policyFile } from '../../support/policy-file.js';

const NOW = new Date('2025-11-18T12:00:00Z');
const REGIONS = ['us-east-1', 'us-west-2'];

const base = policyFile({
  regions: REGIONS,
  models: { standard: ['amazon.nova-*'] },
  teams: [{ name: 'apps', principals: [{ arns: ['arn:aws:iam::*:role/App'] }], models: ['standard'] }],
  mode: 'alert',
});

const BUDGET: Budget = {
  team: 'apps',
  models: ['standard'],
  window: { unit: 'day', count: 1 },
  max: { inputTokens: 1_000_000 },
};

const withBudgets = (policy: PolicyFile): PolicyFile => ({ ...policy, budgets: [BUDGET] });
const withRule = (policy: PolicyFile, setting: RuleSetting): PolicyFile => ({
  ...policy,
  rules: { ...policy.rules, 'invocation-logging-disabled': setting },
});

const on = (region: string): InvocationLogging => ({
  region,
  enabled: true,
  cloudWatch: { logGroupName: 'bedrock-invocations' },
  textDelivery: true,
});
const off = (region: string): InvocationLogging => ({ region, enabled: false });

const quiet: Heartbeats = { lastInvoke: {}, lastRecord: {} };

const findings = (
  logging: readonly InvocationLogging[],
  heartbeats: Heartbeats = quiet,
  policy: PolicyFile = withBudgets(base),
) => loggingFindings({ policy, logging, heartbeats, now: NOW });

describe('loggingFindings: logging off', () => {
  it('raises one account-level finding per approved Region where logging is off', () => {
    expect(findings([on('us-east-1'), off('us-west-2')])).toEqual([
      {
        rule: 'invocation-logging-disabled',
        severity: 'high',
        mode: 'alert',
        status: 'open',
        region: 'us-west-2',
        route: 'invocation-logging:us-west-2',
        message:
          "Bedrock model invocation logging is off in us-west-2: model calls there are not logged, and budgets can't count usage there",
        remediation: expect.stringContaining('PutModelInvocationLoggingConfiguration') as unknown,
      },
    ]);
    const [finding] = findings([off('us-west-2')]);
    expect(finding).not.toHaveProperty('principal');
    expect(finding?.remediation).toMatch(/CloudWatch Logs group or an S3 bucket/);
    expect(finding?.remediation).toMatch(/invocationLogGroup \/ invocationLogBucket/);
  });

  it('follows the Regions of the file, in its order, and judges only the Regions it was given', () => {
    const rules = (logging: readonly InvocationLogging[]) => findings(logging).map((f) => f.region);
    expect(rules([off('us-west-2'), off('us-east-1')])).toEqual(['us-east-1', 'us-west-2']);
    // Not approved: logging there doesn't matter to the file.
    expect(rules([off('eu-west-1')])).toEqual([]);
    // An approved Region whose configuration could not be read is not reported as off.
    expect(rules([])).toEqual([]);
  });

  it('is not "not delivering" as well when logging is off', () => {
    const heartbeats = { lastInvoke: { 'us-west-2': '2025-11-18T11:50:00.000Z' }, lastRecord: {} };
    expect(findings([off('us-west-2')], heartbeats).map((f) => f.route)).toEqual(['invocation-logging:us-west-2']);
  });
});

describe('loggingFindings: logging on', () => {
  it('says nothing when records reach the meter', () => {
    const heartbeats = {
      lastInvoke: { 'us-east-1': '2025-11-18T11:58:00.000Z', 'us-west-2': '2025-11-18T11:00:00.000Z' },
      // us-east-1: the last invoke's record is still on its way; us-west-2: a record after the last invoke.
      lastRecord: { 'us-east-1': '2025-11-18T11:55:00.000Z', 'us-west-2': '2025-11-18T11:03:00.000Z' },
    };
    expect(findings([on('us-east-1'), on('us-west-2')], heartbeats)).toEqual([]);
  });

  it('says nothing when invokes stop within the grace period after the last record', () => {
    const heartbeats = {
      lastInvoke: { 'us-east-1': '2025-11-18T10:00:00.000Z' },
      // An hour exactly before the last invoke: not more than the grace.
      lastRecord: { 'us-east-1': '2025-11-18T09:00:00.000Z' },
    };
    expect(findings([on('us-east-1')], heartbeats)).toEqual([]);
  });

  it('raises "not delivering" when invokes went on for more than an hour after the last record', () => {
    const heartbeats = {
      lastInvoke: { 'us-east-1': '2025-11-18T11:55:00.000Z' },
      lastRecord: { 'us-east-1': '2025-11-18T09:10:00.000Z' },
    };
    expect(findings([on('us-east-1'), on('us-west-2')], heartbeats)).toEqual([
      {
        rule: 'invocation-logging-disabled',
        severity: 'high',
        mode: 'alert',
        status: 'open',
        region: 'us-east-1',
        route: 'invocation-logging:us-east-1:delivery',
        message:
          'Bedrock model invocation logging is on in us-east-1 (to CloudWatch Logs group bedrock-invocations) but not delivering: ' +
          'no invocation log record has reached the meter since 2025-11-18T09:10:00.000Z (2 h ago) ' +
          'although invokes were seen at 2025-11-18T11:55:00.000Z',
        remediation: expect.stringMatching(/logging role.*subscription filter/s) as unknown,
      },
    ]);
  });

  it('raises it when invokes were seen and no record ever reached the meter, naming every destination', () => {
    const logging: InvocationLogging = {
      region: 'us-west-2',
      enabled: true,
      cloudWatch: { logGroupName: 'bedrock-invocations' },
      s3: { bucketName: 'logs-111122223333', keyPrefix: 'bedrock' },
    };
    const heartbeats = { lastInvoke: { 'us-west-2': '2025-11-18T11:40:00.000Z' }, lastRecord: {} };
    const [finding, ...rest] = findings([logging], heartbeats);
    expect(rest).toEqual([]);
    expect(finding?.message).toBe(
      'Bedrock model invocation logging is on in us-west-2 ' +
        '(to CloudWatch Logs group bedrock-invocations and S3 bucket logs-111122223333/bedrock) but not delivering: ' +
        'no invocation log record has ever reached the meter although invokes were seen at 2025-11-18T11:40:00.000Z',
    );
  });

  it('says the age in minutes under two hours', () => {
    const heartbeats = {
      lastInvoke: { 'us-east-1': '2025-11-18T11:59:00.000Z' },
      lastRecord: { 'us-east-1': '2025-11-18T10:45:00.000Z' },
    };
    expect(findings([on('us-east-1')], heartbeats)[0]?.message).toContain(
      'since 2025-11-18T10:45:00.000Z (75 min ago)',
    );
  });

  it('says nothing without invokes, whatever the records', () => {
    expect(findings([on('us-east-1'), on('us-west-2')])).toEqual([]);
    const heartbeats = { lastInvoke: {}, lastRecord: { 'us-east-1': '2025-11-01T00:00:00.000Z' } };
    expect(findings([on('us-east-1')], heartbeats)).toEqual([]);
  });
});

describe('loggingFindings: the rule setting', () => {
  const broken = {
    lastInvoke: { 'us-east-1': '2025-11-18T11:55:00.000Z' },
    lastRecord: { 'us-east-1': '2025-11-18T08:00:00.000Z' },
  };
  const both = [on('us-east-1'), off('us-west-2')];

  it('raises nothing when the rule is off', () => {
    expect(findings(both, broken, withRule(withBudgets(base), { mode: 'off' }))).toEqual([]);
  });

  it('is high with budgets (they go blind) and medium without', () => {
    expect(findings(both, broken, withBudgets(base)).map((f) => f.severity)).toEqual(['high', 'high']);
    expect(findings(both, broken, base).map((f) => f.severity)).toEqual(['medium', 'medium']);
  });

  it("takes the file's severity over either default, and only alerts under enforce", () => {
    const policy = withRule(withBudgets(base), { mode: 'enforce', severity: 'low' });
    expect(findings(both, broken, policy).map((f) => [f.severity, f.mode])).toEqual([
      ['low', 'alert'],
      ['low', 'alert'],
    ]);
    expect(findings(both, broken, withRule(base, { mode: 'alert', severity: 'critical' }))[0]?.severity).toBe(
      'critical',
    );
  });
});
