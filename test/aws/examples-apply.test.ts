import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../cli/run-cli.js';
import { MOTO_CREDENTIALS } from '../support/moto.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

/**
 * PRODUCT.md's correctness bar, on every example account made real in moto:
 * after `apply`, a fresh capture and plan show no deny change left, no
 * enforced finding open, and (apply's own verification) no approved access
 * lost. GovCloud's example is left out: moto's accounts are in the aws partition.
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

describe.each(EXAMPLES)('examples/%s applied on the moto server', (name) => {
  it('ends with nothing left to enforce and all approved access kept', async () => {
    await aws.moto.reset();
    aws.useCredentials(MOTO_CREDENTIALS);
    const org = await seedAccount(aws, join('examples', name, 'snapshot'));
    const policy = ['--policy', join('examples', name, 'bedrock-guard.yaml'), '--org-role', org.orgRoleArn];
    expect((await runMain(['ledger', 'init'])).code).toBe(0);
    const applied = await runMain(['apply', ...policy, '--yes', '--max-changes', '1000', '--json']);
    expect(applied.stderr).not.toContain('AWS refused');
    const result = JSON.parse(applied.stdout) as { verified: boolean; problems: string[] };
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
  });
});
