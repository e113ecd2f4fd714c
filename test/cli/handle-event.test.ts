import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_AWS, runCli, runMain } from './run-cli.js';

/**
 * `bedrock-guard handle-event` offline: the demo snapshot stands in for AWS,
 * so every sample in events/ runs through the handlers' pipeline with no
 * credentials and nothing written. (The live path is in test/service.)
 */
const DEMO = ['--snapshot', 'examples/demo/snapshot', '--policy', 'examples/demo/bedrock-guard.yaml'];
const HANDLED = ['iam-change', 'invoke', 'model-access', 'scp-change', 'bedrock-config'];
const samples = HANDLED.flatMap((dir) => readdirSync(join('events', dir)).map((f) => join('events', dir, f)));
const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-handle-event-'));

type Json = Record<string, unknown>;

/** A sample with some CloudTrail fields replaced, written to a file. */
function variant(sample: string, detail: Json): string {
  const event = JSON.parse(readFileSync(sample, 'utf8')) as Json;
  const file = join(scratch, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ ...event, detail: { ...(event.detail as Json), ...detail } }));
  return file;
}

describe('handle-event (offline)', () => {
  it.each(samples)('runs %s through the pipeline', async (sample) => {
    const run = await runMain(['handle-event', sample, ...DEMO, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { result } = JSON.parse(run.stdout) as { result: Json };
    const detail = (JSON.parse(readFileSync(sample, 'utf8')) as { detail: Json }).detail;
    expect(result.trigger).toMatchObject({ kind: 'event', eventName: detail.eventName });
    expect(result.dryRun).toBe(true);
  });

  it('plans the deny for the role an attach touched, and publishes its findings', async () => {
    const file = variant('events/iam-change/AttachRolePolicy.json', {
      requestParameters: { roleName: 'DataScience', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' },
    });
    const run = await runMain(['handle-event', file, ...DEMO, '--json']);
    const out = JSON.parse(run.stdout) as { result: Json; findingsEvents: Json[] };
    expect(out.result.scope).toBe(1);
    expect(out.result.actions).toEqual([
      {
        type: 'put-deny',
        principal: 'arn:aws:iam::111122223333:role/DataScience',
        policyName: 'bedrock-guard-deny-role-DataScience',
        result: 'planned',
      },
    ]);
    expect(out.findingsEvents.map((e) => e.principal)).toEqual(['arn:aws:iam::111122223333:role/DataScience']);
  });

  it('plans the whole account for an SCP change', async () => {
    const run = await runMain(['handle-event', 'events/scp-change/UpdatePolicy.json', ...DEMO, '--json']);
    const { result } = JSON.parse(run.stdout) as { result: Json };
    expect(result.scope).toBe('account');
    expect((result.actions as Json[]).map((a) => a.policyName).sort()).toEqual([
      'bedrock-guard-deny-role-ContractorRole',
      'bedrock-guard-deny-role-DataScience',
      'bedrock-guard-deny-user-bob',
    ]);
  });

  it('prints a readable summary', async () => {
    const run = await runMain(['handle-event', 'events/model-access/PutFoundationModelEntitlement.json', ...DEMO]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Event .* PutFoundationModelEntitlement by /);
    expect(run.stdout).toMatch(/Scope: the whole account \(dry run\)/);
  });

  it('reads the event from stdin with -', () => {
    const run = runCli(
      ['handle-event', '-', ...DEMO, '--json'],
      readFileSync('events/iam-change/TagRole.json', 'utf8'),
      NO_AWS,
    );
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { result: Json }).result.trigger).toMatchObject({ eventName: 'TagRole' });
  });

  it('refuses malformed, unknown and unreadable events with the field that is wrong', async () => {
    const malformed = await runMain(['handle-event', 'events/malformed/missing-eventName.json', ...DEMO]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/detail\.eventName/);
    const unknown = await runMain(['handle-event', 'events/other/GetRole.json', ...DEMO]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not an event bedrock-guard handles: iam\.amazonaws\.com GetRole/);
    const notJson = join(scratch, 'not.json');
    writeFileSync(notJson, '{ "version": ');
    const broken = await runMain(['handle-event', notJson, ...DEMO]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not JSON/);
    const missing = await runMain(['handle-event', ...DEMO]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/FILE is required/);
  });

  it('refuses a policy file for another partition', async () => {
    const run = await runMain([
      'handle-event',
      'events/iam-change/AttachRolePolicy-govcloud.json',
      '--snapshot',
      'examples/govcloud/snapshot',
      '--policy',
      'examples/demo/bedrock-guard.yaml',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/partition aws, but the account is in aws-us-gov/);
  });
});
