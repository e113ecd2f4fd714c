import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isInvalidRecord, parseInvocationLog, type UsageRecord } from '../../../shared/core/budgets/invocation-log.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/invocation-logs/${name}`, import.meta.url)), 'utf8');
/** The S3 delivery's records, one JSON object a line. */
const lines = fixture('records.jsonl')
  .split('\n')
  .filter((l) => l.trim() !== '');
const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

const parsed = (value: unknown): UsageRecord => {
  const r = parseInvocationLog(value);
  if (isInvalidRecord(r)) throw new Error(r.invalid);
  return r;
};
const invalid = (value: unknown): string => {
  const r = parseInvocationLog(value);
  if (!isInvalidRecord(r)) throw new Error(`parsed: ${JSON.stringify(r)}`);
  return r.invalid;
};
/** A fixture record with some fields replaced (`undefined` removes one). */
const edited = (index: number, change: Record<string, unknown>) => {
  const out: Record<string, unknown> = { ...structuredClone(records[index]), ...change };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete out[k];
  return out;
};

describe('parseInvocationLog', () => {
  it('reads a Converse call of an assumed-role session through a system inference profile ARN', () => {
    expect(parsed(records[0])).toEqual({
      requestId: '9f1c2a4e-6b1d-4c1e-9a55-0d3e8f7b2c11',
      time: '2025-11-18T10:00:00.000Z',
      account: '111122223333',
      region: 'us-east-1',
      caller: 'arn:aws:sts::111122223333:assumed-role/AppBackend/checkout-7f3a',
      modelNamed: 'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0',
      inputTokens: 120,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 58,
      operation: 'Converse',
      errorCode: undefined,
    });
  });

  it('reads an IAM user calling a model by its id', () => {
    expect(parsed(records[1])).toMatchObject({
      caller: 'arn:aws:iam::111122223333:user/alice',
      modelNamed: 'amazon.nova-micro-v1:0',
      inputTokens: 31,
      outputTokens: 12,
      operation: 'InvokeModel',
    });
  });

  it('reads an application profile ARN; a stream without an output count reads 0 output tokens', () => {
    expect(parsed(records[2])).toMatchObject({
      time: '2025-11-18T10:01:15.482Z',
      modelNamed: 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/ds7nova2k9qx',
      inputTokens: 2048,
      outputTokens: 0,
      operation: 'ConverseStream',
    });
  });

  it('counts prompt-cache reads and writes as input tokens, and keeps them apart too', () => {
    expect(parsed(records[3])).toMatchObject({
      modelNamed: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0',
      inputTokens: 900 + 4000 + 1000,
      cacheReadInputTokens: 4000,
      cacheWriteInputTokens: 1000,
      outputTokens: 350,
    });
  });

  it('parses a failed call and keeps its errorCode (increments then count nothing)', () => {
    expect(parsed(records[4])).toMatchObject({ modelNamed: 'us.deepseek.r1-v1:0', errorCode: 'ThrottlingException' });
  });

  it('reads a global profile id', () => {
    expect(parsed(records[5])).toMatchObject({
      caller: 'arn:aws:iam::111122223333:user/bob',
      modelNamed: 'global.anthropic.claude-sonnet-4-20250514-v1:0',
      region: 'us-east-2',
    });
  });

  it('takes the JSON text of a record as well as the object', () => {
    expect(parseInvocationLog(lines[0])).toEqual(parseInvocationLog(records[0]));
  });

  it('reads every record of a CloudWatch Logs subscription payload (gzip + base64)', () => {
    const event = JSON.parse(fixture('cloudwatch-subscription.json')) as { awslogs: { data: string } };
    const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')) as {
      messageType: string;
      logEvents: { message: string }[];
    };
    expect(payload.messageType).toBe('DATA_MESSAGE');
    const out = payload.logEvents.map((e) => parseInvocationLog(e.message));
    expect(out.filter(isInvalidRecord)).toEqual([]);
    expect(out).toEqual(records.map(parseInvocationLog));
  });

  it('reads missing and null token counts as 0 but still parses the call', () => {
    const r = parsed(edited(1, { input: { inputContentType: 'application/json' }, output: null }));
    expect([r.inputTokens, r.outputTokens]).toEqual([0, 0]);
    expect(parsed(edited(1, { input: undefined, output: undefined })).inputTokens).toBe(0);
    expect(parsed(edited(1, { input: { inputTokenCount: null } })).inputTokens).toBe(0);
  });

  it('keeps unknown fields out of the way and tolerates absent informational fields', () => {
    const r = parsed(edited(0, { performanceConfig: { latency: 'optimized' }, accountId: undefined, operation: null }));
    expect([r.account, r.operation]).toEqual([undefined, undefined]);
  });

  it('reads a time without a zone as UTC and normalises offsets', () => {
    expect(parsed(edited(1, { timestamp: '2025-11-18T10:00:03' })).time).toBe('2025-11-18T10:00:03.000Z');
    expect(parsed(edited(1, { timestamp: '2025-11-18T12:00:03+02:00' })).time).toBe('2025-11-18T10:00:03.000Z');
  });

  it('an empty errorCode is no error', () => {
    expect(parsed(edited(1, { errorCode: '' })).errorCode).toBeUndefined();
  });

  it.each([
    ['junk text', 'not json {', '(record): not JSON'],
    ['an array', [1, 2], '(record): expected a JSON object, got an array'],
    ['null', null, '(record): expected a JSON object, got null'],
    [
      'another schema',
      edited(0, { schemaType: 'Heartbeat' }),
      'schemaType: expected "ModelInvocationLog", got "Heartbeat"',
    ],
    [
      'the S3 permission check object',
      { permissionCheck: true },
      'schemaType: expected "ModelInvocationLog", got undefined',
    ],
    ['no request id', edited(0, { requestId: undefined }), 'requestId: missing (expected string)'],
    ['an empty request id', edited(0, { requestId: '' }), 'requestId: expected a non-empty string'],
    ['no identity', edited(0, { identity: undefined }), 'identity: missing (expected object)'],
    ['an identity without an ARN', edited(0, { identity: {} }), 'identity.arn: missing (expected string)'],
    ['an identity that is no ARN', edited(0, { identity: { arn: 'AppBackend' } }), 'identity.arn'],
    ['no model', edited(0, { modelId: undefined }), 'modelId: missing (expected string)'],
    ['a bad time', edited(0, { timestamp: 'yesterday' }), 'timestamp: not a date: "yesterday"'],
    ['an impossible time', edited(0, { timestamp: '2025-13-45T99:00:00Z' }), 'timestamp: not a date'],
    ['a negative count', edited(0, { input: { inputTokenCount: -1 } }), 'input.inputTokenCount: expected at least 0'],
    ['a fractional count', edited(0, { output: { outputTokenCount: 1.5 } }), 'output.outputTokenCount'],
    [
      'a count as text',
      edited(0, { output: { outputTokenCount: '58' } }),
      'output.outputTokenCount: expected number, got string',
    ],
  ])('names the field of %s', (_name, value, reason) => {
    expect(invalid(value)).toContain(reason);
  });
});
