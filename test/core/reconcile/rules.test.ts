import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../../shared/core/policy-file/types.js';
import { reconcile } from '../../../shared/core/reconcile/reconcile.js';
import { RULES } from '../../../shared/core/reconcile/rules/index.js';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import { accountFiles, allow, fm, NOVA, usProfile } from '../../support/account-builder.js';
import { NOW } from '../../support/snapshot-fixtures.js';
import { SCENARIOS } from './scenarios.js';

const run = (s: (typeof SCENARIOS)[number]) => reconcile(buildSnapshot(s.files), s.policy, { now: NOW });

describe('rule registry', () => {
  it('has every rule once, with docs, an example and a policy-file id', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(RULE_IDS).toContain(rule.id);
      expect(rule.docs.length).toBeGreaterThan(80);
      expect(rule.example.violating).not.toBe('');
      expect(rule.example.compliant).not.toBe('');
    }
  });

  it.each(RULES.map((r) => r.id))('%s has a violating and a compliant scenario', (id) => {
    expect(SCENARIOS.some((s) => s.rule === id && s.violates)).toBe(true);
    expect(SCENARIOS.some((s) => s.rule === id && !s.violates)).toBe(true);
  });
});

describe.each(SCENARIOS)('$rule: $name', (scenario) => {
  it(scenario.violates ? 'is found' : 'is not found', () => {
    const open = run(scenario).findings.filter((f) => f.rule === scenario.rule && f.status === 'open');
    if (scenario.violates) expect(open.length).toBeGreaterThan(0);
    else expect(open).toEqual([]);
  });
});

const scenario = (name: string) => {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
};

describe('findings', () => {
  it("fold each model's excess routes in every Region into one finding, with resources and granting statements", () => {
    const { findings } = run(scenario('a role may invoke every model, its team only the standard set'));
    const f = findings.find((x) => x.model === 'amazon.nova-lite-v1:0');
    expect(f).toMatchObject({
      rule: 'unapproved-model-access',
      severity: 'high',
      mode: 'enforce',
      status: 'open',
      principal: 'arn:aws:iam::111122223333:role/App',
      regions: ['us-east-1', 'us-east-2', 'us-west-2'],
      route: 'invoke, invoke-stream, async',
    });
    expect(f?.resources).toEqual(
      ['us-east-1', 'us-east-2', 'us-west-2'].map(
        (r) => `arn:aws:bedrock:${r}::foundation-model/amazon.nova-lite-v1:0`,
      ),
    );
    expect(f?.routes).toContain('invoke-stream@us-east-2');
    expect(f?.evidence).toEqual([
      {
        policy: expect.objectContaining({ name: 'bedrock', kind: 'inline' }),
        index: 0,
        sid: undefined,
        effect: 'Allow',
      },
    ]);
    // One finding per unapproved model (no API key: no bearer-token right), the approved model never.
    expect(findings.map((x) => x.model).sort()).toEqual([
      'amazon.nova-lite-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ]);
  });

  it('report an unapproved Region as such', () => {
    const { findings } = run(scenario('an approved model in a Region the file does not approve'));
    expect(findings.map((f) => f.regions)).toEqual([['us-east-2', 'us-west-2']]);
    expect(findings[0]?.message).toContain('are not approved Regions');
  });

  it('count inference-profile routes of unapproved models', () => {
    const { findings } = run(scenario('profiles of unapproved models, with GetInferenceProfile'));
    const claude = findings.find((f) => f.model === 'anthropic.claude-3-haiku-20240307-v1:0');
    expect(claude?.routes).toContain('cross-region-profile:us.anthropic.claude-3-haiku-20240307-v1:0@us-east-1');
    expect(claude?.route).toContain('cross-region-profile');
    expect(findings.some((f) => f.model === 'amazon.nova-micro-v1:0')).toBe(false);
  });

  it('name each feature the team does not grant, with the Regions it works in', () => {
    const { findings } = run(scenario('agents and knowledge bases the team does not grant'));
    const features = findings.filter((f) => f.rule === 'unapproved-feature').map((f) => f.route);
    expect(features.sort()).toEqual(['agents', 'knowledge-bases']);
    expect(findings.find((f) => f.route === 'agents')?.message).toContain('us-east-1, us-east-2, us-west-2');
  });

  it('mark exempt principals exempt and never enforce on them', () => {
    const { findings } = run(scenario('AmazonBedrockFullAccess on a non-exempt role'));
    const admin = findings.filter((f) => f.principal.endsWith('role/Admin'));
    expect(admin.length).toBeGreaterThan(0);
    expect(admin.every((f) => f.status === 'exempt' && f.exemptReason?.includes('exempt'))).toBe(true);
    const app = findings.find((f) => f.rule === 'full-access-managed-policy' && f.principal.endsWith('role/App'));
    expect(app).toMatchObject({
      status: 'open',
      mode: 'alert',
      resources: ['arn:aws:iam::aws:policy/AmazonBedrockFullAccess'],
    });
    expect(app?.message).toContain('holds AmazonBedrockFullAccess');
  });

  it('name the missing destination-Region model ARN of a profile (seed 001)', () => {
    const { findings } = run(scenario('a profile whose destination Regions the policy leaves out'));
    const gap = findings.find((f) => f.rule === 'cross-region-profile-gaps');
    expect(gap?.resources).toEqual([
      'arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-micro-v1:0',
      'arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-micro-v1:0',
    ]);
    expect(gap?.message).toContain('no identity policy allows bedrock:InvokeModel');
    expect(gap?.mode).toBe('alert');
  });

  it('name the SCP that blocks a profile (seed 001)', () => {
    const { findings } = run(scenario('a Region SCP without the inference-profile exemption'));
    const gap = findings.find((f) => f.rule === 'cross-region-profile-gaps');
    expect(gap?.message).toContain('SCP scp0 (DenyOutsideUsEast1) attached to r-root blocks');
    expect(gap?.remediation).toContain('ArnNotLike');
    expect(gap?.evidence[0]).toMatchObject({ sid: 'DenyOutsideUsEast1', effect: 'Deny' });
  });

  it('count models that only policies name, not the catalogue', () => {
    const files = accountFiles({
      principals: [
        { name: 'App', statements: [allow('bedrock:InvokeModel', fm('us-east-1', 'writer.palmyra-x5-v1:0'))] },
      ],
    });
    const s = scenario('a role may invoke exactly its approved model');
    const { findings } = reconcile(buildSnapshot(files), s.policy, { now: NOW });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'unapproved-model-access',
        model: 'writer.palmyra-x5-v1:0',
        regions: ['us-east-1'],
        route: 'invoke, async',
      }),
    ]);
  });

  it('name a missing Allow that an SCP hides, beside the SCP', () => {
    const s = scenario('a Region SCP without the inference-profile exemption');
    const onlyEast = accountFiles({
      profiles: [NOVA],
      principals: [
        {
          name: 'App',
          statements: [
            allow(['bedrock:InvokeModel*', 'bedrock:GetInferenceProfile'], [fm('us-east-1', NOVA), usProfile(NOVA)]),
          ],
        },
      ],
      scps: [(s.files.scps as { levels: { policies: { Content: string }[] }[] }).levels[0]?.policies[1]?.Content].map(
        (c) => JSON.parse(c as string),
      ),
    });
    const { findings } = reconcile(buildSnapshot(onlyEast), s.policy, { now: NOW });
    const gap = findings.find((f) => f.rule === 'cross-region-profile-gaps');
    expect(gap?.message).toContain('SCP scp0 (DenyOutsideUsEast1) attached to r-root blocks bedrock:InvokeModel on');
    expect(gap?.message).toContain(
      `no identity policy allows bedrock:InvokeModel on ${fm('us-east-2', NOVA)} (the model in destination Region us-east-2)`,
    );
    expect(run(s).findings.find((f) => f.rule === 'cross-region-profile-gaps')?.message).not.toContain(
      'no identity policy',
    );
  });

  it('flag each gap of an import role separately (seed 003)', () => {
    const { findings } = run(
      scenario('an import role trusted without conditions, reading any bucket, decrypting any key'),
    );
    const own = findings.filter((f) => f.rule === 'custom-model-import-role');
    expect(own.map((f) => f.route).sort()).toEqual(['kms-decrypt', 's3-read', 'trust-policy']);
    expect(own.find((f) => f.route === 'trust-policy')?.message).toContain('aws:SourceAccount or aws:SourceArn');
  });

  it('find long-term keys by creation and by use', () => {
    const { findings } = run(scenario('a user who may create long-term Bedrock API keys'));
    const own = findings.filter((f) => f.rule === 'long-term-api-keys');
    expect(own.some((f) => f.route === 'create-service-specific-credential')).toBe(true);
    expect(own.some((f) => f.route === 'api-key-long-term')).toBe(true);
    expect(own.every((f) => f.principal.endsWith('user/bob'))).toBe(true);
  });

  it('alert on long-term keys users already hold, whatever the mode: the guard never deletes credentials', () => {
    const s = scenario('a user whose credential creation excludes Bedrock');
    const key = (id: string, Status: string, UserName = 'bob') => ({
      UserName,
      ServiceSpecificCredentialId: id,
      ServiceName: 'bedrock.amazonaws.com',
      Status,
      CreateDate: '2026-10-01T09:00:00Z',
    });
    const serviceCredentials = {
      ServiceSpecificCredentials: [
        key('ACCAACTIVE', 'Active'),
        key('ACCAOLD', 'Inactive'),
        key('ACCANOBODY', 'Active', 'ghost'),
      ],
    };
    const { findings } = reconcile(buildSnapshot({ ...s.files, serviceCredentials }), s.policy, { now: NOW });
    const held = findings.filter((f) => f.route === 'long-term-api-key');
    expect(held).toEqual([
      expect.objectContaining({
        rule: 'long-term-api-keys',
        mode: 'alert',
        status: 'open',
        principal: expect.stringMatching(/user\/bob$/),
        message: 'holds an active long-term Bedrock API key ACCAACTIVE, created 2026-10-01T09:00:00Z',
      }),
    ]);
    expect(held[0]?.remediation).toContain('--service-specific-credential-id ACCAACTIVE');
    // A team granted long-term keys may hold them.
    const granted = {
      ...s.policy,
      teams: s.policy.teams.map((t) => ({ ...t, features: [...t.features, 'long-term-api-keys' as const] })),
    };
    const allowed = reconcile(buildSnapshot({ ...s.files, serviceCredentials }), granted, { now: NOW });
    expect(allowed.findings.filter((f) => f.route === 'long-term-api-key')).toEqual([]);
  });

  it('skip rules the file turns off', () => {
    const s = scenario('a role may invoke every model, its team only the standard set');
    const policy = { ...s.policy, rules: { ...s.policy.rules, 'unapproved-model-access': { mode: 'off' as const } } };
    const { findings } = reconcile(buildSnapshot(s.files), policy, { now: NOW });
    expect(findings.filter((f) => f.rule === 'unapproved-model-access')).toEqual([]);
  });
});
