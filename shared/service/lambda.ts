import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { AwsClients } from '../aws/clients.js';
import { CloudTrailEnvelopeSchema, type CloudTrailEnvelope } from '../core/events/cloudtrail-schema.js';
import { EventParseError, parseGuardEvent } from '../core/events/parse-event.js';
import { touchOf } from '../core/events/touch.js';
import { configFromEnv, type ServiceConfig } from './config.js';
import type { RunResult } from './guard-service.js';
import { inputProblem } from './input-problem.js';
import { ReconcileInputSchema, type ReconcileInput } from './reconcile-input.js';
import { idempotent, packageRoot, powertools } from './powertools.js';
import { createRuntime, type Runtime } from './runtime.js';

export interface HandlerOptions {
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** For tests: AWS clients to use instead of the default credential chain. */
  readonly aws?: AwsClients;
}

/** Shared by every handler of a container: the config (checked at cold start), Powertools, AWS clients. */
export function setup(name: string, options: HandlerOptions, explain: (event: unknown, error: Error) => Error) {
  const env = options.env ?? process.env;
  const config = configFromEnv(env);
  const { logger, metrics, tracer } = powertools(env);
  // The SDK's retries stop while there is still time to report: the invocation's remaining time, once known.
  let remaining = () => Number.POSITIVE_INFINITY;
  const aws =
    config.snapshotDir !== undefined
      ? undefined
      : (options.aws ??
        new AwsClients({
          retry: { remainingMs: () => remaining() },
          instrument: (client) => tracer.captureAWSv3Client(client as never),
        }));
  let runtime: Promise<Runtime> | undefined;
  const start = (context: Context) => {
    remaining = () => context.getRemainingTimeInMillis();
    // Read once per container; a failed start (bad policy file) is tried again by the next invocation.
    runtime ??= createRuntime(config, {
      ...(aws ? { aws } : {}),
      root: packageRoot(env),
      log: (message, extra) => logger.info(message, extra ?? {}),
    }).catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
    return runtime;
  };
  const report = (ran: RunResult, runtime: Runtime): RunResult => {
    // Without a bus (offline runs), what would have been published is logged and returned.
    const kept = runtime.collected?.events.splice(0) ?? [];
    const result = kept.length > 0 ? { ...ran, findingsEvents: kept } : ran;
    for (const e of kept) logger.info('findings', { principal: e.principal ?? 'account', findings: e.findings });
    metrics.addMetric('Findings', MetricUnit.Count, result.findings);
    metrics.addMetric('Actions', MetricUnit.Count, result.actions.filter((a) => a.result === 'applied').length);
    if (result.ignored) metrics.addMetric('EventsIgnored', MetricUnit.Count, 1);
    logger.info('done', { result: { ...ran, actions: ran.actions.length }, function: name });
    return result;
  };
  const errors: MiddlewareObj = {
    onError: async (request) => {
      const error = request.error?.name === 'ParseError' ? explain(request.event, request.error) : request.error;
      request.error = error;
      metrics.addMetric('Errors', MetricUnit.Count, 1);
      // Thrown on: Lambda retries, then the event goes to the dead-letter queue; this line says why.
      logger.error(
        `${name}: ${error instanceof EventParseError ? 'not an event this function handles' : 'failed'}`,
        error as Error,
      );
    },
  };
  const chain = <E, R>(fn: (event: E, context: Context) => Promise<R>) =>
    middy(fn)
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(captureLambdaHandler(tracer))
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
      .use(errors);
  return { config, logger, metrics, aws, start, report, chain };
}

/**
 * A CloudTrail event handler: middy with Powertools logger (event id, actor
 * and rule on every line), metrics, tracer, parser (the EventBridge envelope
 * and CloudTrail record schemas: anything else is a logged error, thrown to
 * the dead-letter queue, with nothing written) and idempotency keyed by the
 * CloudTrail `eventID`, so a redelivered event acts, records and publishes once.
 */
export function eventHandler(name: string, options: HandlerOptions = {}) {
  const { config, logger, aws, start, report, chain } = setup(name, options, eventProblem);
  const handle = async (event: CloudTrailEnvelope, context: Context) => {
    const touch = touchOf(event);
    logger.appendKeys({
      eventId: touch.eventId,
      rule: `${touch.eventSource} ${touch.eventName}`,
      principal: touch.actor ?? 'none',
    });
    const runtime = await start(context);
    return report(await runtime.service.handleEvent(touch), runtime);
  };
  const handler = chain(handle).use(parser({ schema: CloudTrailEnvelopeSchema }));
  if (config.idempotencyTable && aws) {
    handler.use(idempotent(aws, config.idempotencyTable, 'detail.eventID || id'));
  }
  return handler;
}

/** The sweep: on the schedule (a Scheduled Event) or invoked by hand with `{dryRun, principals?, maxChanges?}`. */
export function reconcileHandler(options: HandlerOptions = {}) {
  const { logger, start, report, chain } = setup('reconcile', options, inputProblem);
  const handle = async (input: ReconcileInput, context: Context) => {
    const trigger =
      input.kind === 'schedule'
        ? { kind: 'schedule' as const, id: input.id }
        : { kind: 'manual' as const, id: `manual-${context.awsRequestId}` };
    logger.appendKeys({ eventId: trigger.id, rule: `reconcile ${trigger.kind}` });
    const runtime = await start(context);
    return report(await runtime.service.reconcile(input.request, trigger), runtime);
  };
  return chain(handle).use(parser({ schema: ReconcileInputSchema }));
}

export type { ServiceConfig };

/**
 * The parser middleware's error says only "Failed to parse schema": these
 * name each field that failed and what was expected.
 */
function eventProblem(event: unknown, error: Error): Error {
  try {
    parseGuardEvent(event);
  } catch (thrown) {
    if (thrown instanceof EventParseError) return thrown;
  }
  return inputProblem(event, error);
}
