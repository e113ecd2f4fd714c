import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isInvalidRecord, parseInvocationLog, type UsageRecord } from '../../../shared/core/budgets/invocation-log.js';
import { baseModelId, resolveUsage, usedModelId } from '../../../shared/core/budgets/usage.js';
import type { Snapshot } from '../../../shared/core/snapshot/types.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { DEMO_DIR, fixtureDir } from '../../support/snapshot-fixtures.js';

const records: UsageRecord[] = readFileSync(
  fileURLToPath(new URL('../../fixtures/invocation-logs/records.jsonl', import.meta.url)),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const r = parseInvocationLog(l);
    if (isInvalidRecord(r)) throw new Error(r.invalid);
    return r;
  });

const call = (caller: string, modelNamed: string) => ({ caller, modelNamed });
const ROLE = (name: string) => `arn:aws:iam::111122223333:role/${name}`;

describe('resolveUsage against the demo snapshot', () => {
  let demo: Snapshot;
  beforeAll(async () => {
    demo = await readSnapshotFolder(DEMO_DIR);
  });

  it('resolves every fixture record to its role or user and its foundation model', () => {
    expect(
      records.map((r) => {
        const { principal, modelId } = resolveUsage(r, demo);
        return [principal?.arn, modelId];
      }),
    ).toEqual([
      [ROLE('AppBackend'), 'anthropic.claude-3-haiku-20240307-v1:0'], // session → role; system profile ARN
      ['arn:aws:iam::111122223333:user/alice', 'amazon.nova-micro-v1:0'], // user; model id
      [ROLE('DataScience'), 'amazon.nova-pro-v1:0'], // application profile → its model
      [ROLE('Playground'), 'anthropic.claude-3-opus-20240229-v1:0'], // foundation-model ARN
      [ROLE('Playground'), 'deepseek.r1-v1:0'], // system profile id
      ['arn:aws:iam::111122223333:user/bob', 'anthropic.claude-sonnet-4-20250514-v1:0'], // global profile id
    ]);
  });

  it('maps a session of a role with a path to that role by name (session ARNs carry no path)', () => {
    const slr = demo.principals.find((p) => p.serviceLinked);
    expect(slr?.path).not.toBe('/');
    const session = `arn:aws:sts::111122223333:assumed-role/${slr?.name}/s`;
    expect(resolveUsage(call(session, 'amazon.nova-micro-v1:0'), demo).principal?.arn).toBe(slr?.arn);
  });

  it('finds no principal for callers outside the snapshot', () => {
    for (const caller of [
      'arn:aws:sts::111122223333:assumed-role/NoSuchRole/s',
      'arn:aws:sts::444455556666:assumed-role/AppBackend/s', // same name, another account
      'arn:aws:iam::111122223333:root',
      'arn:aws:sts::111122223333:federated-user/alice',
      'arn:aws:iam::111122223333:user/nobody',
      'arn:aws:sts::111122223333:assumed-role',
    ]) {
      expect(resolveUsage(call(caller, 'amazon.nova-micro-v1:0'), demo).principal, caller).toBeUndefined();
    }
  });

  it('reads models named every way an invoke can name them', () => {
    const cases: [string, string | undefined][] = [
      ['amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
      ['arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
      ['us.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
      ['apac.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
      [
        'arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0',
        'anthropic.claude-sonnet-4-20250514-v1:0',
      ],
      ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/ds7nova2k9qx', 'amazon.nova-pro-v1:0'],
      // Not in the snapshot (created after it was captured): unknown, not guessed.
      ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/zzzz', undefined],
      ['arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc', undefined],
      ['arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.nova-lite-v1:0/xyz', undefined],
      ['arn:aws:s3:::bucket', undefined],
    ];
    for (const [named, id] of cases) expect(usedModelId(named, demo), named).toBe(id);
  });
});

describe('resolveUsage of provisioned throughput', () => {
  it('maps a provisioned model ARN to its foundation model, context-length variant dropped', async () => {
    const snapshot = await readSnapshotFolder(fixtureDir('cli-objects'));
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/pq8r2s4t6v1w';
    expect(snapshot.provisionedModels.map((p) => p.arn)).toContain(arn);
    expect(usedModelId(arn, snapshot)).toBe('amazon.nova-lite-v1:0');
  });

  it('drops a context-length variant but never a version', () => {
    expect(baseModelId('amazon.nova-lite-v1:0:300k')).toBe('amazon.nova-lite-v1:0');
    expect(baseModelId('anthropic.claude-3-haiku-20240307-v1:0:200k')).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(baseModelId('anthropic.claude-v2:1')).toBe('anthropic.claude-v2:1');
    expect(baseModelId('anthropic.claude-v2:1:18k')).toBe('anthropic.claude-v2:1');
    expect(baseModelId('amazon.nova-lite-v1:0')).toBe('amazon.nova-lite-v1:0');
    expect(baseModelId('amazon.titan-embed-text-v1')).toBe('amazon.titan-embed-text-v1');
  });
});
