import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `osls invoke local` with the bundled handlers (built by the global setup),
 * as docs/deploy.md tells a user to run them: offline, the demo snapshot
 * standing in for AWS (no credentials, no CloudFormation look-ups).
 */
const OFFLINE = [
  '-e',
  'BEDROCK_GUARD_SNAPSHOT=examples/demo/snapshot',
  '-e',
  'BEDROCK_GUARD_POLICY=examples/demo/bedrock-guard.yaml',
];

/** This process's environment without any AWS configuration or credentials. */
const NO_CREDENTIALS = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function invokeLocal(fn: string, path: string) {
  const run = spawnSync('node_modules/.bin/osls', ['invoke', 'local', '-f', fn, '--path', path, ...OFFLINE], {
    encoding: 'utf8',
    env: { ...NO_CREDENTIALS, POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
    timeout: 60_000,
  });
  // osls prints the handler's result last, as indented JSON.
  const result = run.stdout.slice(run.stdout.lastIndexOf('\n{\n') + 1);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, result };
}

describe('osls invoke local (offline)', () => {
  it('runs onIamChange on a sample and returns what it would do', () => {
    const run = invokeLocal('onIamChange', 'events/iam-change/AttachRolePolicy.json');
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.result) as Record<string, unknown>;
    expect(result).toMatchObject({ dryRun: true, scope: 1, trigger: { eventName: 'AttachRolePolicy' } });
  }, 60_000);

  it('runs reconcile on a manual dry run: the demo’s three denies', () => {
    const run = invokeLocal('reconcile', 'events/manual/reconcile-dry-run.json');
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.result) as { actions: Array<{ policyName: string; result: string }> };
    expect(result.actions.map((a) => `${a.result} ${a.policyName}`).sort()).toEqual([
      'planned bedrock-guard-deny-role-ContractorRole',
      'planned bedrock-guard-deny-role-DataScience',
      'planned bedrock-guard-deny-user-bob',
    ]);
  }, 60_000);

  it('fails a malformed event with the field that is wrong', () => {
    const run = invokeLocal('onIamChange', 'events/malformed/missing-eventName.json');
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/detail\.eventName/);
  }, 60_000);
});
