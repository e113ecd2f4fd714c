import {
  BedrockClient,
  GetFoundationModelCommand,
  GetInferenceProfileCommand,
  ListFoundationModelsCommand,
  paginateListInferenceProfiles,
  paginateListProvisionedModelThroughputs,
} from '@aws-sdk/client-bedrock';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BedrockServer, catalogueFromSnapshot, startBedrockServer } from '../support/bedrock-server.js';
import {
  type FaultProxy,
  type FaultProxyOptions,
  serviceCredentialsStandIn,
  startFaultProxy,
} from '../support/fault-proxy.js';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

/** The error a call that must fail rejects with. */
async function rejection(call: Promise<unknown>): Promise<{ name: string; $metadata: { httpStatusCode?: number } }> {
  return call.then(
    () => expect.fail('expected the call to reject'),
    (error: unknown) => error as { name: string; $metadata: { httpStatusCode?: number } },
  );
}

describe('the Bedrock catalogue stand-in, through the real SDK client', () => {
  const ACCOUNT = '111122223333';
  const catalogue = catalogueFromSnapshot('examples/cross-region-profile/snapshot');
  // The example has neither application profiles nor provisioned throughput: add some in us-east-1.
  const applicationProfile = {
    inferenceProfileName: 'team-nova-lite',
    inferenceProfileArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:application-inference-profile/k3x9w2m7q1ab`,
    inferenceProfileId: 'k3x9w2m7q1ab',
    models: [{ modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0' }],
    status: 'ACTIVE',
    type: 'APPLICATION',
    createdAt: '2026-11-01T10:00:00+00:00',
    updatedAt: '2026-11-01T10:00:00+00:00',
  };
  catalogue.inferenceProfiles?.['us-east-1']?.inferenceProfileSummaries.push(applicationProfile);
  catalogue.provisionedModels = {
    'us-east-1': {
      provisionedModelSummaries: ['a', 'b', 'c'].map((id) => ({
        provisionedModelName: `reserved-${id}`,
        provisionedModelArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/${id}`,
        modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0:300k',
        desiredModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0:300k',
        foundationModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0:300k',
        modelUnits: 1,
        desiredModelUnits: 1,
        status: 'InService',
        creationTime: '2026-11-15T09:12:00+00:00',
        lastModifiedTime: '2026-11-15T09:40:00+00:00',
      })),
    },
  };

  let bedrock: BedrockServer;
  beforeAll(async () => {
    bedrock = await startBedrockServer(catalogue);
  });
  afterAll(() => bedrock.stop());
  const client = (region: string) =>
    new BedrockClient({ region, endpoint: bedrock.endpoint, credentials: MOTO_CREDENTIALS });

  it('lists the foundation models of the Region the request is signed for, with its filters', async () => {
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
      const { modelSummaries } = await client(region).send(new ListFoundationModelsCommand({}));
      expect(modelSummaries?.map((m) => m.modelArn)).toEqual(
        catalogue.foundationModels?.[region]?.modelSummaries.map((m) => (m as { modelArn: string }).modelArn),
      );
      expect(bedrock.requests.at(-1)).toEqual({ method: 'GET', path: '/foundation-models', region });
    }
    const onDemand = async (region: string) =>
      (await client(region).send(new ListFoundationModelsCommand({ byInferenceType: 'ON_DEMAND' }))).modelSummaries;
    expect(await onDemand('us-east-1')).toHaveLength(4);
    expect(await onDemand('us-east-2')).toEqual([]);
    expect((await onDemand('us-west-2'))?.map((m) => m.modelId)).toEqual(['anthropic.claude-3-haiku-20240307-v1:0']);
    expect(bedrock.requests.at(-1)?.path).toBe('/foundation-models?byInferenceType=ON_DEMAND');

    const anthropic = await client('us-east-1').send(
      new ListFoundationModelsCommand({ byProvider: 'anthropic', byOutputModality: 'TEXT' }),
    );
    expect(anthropic.modelSummaries?.map((m) => m.providerName)).toEqual(['Anthropic', 'Anthropic']);
    expect(anthropic.modelSummaries?.[0]?.modelLifecycle?.status).toBe('ACTIVE');
  });

  it('answers a Region it has nothing for with empty lists', async () => {
    const { modelSummaries } = await client('eu-west-3').send(new ListFoundationModelsCommand({}));
    expect(modelSummaries).toEqual([]);
    const pages = [];
    for await (const page of paginateListInferenceProfiles({ client: client('eu-west-3') }, {})) pages.push(page);
    expect(pages.map((p) => p.inferenceProfileSummaries)).toEqual([[]]);
  });

  it('pages inference profiles with nextToken and lists SYSTEM_DEFINED ones unless asked for a type', async () => {
    const before = bedrock.requests.length;
    const profiles = [];
    for await (const page of paginateListInferenceProfiles({ client: client('us-east-1') }, {}))
      profiles.push(...(page.inferenceProfileSummaries ?? []));
    expect(profiles.map((p) => p.inferenceProfileId)).toEqual([
      'us.amazon.nova-micro-v1:0',
      'us.amazon.nova-lite-v1:0',
      'us.amazon.nova-pro-v1:0',
      'us.anthropic.claude-3-haiku-20240307-v1:0',
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
      'global.anthropic.claude-sonnet-4-20250514-v1:0',
    ]);
    const paths = bedrock.requests.slice(before).map((r) => r.path);
    expect(paths).toHaveLength(3); // six profiles, two a page
    expect(paths[0]).toBe('/inference-profiles');
    expect(paths[1]).toMatch(/^\/inference-profiles\?nextToken=/);
    // Timestamps travel as RFC 3339 date-times and arrive as Dates.
    expect(profiles[0]?.createdAt).toEqual(new Date('2024-11-29T13:23:00Z'));

    const application = [];
    const typed = paginateListInferenceProfiles(
      { client: client('us-east-1'), pageSize: 10 },
      { typeEquals: 'APPLICATION' },
    );
    for await (const page of typed) application.push(...(page.inferenceProfileSummaries ?? []));
    expect(application.map((p) => p.inferenceProfileArn)).toEqual([applicationProfile.inferenceProfileArn]);
    // The SDK names the `typeEquals` member `type` on the wire.
    expect(bedrock.requests.at(-1)?.path).toBe('/inference-profiles?maxResults=10&type=APPLICATION');
  });

  it('gets an inference profile by id or by ARN, and 404s an unknown one', async () => {
    const byId = await client('us-east-2').send(
      new GetInferenceProfileCommand({ inferenceProfileIdentifier: 'us.amazon.nova-pro-v1:0' }),
    );
    expect(byId.inferenceProfileArn).toBe(
      `arn:aws:bedrock:us-east-2:${ACCOUNT}:inference-profile/us.amazon.nova-pro-v1:0`,
    );
    expect(byId.models).toHaveLength(3);
    const byArn = await client('us-east-2').send(
      new GetInferenceProfileCommand({ inferenceProfileIdentifier: byId.inferenceProfileArn }),
    );
    expect(byArn.inferenceProfileId).toBe('us.amazon.nova-pro-v1:0');
    // A path label: the ARN's `:` and `/` are percent-encoded.
    expect(bedrock.requests.at(-1)?.path).toBe(
      `/inference-profiles/${encodeURIComponent(byId.inferenceProfileArn ?? '')}`,
    );
    const app = await client('us-east-1').send(
      new GetInferenceProfileCommand({ inferenceProfileIdentifier: applicationProfile.inferenceProfileArn }),
    );
    expect(app.type).toBe('APPLICATION');

    const missing = await rejection(
      client('us-east-1').send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: 'eu.nothing-v1:0' })),
    );
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('pages provisioned throughput', async () => {
    const before = bedrock.requests.length;
    const models = [];
    for await (const page of paginateListProvisionedModelThroughputs({ client: client('us-east-1') }, {}))
      models.push(...(page.provisionedModelSummaries ?? []));
    expect(models.map((m) => m.provisionedModelName)).toEqual(['reserved-a', 'reserved-b', 'reserved-c']);
    expect(models[0]?.creationTime).toEqual(new Date('2026-11-15T09:12:00Z'));
    expect(bedrock.requests.slice(before).map((r) => r.path.split('?')[0])).toEqual([
      '/provisioned-model-throughputs',
      '/provisioned-model-throughputs',
    ]);
  });

  it('answers any other operation with an UnknownOperationException', async () => {
    const error = await rejection(
      client('us-east-1').send(new GetFoundationModelCommand({ modelIdentifier: 'amazon.nova-lite-v1:0' })),
    );
    expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 404 } });
    expect((error as unknown as Error).message).toBe(
      'No Bedrock operation for GET /foundation-models/amazon.nova-lite-v1%3A0',
    );
  });

  it('keys a single list output by the Regions of the account', () => {
    // This fixture's Bedrock files are single us-east-1 outputs.
    const single = catalogueFromSnapshot('test/fixtures/snapshots/url-encoded');
    expect(Object.keys(single.foundationModels ?? {})).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(single.foundationModels?.['us-east-1']?.modelSummaries).toHaveLength(5);
    expect(single.foundationModels?.['us-east-2']?.modelSummaries).toEqual([]);
    expect(single.inferenceProfiles?.['us-east-1']?.inferenceProfileSummaries).toHaveLength(3);
    expect(single.provisionedModels).toBeUndefined();
  });
});

describe('the fault proxy in front of moto, through the real SDK clients', () => {
  // Started by the first test that needs it rather than in beforeAll, so that without moto every test
  // fails with the reason instead of being reported as skipped.
  let moto: Promise<MotoServer> | undefined;
  const proxies: FaultProxy[] = [];
  afterAll(async () => {
    await (await moto?.catch(() => undefined))?.stop();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  async function proxy(options: Omit<FaultProxyOptions, 'target'> = {}): Promise<FaultProxy> {
    const started = await startFaultProxy({ target: (await (moto ??= startMoto())).endpoint, ...options });
    proxies.push(started);
    return started;
  }
  const clientConfig = (endpoint: string, maxAttempts = 1) => ({
    region: 'us-east-1',
    endpoint,
    credentials: MOTO_CREDENTIALS,
    maxAttempts,
  });

  it('throttles IAM calls with the error IAM sends, which the SDK retries', async () => {
    const faulty = await proxy({ throttleShare: 1 });
    const error = await rejection(new IAMClient(clientConfig(faulty.endpoint)).send(new ListUsersCommand({})));
    expect(error).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(faulty.counts).toMatchObject({ throttled: 1, forwarded: 0 });

    // Classified as retryable: with two attempts the SDK tries again before giving up.
    const retried = await rejection(new IAMClient(clientConfig(faulty.endpoint, 2)).send(new ListUsersCommand({})));
    expect(retried.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    expect(faulty.counts.throttled).toBe(3);
  });

  it('answers a 500 without forwarding', async () => {
    const faulty = await proxy({ errorShare: 1 });
    const error = await rejection(new IAMClient(clientConfig(faulty.endpoint)).send(new ListUsersCommand({})));
    // IAM models the wire code `ServiceFailure` as ServiceFailureException, a server fault.
    expect(error).toMatchObject({
      name: 'ServiceFailureException',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    expect(faulty.counts).toMatchObject({ failed: 1, forwarded: 0 });
  });

  it('loses the response of a change that happened', async () => {
    const faulty = await proxy({ lostResponseShare: 1 });
    const iam = new IAMClient(clientConfig(faulty.endpoint));
    const error = await rejection(iam.send(new CreateUserCommand({ UserName: 'lost-response' })));
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(faulty.counts).toMatchObject({ lostResponses: 1, forwarded: 1 });

    faulty.setFaults({ lostResponseShare: 0 });
    const { User } = await iam.send(new GetUserCommand({ UserName: 'lost-response' }));
    expect(User?.UserName).toBe('lost-response');
  });

  it('throttles DynamoDB with its JSON error, and forwards it otherwise', async () => {
    const faulty = await proxy({ throttleShare: 1 });
    const dynamodb = new DynamoDBClient(clientConfig(faulty.endpoint));
    const error = await rejection(dynamodb.send(new ListTablesCommand({})));
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

    faulty.setFaults({ throttleShare: 0 });
    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    expect(faulty.counts).toMatchObject({ throttled: 1, forwarded: 1 });
  });

  it('lets services it does not fault pass through untouched', async () => {
    const faulty = await proxy({ throttleShare: 1, errorShare: 1 });
    const identity = await new STSClient(clientConfig(faulty.endpoint)).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(MOTO_ACCOUNT);
    expect(faulty.counts).toEqual({ forwarded: 1, throttled: 0, failed: 0, lostResponses: 0, answered: 0 });
  });

  it('faults the same requests for the same seed', async () => {
    async function faultedIndexes(seed: number): Promise<number[]> {
      const iam = new IAMClient(clientConfig((await proxy({ seed, throttleShare: 0.3, errorShare: 0.2 })).endpoint));
      const faulted: number[] = [];
      for (let i = 0; i < 12; i++) {
        await iam.send(new ListUsersCommand({})).catch(() => faulted.push(i));
      }
      return faulted;
    }
    const first = await faultedIndexes(7);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(12);
    expect(await faultedIndexes(7)).toEqual(first);
    expect(await faultedIndexes(8)).not.toEqual(first);
  });

  it('stands in for ListServiceSpecificCredentials, which moto lacks, with IAM paging', async () => {
    const faulty = await proxy({
      throttleShare: 1, // stand-ins are answered before faults are drawn
      answer: serviceCredentialsStandIn([
        {
          UserName: 'alice',
          ServiceSpecificCredentialId: 'ACCA0000000000000001',
          ServiceName: 'bedrock.amazonaws.com',
          Status: 'Active',
          CreateDate: '2026-11-01T10:00:00Z',
          ExpirationDate: '2027-11-01T10:00:00Z',
        },
        {
          UserName: 'alice',
          ServiceSpecificCredentialId: 'ACCA0000000000000002',
          ServiceName: 'codecommit.amazonaws.com',
          Status: 'Active',
          CreateDate: '2026-11-02T10:00:00Z',
        },
        {
          UserName: 'bob',
          ServiceSpecificCredentialId: 'ACCA0000000000000003',
          ServiceName: 'bedrock.amazonaws.com',
          Status: 'Inactive',
          CreateDate: '2026-11-03T10:00:00Z',
          ServiceCredentialAlias: 'bob-bedrock',
        },
      ]),
    });
    const iam = new IAMClient(clientConfig(faulty.endpoint));
    const pages = [];
    let Marker: string | undefined;
    do {
      const page = await iam.send(
        new ListServiceSpecificCredentialsCommand({
          AllUsers: true,
          ServiceName: 'bedrock.amazonaws.com',
          MaxItems: 1,
          Marker,
        }),
      );
      pages.push(page);
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    expect(pages.map((p) => p.IsTruncated)).toEqual([true, false]);
    const credentials = pages.flatMap((p) => p.ServiceSpecificCredentials ?? []);
    expect(credentials.map((c) => [c.UserName, c.ServiceSpecificCredentialId, c.Status])).toEqual([
      ['alice', 'ACCA0000000000000001', 'Active'],
      ['bob', 'ACCA0000000000000003', 'Inactive'],
    ]);
    expect(credentials[0]?.CreateDate).toEqual(new Date('2026-11-01T10:00:00Z'));
    expect(credentials[0]?.ExpirationDate).toEqual(new Date('2027-11-01T10:00:00Z'));
    expect(credentials[1]?.ServiceCredentialAlias).toBe('bob-bedrock');

    const alices = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'alice' }));
    expect(alices.ServiceSpecificCredentials?.map((c) => c.ServiceName)).toEqual([
      'bedrock.amazonaws.com',
      'codecommit.amazonaws.com',
    ]);
    expect(faulty.counts).toMatchObject({ answered: 3, throttled: 0, forwarded: 0 });
  });
});
