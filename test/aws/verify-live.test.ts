import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreatePolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLive } from '../../shared/apply/verify-live.js';
import { captureSnapshot } from '../../shared/aws/capture.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { denyActions } from '../../shared/core/apply/safety.js';
import { loadPolicyFile } from '../../shared/core/policy-file/parse.js';
import { planFromFiles, type PlanWork } from '../../shared/core/plan/plan.js';
import { runMain } from '../cli/run-cli.js';
import type { SeededOrganization } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from './live-env.js';

/**
 * `apply`'s verification, both ways of reading IAM again (principal by
 * principal, and the whole account), on the demo account in moto: after an
 * apply both find nothing; after someone edits a guard deny, both see it.
 */
const DEMO = 'examples/demo';
let aws: LiveAws;
let org: SeededOrganization;
let work: PlanWork;
let files: Awaited<ReturnType<typeof captureSnapshot>>;
const { policy } = loadPolicyFile(readFileSync(join(DEMO, 'bedrock-guard.yaml'), 'utf8'), 'bedrock-guard.yaml');

beforeAll(async () => {
  aws = await startLiveAws();
  org = await seedAccount(aws, join(DEMO, 'snapshot'));
  files = await captureSnapshot(new AwsClients(), { regions: policy.regions, orgRoleArn: org.orgRoleArn });
  work = planFromFiles(files.files, policy, { quotas: files.quotas });
  expect((await runMain(['ledger', 'init'])).code).toBe(0);
  const applied = await runMain([
    'apply',
    '--policy',
    join(DEMO, 'bedrock-guard.yaml'),
    '--org-role',
    org.orgRoleArn,
    '--yes',
  ]);
  expect(applied.code).toBe(0);
}, 60_000);
afterAll(() => aws?.stop());

const verify = (oneByOne: number) =>
  verifyLive(new AwsClients(), files.files, policy, work.plan, denyActions(work.plan), {
    quotas: files.quotas,
    oneByOne,
  });

describe('verifyLive', () => {
  it('finds the applied account as planned, reading principal by principal or the whole account', async () => {
    expect(denyActions(work.plan)).toHaveLength(3);
    expect(await verify(25)).toEqual([]);
    expect(await verify(0)).toEqual([]);
  });

  it('sees a guard deny someone else changed, both ways', async () => {
    const iam = new IAMClient({ endpoint: aws.proxy.endpoint, region: 'us-east-1', credentials: org.guardCredentials });
    const arn = `arn:aws:iam::${org.memberAccount}:policy/bedrock-guard/bedrock-guard-deny-role-DataScience`;
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        SetAsDefault: true,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }],
        }),
      }),
    );
    for (const oneByOne of [25, 0]) {
      const problems = await verify(oneByOne);
      expect(problems, `oneByOne ${oneByOne}`).toContainEqual(
        expect.stringMatching(
          /role\/DataScience: still planned after apply: put-deny bedrock-guard-deny-role-DataScience/,
        ),
      );
    }
  });
});
