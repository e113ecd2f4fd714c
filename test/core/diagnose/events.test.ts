import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDenialMessage } from '../../../shared/core/diagnose/denial-message.js';
import { type DeniedRequest, deniedRequestOf } from '../../../shared/core/diagnose/denied-route.js';
import { diagnoseDenial } from '../../../shared/core/diagnose/diagnose-denial.js';
import type { Diagnosis } from '../../../shared/core/diagnose/diagnosis.js';
import { parseGuardEvent } from '../../../shared/core/events/parse-event.js';
import { type Touch, touchOf } from '../../../shared/core/events/touch.js';
import type { PolicyFile } from '../../../shared/core/policy-file/types.js';
import type { Snapshot } from '../../../shared/core/snapshot/types.js';
import { readPolicyFile } from '../../../shared/policy-file/read.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { DEMO, role } from './helpers.js';

/**
 * Every denied invoke sample in events/invoke, as the event service reads it
 * (parse → touch → denied request), diagnosed on the demo snapshot. A new
 * denied sample needs a row here.
 */
const INVOKE = 'events/invoke';
const touchOfSample = (file: string): Touch =>
  touchOf(parseGuardEvent(JSON.parse(readFileSync(join(INVOKE, file), 'utf8')) as unknown));

type Row = Pick<Diagnosis, 'cause' | 'layer' | 'route' | 'verified'> & { readonly principal: string };

const ROWS: Record<string, Row> = {
  // "…still being processed…": the message decides, nothing is replayed.
  'Converse-AccessDeniedException-marketplace.json': {
    principal: role('DataScience'),
    cause: 'marketplace-settling',
  },
  // Playground's policies allow Opus, DeepSeek R1 and inference profiles: not Nova Pro.
  'Converse-AccessDeniedException.json': {
    principal: role('Playground'),
    cause: 'no-identity-allow',
    layer: 'identity',
    route: 'invoke',
    verified: true,
  },
  // The OU's Region SCP denies eu-west-1 to all but us. profiles: the organisation's decision, no edit allows it.
  'ConverseStream-AccessDeniedException-scp.json': {
    principal: role('DataScience'),
    cause: 'scp-deny',
    layer: 'scp',
    route: 'invoke-stream',
  },
  // BatchJobs may create jobs in us-east-1 only.
  'CreateModelInvocationJob-AccessDeniedException.json': {
    principal: role('BatchJobs'),
    cause: 'no-identity-allow',
    layer: 'identity',
    route: 'batch',
    verified: true,
  },
  // "You don't have access to the model": bob's only invoke statement is Nova Lite, so IAM denies it as well.
  'InvokeModel-AccessDenied.json': {
    principal: 'arn:aws:iam::111122223333:user/bob',
    cause: 'no-identity-allow',
    layer: 'identity',
    route: 'invoke',
    verified: true,
  },
  // AWS names the guard's deny, which the demo snapshot doesn't hold yet (written after it): by design, AWS's word wins.
  'InvokeModel-AccessDeniedException-by-guard.json': {
    principal: role('Playground'),
    cause: 'guard-deny',
    layer: 'guard',
    route: 'invoke',
  },
  // The Region SCP exempts us. and application profiles; a global profile's Region-less check is denied.
  'InvokeModel-AccessDeniedException-global-profile.json': {
    principal: role('PlatformAdmin'),
    cause: 'scp-region-without-profile-exemption',
    layer: 'scp',
    route: 'global-profile:global.anthropic.claude-sonnet-4-20250514-v1:0',
    verified: true,
  },
  // AppBackend allows Nova Micro in us-east-1 and us-west-2; the profile sent it to us-east-2.
  'InvokeModel-AccessDeniedException-inference-profile.json': {
    principal: role('AppBackend'),
    cause: 'missing-destination-region',
    layer: 'identity',
    route: 'cross-region-profile:us.amazon.nova-micro-v1:0',
    verified: true,
  },
  // ContractorBoundary's NoAnthropicModels: no Allow overrides it.
  'InvokeModelWithResponseStream-AccessDeniedException.json': {
    principal: role('ContractorRole'),
    cause: 'explicit-deny',
    layer: 'boundary',
    route: 'invoke-stream',
  },
};

const samples = readdirSync(INVOKE).filter((f) => f.endsWith('.json'));
const denied = samples.filter((f) => /"errorCode":\s*"AccessDenied/.test(readFileSync(join(INVOKE, f), 'utf8'))).sort();

let demo: Snapshot;
let policy: PolicyFile;

beforeAll(async () => {
  demo = await readSnapshotFolder(`${DEMO}/snapshot`);
  policy = (await readPolicyFile(`${DEMO}/bedrock-guard.yaml`)).policy;
});

describe('denied invoke samples on the demo snapshot', () => {
  it('has a row for every denied sample', () => {
    expect(denied).toStrictEqual(Object.keys(ROWS).sort());
  });

  it.each(denied)('%s', (file) => {
    const row = ROWS[file] as Row;
    const request = deniedRequestOf(touchOfSample(file)) as DeniedRequest;
    expect(request.principal).toBe(row.principal);
    const d = diagnoseDenial(demo, request, { policy });
    const { principal: _, ...expected } = row;
    expect({ cause: d.cause, layer: d.layer, route: d.route, verified: d.verified }).toStrictEqual({
      layer: undefined,
      route: undefined,
      verified: undefined,
      ...expected,
    });
    expect(d.summary).not.toBe('');
    expect(d.fix).not.toBe('');
    // The check AWS named is the one the diagnosis starts from, when the route makes it.
    const message = readDenialMessage(request.errorMessage);
    if (message.action && d.failing) {
      expect(d.failing).toMatchObject({ action: message.action, resource: message.resource });
    }
    if (message.layer || message.modelAccess) expect(d.awsSays).toBeDefined();
    if (d.verified) expect(d.changes.length).toBeGreaterThan(0);
  });

  it('reads the routed Region and the streaming event', () => {
    const profile = deniedRequestOf(touchOfSample('InvokeModel-AccessDeniedException-inference-profile.json'));
    expect(profile).toMatchObject({
      eventName: 'InvokeModel',
      region: 'us-east-1',
      inferenceRegion: 'us-east-2',
      model: 'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-micro-v1:0',
      errorCode: 'AccessDeniedException',
      time: '2025-11-18T13:06:10Z',
    });
    expect(deniedRequestOf(touchOfSample('ConverseStream-AccessDeniedException-scp.json'))).toMatchObject({
      eventName: 'ConverseStream',
      region: 'eu-west-1',
      model: 'amazon.nova-lite-v1:0',
    });
  });

  it.each(samples.filter((f) => !denied.includes(f)))('%s is no denied request, or not one to diagnose', (file) => {
    const request = deniedRequestOf(touchOfSample(file));
    if (request) expect(request.errorCode).not.toMatch(/^AccessDenied/);
  });

  it('a successful invoke is no denied request', () => {
    expect(deniedRequestOf(touchOfSample('InvokeModel.json'))).toBeUndefined();
  });

  it('an IAM change is no denied request', () => {
    const touch = touchOf(
      parseGuardEvent(JSON.parse(readFileSync('events/iam-change/AttachRolePolicy.json', 'utf8')) as unknown),
    );
    expect(deniedRequestOf(touch)).toBeUndefined();
  });
});
