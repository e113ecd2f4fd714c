import { describe, expect, it } from 'vitest';
import { folderWith, runCli } from './run-cli.js';

const ACCOUNT = { accountId: '111122223333', partition: 'aws', regions: ['us-east-1', 'us-west-2'] };
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const nova = (region: string) => `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`;

const snapshot = folderWith({
  'account.json': ACCOUNT,
  'iam.json': {
    UserDetailList: [
      {
        UserName: 'alice',
        UserId: 'AIDAALICE',
        Arn: ALICE,
        Path: '/',
        GroupList: [],
        Tags: [{ Key: 'team', Value: 'ds' }],
        AttachedManagedPolicies: [{ PolicyName: 'NoWest', PolicyArn: 'arn:aws:iam::111122223333:policy/NoWest' }],
        UserPolicyList: [
          {
            PolicyName: 'nova',
            PolicyDocument: encodeURIComponent(
              JSON.stringify({
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'Nova',
                    Effect: 'Allow',
                    Action: 'bedrock:InvokeModel*',
                    Resource: 'arn:aws:bedrock:*::foundation-model/amazon.nova-*',
                    Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ds' } },
                  },
                ],
              }),
            ),
          },
        ],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [
      {
        PolicyName: 'NoWest',
        Arn: 'arn:aws:iam::111122223333:policy/NoWest',
        DefaultVersionId: 'v2',
        PolicyVersionList: [
          {
            VersionId: 'v2',
            IsDefaultVersion: true,
            Document: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'NoWest',
                  Effect: 'Deny',
                  Action: 'bedrock:*',
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:RequestedRegion': 'us-west-2' } },
                },
              ],
            },
          },
          { VersionId: 'v1', IsDefaultVersion: false, Document: { Version: '2012-10-17', Statement: [] } },
        ],
      },
    ],
  },
});

const explain = (...args: string[]) => runCli(['explain', '--snapshot', snapshot, ...args]);

describe('bedrock-guard explain', () => {
  it('prints the decision and the deciding statement', () => {
    const r = explain('--principal', ALICE, '--action', 'bedrock:InvokeModel', '--resource', nova('us-west-2'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ExplicitlyDenied');
    expect(r.stdout).toContain('arn:aws:iam::111122223333:policy/NoWest Statement[0] Sid "NoWest"');
  });

  it('--json gives decision and statements', () => {
    const r = explain(
      '--principal',
      ALICE,
      '--action',
      'bedrock:InvokeModel',
      '--resource',
      nova('us-east-1'),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      principal: ALICE,
      action: 'bedrock:InvokeModel',
      resource: nova('us-east-1'),
      decision: 'Allowed',
      blockedBy: null,
      statements: [
        {
          layer: 'identity',
          policy: `${ALICE}/nova`,
          policyName: 'nova',
          policyType: 'inline',
          statementIndex: 0,
          sid: 'Nova',
          effect: 'Allow',
        },
      ],
    });
  });

  it('--context overrides derived keys', () => {
    const r = explain(
      '--principal',
      ALICE,
      '--action',
      'bedrock:InvokeModel',
      '--resource',
      nova('us-east-1'),
      '--context',
      'aws:PrincipalTag/team=web',
      '--json',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'ImplicitlyDenied', blockedBy: { layer: 'identity' } });
  });

  it('--batch prints one JSON result per line, in order, and reports bad lines', () => {
    const lines = [
      { principal: ALICE, action: 'bedrock:InvokeModel', resource: nova('us-east-1') },
      { principal: ALICE, action: 'bedrock:InvokeModel', resource: nova('us-west-2') },
      'not json',
      {
        principal: 'arn:aws:iam::111122223333:user/nobody',
        action: 'bedrock:InvokeModel',
        resource: nova('us-east-1'),
      },
      {
        principal: ALICE,
        action: 'bedrock:InvokeModel',
        resource: nova('us-east-1'),
        context: { 'aws:PrincipalTag/team': 'x' },
      },
    ];
    const file = folderWith({
      'requests.jsonl': lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'),
    });
    const r = explain('--batch', `${file}/requests.jsonl`);
    expect(r.code).toBe(1);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.decision ?? `error@${o.line}`)).toEqual([
      'Allowed',
      'ExplicitlyDenied',
      'error@3',
      'error@4',
      'ImplicitlyDenied',
    ]);
    expect(out[3].error).toContain('is not a user or role in the snapshot');
    expect(r.stderr).toContain('2 of 5 lines failed');
  });

  it('--batch keeps order over many chunks and CRLF line ends', () => {
    const regions = ['us-east-1', 'us-west-2'];
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ principal: ALICE, action: 'bedrock:InvokeModel', resource: nova(regions[i % 2] as string) }),
    );
    const file = folderWith({ 'big.jsonl': `${lines.join('\r\n')}\r\n` });
    const r = explain('--batch', `${file}/big.jsonl`);
    expect(r.code).toBe(0);
    const decisions = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).decision);
    expect(decisions).toHaveLength(3000);
    expect(decisions.every((d, i) => d === (i % 2 === 0 ? 'Allowed' : 'ExplicitlyDenied'))).toBe(true);
  });

  it('--batch - reads standard input', () => {
    const r = runCli(
      ['explain', '--snapshot', snapshot, '--batch', '-'],
      `${JSON.stringify({ principal: ALICE, action: 'bedrock:InvokeModel', resource: nova('us-east-1') })}\n`,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).decision).toBe('Allowed');
  });

  it('--model --region shows every route and why each is decided', () => {
    const r = explain('--principal', ALICE, '--model', 'amazon.nova-micro-v1:0', '--region', 'us-east-1', '--json');
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(view.allowedRoutes).toEqual(['invoke', 'invoke-stream', 'async']);
    const batch = view.routes.find((x: { id: string }) => x.id === 'batch');
    expect(batch.failing).toMatchObject({ action: 'bedrock:CreateModelInvocationJob', decision: 'ImplicitlyDenied' });
  });

  it('--model without --principal lists every principal', () => {
    const r = explain('--model', 'amazon.nova-micro-v1:0', '--region', 'us-west-2', '--json');
    expect(JSON.parse(r.stdout)).toEqual([{ principal: ALICE, kind: 'user', allowedRoutes: [], routes: 8 }]);
  });

  it.each([
    [['--principal', ALICE, '--action', 'bedrock:InvokeModel'], '--resource is required'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--principal', ALICE, '--model', 'm'], '--region is required'],
    [
      ['--context', 'novalue', '--principal', ALICE, '--action', 'a:b', '--resource', '*'],
      '--context "novalue" is not key=value',
    ],
    [
      ['--principal', 'arn:aws:iam::111122223333:user/alic', '--action', 'a:b', '--resource', '*'],
      'Did you mean arn:aws:iam::111122223333:user/alice?',
    ],
    [['--batch', '/nonexistent.jsonl'], '--batch /nonexistent.jsonl'],
  ])('exits 1 naming the argument: %j', (args, message) => {
    const r = explain(...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it('names the snapshot problem', () => {
    const r = runCli([
      'explain',
      '--snapshot',
      '/nonexistent',
      '--principal',
      ALICE,
      '--action',
      'a:b',
      '--resource',
      '*',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not exist');
  });

  it('rejects an unknown command', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});
