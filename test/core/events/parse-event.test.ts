import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@aws-lambda-powertools/parser';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import { describe, expect, it } from 'vitest';
import {
  CLOUDTRAIL_DETAIL_TYPES,
  CloudTrailDetailSchema,
  CloudTrailEnvelopeSchema,
} from '../../../shared/core/events/cloudtrail-schema.js';
import { EventParseError, isoTime, parseGuardEvent } from '../../../shared/core/events/parse-event.js';
import { BedrockGuardError } from '../../../shared/errors.js';

/** Real CloudTrail records and envelopes, copied verbatim from public sources (see SOURCES.md there). */
const SAMPLES = fileURLToPath(new URL('../../fixtures/cloudtrail/', import.meta.url));

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as Record<string, unknown>;

/** The CloudTrail record inside any of the sample shapes, as published. */
function recordOf(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.detail) return raw.detail as Record<string, unknown>;
  const events = raw.Events as { CloudTrailEvent: string }[] | undefined;
  if (events) return JSON.parse(events[0]?.CloudTrailEvent ?? '') as Record<string, unknown>;
  return raw;
}

/** The error `run` throws, checked to be an EventParseError. */
function parseError(run: () => unknown): EventParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EventParseError);
    return error as EventParseError;
  }
  throw new Error('expected an EventParseError');
}

const files = jsonFiles(SAMPLES).map((path) => relative(SAMPLES, path));

describe('parseGuardEvent on every real sample', () => {
  it('has the samples (the whole collection, in every shape)', () => {
    expect(files.length).toBeGreaterThanOrEqual(56);
    expect(files.some((f) => f.startsWith('eventbridge/'))).toBe(true);
    expect(files.some((f) => f.startsWith('wrappers/'))).toBe(true);
  });

  it.each(files)('%s parses into an envelope around its record', (file) => {
    const raw = sample(file);
    const event = parseGuardEvent(raw);
    const record = recordOf(raw);
    expect(CLOUDTRAIL_DETAIL_TYPES).toContain(event['detail-type']);
    expect(event.id).not.toBe('');
    expect(event.detail.eventName).toBe(record.eventName);
    expect(event.detail.eventSource).toBe(record.eventSource);
    expect(event.region).toBe(record.awsRegion);
    expect(event.source).toBe(`aws.${String(record.eventSource).replace('.amazonaws.com', '')}`);
    // Lenient, not lossy: every field of the record is kept, with its value.
    expect(event.detail).toEqual(record);
    // The result is itself a valid envelope: the handlers' Powertools parser accepts it.
    expect(CloudTrailEnvelopeSchema.safeParse(event).success).toBe(true);
  });
});

describe('parseGuardEvent: EventBridge envelopes', () => {
  it('keeps an envelope as delivered', () => {
    const raw = sample('eventbridge/AWSAPICallViaCloudTrail-iam-DetachRolePolicy.json');
    const event = parseGuardEvent(raw);
    expect(event).toEqual(raw);
    expect(event.id).toBe('9a98d033-189f-b69e-fab5-96c6599c7bd4');
    expect(event.detail.eventID).toBe('ae57b68d-c752-4cb2-a2cf-ccaa83d99979');
  });

  it('accepts an envelope without "version" (an AWS documentation sample) and keeps extra keys', () => {
    const raw = sample('eventbridge/AWSConsoleSignInViaCloudTrail-signin-ConsoleLogin-Root-awsdocs.json');
    expect(raw.version).toBeUndefined();
    expect(parseGuardEvent(raw)['detail-type']).toBe('AWS Console Sign In via CloudTrail');
    const extra = parseGuardEvent({ ...raw, 'replay-name': 'r1' });
    expect(extra['replay-name']).toBe('r1');
  });

  it('is what the Powertools parser accepts, alone or as the EventBridge envelope detail', () => {
    const raw = sample('eventbridge/AWSAPICallViaCloudTrail-iam-PutRolePolicy-terraform.json');
    expect(parse(raw, undefined, CloudTrailEnvelopeSchema).detail.eventName).toBe('PutRolePolicy');
    expect(parse(raw, EventBridgeEnvelope, CloudTrailDetailSchema).eventName).toBe('PutRolePolicy');
  });
});

describe('parseGuardEvent: bare records are wrapped as EventBridge would deliver them', () => {
  it('takes source, id, time, account and region from the record', () => {
    const raw = sample('bedrock/InvokeModel-stratus.json');
    const event = parseGuardEvent(raw);
    expect(event).toMatchObject({
      version: '0',
      id: '51d580ea-04f5-421c-b733-b5e4ec485a6e',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.bedrock',
      account: '494659789341',
      time: '2024-10-17T20:11:24Z',
      region: 'megov-northeast-1r',
      resources: [],
    });
    expect(event.detail).toEqual(raw);
  });

  it('reads odd eventTime strings: a 7-digit fraction, Panther form, [REDACTED]', () => {
    expect(parseGuardEvent(sample('bedrock/InvokeModel-AccessDenied.json')).time).toBe('2024-07-08T17:06:49Z');
    expect(parseGuardEvent(sample('bedrock/DeleteModelInvocationLoggingConfiguration.json')).time).toBe(
      '2025-01-21T17:49:47Z',
    );
    const redacted = parseGuardEvent(sample('bedrock/InvokeModel-ValidationException.json'));
    expect(redacted.detail.eventTime).toBe('[REDACTED]');
    expect(redacted.time).toBe('');
  });

  it('takes the account from userIdentity when recipientAccountId is absent (eventVersion 1.0)', () => {
    const event = parseGuardEvent(sample('iam/AddUserToGroup-awsdocs.json'));
    expect(event.detail.recipientAccountId).toBeUndefined();
    expect(event.account).toBe('123456789012');
  });

  it('gives a record without eventID a stable id of its own', () => {
    const raw = sample('iam/AddUserToGroup-awsdocs.json');
    expect(raw.eventID).toBeUndefined();
    const id = parseGuardEvent(raw).id;
    expect(id).toMatch(/^cloudtrail-[0-9a-f]{16}$/);
    expect(parseGuardEvent(structuredClone(raw)).id).toBe(id);
    expect(parseGuardEvent(sample('iam/CreateRole-awsdocs.json')).id).not.toBe(id);
    expect(parseGuardEvent({ ...raw, requestID: 'req-1' }).id).toBe('req-1');
  });

  it('reads the partial record (no userIdentity, eventTime, eventID)', () => {
    const event = parseGuardEvent(sample('bedrock/Converse-ResourceNotFoundException-legacy-PARTIAL.json'));
    expect(event).toMatchObject({ source: 'aws.bedrock', account: '', time: '', region: 'ap-northeast-1' });
  });

  it('keeps null requestParameters and string booleans', () => {
    const event = parseGuardEvent(sample('bedrock/PutUseCaseForModelAccess.json'));
    expect(event.detail.requestParameters).toBeNull();
    const console = parseGuardEvent(sample('iam/CreatePolicyVersion-setAsDefault-console.json'));
    expect(console.detail.userIdentity?.sessionContext?.attributes?.mfaAuthenticated).toBe('true');
  });

  it('names the detail-type after the record eventType', () => {
    const record = recordOf(sample('eventbridge/AWSConsoleSignInViaCloudTrail-signin-ConsoleLogin-Root-awsdocs.json'));
    expect(parseGuardEvent({ ...record, eventType: 'AwsConsoleSignIn' })['detail-type']).toBe(
      'AWS Console Sign In via CloudTrail',
    );
  });
});

describe('parseGuardEvent: CloudTrail LookupEvents answers and log files', () => {
  it('unwraps a LookupEvents answer with one event (its CloudTrailEvent string)', () => {
    const event = parseGuardEvent(sample('wrappers/lookup-events-SetDefaultPolicyVersion.json'));
    expect(event).toMatchObject({
      id: 'cac5cf80-4e15-4887-9ca4-96237cb33f58',
      source: 'aws.iam',
      time: '2026-09-04T06:01:51Z',
      account: '123456789012',
    });
    expect(event.detail).toEqual(sample('iam/SetDefaultPolicyVersion-cli.json'));
  });

  it('unwraps a single LookupEvents item', () => {
    const wrapper = sample('wrappers/lookup-events-SetDefaultPolicyVersion.json') as { Events: unknown[] };
    expect(parseGuardEvent(wrapper.Events[0]).detail.eventName).toBe('SetDefaultPolicyVersion');
  });

  it('uses the item EventTime (with its local offset) when the record time is unreadable', () => {
    const wrapper = sample('wrappers/lookup-events-SetDefaultPolicyVersion.json') as {
      Events: Record<string, unknown>[];
    };
    const item = wrapper.Events[0] ?? {};
    const record = { ...(JSON.parse(String(item.CloudTrailEvent)) as object), eventTime: '[REDACTED]' };
    const event = parseGuardEvent({ ...item, CloudTrailEvent: JSON.stringify(record) });
    expect(event.time).toBe('2026-09-04T06:01:51Z');
  });

  it('unwraps a log file holding one record', () => {
    const record = sample('iam/AttachRolePolicy-elastic.json');
    expect(parseGuardEvent({ Records: [record] }).detail).toEqual(record);
  });
});

describe('parseGuardEvent: clear errors for what is not a CloudTrail event', () => {
  const base = sample('eventbridge/AWSAPICallViaCloudTrail-iam-DetachRolePolicy.json');
  const detail = base.detail as Record<string, unknown>;

  it.each([
    ['null', null, 'got null'],
    ['a string', '{"eventName":"x"}', 'got the string'],
    ['an array', [detail], 'got an array'],
    ['a number', 42, 'got number 42'],
  ])('rejects %s: expected a JSON object', (_, raw, got) => {
    const error = parseError(() => parseGuardEvent(raw));
    expect(error.message).toContain('expected a JSON object');
    expect(error.message).toContain(got);
    expect(error).toBeInstanceOf(BedrockGuardError);
    expect(error.hint).toContain("expected an EventBridge 'AWS API Call via CloudTrail' event or a CloudTrail record");
  });

  it('rejects an object of no known shape, naming its fields', () => {
    const error = parseError(() => parseGuardEvent({ foo: 1, bar: 2 }));
    expect(error.message).toContain('not a CloudTrail event (fields: foo, bar)');
  });

  it('names the missing eventName of a bare record', () => {
    const { eventName: _, ...record } = sample('iam/AttachRolePolicy-elastic.json');
    const error = parseError(() => parseGuardEvent(record));
    expect(error.message).toBe('invalid CloudTrail record: eventName: missing (expected a string)');
    expect(error.issues).toEqual([{ path: 'eventName', message: 'missing (expected a string)' }]);
    expect(error.location).toBe('eventName');
    expect(error.describe()).toContain('hint: expected an EventBridge');
  });

  it('names every failing field of an envelope detail, with its path', () => {
    const { eventSource: _, ...rest } = detail;
    const error = parseError(() => parseGuardEvent({ ...base, detail: { ...rest, eventName: '', awsRegion: 7 } }));
    expect(error.message).toContain('detail.eventSource: missing (expected a string)');
    expect(error.message).toContain('detail.eventName: expected a non-empty string, got an empty string');
    expect(error.message).toContain('detail.awsRegion: expected a string, got number 7');
    expect(error.issues.map((i) => i.path)).toEqual(['detail.eventSource', 'detail.eventName', 'detail.awsRegion']);
  });

  it('names a nested field of the wrong type', () => {
    const error = parseError(() => parseGuardEvent({ ...detail, requestParameters: 'roleName=x' }));
    expect(error.message).toContain('requestParameters: expected an object, got the string "roleName=x"');
    const identity = parseError(() =>
      parseGuardEvent({ ...detail, userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: 3 } } }),
    );
    expect(identity.message).toContain('userIdentity.sessionContext.sessionIssuer: expected an object, got number 3');
    const flag = parseError(() => parseGuardEvent({ ...detail, readOnly: 0 }));
    expect(flag.message).toContain('readOnly: expected a boolean or a string, got number 0');
  });

  it('rejects an envelope whose detail is not an object', () => {
    const error = parseError(() => parseGuardEvent({ ...base, detail: 'PutRolePolicy' }));
    expect(error.message).toBe('detail: expected an object (the CloudTrail record), got the string "PutRolePolicy"');
    expect(error.location).toBe('detail');
  });

  it('rejects an envelope without detail or id', () => {
    const { detail: _, ...noDetail } = base;
    expect(parseError(() => parseGuardEvent(noDetail)).message).toContain('detail: missing (expected an object)');
    const { id: __, ...noId } = base;
    expect(parseError(() => parseGuardEvent(noId)).message).toContain('id: missing (expected a string)');
  });

  it('rejects a schedule: reconcile handles those, not the event handlers', () => {
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-22T18:43:48Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/bedrock-guard-reconcile'],
      detail: {},
    };
    const error = parseError(() => parseGuardEvent(scheduled));
    expect(error.message).toBe('detail-type: expected "AWS API Call via CloudTrail", got "Scheduled Event"');
    expect(error.hint).toContain('reconcile');
    // The schema alone (as the Powertools parser uses it) rejects it too.
    expect(CloudTrailEnvelopeSchema.safeParse(scheduled).success).toBe(false);
  });

  it('rejects a wrong detail-type of another kind, and a non-string one', () => {
    const error = parseError(() =>
      parseGuardEvent({ ...base, 'detail-type': 'EC2 Instance State-change Notification' }),
    );
    expect(error.message).toContain('got "EC2 Instance State-change Notification"');
    const number = parseError(() => parseGuardEvent({ ...base, 'detail-type': 5 }));
    expect(number.message).toContain('detail-type: expected "AWS API Call via CloudTrail" or');
  });

  it('rejects LookupEvents answers it cannot read: several events, a bad CloudTrailEvent', () => {
    const wrapper = sample('wrappers/lookup-events-SetDefaultPolicyVersion.json') as { Events: unknown[] };
    const two = parseError(() => parseGuardEvent({ Events: [wrapper.Events[0], wrapper.Events[0]] }));
    expect(two.message).toBe('Events: expected exactly one event, got 2');
    const bad = parseError(() => parseGuardEvent({ Events: [{ EventId: 'x', CloudTrailEvent: '{"eventName":' }] }));
    expect(bad.message).toMatch(/^Events\[0\]\.CloudTrailEvent: not valid JSON/);
    const missing = parseError(() =>
      parseGuardEvent({ Events: [{ CloudTrailEvent: JSON.stringify({ eventSource: 'iam.amazonaws.com' }) }] }),
    );
    expect(missing.message).toContain('Events[0].CloudTrailEvent.eventName: missing');
    const notString = parseError(() => parseGuardEvent({ CloudTrailEvent: { eventName: 'x' } }));
    expect(notString.message).toBe('CloudTrailEvent: expected the CloudTrail record as a JSON string, got an object');
  });
});

describe('isoTime', () => {
  it.each([
    ['2024-10-17T20:11:24Z', '2024-10-17T20:11:24Z'],
    ['2024-07-08T17:06:49.0000000Z', '2024-07-08T17:06:49Z'],
    ['2024-07-08T17:06:49.123456Z', '2024-07-08T17:06:49.123Z'],
    ['2025-01-21 17:49:47.000000000', '2025-01-21T17:49:47Z'],
    ['2026-09-04T02:01:51-04:00', '2026-09-04T06:01:51Z'],
    ['2026-09-04T02:01:51+0530', '2026-09-03T20:31:51Z'],
  ])('reads %s as %s', (input, output) => {
    expect(isoTime(input)).toBe(output);
  });

  it.each(['[REDACTED]', '', 'Oct 29, 2024 2:43:20 PM', '2024-13-45T99:00:00Z'])('gives up on %j', (input) => {
    expect(isoTime(input)).toBeUndefined();
  });
});
