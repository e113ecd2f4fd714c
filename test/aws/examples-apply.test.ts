import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../cli/run-cli.js';
import { catalogueFromSnapshot } from '../support/bedrock-server.js';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS } from '../support/moto.js';
import { seedIam } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

/**
 * PRODUCT.md's correctness bar, on every example account made real in moto:
 * after `apply`, a fresh capture and plan show no deny change left, no
 * enforced finding open, and (apply's own verification) no approved access
 * lost. GovCloud's example runs in the aws-us-gov partition, without an organization.
 */
const EXAMPLES = readdirSync('examples', { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'govcloud')
  .map((e) => e.name)
  .sort();

let aws: LiveAws;
beforeAll(async () => {
  aws = await startLiveAws();
}, 30_000);
afterAll(() => aws?.stop());

/** Apply, then plan again: nothing left to enforce; apply's own verification found nothing lost. */
async function applyAndCheck(policy: readonly string[]): Promise<void> {
  expect((await runMain(['ledger', 'init'])).code).toBe(0);
  const applied = await runMain(['apply', ...policy, '--yes', '--max-changes', '1000', '--json']);
  expect(applied.stderr).not.toContain('AWS refused');
  const result = JSON.parse(applied.stdout) as { verified: boolean; problems: string[]; outcomes: unknown[] };
  expect(result.problems).toEqual([]);
  expect(applied.code).toBe(0);

  const after = JSON.parse((await runMain(['plan', ...policy, '--json'])).stdout) as {
    actions: Array<{ type: string }>;
    findings: Array<{ mode: string; status: string; rule: string; principal: string }>;
  };
  expect(after.actions.filter((a) => a.type !== 'alert')).toEqual([]);
  expect(
    after.findings.filter((f) => f.mode === 'enforce' && f.status === 'open' && f.rule !== 'deny-exceeds-quota'),
  ).toEqual([]);
}

describe.each(EXAMPLES)('examples/%s applied on the moto server', (name) => {
  it('ends with nothing left to enforce and all approved access kept', async () => {
    await aws.moto.reset();
    aws.useCredentials(MOTO_CREDENTIALS);
    const org = await seedAccount(aws, join('examples', name, 'snapshot'));
    await applyAndCheck(['--policy', join('examples', name, 'bedrock-guard.yaml'), '--org-role', org.orgRoleArn]);
  });
});

describe('examples/govcloud applied in the aws-us-gov partition', () => {
  it('captures, plans and writes with GovCloud ARNs and endpoints', async () => {
    const dir = join('examples', 'govcloud', 'snapshot');
    await aws.moto.reset();
    aws.useCredentials(MOTO_CREDENTIALS);
    // moto places an account in the partition of the Region it is called in; no organization here.
    process.env.AWS_REGION = 'us-gov-west-1';
    try {
      await seedIam(aws.proxy.endpoint, MOTO_CREDENTIALS, dir, MOTO_ACCOUNT, 'us-gov-west-1');
      aws.bedrock.setCatalogue(catalogueFromSnapshot(dir));
      const policy = ['--policy', join('examples', 'govcloud', 'bedrock-guard.yaml')];
      const plan = JSON.parse((await runMain(['plan', ...policy, '--json'])).stdout) as {
        partition: string;
        actions: Array<{ type: string; policyArn?: string }>;
      };
      expect(plan.partition).toBe('aws-us-gov');
      const puts = plan.actions.filter((a) => a.type === 'put-deny');
      expect(puts.length).toBeGreaterThan(0);
      for (const a of puts) if (a.policyArn) expect(a.policyArn).toMatch(/^arn:aws-us-gov:iam::/);
      await applyAndCheck(policy);
    } finally {
      process.env.AWS_REGION = 'us-east-1';
    }
  });
});
