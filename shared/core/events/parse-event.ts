import type { z } from 'zod';
import { BedrockGuardError } from '../../errors.js';
import { canonicalJson } from '../canonical-json.js';
import {
  CLOUDTRAIL_DETAIL_TYPES,
  type CloudTrailDetail,
  CloudTrailDetailSchema,
  type CloudTrailEnvelope,
  CloudTrailEnvelopeSchema,
} from './cloudtrail-schema.js';

/** One field that failed: where (`detail.eventName`) and what was expected. */
export interface EventFieldIssue {
  readonly path: string;
  readonly message: string;
}

const SHAPES = "expected an EventBridge 'AWS API Call via CloudTrail' event or a CloudTrail record";

/** An event the guard cannot read: the message names each failing field and what it should be. */
export class EventParseError extends BedrockGuardError {
  readonly issues: readonly EventFieldIssue[];

  constructor(
    message: string,
    options: { issues?: readonly EventFieldIssue[]; location?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'EventParseError';
    this.issues = options.issues ?? [];
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const kindOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

/** Where a piece of the input sits: `detail.eventName`, `Events[0].CloudTrailEvent`. */
const joinPath = (prefix: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return out === '' ? name : `${out}.${name}`;
  }, prefix);

const EXPECTED: Record<string, string> = {
  string: 'a string',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  boolean: 'a boolean',
  number: 'a number',
};

/** The value at a path of the input, as the issue refers to it. */
const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) => (isObject(value) || Array.isArray(value) ? (value as Json)[key as string] : undefined),
    root,
  );

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return input === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${kindOf(input)}`;
    }
    case 'too_small':
      return issue.origin === 'string'
        ? `expected a non-empty string, got ${kindOf(input)}`
        : `expected at least ${String(issue.minimum)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${input === undefined ? 'nothing' : kindOf(input)}`;
    case 'invalid_union': {
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((i) => (i.code === 'invalid_type' ? [EXPECTED[i.expected] ?? i.expected] : [])),
      );
      return `expected ${expected.length ? [...new Set(expected)].join(' or ') : 'another value'}, got ${kindOf(input)}`;
    }
    default:
      return issue.message;
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, prefix: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: joinPath(prefix, issue.path) || '(event)',
    message: describeIssue(issue, valueAt(value, issue.path)),
  }));
  throw new EventParseError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
    location: issues[0]?.path,
    hint: SHAPES,
  });
}

const fail = (path: string, message: string, hint = SHAPES): never => {
  throw new EventParseError(`${path}: ${message}`, { issues: [{ path, message }], location: path, hint });
};

/**
 * The event the guard handles, as an EventBridge envelope around a CloudTrail
 * record, from any of the shapes it arrives in: an EventBridge event (from a
 * rule), a bare CloudTrail record (from a log file or `handle-event FILE`), a
 * CloudTrail `LookupEvents` item (its `CloudTrailEvent` JSON string) or a
 * `LookupEvents` / log-file answer holding exactly one event. A bare record is
 * wrapped as EventBridge would deliver it. Throws {@link EventParseError}.
 */
export function parseGuardEvent(raw: unknown): CloudTrailEnvelope {
  if (!isObject(raw)) return fail('(event)', `expected a JSON object, got ${kindOf(raw)}`);

  if ('detail-type' in raw || ('detail' in raw && 'source' in raw)) return parseEnvelope(raw);
  if ('CloudTrailEvent' in raw) return wrapRecord(lookupItemRecord(raw, ''), 'CloudTrailEvent', raw);
  if ('Events' in raw) return parseOneOf(raw, 'Events');
  if ('Records' in raw) return parseOneOf(raw, 'Records');
  if ('eventSource' in raw || 'eventName' in raw || 'eventVersion' in raw || 'userIdentity' in raw) {
    return wrapRecord(raw, '');
  }
  const keys = Object.keys(raw).slice(0, 6);
  return fail(
    '(event)',
    `not a CloudTrail event (fields: ${keys.length ? keys.join(', ') : 'none'}); expected "detail-type" and "detail", or "eventSource" and "eventName"`,
  );
}

function parseEnvelope(raw: Json): CloudTrailEnvelope {
  const detailType = raw['detail-type'];
  if (typeof detailType === 'string' && !(CLOUDTRAIL_DETAIL_TYPES as readonly string[]).includes(detailType)) {
    return fail(
      'detail-type',
      `expected "AWS API Call via CloudTrail", got ${JSON.stringify(detailType)}`,
      detailType === 'Scheduled Event'
        ? 'scheduled runs go to the reconcile function, not to the event handlers'
        : 'this handler only reads CloudTrail events delivered by EventBridge',
    );
  }
  if ('detail' in raw && !isObject(raw.detail)) {
    return fail('detail', `expected an object (the CloudTrail record), got ${kindOf(raw.detail)}`);
  }
  return check(CloudTrailEnvelopeSchema, raw, '', 'EventBridge event');
}

/** A `LookupEvents` answer or a log file with one event in it. */
function parseOneOf(raw: Json, key: 'Events' | 'Records'): CloudTrailEnvelope {
  const list = raw[key];
  if (!Array.isArray(list)) return fail(key, `expected an array, got ${kindOf(list)}`);
  if (list.length !== 1) {
    return fail(key, `expected exactly one event, got ${list.length}`, 'handle the events one at a time');
  }
  const item: unknown = list[0];
  const path = `${key}[0]`;
  if (!isObject(item)) return fail(path, `expected an object, got ${kindOf(item)}`);
  if (key === 'Events') return wrapRecord(lookupItemRecord(item, path), `${path}.CloudTrailEvent`, item);
  return wrapRecord(item, path);
}

/** The CloudTrail record inside a `LookupEvents` item: its `CloudTrailEvent` is the record as a JSON string. */
function lookupItemRecord(item: Json, prefix: string): Json {
  const path = joinPath(prefix, ['CloudTrailEvent']);
  const text = item.CloudTrailEvent;
  if (typeof text !== 'string')
    return fail(path, `expected the CloudTrail record as a JSON string, got ${kindOf(text)}`);
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return fail(path, `not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(record)) return fail(path, `expected a JSON object, got ${kindOf(record)}`);
  return record;
}

const DETAIL_TYPES: Record<string, (typeof CLOUDTRAIL_DETAIL_TYPES)[number]> = {
  AwsApiCall: 'AWS API Call via CloudTrail',
  AwsConsoleSignIn: 'AWS Console Sign In via CloudTrail',
  AwsConsoleAction: 'AWS Console Action via CloudTrail',
  AwsServiceEvent: 'AWS Service Event via CloudTrail',
};

/** A bare CloudTrail record wrapped into the envelope EventBridge would have put around it. */
function wrapRecord(record: Json, prefix: string, lookupItem?: Json): CloudTrailEnvelope {
  const detail = check(CloudTrailDetailSchema, record, prefix, 'CloudTrail record');
  const service = detail.eventSource.replace(/\.amazonaws\.com$/, '');
  const lookupTime = typeof lookupItem?.EventTime === 'string' ? lookupItem.EventTime : undefined;
  return {
    version: '0',
    id: detail.eventID || detail.requestID || syntheticId(record),
    'detail-type': DETAIL_TYPES[detail.eventType ?? ''] ?? 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account: accountOf(detail) ?? '',
    time: isoTime(detail.eventTime) ?? isoTime(lookupTime) ?? '',
    region: detail.awsRegion,
    resources: [],
    detail,
  };
}

/** The account the record was delivered to: `recipientAccountId`, else the caller's account. */
export const accountOf = (detail: CloudTrailDetail): string | undefined =>
  detail.recipientAccountId || detail.userIdentity?.accountId || undefined;

const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A CloudTrail time as EventBridge writes it (`2024-07-08T17:06:49Z`, UTC):
 * also reads a long fraction (`.0000000Z`), Panther's `2025-01-21 17:49:47.000000000`
 * (UTC) and a local offset (`-04:00`, from LookupEvents). `undefined` for anything else.
 */
export function isoTime(value: string | null | undefined): string | undefined {
  const m = value ? TIME.exec(value.trim()) : null;
  if (!m) return undefined;
  const fraction = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  const zone = m[4] ?? 'Z';
  const date = new Date(
    `${m[1]}T${m[2]}${fraction}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`,
  );
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * A stable id for a record without `eventID` or `requestID` (eventVersion 1.0):
 * the same record always gets the same id, so redelivery stays idempotent.
 */
function syntheticId(record: Json): string {
  const text = canonicalJson(record);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `cloudtrail-${hex(h2)}${hex(h1)}`;
}
