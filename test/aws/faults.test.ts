import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { readAuthorizationDetails } from '../../shared/aws/iam-reader.js';
import { isGuardPolicyArn } from '../../shared/core/plan/guard-owned.js';
import { runMain } from '../cli/run-cli.js';
import type { SeededOrganization } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

/**
 * AWS misbehaving under `apply`: the fault proxy in front of moto answers a
 * share of IAM and DynamoDB requests with throttling errors and 500s, and
 * "loses" the answer to others after moto has carried them out. The guard
 * must still end in the planned state, and the ledger must hold each action
 * exactly once.
 */
const DEMO = 'examples/demo';
let aws: LiveAws;
let org: SeededOrganization;

beforeAll(async () => {
  aws = await startLiveAws();
  org = await seedAccount(aws, join(DEMO, 'snapshot'));
  expect((await runMain(['ledger', 'init'])).code).toBe(0);
}, 60_000);
afterAll(() => aws?.stop());

const apply = (...args: string[]) =>
  runMain(['apply', '--policy', join(DEMO, 'bedrock-guard.yaml'), '--org-role', org.orgRoleArn, ...args]);

describe('apply under throttling, 500s and lost responses', () => {
  it('ends in the planned state with every action in the ledger once', async () => {
    aws.proxy.setFaults({ throttleShare: 0.2, errorShare: 0.1, lostResponseShare: 0.15 });
    const applied = await apply('--yes', '--json');
    aws.proxy.setFaults({ throttleShare: 0, errorShare: 0, lostResponseShare: 0 });
    expect(applied.stderr).not.toContain('AWS refused');
    expect(applied.code).toBe(0);
    const { counts } = aws.proxy;
    expect(counts.throttled).toBeGreaterThan(0);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.lostResponses).toBeGreaterThan(0);

    const result = JSON.parse(applied.stdout) as {
      outcomes: Array<{ result: string; ledger: string }>;
      verified: boolean;
      awsCalls: { byOperation: Record<string, number> };
    };
    expect(result.verified).toBe(true);
    expect(result.outcomes.map((o) => o.result)).toEqual(['applied', 'applied', 'applied']);

    // IAM holds exactly the three guard denies, each attached once to its principal.
    const iam = await readAuthorizationDetails(new AwsClients().iam('aws'));
    const guard = (iam.Policies as Array<{ Arn: string; AttachmentCount: number }>).filter((p) =>
      isGuardPolicyArn(p.Arn),
    );
    expect(guard.map((p) => p.Arn.split('/').pop()).sort()).toEqual([
      'bedrock-guard-deny-role-ContractorRole',
      'bedrock-guard-deny-role-DataScience',
      'bedrock-guard-deny-user-bob',
    ]);
    for (const p of guard) expect(p.AttachmentCount, p.Arn).toBe(1);

    // The ledger has each action once, even where a write's answer was lost and the write retried.
    const entries = JSON.parse((await runMain(['ledger', '--json'])).stdout) as Array<Record<string, string>>;
    expect(entries.map((e) => `${e.result} ${e.action} ${e.policyName}`).sort()).toEqual([
      'applied put-deny bedrock-guard-deny-role-ContractorRole',
      'applied put-deny bedrock-guard-deny-role-DataScience',
      'applied put-deny bedrock-guard-deny-user-bob',
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(3);

    // And a second apply, still under faults, has nothing left to do.
    aws.proxy.setFaults({ throttleShare: 0.2, errorShare: 0.1 });
    const again = await apply('--yes');
    aws.proxy.setFaults({ throttleShare: 0, errorShare: 0 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it('converges when the answers to half of the writes are lost after the write happened', async () => {
    await aws.moto.reset();
    aws.useCredentials({ accessKeyId: 'testing', secretAccessKey: 'testing' });
    org = await seedAccount(aws, join(DEMO, 'snapshot'));
    expect((await runMain(['ledger', 'init'])).code).toBe(0);
    // Writes only, so the retried create, attach and ledger put each meet a lost answer.
    aws.proxy.setFaults({ lostResponseShare: 0.5, actions: WRITES });
    const before = aws.proxy.counts.lostResponses;
    const applied = await apply('--yes', '--json');
    aws.proxy.setFaults({ lostResponseShare: 0, actions: undefined });
    expect(aws.proxy.counts.lostResponses - before).toBeGreaterThanOrEqual(3);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ verified: true });
    const entries = JSON.parse((await runMain(['ledger', '--json'])).stdout) as unknown[];
    expect(entries).toHaveLength(3);
    expect((await apply('--yes')).stdout).toContain('No changes');
  });
});

const WRITES =
  /^(CreatePolicy|CreatePolicyVersion|AttachRolePolicy|AttachUserPolicy|PutRolePolicy|PutUserPolicy|DynamoDB_20120810\.PutItem|PutItem)$/;
