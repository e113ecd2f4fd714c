import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/core/notify/alert.js';
import {
  MAX_ATTRIBUTES,
  MAX_BODY_BYTES,
  MAX_EVIDENCE,
  shortPrincipal,
  snsMessage,
} from '../../shared/core/notify/sns-message.js';
import type { StatementRef } from '../../shared/core/iam/types.js';

const ROLE = 'arn:aws:iam::123456789012:role/service/AppBackend';
const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';

const FULL_ACCESS: StatementRef = {
  policy: {
    layer: 'identity',
    name: 'AmazonBedrockFullAccess',
    id: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
    kind: 'managed',
  },
  index: 0,
  sid: 'BedrockAll',
  effect: 'Allow',
};

/** An unapproved invoke by AppBackend, contained by a deny. */
function alert(overrides: Partial<Alert> = {}, finding: Partial<Alert['finding']> = {}): Alert {
  return {
    account: '123456789012',
    partition: 'aws',
    trigger: {
      kind: 'event',
      id: 'e5b1c2d3-0000-4000-8000-000000000001',
      eventName: 'InvokeModel',
      eventSource: 'bedrock.amazonaws.com',
      actor: 'arn:aws:sts::123456789012:assumed-role/AppBackend/i-0abc',
      region: 'us-east-1',
    },
    principal: ROLE,
    owner: 'alice@example.com',
    teams: ['data-science', 'platform'],
    dryRun: false,
    finding: {
      rule: 'unapproved-model-invoked',
      severity: 'high',
      mode: 'enforce',
      status: 'contained',
      principal: ROLE,
      model: OPUS,
      region: 'us-east-1',
      route: 'invoke',
      message: `role AppBackend invoked ${OPUS}, which no team of the policy file approves for it.`,
      remediation: 'Add the model to a model set of a team that AppBackend belongs to, or stop calling it.',
      evidence: [FULL_ACCESS],
      ...finding,
    },
    actions: [
      {
        type: 'put-deny',
        policyName: 'bedrock-guard-deny-role-AppBackend',
        result: 'applied',
        ledgerId: '01HZX3Q4J5K6M7N8P9R0S1T2V3',
      },
    ],
    repeats: 0,
    ...overrides,
  };
}

const attributeValues = (a: Alert) =>
  Object.fromEntries(Object.entries(snsMessage(a).attributes).map(([k, v]) => [k, v.StringValue]));

describe('snsMessage subject', () => {
  it('says severity, rule, the short principal and the model', () => {
    expect(snsMessage(alert()).subject).toBe(`bedrock-guard HIGH unapproved-model-invoked: role/AppBackend (${OPUS})`);
  });

  it('drops the model when it does not fit, then cuts the principal with ...', () => {
    const longModel = `arn:aws:bedrock:us-east-1:123456789012:custom-model/${'m'.repeat(120)}`;
    expect(snsMessage(alert({}, { model: longModel })).subject).toBe(
      'bedrock-guard HIGH unapproved-model-invoked: role/AppBackend',
    );
    const long = `arn:aws:iam::123456789012:role/${'R'.repeat(300)}`;
    const subject = snsMessage(alert({ principal: long })).subject;
    expect(subject).toHaveLength(100);
    expect(subject).toMatch(/^bedrock-guard HIGH unapproved-model-invoked: role\/R+\.\.\.$/);
  });

  it('names the account when there is no principal', () => {
    const a = alert({ principal: undefined }, { principal: undefined, model: undefined, rule: 'scp-tampering' });
    expect(snsMessage(a).subject).toBe('bedrock-guard HIGH scp-tampering: account 123456789012');
  });

  it('replaces non-ASCII and joins lines', () => {
    const a = alert({ principal: 'arn:aws:iam::123456789012:user/Zoë' }, { model: 'mödel\nnext', rule: 'r\tule' });
    expect(snsMessage(a).subject).toBe('bedrock-guard HIGH r ule: user/Zo? (m?del next)');
  });

  it('is within SNS rules for any principal, rule and model', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'binary', maxLength: 400 }), { nil: undefined }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: undefined }),
        fc.constantFrom('critical', 'high', 'medium', 'low', 'info' as const),
        (principal, rule, model, severity) => {
          const a = alert({ principal }, { principal, rule, model, severity });
          const { subject } = snsMessage(a);
          expect(subject.length).toBeGreaterThan(0);
          expect(subject.length).toBeLessThanOrEqual(100);
          expect(subject).toMatch(/^[A-Za-z0-9!-/:-@[-`{-~][\x20-\x7e]*$/);
          expect(subject).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('snsMessage attributes', () => {
  it('has what subscribers filter on', () => {
    const { attributes } = snsMessage(alert());
    expect(Object.values(attributes).every((a) => a.DataType === 'String')).toBe(true);
    expect(attributeValues(alert())).toEqual({
      severity: 'high',
      rule: 'unapproved-model-invoked',
      account: '123456789012',
      status: 'contained',
      mode: 'enforce',
      dryRun: 'false',
      principal: ROLE,
      owner: 'alice@example.com',
      model: OPUS,
      teams: 'data-science,platform',
    });
    expect(Object.keys(attributes).length).toBeLessThanOrEqual(MAX_ATTRIBUTES);
  });

  it('leaves out what is unknown or empty', () => {
    const a = alert(
      { principal: undefined, owner: '  ', teams: [], dryRun: true },
      { principal: undefined, model: undefined },
    );
    expect(attributeValues(a)).toEqual({
      severity: 'high',
      rule: 'unapproved-model-invoked',
      account: '123456789012',
      status: 'contained',
      mode: 'enforce',
      dryRun: 'true',
    });
  });

  it('takes the finding principal when the alert has none, on one line, within length', () => {
    const a = alert({ principal: undefined, owner: 'line\none', teams: ['t'.repeat(2_000)] });
    const values = attributeValues(a);
    expect(values.principal).toBe(ROLE);
    expect(values.owner).toBe('line one');
    expect(values.teams?.length).toBeLessThanOrEqual(1_024);
  });

  it('are never empty and at most ten, for any input', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.array(fc.string(), { maxLength: 4 }),
        (principal, owner, teams) => {
          const { attributes } = snsMessage(alert({ principal, owner, teams }, { principal }));
          expect(Object.keys(attributes).length).toBeLessThanOrEqual(10);
          for (const a of Object.values(attributes)) expect(a.StringValue.trim()).not.toBe('');
        },
      ),
    );
  });
});

describe('snsMessage body', () => {
  it('reads as one fact per line', () => {
    expect(snsMessage(alert({ repeats: 3 })).message).toMatchInlineSnapshot(`
      "role AppBackend invoked anthropic.claude-3-opus-20240229-v1:0, which no team of the policy file approves for it.

      Severity: high
      Rule: unapproved-model-invoked
      Status: contained (enforce mode)
      Dry run: no
      Principal: arn:aws:iam::123456789012:role/service/AppBackend
      Owner: alice@example.com
      Teams: data-science, platform
      Account: 123456789012 (aws)
      Model: anthropic.claude-3-opus-20240229-v1:0
      Route: invoke
      Region: us-east-1

      Evidence:
        - AmazonBedrockFullAccess (identity, managed) statement #0 BedrockAll: Allow

      Fix: Add the model to a model set of a team that AppBackend belongs to, or stop calling it.

      What the guard did (\`bedrock-guard ledger\` lists each entry):
        - put-deny bedrock-guard-deny-role-AppBackend: applied (ledger entry 01HZX3Q4J5K6M7N8P9R0S1T2V3)

      3 more like this since the last message.

      Trigger: event InvokeModel from bedrock.amazonaws.com by arn:aws:sts::123456789012:assumed-role/AppBackend/i-0abc in us-east-1 (id e5b1c2d3-0000-4000-8000-000000000001)"
    `);
  });

  it('explains a denied invoke: the AWS error, the diagnosis and the policy change', () => {
    const scp: StatementRef = {
      policy: { layer: 'scp', name: 'RegionGuard', id: 'p-1234abcd', kind: 'scp', target: 'ou-ab12-cdef3456' },
      index: 2,
      sid: 'DenyOutsideEU',
      effect: 'Deny',
    };
    const a = alert(
      { actions: [], dryRun: true, owner: undefined, teams: [] },
      {
        rule: 'invoke-denied',
        severity: 'medium',
        mode: 'alert',
        status: 'open',
        model: 'eu.anthropic.claude-3-haiku-20240307-v1:0',
        region: 'eu-central-1',
        route: 'cross-region-profile:eu.anthropic.claude-3-haiku-20240307-v1:0',
        inferenceRegion: 'eu-west-3',
        message: 'role AppBackend was denied InvokeModel on eu.anthropic.claude-3-haiku-20240307-v1:0.',
        detail:
          'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/AppBackend/i-0abc is not authorized to perform: bedrock:InvokeModel\r\nwith an explicit deny in a service control policy',
        remediation: undefined,
        evidence: undefined,
        diagnosis: {
          cause: 'scp-region-without-profile-exemption',
          layer: 'scp',
          summary: 'SCP RegionGuard denies eu-west-3, where the EU profile routed the request.',
          fix: 'Exempt inference profiles from the Region condition of RegionGuard.',
          failing: {
            action: 'bedrock:InvokeModel',
            resource: 'arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
            purpose: 'destination Region of the profile',
          },
          verified: true,
          changes: [
            {
              layer: 'scp',
              target: 'SCP RegionGuard (p-1234abcd)',
              policyId: 'p-1234abcd',
              scpTarget: 'ou-ab12-cdef3456',
              index: 2,
              kind: 'replace-statement',
              statement: {
                Sid: 'DenyOutsideEU',
                Effect: 'Deny',
                NotAction: ['iam:*'],
                Resource: '*',
                Condition: {
                  StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1'] },
                  ArnNotLike: { 'bedrock:InferenceProfileArn': 'arn:aws:bedrock:*:*:inference-profile/eu.*' },
                },
              },
            },
            {
              layer: 'identity',
              target: 'the identity policies of role AppBackend',
              kind: 'add-statement',
              statement: {
                Effect: 'Allow',
                Action: 'bedrock:InvokeModel',
                Resource: 'arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
              },
            },
          ],
          evidence: [scp],
        },
      },
    );
    expect(snsMessage(a).message).toMatchInlineSnapshot(`
      "role AppBackend was denied InvokeModel on eu.anthropic.claude-3-haiku-20240307-v1:0.

      Severity: medium
      Rule: invoke-denied
      Status: open (alert mode)
      Dry run: yes, nothing was written
      Principal: arn:aws:iam::123456789012:role/service/AppBackend
      Account: 123456789012 (aws)
      Model: eu.anthropic.claude-3-haiku-20240307-v1:0
      Route: cross-region-profile:eu.anthropic.claude-3-haiku-20240307-v1:0
      Region: eu-central-1
      Inference Region: eu-west-3
      AWS error: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/AppBackend/i-0abc is not authorized to perform: bedrock:InvokeModel
        with an explicit deny in a service control policy

      Evidence:
        - RegionGuard (scp, scp) p-1234abcd at ou-ab12-cdef3456 statement #2 DenyOutsideEU: Deny

      Why it was denied (scp-region-without-profile-exemption, scp):
        Summary: SCP RegionGuard denies eu-west-3, where the EU profile routed the request.
        Failing check: bedrock:InvokeModel on arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-haiku-20240307-v1:0 (destination Region of the profile)
        Fix: Exempt inference profiles from the Region condition of RegionGuard.
        Replayed with the changes below, the request is allowed.
        Change 1 of 2: replace statement #2 in SCP RegionGuard (p-1234abcd) (attached to ou-ab12-cdef3456)
          {
            "Sid": "DenyOutsideEU",
            "Effect": "Deny",
            "NotAction": [
              "iam:*"
            ],
            "Resource": "*",
            "Condition": {
              "StringNotEquals": {
                "aws:RequestedRegion": [
                  "eu-central-1"
                ]
              },
              "ArnNotLike": {
                "bedrock:InferenceProfileArn": "arn:aws:bedrock:*:*:inference-profile/eu.*"
              }
            }
          }
        Change 2 of 2: add this statement to the identity policies of role AppBackend
          {
            "Effect": "Allow",
            "Action": "bedrock:InvokeModel",
            "Resource": "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
          }

      Trigger: event InvokeModel from bedrock.amazonaws.com by arn:aws:sts::123456789012:assumed-role/AppBackend/i-0abc in us-east-1 (id e5b1c2d3-0000-4000-8000-000000000001)"
    `);
  });

  it('names a by-design deny with its rule and file:line, and a scheduled trigger', () => {
    const a = alert(
      { trigger: { kind: 'schedule', id: 'reconcile-2024-05-01T10:00Z' } },
      {
        diagnosis: {
          cause: 'guard-deny',
          layer: 'guard',
          summary: 'The guard-owned deny of role AppBackend blocked it.',
          fix: 'Approve the model for a team of AppBackend in the policy file.',
          byDesign: { rule: 'unapproved-model-access', file: 'bedrock-guard.yaml', line: 42 },
          changes: [],
          evidence: [FULL_ACCESS],
        },
      },
    );
    const body = snsMessage(a).message;
    expect(body).toContain('  By design: rule unapproved-model-access (bedrock-guard.yaml:42)');
    expect(body).toContain('Trigger: scheduled reconcile (id reconcile-2024-05-01T10:00Z)');
    // The finding's and the diagnosis' evidence, once.
    expect(body.match(/AmazonBedrockFullAccess/g)).toHaveLength(1);
  });

  it('lists inline policies with their owner, and in a dry run what the guard would do', () => {
    const inline: StatementRef = {
      policy: { layer: 'identity', name: 'bedrock-all', id: ROLE, kind: 'inline' },
      index: 1,
      sid: undefined,
      effect: 'Allow',
    };
    const a = alert(
      {
        dryRun: true,
        actions: [
          {
            type: 'remove-deny',
            policyName: 'bedrock-guard-deny-role-Old',
            result: 'planned',
            detail: 'no finding left',
          },
        ],
      },
      { evidence: [inline] },
    );
    const body = snsMessage(a).message;
    expect(body).toContain('  - bedrock-all (identity, inline) of role/AppBackend statement #1: Allow');
    expect(body).toContain('What the guard would do');
    expect(body).toContain('  - remove-deny bedrock-guard-deny-role-Old: planned (no finding left)');
  });

  it('lists twenty statements, then how many more', () => {
    const evidence = Array.from({ length: 45 }, (_, i) => ({ ...FULL_ACCESS, index: i }));
    const body = snsMessage(alert({}, { evidence })).message;
    expect(body.match(/^ {2}- AmazonBedrockFullAccess/gm)).toHaveLength(MAX_EVIDENCE);
    expect(body).toContain(`  and ${45 - MAX_EVIDENCE} more`);
  });

  it('stays within the SNS size, whatever it is given', () => {
    const huge = 'é'.repeat(300_000);
    const a = alert(
      {
        teams: Array.from({ length: 5_000 }, (_, i) => `team-${i}-${'x'.repeat(40)}`),
        actions: Array.from({ length: 200 }, (_, i) => ({
          type: 'put-deny' as const,
          policyName: `bedrock-guard-deny-${i}`,
          result: 'failed' as const,
          detail: huge,
        })),
      },
      { message: huge, detail: huge, remediation: huge },
    );
    const { message, subject } = snsMessage(a);
    const bytes = new TextEncoder().encode(message).length;
    expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(bytes).toBeLessThan(256 * 1024);
    expect(message.startsWith('ééé')).toBe(true);
    expect(message).toMatch(/\(cut: \d+ more bytes did not fit in an SNS message\)$/);
    expect(message).not.toContain('\uFFFD');
    expect(subject.length).toBeLessThanOrEqual(100);
  });

  it('cuts one long text with … and keeps the rest', () => {
    const body = snsMessage(alert({}, { detail: 'x'.repeat(10_000) })).message;
    expect(body).toMatch(/^AWS error: x{3999}…$/m);
    expect(body).toContain('Trigger: event InvokeModel');
  });

  it('drops control characters SQS would refuse', () => {
    const body = snsMessage(alert({}, { message: 'bad\u0000\u0007 text\uFFFF' })).message;
    expect(body.startsWith('bad text\n')).toBe(true);
  });
});

describe('shortPrincipal', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/service/AppBackend', 'role/AppBackend'],
    ['arn:aws:iam::123456789012:user/alice', 'user/alice'],
    ['arn:aws-us-gov:iam::123456789012:user/ops/bob', 'user/bob'],
    ['arn:aws:sts::123456789012:assumed-role/AppBackend/i-0abc', 'assumed-role/AppBackend'],
    ['arn:aws:iam::123456789012:root', 'root'],
    ['AppBackend', 'AppBackend'],
  ])('%s → %s', (arn, short) => {
    expect(shortPrincipal(arn)).toBe(short);
  });
});
