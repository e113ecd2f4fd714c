import * as z from 'zod';

/**
 * One Bedrock model invocation log record, reduced to what usage budgets
 * meter. The same record arrives as a CloudWatch Logs event's `message` and
 * as a line of the S3 delivery.
 */
export interface UsageRecord {
  readonly requestId: string;
  /** When Bedrock logged the call, ISO 8601 UTC (`toISOString()`). */
  readonly time: string;
  /** The account the call was made in; `undefined` when the record leaves it out. */
  readonly account: string | undefined;
  readonly region: string | undefined;
  /** The caller as logged: a user ARN, a role ARN or an assumed-role session ARN. */
  readonly caller: string;
  /** `modelId` as logged: a model id or ARN, an inference profile id or ARN, a provisioned model ARN… */
  readonly modelNamed: string;
  /**
   * Every input token the model read: `inputTokenCount` plus the prompt-cache
   * reads and writes, which Bedrock reports apart (and bills) — a budget that
   * cached prompts could slip past would be no budget.
   */
  readonly inputTokens: number;
  /** Of `inputTokens`, those Bedrock reports as `cacheReadInputTokenCount`. */
  readonly cacheReadInputTokens: number;
  /** Of `inputTokens`, those Bedrock reports as `cacheWriteInputTokenCount`. */
  readonly cacheWriteInputTokens: number;
  readonly outputTokens: number;
  /** `InvokeModel`, `Converse`, `ConverseStream`…; `undefined` when the record leaves it out. */
  readonly operation: string | undefined;
  /**
   * Set when the call failed (`ThrottlingException`, `ValidationException`…).
   * AWS bills nothing for a failed call, so it counts against no budget.
   */
  readonly errorCode: string | undefined;
}

/** A record that can't be metered; `invalid` names the field and what is wrong with it. */
export interface InvalidRecord {
  readonly invalid: string;
}

export const isInvalidRecord = (r: UsageRecord | InvalidRecord): r is InvalidRecord => 'invalid' in r;

/** A token count; `null` or absent (failed or interrupted streams) reads as 0. */
const tokens = z.number().int().nonnegative().nullish();
const text = z.string().min(1);

/**
 * Strict only where metering depends on a field (the request id, time,
 * caller, model and token counts); every object keeps unknown keys, because
 * Bedrock adds fields (`inferenceRegion`, `performanceConfig`, body S3 paths).
 */
const InvocationLogSchema = z.looseObject({
  schemaType: z.literal('ModelInvocationLog'),
  schemaVersion: z.string().nullish(),
  timestamp: text,
  accountId: z.string().nullish(),
  identity: z.looseObject({ arn: z.string().startsWith('arn:') }),
  region: z.string().nullish(),
  requestId: text,
  operation: z.string().nullish(),
  modelId: text,
  input: z
    .looseObject({ inputTokenCount: tokens, cacheReadInputTokenCount: tokens, cacheWriteInputTokenCount: tokens })
    .nullish(),
  output: z.looseObject({ outputTokenCount: tokens }).nullish(),
  errorCode: z.string().nullish(),
});

/**
 * A model invocation log record (a parsed object, or its JSON text) as a
 * {@link UsageRecord}, or an {@link InvalidRecord} saying which field is wrong
 * — errors as data, so one bad line never stops a batch. Missing token counts
 * read as 0 and the call still counts as an invocation; a record with
 * `errorCode` parses, and `increments` counts nothing for it.
 *
 * @example
 * parseInvocationLog(JSON.parse(logEvent.message));
 * // → { requestId: '9f1c…', caller: 'arn:aws:sts::111122223333:assumed-role/AppBackend/s', inputTokens: 120, … }
 * parseInvocationLog({ schemaType: 'ModelInvocationLog' });
 * // → { invalid: 'timestamp: missing' }
 */
export function parseInvocationLog(value: unknown): UsageRecord | InvalidRecord {
  let raw = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value);
    } catch {
      return { invalid: '(record): not JSON' };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { invalid: `(record): expected a JSON object, got ${kindOf(raw)}` };
  }
  const parsed = InvocationLogSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    return { invalid: `${issue.path.join('.') || '(record)'}: ${describe(issue)}` };
  }
  const r = parsed.data;
  const time = isoTime(r.timestamp);
  if (time === undefined) return { invalid: `timestamp: not a date: ${JSON.stringify(r.timestamp)}` };
  const cacheRead = r.input?.cacheReadInputTokenCount ?? 0;
  const cacheWrite = r.input?.cacheWriteInputTokenCount ?? 0;
  return {
    requestId: r.requestId,
    time,
    account: r.accountId ?? undefined,
    region: r.region ?? undefined,
    caller: r.identity.arn,
    modelNamed: r.modelId,
    inputTokens: (r.input?.inputTokenCount ?? 0) + cacheRead + cacheWrite,
    cacheReadInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    outputTokens: r.output?.outputTokenCount ?? 0,
    operation: r.operation ?? undefined,
    errorCode: r.errorCode || undefined,
  };
}

/** ISO 8601 in UTC; a time without a zone is UTC (as Bedrock writes it and IAM reads it), never local time. */
function isoTime(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function describe(issue: z.core.$ZodIssue): string {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined
        ? `missing (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${kindOf(input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${JSON.stringify(input)}`;
    case 'too_small':
      return issue.origin === 'string' ? 'expected a non-empty string' : `expected at least ${String(issue.minimum)}`;
    case 'invalid_format':
      return `${issue.message}, got ${JSON.stringify(input)}`;
    default:
      return issue.message;
  }
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
