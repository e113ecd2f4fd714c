import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderWith, runCli } from './run-cli.js';

const FULL = 'test/fixtures/policy-files/full.yaml';
const DEMO = 'examples/demo/snapshot';

const VALID = `version: 1
regions: [us-east-1]
mode: alert
models:
  standard: [amazon.nova-micro-v1:0, amazon.nova-mikro-v1:0, "mistral.*", "nobody.*"]
teams:
  - name: everyone
    principals: arn:aws:iam::*:role/*
    models: [standard]
rules:
  unapproved-model-access: enforce
`;

const INVALID = `version: 1
regions: [us-east-1]
modles: {}
models:
  standard: [amazon.nova-micro-v1:0]
teams:
  - name: everyone
    principals: arn:aws:iam::*:role/*
    models: [standrd]
`;

const dir = folderWith({ 'valid.yaml': VALID, 'invalid.yaml': INVALID, 'empty.yaml': '' });
const path = (name: string) => join(dir, name);
const validate = (...args: string[]) => runCli(['validate', ...args]);

describe('bedrock-guard validate', () => {
  it('prints the verdict of a valid file and exits 0', () => {
    const r = validate(FULL);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${FULL}: valid — 2 teams, 2 model sets, 4 rules enforcing\n`);
    expect(r.code).toBe(0);
  });

  it('prints every error as file:line:col with its hint, and exits 1', () => {
    const r = validate(path('invalid.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        `${path('invalid.yaml')}:3:1: error: unknown field "modles" (at modles)`,
        '  hint: did you mean "models"?',
        `${path('invalid.yaml')}:5:3: warning: model set "standard" is granted to no team (at models.standard)`,
        "  hint: Add it to a team's models, or remove it.",
        `${path('invalid.yaml')}:9:14: error: unknown model set "standrd" (at teams[0].models[0])`,
        '  hint: did you mean "standard"?',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe(`${path('invalid.yaml')}: invalid — 2 errors\n`);
  });

  it('reports an empty file', () => {
    const r = validate(path('empty.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${path('empty.yaml')}:1:1: error: the file is empty\n  hint: A policy file starts with`,
    );
    expect(r.stdout).toBe(`${path('empty.yaml')}: invalid — 1 error\n`);
  });

  it('warns about model ids the snapshot catalogue does not know, and stays valid', () => {
    const r = validate(path('valid.yaml'), '--snapshot', DEMO);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        `${path('valid.yaml')}:5:38: warning: model "amazon.nova-mikro-v1:0" matches no model in the catalogue (at models.standard[1])`,
        '  hint: did you mean "amazon.nova-micro-v1:0"?',
        `${path('valid.yaml')}:5:75: warning: glob "nobody.*" matches no model in the catalogue (at models.standard[3])`,
        '  hint: List the model ids with `aws bedrock list-foundation-models --query "modelSummaries[].modelId"`.',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe(`${path('valid.yaml')}: valid — 1 team, 1 model set, 1 rule enforcing\n`);
  });

  it('checks no model id without --snapshot, nor with a snapshot that has no catalogue', () => {
    expect(validate(path('valid.yaml')).stderr).toBe('');
    const bare = folderWith({
      'account.json': { accountId: '111122223333', partition: 'aws', regions: ['us-east-1'] },
      'iam.json': { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] },
    });
    const r = validate(path('valid.yaml'), '--snapshot', bare);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--json prints {valid, issues} with level, message, path, line, col and hint', () => {
    const r = validate(path('invalid.yaml'), '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      issues: [
        {
          level: 'error',
          message: 'unknown field "modles"',
          path: 'modles',
          line: 3,
          col: 1,
          hint: 'did you mean "models"?',
        },
        {
          level: 'warning',
          message: 'model set "standard" is granted to no team',
          path: 'models.standard',
          line: 5,
          col: 3,
          hint: "Add it to a team's models, or remove it.",
        },
        {
          level: 'error',
          message: 'unknown model set "standrd"',
          path: 'teams[0].models[0]',
          line: 9,
          col: 14,
          hint: 'did you mean "standard"?',
        },
      ],
    });
    const ok = validate(FULL, '--json', '--snapshot', DEMO);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, issues: [] });
  });

  it('exits 1 with a hint when the file is missing or no file is given', () => {
    const missing = validate(path('nope.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `bedrock-guard: ${path('nope.yaml')}: no such policy file\n` +
        '  hint: Create bedrock-guard.yaml (see docs/policy-file.md for every field and a starting example), or pass its path.\n',
    );
    const none = validate();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('the policy file is required');
    expect(validate(FULL, 'extra').stderr).toContain('unexpected argument "extra"');
    expect(validate(FULL, '--bogus').code).toBe(1);
  });

  it('is listed in the help', () => {
    expect(runCli(['help']).stdout).toContain('bedrock-guard validate FILE [--snapshot DIR] [--json]');
  });
});
