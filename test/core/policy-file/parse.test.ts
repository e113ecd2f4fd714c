import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicyFile } from '../../../shared/core/policy-file/parse.js';
import { RULE_IDS, type PolicyFileIssue } from '../../../shared/core/policy-file/types.js';
import { PolicyFileError } from '../../../shared/errors.js';

const FULL = 'test/fixtures/policy-files/full.yaml';

/** The smallest valid file: line 6 is the team, `name` at column 5. */
const BASE = `version: 1
regions: [us-east-1, us-west-2]
models:
  standard: [amazon.nova-micro-v1:0]
teams:
  - name: everyone
    principals: arn:aws:iam::*:role/*
    models: [standard]
`;

/** Issues as `line:col level path: message`, the way they are asserted below. */
const show = (i: PolicyFileIssue) => `${i.position?.line}:${i.position?.col} ${i.level} ${i.path}: ${i.message}`;
const issuesOf = (text: string, knownModelIds?: readonly string[]) =>
  parsePolicyFile(text, 'p.yaml', knownModelIds ? { knownModelIds } : {}).issues;
const linesOf = (text: string, knownModelIds?: readonly string[]) => issuesOf(text, knownModelIds).map(show);
const hintsOf = (text: string) => issuesOf(text).map((i) => i.hint);

function only(text: string): PolicyFileIssue {
  const issues = issuesOf(text);
  expect(issues.map(show)).toHaveLength(1);
  return issues[0] as PolicyFileIssue;
}

describe('parsePolicyFile: a valid file', () => {
  it('normalizes the full example: lists everywhere, defaults filled, positions of teams and budgets', () => {
    const { policy, issues } = parsePolicyFile(readFileSync(FULL, 'utf8'), FULL);
    expect(issues).toEqual([]);
    if (!policy) throw new Error('expected a policy');
    const { source, ...rest } = policy;
    expect(source.file).toBe(FULL);
    expect(rest).toEqual({
      version: 1,
      partition: 'aws',
      regions: ['us-east-1', 'us-west-2'],
      mode: 'enforce',
      exempt: ['arn:aws:iam::*:role/BreakGlass'],
      models: {
        standard: ['amazon.nova-micro-v1:0', 'amazon.nova-lite-v1:0'],
        premium: ['anthropic.claude-3-opus-20240229-v1:0', 'deepseek.r1-v1:0', 'anthropic.claude-sonnet-4-*'],
      },
      teams: [
        {
          name: 'everyone',
          principals: [{ arns: ['arn:aws:iam::*:role/*'] }],
          models: ['standard'],
          features: ['invoke'],
          regions: ['us-east-1', 'us-west-2'],
          position: { line: 12, col: 5 },
        },
        {
          name: 'data-science',
          principals: [
            { tags: { team: ['data-science'] } },
            { arns: ['arn:aws:iam::111122223333:user/alice'], groups: ['ml-engineers', 'data-scientists'] },
          ],
          models: ['standard', 'premium'],
          features: ['invoke', 'batch'],
          regions: ['us-east-1'],
          notify: {
            slack: 'ssm:/bedrock-guard/team-ds',
            sns: 'arn:aws:sns:us-east-1:111122223333:ds',
            minSeverity: 'low',
          },
          position: { line: 15, col: 5 },
        },
      ],
      budgets: [
        {
          team: 'data-science',
          models: ['premium'],
          window: { unit: 'day', count: 1 },
          max: { inputTokens: 2000000, outputTokens: 400000, invocations: 5000 },
          position: { line: 25, col: 5 },
        },
        {
          team: 'everyone',
          models: ['standard'],
          window: { unit: 'month', count: 1 },
          max: { invocations: 100000 },
          position: { line: 29, col: 5 },
        },
      ],
      rules: {
        'unapproved-model-access': { mode: 'enforce' },
        'unapproved-feature': { mode: 'enforce' },
        'full-access-managed-policy': { mode: 'alert', severity: 'high' },
        'long-term-api-keys': { mode: 'enforce' },
        'cross-region-profile-gaps': { mode: 'alert' },
        'custom-model-import-role': { mode: 'enforce', severity: 'low' },
        'invocation-logging-disabled': { mode: 'off' },
      },
      notify: {
        slack: { webhook: 'ssm:/bedrock-guard/slack-webhook', minSeverity: 'medium' },
        sns: { topic: 'arn:aws:sns:us-east-1:111122223333:bedrock-guard-alerts', minSeverity: 'low' },
        routes: [],
        windowMs: 86_400_000,
      },
    });
  });

  it('fills every default of a minimal file', () => {
    const { policy, issues } = parsePolicyFile(BASE, 'p.yaml');
    expect(issues).toEqual([]);
    expect(policy).toMatchObject({
      partition: 'aws',
      mode: 'enforce',
      exempt: [],
      budgets: [],
      notify: { routes: [], windowMs: 86_400_000 },
      teams: [{ features: ['invoke'], regions: ['us-east-1', 'us-west-2'] }],
    });
    expect(Object.keys(policy?.rules ?? {})).toEqual([...RULE_IDS]);
    expect(Object.values(policy?.rules ?? {})).toEqual(RULE_IDS.map(() => ({ mode: 'enforce' })));
  });

  it("gives every rule the file's mode unless the rule sets its own", () => {
    const { policy } = parsePolicyFile(
      `${BASE}mode: alert\nrules:\n  long-term-api-keys: enforce\n  unapproved-feature: { severity: critical }\n`,
      'p.yaml',
    );
    expect(policy?.rules['unapproved-model-access']).toEqual({ mode: 'alert' });
    expect(policy?.rules['long-term-api-keys']).toEqual({ mode: 'enforce' });
    expect(policy?.rules['unapproved-feature']).toEqual({ mode: 'alert', severity: 'critical' });
  });

  it('fills the minimum severities of notify', () => {
    const { policy } = parsePolicyFile(
      `${BASE}notify:\n  slack: { webhook: "secretsmanager:bg/slack" }\n  sns: { topic: "arn:aws:sns:us-east-1:111122223333:t" }\n`,
      'p.yaml',
    );
    expect(policy?.notify).toEqual({
      slack: { webhook: 'secretsmanager:bg/slack', minSeverity: 'medium' },
      sns: { topic: 'arn:aws:sns:us-east-1:111122223333:t', minSeverity: 'low' },
      routes: [],
      windowMs: 86_400_000,
    });
  });

  it('reads notify routes by rule and severity, and the deduplication window', () => {
    const { policy, issues } = parsePolicyFile(
      `${BASE}notify:\n  slack: { webhook: "ssm:/bg/slack", rules: [guard-policy-tampered, unapproved-model-access] }\n  routes:\n    - { rules: [invoke-denied], slack: "ssm:/bg/support" }\n    - { minSeverity: high, sns: "arn:aws:sns:us-east-1:111122223333:pager" }\n  window: 30m\n`,
      'p.yaml',
    );
    expect(issues).toEqual([]);
    expect(policy?.notify).toEqual({
      slack: {
        webhook: 'ssm:/bg/slack',
        minSeverity: 'medium',
        rules: ['guard-policy-tampered', 'unapproved-model-access'],
      },
      routes: [
        { rules: ['invoke-denied'], slack: 'ssm:/bg/support', minSeverity: 'info' },
        { sns: 'arn:aws:sns:us-east-1:111122223333:pager', minSeverity: 'high' },
      ],
      windowMs: 30 * 60_000,
    });
  });

  it('refuses unknown rules, empty routes and bad windows in notify', () => {
    const { issues } = parsePolicyFile(
      `${BASE}notify:\n  sns: { topic: "arn:aws:sns:us-east-1:111122223333:t", rules: [no-such-rule] }\n  routes:\n    - { rules: [invoke-denied] }\n  window: 2w\n`,
      'p.yaml',
    );
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['notify.sns.rules[0]', 'notify.routes[0]', 'notify.window']),
    );
  });

  it('normalizes every form of principal selector into lists', () => {
    const text = BASE.replace(
      'principals: arn:aws:iam::*:role/*',
      'principals: { arns: "arn:*:iam::111122223333:user/*", tags: { team: ds, env: [dev, "prod-*"] }, groups: admins }',
    );
    expect(parsePolicyFile(text, 'p.yaml').policy?.teams[0]?.principals).toEqual([
      { arns: ['arn:*:iam::111122223333:user/*'], tags: { team: ['ds'], env: ['dev', 'prod-*'] }, groups: ['admins'] },
    ]);
  });

  it('parses budget windows in hours, days and months', () => {
    const budget = (window: string) =>
      parsePolicyFile(
        `${BASE}budgets:\n  - { team: everyone, models: [standard], window: ${window}, max: { invocations: 1 } }\n`,
        'p.yaml',
      ).policy?.budgets[0]?.window;
    expect(budget('6h')).toEqual({ unit: 'hour', count: 6 });
    expect(budget('30d')).toEqual({ unit: 'day', count: 30 });
    expect(budget('month')).toEqual({ unit: 'month', count: 1 });
  });

  it('accepts the partitions with their own Regions and ARNs', () => {
    const gov = BASE.replace(
      'regions: [us-east-1, us-west-2]',
      'partition: aws-us-gov\nregions: [us-gov-west-1]',
    ).replace('arn:aws:iam', 'arn:aws-us-gov:iam');
    expect(linesOf(gov)).toEqual([]);
    const cn = BASE.replace('regions: [us-east-1, us-west-2]', 'partition: aws-cn\nregions: [cn-north-1]').replace(
      'arn:aws:iam',
      'arn:*:iam',
    );
    expect(linesOf(cn)).toEqual([]);
  });

  it('maps paths to positions, falling back to the nearest parent that exists', () => {
    const { policy } = parsePolicyFile(readFileSync(FULL, 'utf8'), FULL);
    const at = policy?.source.positionOf;
    expect(at?.(['teams', 1, 'models', 1])).toEqual({ line: 20, col: 24 });
    expect(at?.(['teams', 1, 'features'])).toEqual({ line: 21, col: 15 });
    expect(at?.(['teams', 1, 'notify', 'sns'])).toEqual({ line: 23, col: 55 });
    expect(at?.(['teams', 1, 'nope', 3])).toEqual({ line: 15, col: 5 });
    expect(at?.(['teams', 9])).toEqual({ line: 12, col: 3 });
    expect(at?.([])).toEqual({ line: 2, col: 1 });
  });
});

describe('parsePolicyFile: errors name the path and line:col', () => {
  it('reports unknown keys at every level, with did-you-mean', () => {
    expect(linesOf(`${BASE}modles: {}\n`)).toEqual(['9:1 error modles: unknown field "modles"']);
    expect(hintsOf(`${BASE}modles: {}\n`)).toEqual(['did you mean "models"?']);
    const nested = `${BASE}    featurs: [batch]\n`;
    expect(linesOf(nested)).toEqual(['9:5 error teams[0].featurs: unknown field "featurs"']);
    expect(hintsOf(nested)).toEqual(['did you mean "features"?']);
    const selector = BASE.replace('principals: arn:aws:iam::*:role/*', 'principals: { tag: { team: ds } }');
    expect(issuesOf(selector).map((i) => [show(i), i.hint])).toContainEqual([
      '7:19 error teams[0].principals.tag: unknown field "tag"',
      'did you mean "tags"?',
    ]);
  });

  it('offers the known keys when nothing is close', () => {
    expect(only(`${BASE}colour: blue\n`).hint).toBe(
      'expected one of: version, partition, regions, mode, exempt, models, teams, budgets, rules, notify',
    );
  });

  it('reports unknown rule ids, modes, severities and features with did-you-mean', () => {
    const text = `${BASE.replace('models: [standard]', 'models: [standard]\n    features: [invoke, bach]')}rules:
  unapproved-model-acess: enforce
  long-term-api-keys: enfroce
  full-access-managed-policy: { mode: alert, severity: hi }
`;
    expect(issuesOf(text).map((i) => [show(i), i.hint])).toEqual([
      [
        '9:24 error teams[0].features[1]: unknown feature "bach"',
        expect.stringMatching(/^did you mean "batch"\? \(one of: invoke, batch, /),
      ],
      [
        '11:3 error rules.unapproved-model-acess: unknown field "unapproved-model-acess"',
        'did you mean "unapproved-model-access"?',
      ],
      [
        '12:23 error rules.long-term-api-keys: unknown mode "enfroce"',
        'did you mean "enforce"? (one of: enforce, alert, off)',
      ],
      [
        '13:56 error rules.full-access-managed-policy.severity: unknown severity "hi"',
        'did you mean "high"? (one of: critical, high, medium, low, info)',
      ],
    ]);
  });

  it('reports unknown model sets and teams with did-you-mean', () => {
    const text = `${BASE.replace('models: [standard]', 'models: [standrd]')}budgets:
  - team: everyon
    models: [standard, premum]
    window: 1d
    max: { invocations: 10 }
`;
    expect(issuesOf(text).map((i) => [show(i), i.hint])).toEqual([
      [
        '4:3 warning models.standard: model set "standard" is granted to no team',
        "Add it to a team's models, or remove it.",
      ],
      ['8:14 error teams[0].models[0]: unknown model set "standrd"', 'did you mean "standard"?'],
      ['10:11 error budgets[0].team: unknown team "everyon"', 'did you mean "everyone"?'],
      ['11:24 error budgets[0].models[1]: unknown model set "premum"', 'defined model sets: standard'],
    ]);
  });

  it('reports a missing required field at its parent', () => {
    expect(linesOf(BASE.replace('    models: [standard]\n', ''))).toEqual([
      '4:3 warning models.standard: model set "standard" is granted to no team',
      '6:5 error teams[0].models: missing required field "models"',
    ]);
    expect(only(BASE.replace('version: 1\n', '')).message).toBe('missing required field "version"');
    expect(only(BASE.replace('version: 1\n', '')).position).toEqual({ line: 1, col: 1 });
  });

  it('reports wrong types with a hint to fix them', () => {
    const list = only(BASE.replace('models: [standard]', 'models: standard'));
    expect([show(list), list.hint]).toEqual([
      '8:13 error teams[0].models: expected a list, got a string',
      'write a list: [standard]',
    ]);
    const tag = only(BASE.replace('principals: arn:aws:iam::*:role/*', 'principals: { tags: { cost-center: 1234 } }'));
    expect([show(tag), tag.hint]).toEqual([
      '7:40 error teams[0].principals.tags.cost-center: expected a string or a list, got a number',
      'The accepted values of this tag.',
    ]);
    const union = only(BASE.replace('principals: arn:aws:iam::*:role/*', 'principals: 5'));
    expect(show(union)).toBe('7:17 error teams[0].principals: expected a string, a mapping or a list, got a number');
    expect(show(only(BASE.replace('version: 1', 'version: 2')))).toBe('1:10 error version: must be 1, got 2');
    expect(only(BASE.replace('version: 1', 'version: "1"')).hint).toBe('write 1 without quotes');
  });

  it('reports a malformed ARN glob with the expected form', () => {
    const issue = only(`${BASE}exempt: [arn:aws:sts::111122223333:assumed-role/Admin/me]\n`);
    expect(show(issue)).toBe(
      '9:10 error exempt[0]: malformed ARN glob "arn:aws:sts::111122223333:assumed-role/Admin/me"',
    );
    expect(issue.hint).toMatch(/^Expected arn:<partition or \*>:iam::<12-digit account id or \*>:role\/<name>/);
    for (const ok of ['arn:aws:iam::*:*', 'arn:*:iam::111122223333:user/a*', 'arn:aws:iam::1111222233?3:ro*']) {
      expect(linesOf(`${BASE}exempt: ["${ok}"]\n`)).toEqual([]);
    }
    for (const bad of ['arn:aws:iam::12:role/x', 'arn:aws:iam::*:group/x', 'arn:aws:iam:us-east-1:*:role/x', '*']) {
      expect(only(`${BASE}exempt: ["${bad}"]\n`).message).toBe(`malformed ARN glob "${bad}"`);
    }
  });

  it("checks Regions against the partition, the file's regions, and each other", () => {
    expect(linesOf(BASE.replace('[us-east-1, us-west-2]', '[us-east-1, cn-north-1, us-east-1, useast]'))).toEqual([
      '2:22 error regions[1]: Region "cn-north-1" is not in partition aws',
      '2:34 error regions[2]: Region "us-east-1" is listed twice (first at 2:11)',
      '2:45 error regions[3]: invalid Region name "useast"',
    ]);
    expect(linesOf(BASE.replace('models: [standard]', 'models: [standard]\n    regions: [eu-west-1]'))).toEqual([
      '9:15 error teams[0].regions[0]: Region "eu-west-1" is not in the file\'s regions (us-east-1, us-west-2)',
    ]);
    expect(linesOf(BASE.replace('arn:aws:iam', 'arn:aws-cn:iam'))).toEqual([
      `7:17 error teams[0].principals: ARN partition "aws-cn" does not match the file's partition aws`,
    ]);
  });

  it('resolves names only among those defined, never through the object prototype', () => {
    expect(linesOf(BASE.replace('models: [standard]', 'models: [standard, constructor]'))).toEqual([
      '8:24 error teams[0].models[1]: unknown model set "constructor"',
    ]);
  });

  it('knows a team granted no model set as a team', () => {
    const text = `${BASE}  - { name: auditors, principals: { groups: audit }, models: [], features: [guardrails] }
budgets:
  - { team: auditors, models: [standard], window: 6h, max: { invocations: 1 } }
`;
    expect(linesOf(text)).toEqual([
      '11:32 warning budgets[0].models[0]: team "auditors" is not granted model set "standard", so this budget never counts it',
    ]);
  });

  it('names the first of two teams with the same name', () => {
    const text = `${BASE}  - name: everyone\n    principals: [{ groups: [all] }]\n    models: []\n`;
    expect(linesOf(text)).toEqual(['9:11 error teams[1].name: team "everyone" is defined twice (first at 6:5)']);
  });

  it('checks budgets, notify and list uniqueness', () => {
    const text = `${BASE.replace('models: [standard]', 'models: [standard]\n    features: [invoke, invoke]')}budgets:
  - { team: everyone, models: [standard], window: 0d, max: {} }
notify:
  slack: { webhook: https://example.com/hook }
  sns: { topic: arn:aws:sns:us-east-1:1234:x, minSeverity: medium }
`;
    expect(linesOf(text)).toEqual([
      '9:24 error teams[0].features[1]: feature "invoke" is listed twice (first at 9:16)',
      '11:51 error budgets[0].window: invalid budget window "0d"',
      '11:60 error budgets[0].max: a budget needs at least one of inputTokens, outputTokens, invocations',
      '13:21 error notify.slack.webhook: invalid Slack webhook reference "https://example.com/hook"',
      '14:17 error notify.sns.topic: invalid SNS topic ARN "arn:aws:sns:us-east-1:1234:x"',
    ]);
  });

  it('reports a YAML syntax error at its position, and nothing else', () => {
    const issue = only('version: 1\nregions: [us-east-1\nmodels: {}\n');
    expect(show(issue)).toMatch(/^3:1 error : YAML: Flow sequence in block collection must be sufficiently indented/);
    expect(linesOf('version: 1\nmodels:\n\tstandard: [x]\n')).toEqual([
      '3:1 error : YAML: Tabs are not allowed as indentation',
    ]);
  });

  it('reports a duplicate key at the second one, naming the first', () => {
    const issue = only(
      BASE.replace(
        '  standard: [amazon.nova-micro-v1:0]\n',
        '  standard: [amazon.nova-micro-v1:0]\n  standard: [amazon.nova-lite-v1:0]\n',
      ),
    );
    expect(show(issue)).toBe('5:3 error models.standard: duplicate key "standard" (first at 4:3)');
    expect(issue.hint).toMatch(/must be unique/);
  });

  it('reports an empty file, a comment-only file and a file that is not a mapping', () => {
    for (const text of ['', '\n\n', '# nothing yet\n']) {
      expect(linesOf(text)).toEqual(['1:1 error : the file is empty']);
    }
    expect(linesOf('- version: 1\n')).toEqual([
      '1:1 error : expected a mapping of fields (version, regions, models, teams, …)',
    ]);
  });

  it('collects every issue in file order instead of stopping at the first', () => {
    const text = `version: 1
regions: [us-east-1, mars-1]
mode: strict
models:
  standard: [Nova]
teams:
  - name: a
    principals: arn:aws:iam::*:role/*
    models: [standard, extra]
    colour: red
`;
    expect(linesOf(text)).toEqual([
      '2:22 error regions[1]: invalid Region name "mars-1"',
      '3:7 error mode: unknown mode "strict"',
      '5:14 error models.standard[0]: invalid model id or glob "Nova"',
      '9:24 error teams[0].models[1]: unknown model set "extra"',
      '10:5 error teams[0].colour: unknown field "colour"',
    ]);
    expect(parsePolicyFile(text, 'p.yaml').policy).toBeUndefined();
  });
});

describe('parsePolicyFile: warnings', () => {
  it('warns about a model set no team uses, and a file with no team, but still loads', () => {
    const text = `version: 1\nregions: [us-east-1]\nmodels:\n  spare: [amazon.nova-lite-v1:0]\nteams: []\n`;
    const { policy, issues } = parsePolicyFile(text, 'p.yaml');
    expect(issues.map(show)).toEqual([
      '4:3 warning models.spare: model set "spare" is granted to no team',
      '5:8 warning teams: no team: every Bedrock access is unapproved',
    ]);
    expect(policy?.teams).toEqual([]);
  });

  it('warns about model ids and globs that match nothing in the catalogue, with did-you-mean', () => {
    const text = BASE.replace('[amazon.nova-micro-v1:0]', '[amazon.nova-micr-v1:0, "anthropic.*", "meta.*"]');
    const known = ['amazon.nova-micro-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'];
    expect(issuesOf(text, known).map((i) => [show(i), i.hint])).toEqual([
      [
        '4:14 warning models.standard[0]: model "amazon.nova-micr-v1:0" matches no model in the catalogue',
        'did you mean "amazon.nova-micro-v1:0"?',
      ],
      [
        '4:52 warning models.standard[2]: glob "meta.*" matches no model in the catalogue',
        expect.stringContaining('list-foundation-models'),
      ],
    ]);
    expect(issuesOf(text)).toEqual([]);
    expect(parsePolicyFile(text, 'p.yaml', { knownModelIds: known }).policy).toBeDefined();
  });

  it("warns about an approved Region the snapshot's account is not captured in, with a guess", () => {
    const text = BASE.replace('regions: [us-east-1, us-west-2]', 'regions: [us-east-1, us-wst-2]');
    const { issues } = parsePolicyFile(text, 'p.yaml', { knownRegions: ['us-east-1', 'us-west-2'] });
    expect(issues.map(show)).toEqual([
      '2:22 warning regions[1]: Region "us-wst-2" is not one the snapshot\'s account is captured in (us-east-1, us-west-2)',
    ]);
    expect(issues[0]?.hint).toBe('did you mean "us-west-2"?');
    expect(parsePolicyFile(BASE, 'p.yaml', { knownRegions: ['us-east-1', 'us-west-2'] }).issues).toEqual([]);
  });

  it('warns when a budget counts a model set its team is not granted', () => {
    const text = `${BASE.replace('  standard: [amazon.nova-micro-v1:0]', '  standard: [amazon.nova-micro-v1:0]\n  premium: [deepseek.r1-v1:0]')}  - name: ds
    principals: { tags: { team: ds } }
    models: [premium]
budgets:
  - { team: everyone, models: [premium], window: 1d, max: { invocations: 10 } }
`;
    expect(linesOf(text)).toEqual([
      '14:32 warning budgets[0].models[0]: team "everyone" is not granted model set "premium", so this budget never counts it',
    ]);
  });
});

describe('loadPolicyFile', () => {
  it('returns the policy and its warnings', () => {
    const { policy, warnings } = loadPolicyFile(
      `${BASE}  - { name: b, principals: "arn:aws:iam::*:user/*", models: [] }\n`,
      'p.yaml',
    );
    expect(policy.teams.map((t) => t.name)).toEqual(['everyone', 'b']);
    expect(warnings).toEqual([]);
  });

  it('throws PolicyFileError with every error, printed one block per issue', () => {
    const text = BASE.replace('version: 1', 'version: 2').replace('[standard]', '[standrd]');
    let error: unknown;
    try {
      loadPolicyFile(text, 'bedrock-guard.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyFileError);
    const e = error as PolicyFileError;
    expect(e.issues.map((i) => i.level)).toEqual(['error', 'error']);
    expect(e.message).toBe('invalid policy file (2 errors)');
    expect(e.describe()).toBe(
      [
        'bedrock-guard.yaml:1:10: error: must be 1, got 2 (at version)',
        '  hint: this bedrock-guard reads version 1',
        'bedrock-guard.yaml:8:14: error: unknown model set "standrd" (at teams[0].models[0])',
        '  hint: did you mean "standard"?',
      ].join('\n'),
    );
  });
});
