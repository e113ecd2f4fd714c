import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type BedrockServer, catalogueFromSnapshot, startBedrockServer } from '../support/bedrock-server.js';
import {
  type FaultProxy,
  type ServiceSpecificCredential,
  serviceCredentialsStandIn,
  startFaultProxy,
} from '../support/fault-proxy.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { type SeededOrganization, seedIam, seedOrganization, seedScps } from '../support/seed-account.js';

/**
 * The AWS a live test talks to: the moto server behind the fault proxy (no
 * faults unless a test sets them), and the Bedrock catalogue stand-in (moto
 * has no Bedrock catalogue calls). The guard's own code finds them through
 * `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_BEDROCK`, as a user's would.
 */
export interface LiveAws {
  readonly moto: MotoServer;
  readonly proxy: FaultProxy;
  readonly bedrock: BedrockServer;
  /** Runs as `credentials` (the SDK's environment credentials) until called again. */
  useCredentials(credentials: AwsCredentialIdentity): void;
  stop(): Promise<void>;
}

const KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_BEDROCK',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
] as const;

export async function startLiveAws(
  options: { catalogue?: string; credentials?: readonly ServiceSpecificCredential[] } = {},
): Promise<LiveAws> {
  const moto = await startMoto();
  const proxy = await startFaultProxy({
    target: moto.endpoint,
    answer: serviceCredentialsStandIn(options.credentials ?? []),
  });
  const bedrock = await startBedrockServer(catalogueFromSnapshot(options.catalogue ?? 'examples/demo/snapshot'));
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ENDPOINT_URL_BEDROCK: bedrock.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  const useCredentials = (c: AwsCredentialIdentity) => {
    process.env.AWS_ACCESS_KEY_ID = c.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
    if (c.sessionToken) process.env.AWS_SESSION_TOKEN = c.sessionToken;
    else delete process.env.AWS_SESSION_TOKEN;
  };
  useCredentials({ accessKeyId: 'testing', secretAccessKey: 'testing' });
  return {
    moto,
    proxy,
    bedrock,
    useCredentials,
    stop: async () => {
      for (const k of KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await Promise.all([proxy.stop(), bedrock.stop(), moto.stop()]);
    },
  };
}

/**
 * A snapshot folder made real on the moto server: its IAM in a member
 * account of an organization with its SCPs, and its catalogue served for
 * that account. From then on the SDK runs as the guard: an assumed role in
 * the member account.
 */
export async function seedAccount(aws: LiveAws, dir: string): Promise<SeededOrganization> {
  const org = await seedOrganization(aws.proxy.endpoint);
  await seedIam(aws.proxy.endpoint, org.guardCredentials, dir, org.memberAccount);
  if (existsSync(join(dir, 'scps.json'))) await seedScps(aws.proxy.endpoint, dir, org);
  aws.bedrock.setCatalogue(catalogueFromSnapshot(dir, org.memberAccount));
  aws.useCredentials(org.guardCredentials);
  return org;
}
