import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DenialCause, Diagnosis } from '../../shared/core/diagnose/diagnosis.js';
import { applyToFiles } from '../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../shared/core/plan/plan.js';
import type { SnapshotFiles } from '../../shared/core/snapshot/files.js';
import { readPolicyFile } from '../../shared/policy-file/read.js';
import { readSnapshotFiles } from '../../shared/snapshot/read-folder.js';
import { writeSnapshotFiles } from '../../shared/snapshot/write-folder.js';
import { NO_AWS, runCli, runMain } from './run-cli.js';

/**
 * `bedrock-guard explain-denial` offline: each denied invoke sample in
 * events/ replayed on the demo snapshot, the seed-001 denial on
 * examples/cross-region-profile, and a guard deny on a demo account where the
 * guard's denies are in place.
 */
const POLICY = 'examples/demo/bedrock-guard.yaml';
const DEMO = ['--snapshot', 'examples/demo/snapshot', '--policy', POLICY];
const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-explain-denial-'));

type Json = Record<string, unknown>;
interface Output {
  request: Json;
  diagnosis: Diagnosis;
}

const detailOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { detail: Json }).detail;

/** A sample with some CloudTrail fields replaced, written to a file. */
function variant(sample: string, detail: Json): string {
  const event = JSON.parse(readFileSync(sample, 'utf8')) as Json;
  const file = join(scratch, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ ...event, detail: { ...(event.detail as Json), ...detail } }));
  return file;
}

async function diagnose(args: string[]): Promise<Output> {
  const run = await runMain(['explain-denial', ...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Output;
}

/**
 * The cause of every denied sample replayed on the demo snapshot, each checked
 * against what the snapshot holds. A new denied sample needs a line here.
 */
const CAUSES: Record<string, DenialCause> = {
  // The message says the Marketplace subscription is still being processed; IAM allows DataScience Opus in us-west-2.
  'Converse-AccessDeniedException-marketplace.json': 'marketplace-settling',
  // Playground's policies allow only Opus, DeepSeek R1 and inference profiles: not Nova Pro.
  'Converse-AccessDeniedException.json': 'no-identity-allow',
  // The OU's Region SCP denies eu-west-1 outside the us. profiles.
  'ConverseStream-AccessDeniedException-scp.json': 'scp-deny',
  // BatchJobs may create jobs in us-east-1 only.
  'CreateModelInvocationJob-AccessDeniedException.json': 'no-identity-allow',
  // AWS says "no access to the model"; bob's only invoke statement is Nova Lite, so IAM denies it too.
  'InvokeModel-AccessDenied.json': 'no-identity-allow',
  // PlatformAdmin has AmazonBedrockFullAccess; the Region SCP exempts us. profiles only, not global. ones.
  'InvokeModel-AccessDeniedException-global-profile.json': 'scp-region-without-profile-exemption',
  // AWS names the guard's deny, which the demo snapshot doesn't hold yet (written after it was captured):
  // AWS's word wins. With the deny in the snapshot the replay names its statement too (below).
  'InvokeModel-AccessDeniedException-by-guard.json': 'guard-deny',
  // AppBackend allows Nova Micro in us-east-1 and us-west-2, not in us-east-2 where the profile sent it.
  'InvokeModel-AccessDeniedException-inference-profile.json': 'missing-destination-region',
  // ContractorBoundary's NoAnthropicModels.
  'InvokeModelWithResponseStream-AccessDeniedException.json': 'explicit-deny',
};

const deniedSamples = readdirSync('events/invoke')
  .filter((f) => String(detailOf(join('events/invoke', f)).errorCode ?? '').startsWith('AccessDenied'))
  .sort();

describe('explain-denial (offline)', () => {
  it('has a cause for every denied invoke sample', () => {
    expect(deniedSamples).toEqual(Object.keys(CAUSES).sort());
  });

  it.each(deniedSamples)('diagnoses %s on the demo snapshot', async (sample) => {
    const file = join('events/invoke', sample);
    const { request, diagnosis } = await diagnose([file, ...DEMO]);
    const detail = detailOf(file);
    expect(request).toMatchObject({
      eventName: detail.eventName,
      region: detail.awsRegion,
      errorCode: detail.errorCode,
      errorMessage: detail.errorMessage,
      time: detail.eventTime,
    });
    expect(diagnosis.cause).toBe(CAUSES[sample]);
    expect(diagnosis.summary).not.toBe('');
    expect(diagnosis.fix).not.toBe('');
  });

  it('prints the request, the cause, the deciding statement and the fix', async () => {
    const run = await runMain([
      'explain-denial',
      'events/invoke/InvokeModelWithResponseStream-AccessDeniedException.json',
      ...DEMO,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, 4)).toEqual([
      'AccessDeniedException  arn:aws:iam::111122223333:role/ContractorRole (arn:aws:sts::111122223333:assumed-role/ContractorRole/acme-ai-dev1)',
      '  InvokeModelWithResponseStream arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0 in us-east-1 at 2025-11-18T11:03:29Z',
      '  route invoke-stream',
      '  AWS says: an explicit deny in the permissions boundary',
    ]);
    expect(run.stdout).toMatch(/^Cause: explicit-deny \(boundary\)$/m);
    expect(run.stdout).toMatch(
      /· Deny {2}boundary arn:aws:iam::111122223333:policy\/ContractorBoundary Statement\[1\] Sid "NoAnthropicModels"/,
    );
    expect(run.stdout).toMatch(/^Fix: Narrow that Deny/m);
  });

  it('prints a profile denial with the Region it was routed to and the statement to add, verified', async () => {
    const run = await runMain([
      'explain-denial',
      'events/invoke/InvokeModel-AccessDeniedException-inference-profile.json',
      ...DEMO,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('in us-east-1 (routed to us-east-2)');
    expect(run.stdout).toContain('route cross-region-profile:us.amazon.nova-micro-v1:0');
    expect(run.stdout).toContain('  1. add to the identity policies of role AppBackend:\n       {\n');
    expect(run.stdout).toContain(
      '         "Resource": "arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-micro-v1:0",',
    );
    expect(run.stdout).toContain('✓ verified: replayed with this change, the request is allowed');
  });

  it('prints what README.md shows', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = /\n\$ npx bedrock-guard explain-denial (\S+) \\\n {4}(.+)\n([^`]+)```/.exec(readme);
    expect(example).not.toBeNull();
    const [, file, flags, shown] = example as unknown as [string, string, string, string];
    const run = await runMain(['explain-denial', file, ...flags.split(' ')]);
    expect(run.stdout).toBe(shown);
  });

  it('captures the account live without --snapshot (and says so when there are no credentials)', () => {
    const run = runCli(
      ['explain-denial', 'events/invoke/Converse-AccessDeniedException.json', '--policy', POLICY],
      undefined,
      NO_AWS,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no AWS credentials/);
    expect(run.stderr).toMatch(/pass --snapshot DIR/);
  });

  it('prints --json as {request, diagnosis}', async () => {
    const run = await runMain([
      'explain-denial',
      'events/invoke/InvokeModel-AccessDeniedException-global-profile.json',
      ...DEMO,
      '--json',
    ]);
    const out = JSON.parse(run.stdout) as Output;
    expect(Object.keys(out)).toEqual(['request', 'diagnosis']);
    expect(out.request).toEqual({
      principal: 'arn:aws:iam::111122223333:role/PlatformAdmin',
      eventName: 'InvokeModel',
      region: 'us-east-1',
      model: 'global.anthropic.claude-sonnet-4-20250514-v1:0',
      errorCode: 'AccessDeniedException',
      errorMessage: detailOf('events/invoke/InvokeModel-AccessDeniedException-global-profile.json').errorMessage,
      time: '2025-11-19T09:41:27Z',
    });
    expect(out.diagnosis).toMatchObject({
      cause: 'scp-region-without-profile-exemption',
      layer: 'scp',
      route: 'global-profile:global.anthropic.claude-sonnet-4-20250514-v1:0',
      failing: {
        action: 'bedrock:InvokeModel',
        resource: 'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0',
      },
      evidence: [
        { policy: { id: 'p-3k8d2m1x', layer: 'scp' }, sid: 'DenyBedrockOutsideApprovedRegionsExceptThroughUsProfiles' },
      ],
      changes: [{ layer: 'scp', kind: 'replace-statement', policyId: 'p-3k8d2m1x', scpTarget: 'ou-7x2q-wk4d9f1s' }],
      verified: true,
      awsSays: 'an explicit deny in a service control policy',
    });
  });

  it('reads the event from stdin with -', () => {
    const run = runCli(
      ['explain-denial', '-', ...DEMO, '--json'],
      readFileSync('events/invoke/Converse-AccessDeniedException.json', 'utf8'),
      NO_AWS,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Output).diagnosis.cause).toBe('no-identity-allow');
  });

  it('names the SCP change for seed 001 (ChatApp through the us. profile, refused in us-east-2)', async () => {
    const file = variant('events/invoke/InvokeModel-AccessDeniedException-inference-profile.json', {
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAAEFIIHLX2SDISAGMV:support-chat',
        arn: 'arn:aws:sts::111122223333:assumed-role/ChatApp/support-chat',
        accountId: '111122223333',
        accessKeyId: 'ASIAAEFIIHLX2EXAMPLE',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAAEFIIHLX2SDISAGMV',
            arn: 'arn:aws:iam::111122223333:role/ChatApp',
            accountId: '111122223333',
            userName: 'ChatApp',
          },
          attributes: { creationDate: '2025-11-18T13:00:07Z', mfaAuthenticated: 'false' },
        },
      },
      requestParameters: {
        modelId: 'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0',
      },
      errorMessage:
        'User: arn:aws:sts::111122223333:assumed-role/ChatApp/support-chat is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0 with an explicit deny in a service control policy',
    });
    const example = 'examples/cross-region-profile';
    const { diagnosis } = await diagnose([
      file,
      '--snapshot',
      `${example}/snapshot`,
      '--policy',
      `${example}/bedrock-guard.yaml`,
    ]);
    expect(diagnosis.cause).toBe('scp-region-without-profile-exemption');
    expect(diagnosis.failing?.resource).toBe('arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0');
    const [scp, identity] = diagnosis.changes;
    expect(scp).toMatchObject({
      layer: 'scp',
      kind: 'replace-statement',
      policyId: 'p-6h2k9d4w',
      scpTarget: 'ou-4f2a-9c1d7e3b',
      index: 0,
    });
    expect((scp?.statement.Condition as Json).ArnNotLike).toMatchObject({
      'bedrock:InferenceProfileArn': expect.arrayContaining(['arn:aws:bedrock:*:*:inference-profile/*']),
    });
    // ChatApp's own policy lacks the destination Regions too (examples/cross-region-profile/README.md).
    expect(identity).toMatchObject({ layer: 'identity', kind: 'add-statement' });
    expect(identity?.statement.Resource).toEqual([
      'arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0',
      'arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0',
    ]);
    expect(diagnosis.verified).toBe(true);
  });

  describe('a denial by the guard deny', () => {
    const sample = 'events/invoke/InvokeModel-AccessDeniedException-by-guard.json';
    let guarded: string;

    // The demo with Playground given AmazonBedrockFullAccess, and the plan's denies applied as `apply` would.
    beforeAll(async () => {
      const files = await readSnapshotFiles('examples/demo/snapshot');
      const { policy } = await readPolicyFile(POLICY);
      const widened = withManagedPolicy(files, 'Playground', 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess');
      const { changes } = planFromFiles(widened, policy);
      expect(changes.map((c) => c.policyName)).toContain('bedrock-guard-deny-role-Playground');
      guarded = join(scratch, 'guarded');
      await writeSnapshotFiles(guarded, applyToFiles(widened, changes));
    });

    it('is by design: the rule and the line of the policy file, and no policy change', async () => {
      const line = readFileSync(POLICY, 'utf8').split('\n').indexOf('  unapproved-model-access: enforce') + 1;
      expect(line).toBeGreaterThan(0);
      const { diagnosis } = await diagnose([sample, '--snapshot', guarded, '--policy', POLICY]);
      expect(diagnosis).toMatchObject({
        cause: 'guard-deny',
        layer: 'guard',
        byDesign: { rule: 'unapproved-model-access', file: POLICY, line },
        changes: [],
        evidence: [
          {
            policy: { id: 'arn:aws:iam::111122223333:policy/bedrock-guard/bedrock-guard-deny-role-Playground' },
            effect: 'Deny',
          },
        ],
      });
      expect(diagnosis.fix).toMatch(/its teams \(playground\)/);

      const run = await runMain(['explain-denial', sample, '--snapshot', guarded, '--policy', POLICY]);
      expect(run.stdout).toMatch(/^Cause: guard-deny \(guard\)$/m);
      expect(run.stdout).toContain(`by design: rule unapproved-model-access (${POLICY}:${line})`);
    });

    it('reads ./bedrock-guard.yaml without --policy', async () => {
      const { diagnosis } = await diagnose([sample, '--snapshot', guarded]);
      expect(diagnosis.byDesign?.file).toBe('bedrock-guard.yaml');
    });
  });

  describe('--first-use', () => {
    // The same call, answered with Bedrock's generic "no access" instead of the Marketplace message.
    const noAccess = () =>
      variant('events/invoke/Converse-AccessDeniedException-marketplace.json', {
        errorMessage: "You don't have access to the model with the specified model ID.",
      });

    it('makes a third-party denial minutes after the first use marketplace-settling', async () => {
      const file = noAccess();
      expect((await diagnose([file, ...DEMO])).diagnosis.cause).toBe('model-access');
      const { diagnosis } = await diagnose([file, ...DEMO, '--first-use', '2025-11-19T15:14:00Z']);
      expect(diagnosis.cause).toBe('marketplace-settling');
      expect(diagnosis.summary).toMatch(/first used in this account 9 minutes before the denial/);
    });

    it('does not, an hour after the first use', async () => {
      const { diagnosis } = await diagnose([noAccess(), ...DEMO, '--first-use', '2025-11-19T14:20:00Z']);
      expect(diagnosis.cause).toBe('model-access');
    });

    it('refuses a time it cannot read', async () => {
      const run = await runMain(['explain-denial', noAccess(), ...DEMO, '--first-use', 'yesterday']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--first-use "yesterday" is not a duration, date or date-time/);
    });
  });

  it.each([
    ['events/iam-change/AttachRolePolicy.json', 'iam.amazonaws.com AttachRolePolicy is not a denied Bedrock invoke'],
    ['events/other/GetRole.json', 'iam.amazonaws.com GetRole is not a denied Bedrock invoke'],
    [
      'events/invoke/InvokeModel.json',
      'bedrock.amazonaws.com InvokeModel succeeded: it is not a denied Bedrock invoke',
    ],
    [
      'events/invoke/InvokeModel-ThrottlingException.json',
      'bedrock.amazonaws.com InvokeModel failed with ThrottlingException, not an access denial',
    ],
  ])('refuses %s, saying what it is', async (file, message) => {
    const run = await runMain(['explain-denial', file, ...DEMO]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}: ${message}`);
    expect(run.stderr).toMatch(/hint: explain-denial takes an InvokeModel/);
  });

  it('says when the caller is not in the account', async () => {
    const { diagnosis } = await diagnose([
      'events/invoke/Converse-AccessDeniedException.json',
      '--snapshot',
      'examples/cross-region-profile/snapshot',
      '--policy',
      'examples/cross-region-profile/bedrock-guard.yaml',
    ]);
    expect(diagnosis.cause).toBe('unknown-principal');
  });

  it('refuses a missing file, a missing argument, and an event from another account', async () => {
    const missing = await runMain(['explain-denial', join(scratch, 'no-such-event.json'), ...DEMO]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the event file: ENOENT/);
    const none = await runMain(['explain-denial', ...DEMO]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/EVENT\.json is required/);
    const gov = await runMain([
      'explain-denial',
      'events/invoke/Converse-AccessDeniedException.json',
      '--snapshot',
      'examples/govcloud/snapshot',
    ]);
    expect(gov.code).toBe(1);
    expect(gov.stderr).toMatch(/the event is from account 111122223333, but the snapshot is of account 123456789012/);
  });
});

/** The snapshot files with one more AWS managed policy attached to a role. */
function withManagedPolicy(files: SnapshotFiles, role: string, policyArn: string): SnapshotFiles {
  const iam = files.iam as { RoleDetailList: Json[] };
  const name = policyArn.split('/').pop();
  return {
    ...files,
    iam: {
      ...iam,
      RoleDetailList: iam.RoleDetailList.map((r) =>
        r.RoleName === role
          ? {
              ...r,
              AttachedManagedPolicies: [
                ...(r.AttachedManagedPolicies as Json[]),
                { PolicyName: name, PolicyArn: policyArn },
              ],
            }
          : r,
      ),
    },
  };
}
