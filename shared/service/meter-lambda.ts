import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context } from 'aws-lambda';
import { readLogObject } from '../aws/log-object.js';
import { type MeterInput, MeterInputSchema } from '../core/budgets/meter-input.js';
import { UsageError } from '../errors.js';
import type { MeterResult } from './budget-meter.js';
import { type HandlerOptions, setup } from './lambda.js';
import { decodeSubscription, meterInputProblem } from './meter-input.js';

const NOTHING: MeterResult = {
  records: 0,
  invalid: 0,
  unattributed: 0,
  counted: 0,
  duplicates: 0,
  alerts: 0,
  denies: [],
};

/**
 * The meter function: model invocation logs, from a CloudWatch Logs
 * subscription (gzip + base64) or an S3 "Object Created" event of the
 * logging bucket, through the budgets. No idempotency record is needed:
 * counters add each request id once, and each threshold acts once per window,
 * so a redelivered batch changes nothing. A failed deny throws: Lambda retries,
 * then the DLQ.
 */
export function meterHandler(options: HandlerOptions = {}) {
  const { logger, metrics, aws, start, chain } = setup('meter', options, meterInputProblem);
  const handle = async (input: MeterInput, context: Context): Promise<MeterResult & { source: string }> => {
    let source: string;
    let values: unknown[];
    if ('awslogs' in input) {
      const batch = decodeSubscription(input.awslogs.data);
      source = `logs:${batch.logGroup}/${batch.logStream}/${batch.logEvents[0]?.id ?? 'control'}`;
      // CloudWatch Logs checking that a new subscription's destination answers: its one event is a notice, not a record.
      if (batch.messageType === 'CONTROL_MESSAGE') {
        logger.info('control message: nothing to meter', { source });
        return { ...NOTHING, source };
      }
      values = batch.logEvents.map((e) => e.message);
    } else {
      const { bucket, object } = input.detail;
      source = `s3://${bucket.name}/${object.key}`;
      if (!aws) {
        throw new UsageError('an S3 delivery needs AWS, and this run is offline (BEDROCK_GUARD_SNAPSHOT)', {
          hint: 'Run it against AWS, or send the records as a CloudWatch Logs payload.',
        });
      }
      values = await readLogObject(aws, bucket.name, object.key);
    }
    logger.appendKeys({ eventId: source, rule: 'meter' });
    const runtime = await start(context);
    const result = await runtime.meter.meter(values, { kind: 'event', id: source });
    metrics.addMetric('UsageRecords', MetricUnit.Count, result.records);
    metrics.addMetric('UsageCounted', MetricUnit.Count, result.counted);
    metrics.addMetric('BudgetAlerts', MetricUnit.Count, result.alerts);
    if (result.invalid > 0) metrics.addMetric('UsageRecordsInvalid', MetricUnit.Count, result.invalid);
    logger.info('metered', { result });
    return { ...result, source };
  };
  return chain(handle).use(parser({ schema: MeterInputSchema }));
}
