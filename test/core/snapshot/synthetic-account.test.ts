import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../shared/core/snapshot/build.js';
import { decide } from '../../support/snapshot-fixtures.js';
import { syntheticAccount } from '../../support/synthetic-account.js';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1'];

describe('syntheticAccount', () => {
  it('builds 1,000 principals spread over a realistic number of policy sets', () => {
    const files = syntheticAccount({ principals: 1_000, models: 40, regions: REGIONS, seed: 7 });
    const started = performance.now();
    const snapshot = buildSnapshot(files);
    const elapsed = performance.now() - started;

    expect(snapshot.principals).toHaveLength(1_000);
    expect(elapsed).toBeLessThan(5_000);
    const keys = new Set(snapshot.principals.map((p) => p.decisionKey));
    // ~50 shapes, multiplied by team tags where ABAC reads them, plus one-offs and self-service users.
    expect(keys.size).toBeGreaterThan(40);
    expect(keys.size).toBeLessThan(400);

    const users = snapshot.principals.filter((p) => p.kind === 'user');
    expect(users.length).toBe(30);
    expect(users.every((u) => u.groups.length > 0)).toBe(true);
    expect(snapshot.principals.some((p) => p.boundaryArn !== undefined)).toBe(true);
    expect(snapshot.principals.filter((p) => p.serviceLinked)).toHaveLength(1);
    expect(snapshot.principals.some((p) => p.decisionKey.includes('aws:principaltag/team='))).toBe(true);
    expect(snapshot.principals.some((p) => p.decisionKey.includes('aws:username='))).toBe(true);
    expect(snapshot.principals.find((p) => !p.serviceLinked)?.policies.scps).toHaveLength(3);
  });

  it('has a catalogue of the requested size, with geographic, global and application profiles', () => {
    const snapshot = buildSnapshot(syntheticAccount({ principals: 20, models: 100, regions: REGIONS, seed: 42 }));
    expect(new Set(snapshot.foundationModels.map((m) => m.modelId)).size).toBe(100);
    expect(new Set(snapshot.foundationModels.map((m) => m.region))).toEqual(new Set(REGIONS));
    const us = snapshot.inferenceProfiles.filter((p) => p.id.startsWith('us.'));
    expect(us.length).toBeGreaterThan(0);
    expect(us.every((p) => p.modelArns.every((a) => /^arn:aws:bedrock:us-[a-z]+-\d::foundation-model\//.test(a)))).toBe(
      true,
    );
    expect(us.some((p) => p.modelArns.length === 3)).toBe(true);
    const global = snapshot.inferenceProfiles.filter((p) => p.id.startsWith('global.'));
    expect(global.length).toBeGreaterThan(0);
    expect(global.every((p) => p.modelArns.some((a) => a.startsWith('arn:aws:bedrock:::foundation-model/')))).toBe(
      true,
    );
    expect(snapshot.inferenceProfiles.filter((p) => p.type === 'APPLICATION').length).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const a = syntheticAccount({ principals: 300, models: 30, regions: REGIONS, seed: 3 });
    const b = syntheticAccount({ principals: 300, models: 30, regions: REGIONS, seed: 3 });
    const c = syntheticAccount({ principals: 300, models: 30, regions: REGIONS, seed: 4 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('reads the same with URL-encoded documents', () => {
    const options = { principals: 200, models: 20, regions: REGIONS, seed: 11 };
    const objects = buildSnapshot(syntheticAccount(options));
    const encoded = buildSnapshot(syntheticAccount({ ...options, urlEncoded: true }));
    const partition = (keys: string[]) => {
      const seen = new Map<string, number>();
      return keys.map((k) => seen.get(k) ?? seen.set(k, seen.size).get(k));
    };
    expect(partition(encoded.principals.map((p) => p.decisionKey))).toEqual(
      partition(objects.principals.map((p) => p.decisionKey)),
    );
  });

  it('makes decisions that vary between principals', () => {
    const snapshot = buildSnapshot(syntheticAccount({ principals: 300, models: 15, regions: REGIONS, seed: 5 }));
    const resources = [
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
    ];
    const decisions = new Set(
      snapshot.principals.flatMap((p) =>
        resources.map(
          (resource) => decide(snapshot, { principal: p.arn, action: 'bedrock:InvokeModel', resource }).decision,
        ),
      ),
    );
    expect(decisions).toEqual(new Set(['Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied']));
  });
});
