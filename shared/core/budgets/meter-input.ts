import * as z from 'zod';

/** A CloudWatch Logs subscription delivery: `awslogs.data` is gzip, then base64, of the batch. */
export const SubscriptionEventSchema = z.object({ awslogs: z.object({ data: z.string().min(1) }) });

/** The batch inside, once decoded (a CONTROL_MESSAGE only checks that the destination is reachable). */
export const SubscriptionBatchSchema = z.object({
  messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  logGroup: z.string(),
  logStream: z.string(),
  logEvents: z.array(z.object({ id: z.string(), timestamp: z.number(), message: z.string() })),
});

/** An S3 "Object Created" event (the bucket sends its events to EventBridge): one delivered log file. */
export const ObjectCreatedEventSchema = z.object({
  id: z.string().min(1),
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1) }),
  }),
});

/** What the meter function takes: model invocation logs, from CloudWatch Logs or from S3. */
export const MeterInputSchema = z.union([SubscriptionEventSchema, ObjectCreatedEventSchema]);
export type MeterInput = z.infer<typeof MeterInputSchema>;
