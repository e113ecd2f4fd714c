import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { readInvocationLogging } from '../../shared/aws/invocation-logging.js';
import { BedrockGuardError } from '../../shared/errors.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

/**
 * On the moto server, which implements Put/Get/DeleteModelInvocationLoggingConfiguration per Region
 * (moto 5.x). moto differs from Bedrock in two ways the adapter must survive anyway: it answers an
 * unconfigured Region with `loggingConfig: {}` (Bedrock leaves `loggingConfig` out), and it stores any
 * configuration without checking it (Bedrock refuses one without a destination, or with a role it can't use).
 * Access denied, which moto doesn't enforce, comes from the fault proxy in front of it.
 */
const ROLE = 'arn:aws:iam::123456789012:role/BedrockInvocationLogging';
const DENIED_REGION = 'eu-central-1';

let moto: MotoServer;
let proxy: FaultProxy;
let aws: AwsClients;
const saved: Record<string, string | undefined> = {};
const ENV = ['AWS_ENDPOINT_URL_BEDROCK', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] as const;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  proxy = await startFaultProxy({
    target: moto.endpoint,
    answer: (request) =>
      request.service === 'bedrock' && request.region === DENIED_REGION
        ? {
            status: 403,
            headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
            body: JSON.stringify({
              message: 'not authorized to perform: bedrock:GetModelInvocationLoggingConfiguration',
            }),
          }
        : undefined,
  });
  for (const name of ENV) saved[name] = process.env[name];
  delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
  // As a user's would: the guard's clients find the endpoint in the environment.
  process.env.AWS_ENDPOINT_URL_BEDROCK = proxy.endpoint;
  aws = new AwsClients({ credentials: MOTO_CREDENTIALS, region: 'us-east-1', retry: { baseDelayMs: 1 } });
});
beforeEach(() => moto.reset());
afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await proxy?.stop();
  await moto?.stop();
});

/** Configures logging as an operator would, straight to moto. */
async function put(region: string, loggingConfig: LoggingConfig): Promise<void> {
  const client = new BedrockClient({ region, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  await client.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
  client.destroy();
}

describe('readInvocationLogging', () => {
  it('reads a Region never configured as off', async () => {
    expect(await readInvocationLogging(aws, 'us-west-2')).toEqual({ region: 'us-west-2', enabled: false });
  });

  it('reads a CloudWatch Logs destination, and the text delivery flag', async () => {
    await put('us-east-1', {
      cloudWatchConfig: {
        logGroupName: 'bedrock-invocations',
        roleArn: ROLE,
        largeDataDeliveryS3Config: { bucketName: 'bedrock-large-bodies' },
      },
      textDataDeliveryEnabled: true,
      imageDataDeliveryEnabled: false,
    });
    expect(await readInvocationLogging(aws, 'us-east-1')).toEqual({
      region: 'us-east-1',
      enabled: true,
      cloudWatch: { logGroupName: 'bedrock-invocations' },
      textDelivery: true,
    });
  });

  it('reads an S3 destination with and without a key prefix, and both destinations at once', async () => {
    await put('us-east-1', { s3Config: { bucketName: 'logs-123456789012', keyPrefix: 'bedrock' } });
    await put('us-west-2', {
      s3Config: { bucketName: 'logs-123456789012' },
      cloudWatchConfig: { logGroupName: 'bedrock-invocations', roleArn: ROLE },
      textDataDeliveryEnabled: false,
    });
    expect(await readInvocationLogging(aws, 'us-east-1')).toEqual({
      region: 'us-east-1',
      enabled: true,
      s3: { bucketName: 'logs-123456789012', keyPrefix: 'bedrock' },
    });
    expect(await readInvocationLogging(aws, 'us-west-2')).toEqual({
      region: 'us-west-2',
      enabled: true,
      cloudWatch: { logGroupName: 'bedrock-invocations' },
      s3: { bucketName: 'logs-123456789012' },
      textDelivery: false,
    });
  });

  it('keeps Regions apart', async () => {
    await put('us-east-1', { cloudWatchConfig: { logGroupName: 'bedrock-invocations', roleArn: ROLE } });
    expect((await readInvocationLogging(aws, 'us-east-1')).enabled).toBe(true);
    expect((await readInvocationLogging(aws, 'us-east-2')).enabled).toBe(false);
  });

  it('reads a deleted configuration, and one without a destination, as off', async () => {
    await put('us-east-1', { cloudWatchConfig: { logGroupName: 'bedrock-invocations', roleArn: ROLE } });
    const client = new BedrockClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    await client.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    client.destroy();
    expect(await readInvocationLogging(aws, 'us-east-1')).toEqual({ region: 'us-east-1', enabled: false });

    // Bedrock would refuse this one; moto keeps it, and it delivers nothing either way.
    await put('us-east-2', { textDataDeliveryEnabled: true });
    expect(await readInvocationLogging(aws, 'us-east-2')).toEqual({
      region: 'us-east-2',
      enabled: false,
      textDelivery: true,
    });
  });

  it('names the missing permission when the configuration may not be read', async () => {
    const error = await readInvocationLogging(aws, DENIED_REGION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockGuardError);
    expect(error).toMatchObject({
      message: `could not read the model invocation logging configuration of ${DENIED_REGION} (AccessDeniedException)`,
      hint: expect.stringContaining('bedrock:GetModelInvocationLoggingConfiguration') as unknown,
      cause: { name: 'AccessDeniedException' },
    });
  });
});
