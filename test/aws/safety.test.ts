import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GUARD_PATH } from '../../shared/core/plan/guard-owned.js';
import { runMain } from '../cli/run-cli.js';
import { MOTO_CREDENTIALS } from '../support/moto.js';
import { createGuardPolicy, type SeededOrganization } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

/**
 * The safety rails of `apply`, each on a fresh copy of the demo account in
 * moto: the identity running the guard, exempt principals, a principal at
 * its managed-policy quota, a policy squatting on the guard's name, the
 * blast-radius limit, and confirmation.
 */
const DEMO = 'examples/demo';
let aws: LiveAws;
let org: SeededOrganization;
let iam: IAMClient;

beforeAll(async () => {
  aws = await startLiveAws();
}, 30_000);
beforeEach(async () => {
  await aws.moto.reset();
  aws.useCredentials(MOTO_CREDENTIALS);
  org = await seedAccount(aws, join(DEMO, 'snapshot'));
  iam = new IAMClient({ endpoint: aws.proxy.endpoint, region: 'us-east-1', credentials: org.guardCredentials });
  expect((await runMain(['ledger', 'init'])).code).toBe(0);
}, 30_000);
afterAll(() => aws?.stop());

const run = (command: string, ...args: string[]) =>
  runMain([command, '--policy', join(DEMO, 'bedrock-guard.yaml'), '--org-role', org.orgRoleArn, ...args]);
const ledger = async () => JSON.parse((await runMain(['ledger', '--json'])).stdout) as Array<Record<string, string>>;
const guardPolicies = async () =>
  ((await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: GUARD_PATH }))).Policies ?? []).map(
    (p) => p.PolicyName,
  );
const attachedTo = async (RoleName: string) =>
  ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? [])
    .map((p) => p.PolicyName)
    .sort();
const BEDROCK_FULL = 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess';

describe('apply safety rails on the moto server', () => {
  it('never plans against or writes to the identity running the guard, however much it may do', async () => {
    const self = 'OrganizationAccountAccessRole';
    await iam.send(new AttachRolePolicyCommand({ RoleName: self, PolicyArn: BEDROCK_FULL }));
    const plan = JSON.parse((await run('plan', '--json')).stdout) as {
      findings: Array<{ principal: string; status: string; exemptReason?: string }>;
      actions: Array<{ principal: string }>;
    };
    const own = plan.findings.filter((f) => f.principal === org.guardRoleArn);
    expect(own.length).toBeGreaterThan(0);
    for (const f of own) {
      expect(f.status).toBe('exempt');
      expect(f.exemptReason).toContain('the identity running bedrock-guard');
    }
    expect(plan.actions.map((a) => a.principal)).not.toContain(org.guardRoleArn);
    expect((await run('apply', '--yes')).code).toBe(0);
    expect(await attachedTo(self)).toEqual(['AmazonBedrockFullAccess']);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: self }))).PolicyNames).toEqual([]);
  });

  it('leaves exempt principals alone, and takes back a deny the guard put before they were exempt', async () => {
    // A guard deny on BreakGlass from before the policy file exempted it.
    const stale = await createGuardPolicy(iam, 'bedrock-guard-deny-role-BreakGlass', 'bedrock:InvokeModel');
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'BreakGlass', PolicyArn: stale }));
    const own = await attachedTo('BreakGlass');

    // Confirmed at a terminal this time, instead of --yes.
    const applied = await runMain(
      ['apply', '--policy', join(DEMO, 'bedrock-guard.yaml'), '--org-role', org.orgRoleArn],
      {
        terminalInput: 'yes\n',
      },
    );
    expect(applied.stdout).toContain('Type "yes"');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /applied\s+remove-deny\s+role\/BreakGlass\s+managed bedrock-guard-deny-role-BreakGlass/,
    );
    expect(await attachedTo('BreakGlass')).toEqual(own.filter((name) => name !== 'bedrock-guard-deny-role-BreakGlass'));
    expect(await guardPolicies()).not.toContain('bedrock-guard-deny-role-BreakGlass');
    const entries = await ledger();
    expect(entries.filter((e) => e.principal?.endsWith('/BreakGlass'))).toEqual([
      expect.objectContaining({ action: 'remove-deny', result: 'applied', reason: expect.stringContaining('exempt') }),
    ]);
  });

  it('puts the deny inline when the principal has no managed-policy attachment left', async () => {
    const full = await attachedTo('DataScience');
    for (let i = full.length; i < 10; i++) {
      const filler = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `filler-${i}`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
          }),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'DataScience', PolicyArn: filler.Policy?.Arn }));
    }
    const applied = await run('apply', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /applied\s+put-deny\s+role\/DataScience\s+inline bedrock-guard-deny-role-DataScience/,
    );
    expect(applied.stdout).toContain('Verified: re-read from IAM');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'DataScience' }))).PolicyNames).toContain(
      'bedrock-guard-deny-role-DataScience',
    );
    expect(await attachedTo('DataScience')).toHaveLength(10);
  });

  it('skips a policy that squats on the guard name without being the guard’s, and says the account is not as planned', async () => {
    // Someone else's policy at the guard's path and name, without the guard's tag.
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'bedrock-guard-deny-user-bob',
        Path: GUARD_PATH,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
        }),
      }),
    );
    const applied = await run('apply', '--yes');
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/skipped\s+put-deny\s+user\/bob .*is not the guard's/);
    expect(applied.stdout).toContain('user/bob: still planned after apply');
    expect(applied.stdout).not.toContain('Verified');
    expect(await ledger()).toContainEqual(
      expect.objectContaining({ principal: expect.stringMatching(/user\/bob$/), result: 'skipped' }),
    );
  });

  it('refuses a plan larger than --max-changes before writing anything, and records the refusal', async () => {
    const applied = await run('apply', '--yes', '--max-changes', '2');
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('the plan changes 3 guard denies, more than the limit of 2; nothing was written');
    expect(applied.stderr).toContain('--max-changes 3');
    expect(await guardPolicies()).toEqual([]);
    const entries = await ledger();
    expect(entries).toHaveLength(3);
    for (const e of entries)
      expect(e).toMatchObject({ result: 'skipped', reason: expect.stringContaining('limit of 2') });
  });

  it('needs --yes without a terminal, takes no for an answer at one, and --dry-run lists the changes; none writes, not even to the ledger', async () => {
    const unconfirmed = await run('apply');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('--yes is required when not run from a terminal');
    const declined = await runMain(
      ['apply', '--policy', join(DEMO, 'bedrock-guard.yaml'), '--org-role', org.orgRoleArn],
      {
        terminalInput: 'no\n',
      },
    );
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('not applied');
    const dry = await run('apply', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: 3 change(s), nothing written.');
    expect(await guardPolicies()).toEqual([]);
    expect(await ledger()).toEqual([]);
  });
});
