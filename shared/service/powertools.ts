import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { existsSync } from 'node:fs';
import type { AwsClients } from '../aws/clients.js';

/** Logger, metrics and tracer of one function, named and levelled from its environment. */
export function powertools(env: Readonly<Record<string, string | undefined>>) {
  const serviceName = env.POWERTOOLS_SERVICE_NAME ?? 'bedrock-guard';
  const logger = new Logger({
    serviceName,
    ...(env.POWERTOOLS_LOG_LEVEL ? { logLevel: env.POWERTOOLS_LOG_LEVEL as never } : {}),
  });
  const metrics = new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? 'BedrockGuard',
    serviceName,
    // Its own warnings (an idempotent replay adds no metric) go through the structured log.
    logger,
  });
  const tracer = new Tracer({ serviceName });
  return { logger, metrics, tracer };
}

/**
 * Where a relative policy-file path is found: the function's root in Lambda
 * (`LAMBDA_TASK_ROOT`); the working directory where that folder doesn't
 * exist (`osls invoke local` sets it to Lambda's path).
 */
export const packageRoot = (env: Readonly<Record<string, string | undefined>>): string =>
  env.LAMBDA_TASK_ROOT && existsSync(env.LAMBDA_TASK_ROOT) ? env.LAMBDA_TASK_ROOT : process.cwd();

/** How long an event id is remembered: EventBridge and Lambda redeliver within hours, not days. */
const IDEMPOTENCY_SECONDS = 24 * 60 * 60;

/** Powertools idempotency on DynamoDB, keyed by `keyPath` (JMESPath) of the event: a redelivery gets the stored result. */
export const idempotent = (aws: AwsClients, tableName: string, keyPath: string) =>
  makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: aws.dynamodb() }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: keyPath,
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: IDEMPOTENCY_SECONDS,
    }),
  });
