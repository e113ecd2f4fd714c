import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { main } from '../../shared/cli/main.js';
import { VERSION } from '../../shared/version.js';
import { accountFiles, allow, fm, NOVA, REGIONS } from '../support/account-builder.js';
import { folderWith, NO_AWS, runCli } from './run-cli.js';

const DEMO = ['--policy', 'examples/demo/bedrock-guard.yaml', '--snapshot', 'examples/demo/snapshot'];

/** A one-role account whose only grant is exactly what its policy file approves. */
function compliantAccount() {
  const files = accountFiles({
    principals: [
      {
        name: 'App',
        statements: [
          allow(
            'bedrock:InvokeModel',
            REGIONS.map((r) => fm(r, NOVA)),
          ),
        ],
      },
    ],
  });
  const snapshot = folderWith({
    'account.json': files.account,
    'iam.json': files.iam,
    'foundation-models.json': files.foundationModels,
    'inference-profiles.json': files.inferenceProfiles,
  });
  const policy = folderWith({
    'bedrock-guard.yaml': `version: 1
regions: [${REGIONS.join(', ')}]
models:
  standard: [${NOVA}]
teams:
  - name: apps
    principals: "arn:aws:iam::*:role/App"
    models: [standard]
`,
  });
  return { snapshot, policy: join(policy, 'bedrock-guard.yaml') };
}

describe('bedrock-guard plan', () => {
  it('prints the plan per principal and exits 2 on drift', () => {
    const r = runCli(['plan', ...DEMO]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'bedrock-guard plan — account 111122223333 (aws), policy examples/demo/bedrock-guard.yaml',
    );
    expect(r.stdout).toMatch(
      /role\/ContractorRole {2}teams: contractors\n {2}✗ unapproved-model-access \(high, enforce\): 12 findings/,
    );
    expect(r.stdout).toContain('+ create managed deny bedrock-guard-deny-role-ContractorRole');
    expect(r.stdout).toContain('Plan: 3 to create, 0 to update, 0 to remove (guard denies); 1 alert.');
    expect(r.stdout).toContain('Self-check passed');
    expect(r.stdout).not.toContain('\u001b['); // no colour when not on a terminal
  });

  it('exits 0 when the account matches the file', () => {
    const { snapshot, policy } = compliantAccount();
    const r = runCli(['plan', '--policy', policy, '--snapshot', snapshot]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No drift');
  });

  it('--json gives findings and actions in the documented shape', () => {
    const r = runCli(['plan', ...DEMO, '--json']);
    expect(r.code).toBe(2);
    const plan = JSON.parse(r.stdout) as {
      findings: Record<string, unknown>[];
      actions: Record<string, unknown>[];
      drift: boolean;
      selfCheck: { passed: boolean };
    };
    expect(plan.drift).toBe(true);
    expect(plan.selfCheck.passed).toBe(true);
    for (const f of plan.findings)
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['rule', 'severity', 'principal', 'resources', 'route']));
    const put = plan.actions.find(
      (a) => a.type === 'put-deny' && a.principal === 'arn:aws:iam::111122223333:role/DataScience',
    );
    expect(put?.policy).toMatchObject({ Version: '2012-10-17', Statement: expect.any(Array) });
    expect(plan.actions.some((a) => a.type === 'alert')).toBe(true);
    // Folded findings keep every Region and route (README "Findings").
    const contractor = plan.findings.find(
      (f) => f.principal === 'arn:aws:iam::111122223333:role/ContractorRole' && f.model === 'amazon.nova-pro-v1:0',
    );
    expect(contractor).toMatchObject({ regions: ['us-east-1', 'us-east-2', 'us-west-2'], routes: expect.any(Array) });
  });

  it('--sarif gives SARIF 2.1.0 with a rule per finding kind and the principal as logical location', () => {
    const r = runCli(['plan', ...DEMO, '--sarif']);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; version: string; rules: { id: string }[] } };
        results: Record<string, unknown>[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const [run] = sarif.runs;
    expect(run?.tool.driver).toMatchObject({ name: 'bedrock-guard', version: VERSION });
    const ids = run?.tool.driver.rules.map((x) => x.id) ?? [];
    expect(ids).toContain('unapproved-model-access');
    for (const result of run?.results ?? []) {
      expect(ids).toContain(result.ruleId);
      expect(result).toMatchObject({
        level: expect.stringMatching(/^(error|warning|note)$/),
        message: { text: expect.any(String) },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: 'examples/demo/bedrock-guard.yaml' } },
            logicalLocations: [{ kind: 'resource' }],
          },
        ],
      });
    }
    const exempt = run?.results.filter((x) => (x.properties as { status: string }).status === 'exempt') ?? [];
    expect(exempt.length).toBeGreaterThan(0);
    expect(exempt.every((x) => Array.isArray(x.suppressions))).toBe(true);
  });

  it('--report writes a self-contained HTML page', () => {
    const out = join(folderWith({}), 'report.html');
    const r = runCli(['plan', ...DEMO, '--report', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Report written to ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('111122223333');
    expect(html).toContain('ContractorRole');
  });

  it('names the file, line and column of an invalid policy file, and exits 1', () => {
    const bad = join(
      folderWith({
        'p.yaml':
          'version: 1\nregions: [us-east-1]\nmodels: {a: [amazon.nova-micro-v1:0]}\nteams:\n  - name: x\n    principals: "arn:aws:iam::*:role/*"\n    models: [b]\n',
      }),
      'p.yaml',
    );
    const r = runCli(['plan', '--policy', bad, '--snapshot', 'examples/demo/snapshot']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: error:`));
  });

  it('refuses without a snapshot, a mismatched partition, and conflicting formats', () => {
    // Without --snapshot the account is captured live: with no credentials, a clear error and exit 1.
    const live = runCli(['plan', '--policy', 'examples/demo/bedrock-guard.yaml'], undefined, NO_AWS);
    expect(live.code).toBe(1);
    expect(live.stderr).toContain('no AWS credentials');
    expect(live.stderr).toContain('pass --snapshot DIR');
    expect(runCli(['plan', ...DEMO, '--json', '--sarif']).code).toBe(1);
    const r = runCli([
      'plan',
      '--policy',
      'examples/demo/bedrock-guard.yaml',
      '--snapshot',
      'examples/govcloud/snapshot',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the policy file is for partition aws, but the account is in aws-us-gov');
  });

  it('reports the package version', () => {
    expect(VERSION).toBe(pkg.version);
  });
});

describe('plan progress', () => {
  /** A stream that keeps what is written; `isTTY` as a terminal would set it. */
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return Object.assign(stream, { isTTY, text: () => chunks.join('') });
  };

  it('goes to stderr on a terminal, phase by phase', async () => {
    const stdout = sink(false);
    const stderr = sink(true);
    expect(await main(['plan', ...DEMO], { stdout, stderr })).toBe(2);
    expect(stderr.text()).toMatch(
      /reading the snapshot…\n.*reconciling 13 principals…\n.*planning denies…\n.*checking the plan against the snapshot…\n/,
    );
    expect(stdout.text()).toContain('Plan:');
  });

  it('stays quiet off a terminal for a short run', async () => {
    const stderr = sink(false);
    expect(await main(['plan', ...DEMO], { stdout: sink(false), stderr })).toBe(2);
    expect(stderr.text()).toBe('');
  });
});
