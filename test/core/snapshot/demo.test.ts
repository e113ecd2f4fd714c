import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision, PolicyLayer } from '../../../shared/core/iam/types.js';
import type { Snapshot } from '../../../shared/core/snapshot/types.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { DEMO_DIR, decide, type RequestLine } from '../../support/snapshot-fixtures.js';

const REQUESTS = fileURLToPath(new URL('../../../examples/demo/requests.jsonl', import.meta.url));
const lines: RequestLine[] = readFileSync(REQUESTS, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));

/** What each line of requests.jsonl shows, in file order (README.md explains each). */
const EXPECTED: { decision: Decision; layer?: PolicyLayer; target?: string; sid?: string }[] = [
  { decision: 'Allowed', sid: 'InvokeNovaMicro' },
  { decision: 'Allowed', sid: 'InvokeNovaMicro' },
  { decision: 'ImplicitlyDenied', layer: 'identity' },
  { decision: 'Allowed', sid: 'ProfileDestinationRegions' },
  { decision: 'ImplicitlyDenied', layer: 'identity' },
  {
    decision: 'ExplicitlyDenied',
    layer: 'scp',
    target: 'ou-7x2q-wk4d9f1s',
    sid: 'DenyBedrockOutsideApprovedRegionsExceptThroughUsProfiles',
  },
  { decision: 'ExplicitlyDenied', layer: 'boundary', sid: 'NoAnthropicModels' },
  { decision: 'Allowed', sid: 'InvokeAnyModel' },
  { decision: 'Allowed', sid: 'BedrockPlaygroundOnlyAccess' },
  { decision: 'ImplicitlyDenied', layer: 'identity' },
  { decision: 'ExplicitlyDenied', layer: 'scp', target: '111122223333', sid: 'DenyUsingLongTermBedrockApiKeys' },
  { decision: 'Allowed', sid: 'UseBedrockApiKeys' },
  { decision: 'ExplicitlyDenied', layer: 'scp', target: '111122223333', sid: 'DenyCreatingLongTermBedrockApiKeys' },
  {
    decision: 'ExplicitlyDenied',
    layer: 'scp',
    target: 'ou-7x2q-wk4d9f1s',
    sid: 'DenyBedrockOutsideApprovedRegionsExceptThroughUsProfiles',
  },
  { decision: 'Allowed' },
  { decision: 'Allowed', sid: 'ProfileDestinationRegions' },
  { decision: 'Allowed', sid: 'ReadModelArtifactsFromTheDevelopmentAccount' },
];

describe('the bundled demo snapshot (examples/demo)', () => {
  let snapshot: Snapshot;
  beforeAll(async () => {
    snapshot = await readSnapshotFolder(DEMO_DIR);
  });

  it('loads the account, its principals and the catalogue', () => {
    expect(snapshot.account).toEqual({
      accountId: '111122223333',
      partition: 'aws',
      regions: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1'],
    });
    expect(snapshot.principals.map((p) => p.name).sort()).toEqual(
      [
        'AWSServiceRoleForOrganizations',
        'AppBackend',
        'BatchJobs',
        'BedrockBatchServiceRole',
        'BreakGlass',
        'CMIExecutionRole',
        'ContractorRole',
        'DataScience',
        'Playground',
        'PlatformAdmin',
        'ReadOnly',
        'alice',
        'bob',
      ].sort(),
    );
    expect(snapshot.scpsPresent).toBe(true);
    const slr = snapshot.principals.filter((p) => p.serviceLinked).map((p) => p.name);
    expect(slr).toEqual(['AWSServiceRoleForOrganizations']);

    const modelIds = new Set(snapshot.foundationModels.map((m) => m.modelId));
    expect(modelIds.size).toBeGreaterThanOrEqual(15);
    for (const id of ['amazon.nova-micro-v1:0', 'deepseek.r1-v1:0', 'anthropic.claude-sonnet-4-20250514-v1:0']) {
      expect(modelIds.has(id)).toBe(true);
    }
    // INFERENCE_PROFILE-only models are reachable through profiles alone.
    const r1 = snapshot.foundationModels.filter((m) => m.modelId === 'deepseek.r1-v1:0');
    expect(r1.every((m) => m.inferenceTypes.join() === 'INFERENCE_PROFILE')).toBe(true);

    const usMicro = snapshot.inferenceProfiles.find(
      (p) => p.region === 'us-east-1' && p.id === 'us.amazon.nova-micro-v1:0',
    );
    expect(usMicro?.modelArns.map((a) => a.split(':')[3]).sort()).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    const global = snapshot.inferenceProfiles.find(
      (p) => p.region === 'eu-west-1' && p.id.startsWith('global.anthropic.claude-sonnet-4'),
    );
    expect(global?.modelArns).toContain('arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0');
    expect(snapshot.inferenceProfiles.filter((p) => p.type === 'APPLICATION')).toHaveLength(1);
  });

  it('reads principals as the account holds them', () => {
    const alice = snapshot.principal('arn:aws:iam::111122223333:user/alice');
    expect(alice?.groups).toEqual(['ml-engineers']);
    expect(alice?.policies.identity.map((p) => p.source.name).sort()).toEqual([
      'MLEngineersBedrockAccess',
      'ml-engineers-manage-own-login',
    ]);
    const contractor = snapshot.principal('arn:aws:iam::111122223333:role/ContractorRole');
    expect(contractor?.boundaryArn).toBe('arn:aws:iam::111122223333:policy/ContractorBoundary');
    expect(contractor?.tags).toEqual({ team: 'contractors', vendor: 'acme-ai' });
    const ds = snapshot.principal('arn:aws:iam::111122223333:role/DataScience');
    expect(ds?.tags.team).toBe('data-science');
    const cmi = snapshot.principal('arn:aws:iam::111122223333:role/CMIExecutionRole');
    expect(JSON.stringify(cmi?.trustPolicy)).toContain('bedrock.amazonaws.com');
    expect(snapshot.managedPolicies.get('arn:aws:iam::aws:policy/AmazonBedrockFullAccess')?.name).toBe(
      'AmazonBedrockFullAccess',
    );
  });

  it('has one expectation per line of requests.jsonl', () => {
    expect(lines).toHaveLength(EXPECTED.length);
  });

  it.each(lines.map((line, i) => [i + 1, line] as const))('requests.jsonl line %i decides as documented', (n, line) => {
    const want = EXPECTED[n - 1];
    const result = decide(snapshot, line);
    expect(result.decision).toBe(want?.decision);
    if (want?.layer) expect(result.blockedBy?.layer).toBe(want.layer);
    if (want?.target) expect(result.blockedBy?.target).toBe(want.target);
    if (want?.sid) expect(result.statements.map((s) => s.sid)).toContain(want.sid);
  });

  it('shows the seed-001 gap: the us. profile reaches a Region that AppBackend may not use', () => {
    const profile = 'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-micro-v1:0';
    const destinations = snapshot.inferenceProfiles.find((p) => p.arn === profile)?.modelArns ?? [];
    const decisions = destinations.map((resource) => [
      resource.split(':')[3],
      decide(snapshot, {
        principal: 'arn:aws:iam::111122223333:role/AppBackend',
        action: 'bedrock:InvokeModel',
        resource,
        context: { 'bedrock:InferenceProfileArn': profile },
      }).decision,
    ]);
    expect(Object.fromEntries(decisions)).toEqual({
      'us-east-1': 'Allowed',
      'us-east-2': 'ImplicitlyDenied',
      'us-west-2': 'Allowed',
    });
  });

  it('keeps service-linked roles out of SCPs', () => {
    const slr = snapshot.principals.find((p) => p.serviceLinked);
    expect(slr?.policies.scps).toEqual([]);
    const app = snapshot.principal('arn:aws:iam::111122223333:role/AppBackend');
    expect(app?.policies.scps.map((l) => l.target)).toEqual(['r-7x2q', 'ou-7x2q-wk4d9f1s', '111122223333']);
  });
});
