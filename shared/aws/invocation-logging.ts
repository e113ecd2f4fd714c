import { GetModelInvocationLoggingConfigurationCommand, type LoggingConfig } from '@aws-sdk/client-bedrock';
import type { InvocationLogging } from '../core/budgets/logging-health.js';
import { BedrockGuardError } from '../errors.js';
import type { AwsClients } from './clients.js';
import { errorName, isAccessDenied } from './sdk-output.js';

/**
 * The model invocation logging configuration of one Region: on when it has a
 * CloudWatch Logs or an S3 destination. A Region never configured (AWS
 * answers without `loggingConfig`) or with an empty configuration is off.
 *
 * @example
 * await readInvocationLogging(aws, 'us-west-2');
 * // → { region: 'us-west-2', enabled: true, cloudWatch: { logGroupName: 'bedrock-invocations' }, textDelivery: true }
 * @throws BedrockGuardError when the caller may not read it (bedrock:GetModelInvocationLoggingConfiguration).
 */
export async function readInvocationLogging(aws: AwsClients, region: string): Promise<InvocationLogging> {
  try {
    const { loggingConfig } = await aws.bedrock(region).send(new GetModelInvocationLoggingConfigurationCommand({}));
    return invocationLogging(region, loggingConfig);
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    throw new BedrockGuardError(
      `could not read the model invocation logging configuration of ${region} (${errorName(error)})`,
      {
        hint: 'The guard needs bedrock:GetModelInvocationLoggingConfiguration in every approved Region, and no SCP denying it.',
        cause: error,
      },
    );
  }
}

function invocationLogging(region: string, config: LoggingConfig | undefined): InvocationLogging {
  const logGroupName = config?.cloudWatchConfig?.logGroupName;
  const bucketName = config?.s3Config?.bucketName;
  const keyPrefix = config?.s3Config?.keyPrefix;
  const text = config?.textDataDeliveryEnabled;
  return {
    region,
    enabled: Boolean(logGroupName || bucketName),
    ...(logGroupName ? { cloudWatch: { logGroupName } } : {}),
    ...(bucketName ? { s3: { bucketName, ...(keyPrefix ? { keyPrefix } : {}) } } : {}),
    ...(text !== undefined ? { textDelivery: text } : {}),
  };
}
