import { gunzipSync } from 'node:zlib';
import type * as z from 'zod';
import {
  ObjectCreatedEventSchema,
  SubscriptionBatchSchema,
  SubscriptionEventSchema,
} from '../core/budgets/meter-input.js';
import { EventParseError } from '../core/events/parse-event.js';
import { fieldIssues } from './input-problem.js';

/** A subscription delivery decoded: its log group and stream, and each log event's message (one record each). */
export function decodeSubscription(data: string) {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
  } catch (error) {
    throw new EventParseError(`awslogs.data is not gzip + base64 JSON: ${(error as Error).message}`);
  }
  const batch = SubscriptionBatchSchema.safeParse(json);
  if (!batch.success) {
    throw new EventParseError(
      `awslogs.data is not a CloudWatch Logs batch: ${batch.error.issues.map((i) => `${i.path.join('.') || '(batch)'}: ${i.message}`).join('; ')}`,
    );
  }
  return batch.data;
}

const SHAPES =
  'expected a CloudWatch Logs subscription delivery ({"awslogs": {"data": …}}) or an S3 "Object Created" event (source aws.s3) of the invocation-log bucket';

/**
 * The parser middleware's error for the meter's input, which is one of two
 * shapes: the union's own message says only "Invalid input". An event that
 * looks like one of them (it has `awslogs`, or comes from `aws.s3`) is told
 * what is wrong with it as that shape; anything else is told what the
 * function takes.
 */
export function meterInputProblem(event: unknown, error: Error): Error {
  const json =
    typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Record<string, unknown>) : {};
  const schema: z.ZodType | undefined =
    'awslogs' in json ? SubscriptionEventSchema : json.source === 'aws.s3' ? ObjectCreatedEventSchema : undefined;
  const parsed = schema?.safeParse(event);
  if (!parsed || parsed.success)
    return new EventParseError(`not a model invocation log delivery: ${SHAPES}`, { cause: error });
  const issues = fieldIssues(parsed.error.issues);
  return new EventParseError(
    `not a model invocation log delivery: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { issues, cause: error },
  );
}
