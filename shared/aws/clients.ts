import { BedrockClient } from '@aws-sdk/client-bedrock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CallStats } from './call-stats.js';
import { DeadlineRetryStrategy, type RetryOptions } from './retry.js';

export interface AwsOptions {
  /** Region of STS and DynamoDB; default `AWS_REGION`, else us-east-1. */
  readonly region?: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly retry?: RetryOptions;
  readonly stats?: CallStats;
  /** Called on each new client, e.g. to trace its calls with X-Ray. */
  readonly instrument?: (client: object) => void;
}

/** IAM and Organizations are global services, each served from one Region per partition. */
const GLOBAL_REGION: Readonly<Record<string, string>> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-north-1',
};

const globalRegion = (partition: string): string => GLOBAL_REGION[partition] ?? 'us-east-1';

interface SdkClient {
  middlewareStack: { add: (...args: never[]) => void };
}

/**
 * The guard's AWS SDK clients, made once and shared, all with the same retry
 * strategy and call counter. Endpoints come from the SDK's own configuration:
 * `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) points them at an emulator.
 */
export class AwsClients {
  readonly stats: CallStats;
  readonly region: string;
  private readonly retryStrategy: DeadlineRetryStrategy;
  private readonly cache = new Map<string, unknown>();
  /** Class names don't survive minifying: classes passed to `of` are told apart by identity. */
  private readonly classIds = new Map<unknown, number>();

  constructor(private readonly options: AwsOptions = {}) {
    this.stats = options.stats ?? new CallStats();
    this.region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.retryStrategy = new DeadlineRetryStrategy(options.retry);
  }

  sts(): STSClient {
    return this.client('sts', () => new STSClient(this.config(this.region)));
  }

  iam(partition: string): IAMClient {
    return this.client(`iam:${partition}`, () => new IAMClient(this.config(globalRegion(partition))));
  }

  /** With `roleArn`, as that role (e.g. in the management account, which can read every SCP). */
  organizations(partition: string, roleArn?: string): OrganizationsClient {
    return this.client(`organizations:${partition}:${roleArn ?? ''}`, () => {
      const config = this.config(globalRegion(partition));
      return new OrganizationsClient(roleArn ? { ...config, credentials: this.assumeRole(roleArn) } : config);
    });
  }

  bedrock(region: string): BedrockClient {
    return this.client(`bedrock:${region}`, () => new BedrockClient(this.config(region)));
  }

  dynamodb(): DynamoDBClient {
    return this.client('dynamodb', () => new DynamoDBClient(this.config(this.region)));
  }

  eventbridge(): EventBridgeClient {
    return this.client('eventbridge', () => new EventBridgeClient(this.config(this.region)));
  }

  /**
   * Of the class the caller passes: `@aws-sdk/client-ssm` is imported only where a policy file kept in Parameter
   * Store is read (ssm-parameter.ts, itself loaded on demand), so that the Lambda bundles keep it in a lazy chunk.
   */
  ssm(Client: typeof SSMClient): SSMClient {
    return this.of(Client);
  }

  /**
   * A client of a class the caller imports (SNS, Secrets Manager…), so that only the bundles that use a service
   * load its SDK. One per class and Region.
   */
  of<T extends SdkClient>(Client: new (config: ReturnType<AwsClients['config']>) => T, region = this.region): T {
    let id = this.classIds.get(Client);
    if (id === undefined) this.classIds.set(Client, (id = this.classIds.size));
    return this.client(`class${id}:${region}`, () => new Client(this.config(region)));
  }

  private config(region: string) {
    return {
      region,
      retryStrategy: this.retryStrategy,
      ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
    };
  }

  private client<T extends SdkClient>(key: string, make: () => T): T {
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      client = make();
      countCalls(client, this.stats);
      this.options.instrument?.(client);
      this.cache.set(key, client);
    }
    return client;
  }

  /** Temporary credentials of `roleArn`, renewed five minutes before they expire. */
  private assumeRole(roleArn: string): AwsCredentialIdentityProvider {
    let current: AwsCredentialIdentity | undefined;
    return async () => {
      if (current?.expiration && current.expiration.getTime() - Date.now() > 300_000) return current;
      const { Credentials: c } = await this.sts().send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bedrock-guard' }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      current = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
      return current;
    };
  }
}

/** Counts each HTTP attempt (it sits inside the retry middleware). */
function countCalls(client: SdkClient, stats: CallStats): void {
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
    (args: unknown) => {
      stats.add(
        (context.clientName ?? 'Client').replace(/Client$/, ''),
        (context.commandName ?? 'Command').replace(/Command$/, ''),
      );
      return next(args);
    };
  (client.middlewareStack.add as (m: unknown, o: unknown) => void)(middleware, {
    step: 'finalizeRequest',
    priority: 'low',
    name: 'bedrockGuardCallStats',
  });
}
