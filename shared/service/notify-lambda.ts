import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoAlertDedupe } from '../aws/alert-dedupe.js';
import { AwsClients } from '../aws/clients.js';
import { SecretReader } from '../aws/secret-reader.js';
import { SlackWebhook } from '../aws/slack-webhook.js';
import { publishAlert } from '../aws/sns-publisher.js';
import { type FindingsEnvelope, FindingsEnvelopeSchema } from '../core/events/findings-event-schema.js';
import { MemoryAlertDedupe } from './alert-dedupe.js';
import { configFromEnv } from './config.js';
import { inputProblem } from './input-problem.js';
import type { HandlerOptions } from './lambda.js';
import { type DeliveryResult, Notifier } from './notifier.js';
import { idempotent, packageRoot, powertools } from './powertools.js';
import { readPolicy } from './policy-source.js';

/**
 * The notifier function, subscribed to the guard's findings bus: each entry
 * (one principal's findings) is routed by the policy file's `notify`,
 * deduplicated across containers in the idempotency table, and sent to Slack
 * and SNS. Idempotent on the bus entry's `id`; a failed delivery throws, so
 * Lambda retries and then sends the entry, with the reason, to the DLQ.
 */
export function notifyHandler(options: HandlerOptions = {}) {
  const env = options.env ?? process.env;
  const config = configFromEnv(env);
  const { logger, metrics, tracer } = powertools(env);
  let remaining = () => Number.POSITIVE_INFINITY;
  const aws =
    options.aws ??
    new AwsClients({
      retry: { remainingMs: () => remaining() },
      instrument: (client) => tracer.captureAWSv3Client(client as never),
    });
  let notifier: Promise<Notifier> | undefined;
  // Read once per container; a failed start (bad policy file) is tried again by the next invocation.
  const start = () =>
    (notifier ??= readPolicy(config, { aws, root: packageRoot(env) })
      .then(
        ({ policy }) =>
          new Notifier({
            policy,
            dedupe: config.idempotencyTable
              ? new DynamoAlertDedupe(aws.dynamodb(), config.idempotencyTable)
              : new MemoryAlertDedupe(),
            secrets: new SecretReader(aws),
            slack: new SlackWebhook(),
            sns: (topic, alert) => publishAlert(aws, topic, alert),
          }),
      )
      .catch((error: unknown) => {
        notifier = undefined;
        throw error;
      }));

  const handle = async (event: FindingsEnvelope, context: Context): Promise<{ results: DeliveryResult[] }> => {
    remaining = () => context.getRemainingTimeInMillis();
    logger.appendKeys({ eventId: event.id, principal: event.detail.principal ?? 'account' });
    const results = await (await start()).notify(event.detail, { remainingMs: remaining });
    metrics.addMetric(
      'AlertsSent',
      MetricUnit.Count,
      results.reduce((n, r) => n + r.sent, 0),
    );
    metrics.addMetric(
      'AlertsHeld',
      MetricUnit.Count,
      results.reduce((n, r) => n + r.held, 0),
    );
    logger.info('done', { results });
    return { results };
  };

  const handler = middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use({
      onError: async (request) => {
        const malformed = request.error?.name === 'ParseError';
        // The parser's own error says only "Failed to parse schema": this one names each failing field.
        if (malformed && request.error) request.error = inputProblem(request.event, request.error);
        metrics.addMetric('Errors', MetricUnit.Count, 1);
        // Thrown on: Lambda retries, then the entry goes to the dead-letter queue; this line says why.
        logger.error(`notify: ${malformed ? 'not a findings bus entry' : 'failed'}`, request.error as Error);
      },
    })
    .use(parser({ schema: FindingsEnvelopeSchema }));
  if (config.idempotencyTable) {
    handler.use(idempotent(aws, config.idempotencyTable, 'id'));
  }
  return handler;
}
