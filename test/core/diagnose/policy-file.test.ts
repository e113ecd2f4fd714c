import { beforeAll, describe, expect, it } from 'vitest';
import { DesiredState } from '../../../shared/core/desired/grants.js';
import { diagnoseDenial, thirdParty } from '../../../shared/core/diagnose/diagnose-denial.js';
import type { PolicyFile } from '../../../shared/core/policy-file/types.js';
import type { Snapshot } from '../../../shared/core/snapshot/types.js';
import { readPolicyFile } from '../../../shared/policy-file/read.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { DEMO, request, session } from './helpers.js';

let demo: Snapshot;
let policy: PolicyFile;
beforeAll(async () => {
  demo = await readSnapshotFolder(`${DEMO}/snapshot`);
  ({ policy } = await readPolicyFile(`${DEMO}/bedrock-guard.yaml`));
});

describe('a fix against the policy file', () => {
  it('says when the file does not grant what the IAM fix would open, and names the teams', () => {
    // Playground's team is granted the standard models only: Nova Pro is not one of them.
    const d = diagnoseDenial(demo, request(session('Playground'), 'amazon.nova-pro-v1:0'), {
      policy,
      desired: new DesiredState(policy),
    });
    expect(d.cause).toBe('no-identity-allow');
    expect(d.changes.length).toBeGreaterThan(0);
    expect(d.fix).toMatch(
      /Note: examples\/demo\/bedrock-guard\.yaml does not grant amazon\.nova-pro-v1:0 to role Playground in us-east-1 for invoke \(its teams: [^)]+\) either/,
    );
  });

  it('says nothing of the file when it grants the model (the IAM gap is the whole story)', () => {
    const d = diagnoseDenial(
      demo,
      request(
        session('AppBackend'),
        'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-micro-v1:0',
        {
          inferenceRegion: 'us-east-2',
        },
      ),
      { policy, desired: new DesiredState(policy) },
    );
    expect(d.cause).toBe('missing-destination-region');
    expect(d.fix).not.toContain('Note:');
  });
});

describe('thirdParty', () => {
  it('is every provider that sells through AWS Marketplace, not the models Bedrock sells itself', () => {
    const catalogue = { foundationModels: [] };
    for (const id of ['anthropic.claude-3-haiku-20240307-v1:0', 'cohere.command-r-v1:0', 'ai21.jamba-1-5-large-v1:0'])
      expect(thirdParty(catalogue, id), id).toBe(true);
    for (const id of [
      'amazon.nova-pro-v1:0',
      'deepseek.r1-v1:0',
      'mistral.mistral-large-2402-v1:0',
      'meta.llama3-70b-instruct-v1:0',
      'qwen.qwen3-32b-v1:0',
    ])
      expect(thirdParty(catalogue, id), id).toBe(false);
  });

  it('reads the provider from the catalogue when it has the model', () => {
    const model = (providerName: string) => ({
      foundationModels: [
        {
          region: 'us-east-1',
          modelId: 'x.model-v1:0',
          modelArn: '',
          providerName,
          modelName: undefined,
          inferenceTypes: [],
        },
      ],
    });
    expect(thirdParty(model('Anthropic'), 'x.model-v1:0')).toBe(true);
    expect(thirdParty(model('Meta'), 'x.model-v1:0')).toBe(false);
    expect(thirdParty(model('Mistral AI'), 'x.model-v1:0')).toBe(false);
  });
});
