import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { readAuthorizationDetails } from '../../shared/aws/iam-reader.js';
import { isGuardInlineName, isGuardPolicyArn } from '../../shared/core/plan/guard-owned.js';
import { runMain } from '../cli/run-cli.js';
import { createGuardPolicy, type SeededOrganization } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

/**
 * The whole path on the moto server, through the CLI as a user runs it: the
 * demo account (examples/demo) seeded into a member account of an
 * organization with SCPs → snapshot → live plan → apply → verify → apply
 * again (nothing) → approve the model in the policy file → apply removes the
 * deny. Bedrock's catalogue comes from a loopback stand-in (moto lacks it).
 */
const DEMO = 'examples/demo';
const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-apply-'));
const demoPolicy = readFileSync(join(DEMO, 'bedrock-guard.yaml'), 'utf8');
const POLICY = join(scratch, 'bedrock-guard.yaml');
writeFileSync(POLICY, demoPolicy);

let aws: LiveAws;
let org: SeededOrganization;
let before: Record<string, unknown>;

const iamNow = () => readAuthorizationDetails(new AwsClients().iam('aws'));
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const live = (...args: string[]) => runMain([...args, '--policy', POLICY, '--org-role', org.orgRoleArn]);

beforeAll(async () => {
  aws = await startLiveAws();
  org = await seedAccount(aws, join(DEMO, 'snapshot'));
  before = await iamNow();
}, 60_000);
afterAll(() => aws?.stop());

/** The actions of a plan as account-free tuples, to compare plans of accounts with different ids. */
const actionKeys = (plan: Record<string, unknown>) =>
  (plan.actions as Array<Record<string, string>>)
    .map((a) => `${a.type} ${a.principal?.split(':').pop()} ${a.mechanism ?? ''} ${a.policyName ?? a.rule ?? ''}`)
    .sort();

/** IAM without the guard's own policies: what no apply may ever change. */
function customersOwn(details: Record<string, unknown>): unknown {
  const strip = (entries: unknown, inlineKey: string) =>
    (entries as Array<Record<string, unknown>>)
      .map((e) => ({
        name: e.RoleName ?? e.UserName ?? e.GroupName,
        boundary: e.PermissionsBoundary,
        tags: e.Tags,
        attached: (e.AttachedManagedPolicies as Array<{ PolicyArn: string }>).filter(
          (a) => !isGuardPolicyArn(a.PolicyArn),
        ),
        inline: ((e[inlineKey] ?? []) as Array<{ PolicyName: string }>).filter((p) => !isGuardInlineName(p.PolicyName)),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return {
    roles: strip(details.RoleDetailList, 'RolePolicyList'),
    users: strip(details.UserDetailList, 'UserPolicyList'),
    groups: strip(details.GroupDetailList, 'GroupPolicyList'),
    policies: (details.Policies as Array<{ Arn: string; PolicyVersionList: unknown }>)
      .filter((p) => !isGuardPolicyArn(p.Arn))
      .map((p) => [p.Arn, p.PolicyVersionList])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  };
}

describe('snapshot → plan → apply → verify → re-apply → approve → apply, on the moto server', () => {
  it('captures the snapshot folder, and a plan from it equals the live plan', async () => {
    const out = join(scratch, 'snapshot');
    const captured = await runMain(['snapshot', '--out', out, '--policy', POLICY, '--org-role', org.orgRoleArn]);
    expect(captured.stderr).toBe('');
    expect(captured.code).toBe(0);
    expect(captured.stdout).toMatch(
      /Captured account \d{12} \(us-east-1, us-east-2, us-west-2\): 11 roles, 2 users, 1 groups/,
    );
    expect(json(readFileSync(join(out, 'account.json'), 'utf8'))).toMatchObject({
      accountId: org.memberAccount,
      partition: 'aws',
    });
    const scps = json(readFileSync(join(out, 'scps.json'), 'utf8')) as { levels: Array<{ target: string }> };
    expect(scps.levels.map((l) => l.target)).toEqual([org.rootId, expect.stringMatching(/^ou-/), org.memberAccount]);

    const fromFolder = await runMain(['plan', '--policy', POLICY, '--snapshot', out, '--json']);
    const fromLive = await live('plan', '--json');
    expect(fromLive.code).toBe(2);
    expect(fromFolder.code).toBe(2);
    expect(actionKeys(json(fromLive.stdout))).toEqual(actionKeys(json(fromFolder.stdout)));
  });

  it('plans live what the offline demo plans (the same account, re-created in moto)', async () => {
    const offline = await runMain(['plan', '--policy', POLICY, '--snapshot', join(DEMO, 'snapshot'), '--json']);
    const plan = json((await live('plan', '--json')).stdout);
    expect(actionKeys(plan)).toEqual(actionKeys(json(offline.stdout)));
    // The identity running the guard is reported as exempt, never planned against.
    expect(plan.findings).not.toContainEqual(expect.objectContaining({ principal: org.guardRoleArn, status: 'open' }));
  });

  it("refuses to apply a snapshot folder of another account than the credentials'", async () => {
    const r = await runMain(['apply', '--policy', POLICY, '--snapshot', join(DEMO, 'snapshot'), '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `the snapshot is of account 111122223333, but the credentials are for account ${org.memberAccount}`,
    );
  });

  it('applies, verifies, writes only guard-owned policies, and records each action once', async () => {
    expect((await runMain(['ledger', 'init'])).code).toBe(0);
    const applied = await live('apply', '--yes', '--json');
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);
    const result = json(applied.stdout) as {
      outcomes: Array<{ result: string; action: { principal: string; type: string } }>;
      verified: boolean;
      trigger: { id: string };
      awsCalls: { total: number };
    };
    expect(result.verified).toBe(true);
    expect(
      result.outcomes.map((o) => `${o.result} ${o.action.type} ${o.action.principal.split('/').pop()}`).sort(),
    ).toEqual(['applied put-deny ContractorRole', 'applied put-deny DataScience', 'applied put-deny bob']);
    expect(result.awsCalls.total).toBeGreaterThan(0);

    const after = await iamNow();
    expect(customersOwn(after)).toEqual(customersOwn(before));
    const guard = (after.Policies as Array<{ Arn: string; Path: string }>).filter((p) => isGuardPolicyArn(p.Arn));
    expect(guard.map((p) => p.Arn.split('/').pop()).sort()).toEqual([
      'bedrock-guard-deny-role-ContractorRole',
      'bedrock-guard-deny-role-DataScience',
      'bedrock-guard-deny-user-bob',
    ]);

    const ledger = json(`{"entries": ${(await runMain(['ledger', '--json'])).stdout}}`).entries as Array<
      Record<string, unknown>
    >;
    expect(ledger).toHaveLength(3);
    for (const entry of ledger) {
      expect(entry).toMatchObject({ result: 'applied', action: 'put-deny', account: org.memberAccount });
      expect(entry.trigger).toEqual({ kind: 'manual', id: result.trigger.id });
      expect(entry.afterHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(entry.beforeHash).toBeUndefined();
    }

    // The guard's denies now match the file: only the alert-mode finding is left, and a second apply changes nothing.
    expect(actionKeys(json((await live('plan', '--json')).stdout))).toEqual([
      'alert role/AppBackend  cross-region-profile-gaps',
    ]);
    const again = await live('apply', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes: the account's guard denies already match the policy file.");
    expect(JSON.parse((await runMain(['ledger', '--json'])).stdout)).toHaveLength(3);
  });

  it('takes the deny away once the policy file approves what it blocked', async () => {
    // Contractors may now use every model, everywhere: ContractorRole's excess is gone.
    writeFileSync(
      POLICY,
      demoPolicy
        .replace('models:\n  standard:', 'models:\n  everything: ["*"]\n  standard:')
        .replace(
          '    principals: { tags: { team: contractors } }\n    models: [standard]\n    regions: [us-east-1]',
          '    principals: { tags: { team: contractors } }\n    models: [everything]',
        ),
    );
    // And a guard deny left behind by a role that was deleted (its policies detached first, as IAM requires).
    await createGuardPolicy(new AwsClients().iam('aws'), 'bedrock-guard-deny-role-Departed', 'bedrock:*');
    const dry = await live('apply', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /would remove\s+role\/Departed\s+managed bedrock-guard-deny-role-Departed \(attached to no principal any more\)/,
    );
    expect(dry.stdout).toMatch(/would remove\s+role\/ContractorRole\s+managed bedrock-guard-deny-role-ContractorRole/);
    expect((await iamNow()).Policies).toContainEqual(
      expect.objectContaining({ Arn: expect.stringContaining('bedrock-guard-deny-role-ContractorRole') }),
    );

    const applied = await live('apply', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/applied\s+remove-deny\s+role\/ContractorRole/);
    expect(applied.stdout).toContain('Verified: re-read from IAM');
    const after = await iamNow();
    for (const gone of ['ContractorRole', 'Departed']) {
      expect((after.Policies as Array<{ Arn: string }>).map((p) => p.Arn)).not.toContainEqual(
        expect.stringContaining(gone),
      );
    }
    expect(customersOwn(after)).toEqual(customersOwn(before));
    const entries = JSON.parse((await runMain(['ledger', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(
      entries
        .filter((e) => e.action === 'remove-deny')
        .map((e) => e.policyName)
        .sort(),
    ).toEqual(['bedrock-guard-deny-role-ContractorRole', 'bedrock-guard-deny-role-Departed']);
    const removal = entries.find((e) => e.action === 'remove-deny');
    expect(removal).toMatchObject({ result: 'applied', beforeHash: expect.stringMatching(/^sha256:/) });
    expect(removal?.afterHash).toBeUndefined();
    expect((await live('apply', '--yes')).stdout).toContain('No changes');
  });
});
