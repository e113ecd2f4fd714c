import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { SecretReader } from '../../shared/aws/secret-reader.js';
import { BedrockGuardError } from '../../shared/errors.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

const SECRET = 'T0000SECRET/B0000SECRET/XXXXXXXXXXXXXXXXSECRET';
const URL_1 = `https://hooks.slack.com/services/${SECRET}`;
const URL_2 = 'https://hooks.slack.com/services/T1111/B1111/rotated';

let moto: MotoServer;
let aws: AwsClients;
let ssm: SSMClient;
let secrets: SecretsManagerClient;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS };
  ssm = new SSMClient(config);
  secrets = new SecretsManagerClient(config);
});
beforeEach(async () => {
  await moto.reset();
  aws = new AwsClients({ region: 'us-east-1', credentials: MOTO_CREDENTIALS, retry: { baseDelayMs: 1 } });
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  ssm?.destroy();
  secrets?.destroy();
  await moto?.stop();
});

const putParameter = (name: string, value: string, overwrite = false) =>
  ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: overwrite }));
const createSecret = (name: string, value: string) =>
  secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));

/** The error `read` rejects with, checked to be a BedrockGuardError that doesn't give the secret away. */
async function failure(reader: SecretReader, ref: string): Promise<BedrockGuardError> {
  const error = await reader.read(ref).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BedrockGuardError);
  const e = error as BedrockGuardError;
  for (const text of [e.message, e.describe(), e.hint ?? '', String(e.cause ?? ''), e.stack ?? '']) {
    expect(text).not.toContain('SECRET');
  }
  return e;
}

describe('SecretReader', () => {
  it('reads an SSM SecureString, decrypted', async () => {
    await putParameter('/bedrock-guard/slack', URL_1);
    expect(await new SecretReader(aws).read('ssm:/bedrock-guard/slack')).toBe(URL_1);
    expect(aws.stats.byOperation()).toEqual([['SSM.GetParameter', 1]]);
  });

  it('reads a Secrets Manager secret holding the URL, or JSON with a url or webhook key', async () => {
    await createSecret('slack-plain', `${URL_1}\n`);
    await createSecret('slack-json', JSON.stringify({ url: URL_1, channel: '#alerts' }));
    const { ARN } = await createSecret('slack-webhook', JSON.stringify({ webhook: URL_2 }));
    const reader = new SecretReader(aws);
    expect(await reader.read('secretsmanager:slack-plain')).toBe(URL_1);
    expect(await reader.read('secretsmanager:slack-json')).toBe(URL_1);
    expect(await reader.read(`secretsmanager:${ARN}`)).toBe(URL_2);
    expect(aws.stats.byOperation()).toEqual([['SecretsManager.GetSecretValue', 3]]);
  });

  it('takes a literal https URL as it is, without a call', async () => {
    const reader = new SecretReader(aws);
    expect(await reader.read(URL_2)).toBe(URL_2);
    expect(await reader.read('http://127.0.0.1:8080/hook')).toBe('http://127.0.0.1:8080/hook');
    expect(aws.stats.total).toBe(0);
  });

  it('keeps a value for the TTL, then reads it again (a rotated secret is picked up)', async () => {
    await putParameter('/hook', URL_1);
    let now = 1_000_000;
    const reader = new SecretReader(aws, { ttlMs: 60_000, now: () => now });
    expect(await reader.read('ssm:/hook')).toBe(URL_1);
    await putParameter('/hook', URL_2, true);
    now += 59_999;
    expect(await reader.read('ssm:/hook')).toBe(URL_1);
    expect(aws.stats.total).toBe(1);
    now += 2;
    expect(await reader.read('ssm:/hook')).toBe(URL_2);
    expect(aws.stats.total).toBe(2);
  });

  it('keeps values for five minutes by default, per reference', async () => {
    await putParameter('/a', URL_1);
    await createSecret('b', URL_2);
    let now = 0;
    const reader = new SecretReader(aws, { now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(await reader.read('ssm:/a')).toBe(URL_1);
      expect(await reader.read('secretsmanager:b')).toBe(URL_2);
    }
    expect(aws.stats.total).toBe(2);
    now = 5 * 60_000 + 1;
    await reader.read('ssm:/a');
    expect(aws.stats.total).toBe(3);
  });

  it('shares one request among concurrent reads of one reference', async () => {
    await putParameter('/hook', URL_1);
    await createSecret('hook', URL_2);
    const reader = new SecretReader(aws);
    const urls = await Promise.all([
      ...Array.from({ length: 10 }, () => reader.read('ssm:/hook')),
      ...Array.from({ length: 10 }, () => reader.read('secretsmanager:hook')),
    ]);
    expect(new Set(urls)).toEqual(new Set([URL_1, URL_2]));
    expect(Object.fromEntries(aws.stats.byOperation())).toEqual({
      'SSM.GetParameter': 1,
      'SecretsManager.GetSecretValue': 1,
    });
  });

  it('names a missing parameter or secret, and tries again on the next read', async () => {
    const reader = new SecretReader(aws);
    const ssmError = await failure(reader, 'ssm:/bedrock-guard/missing');
    expect(ssmError.message).toBe(
      'no SSM parameter /bedrock-guard/missing (webhook reference ssm:/bedrock-guard/missing)',
    );
    expect(ssmError.hint).toContain('SecureString');
    const smError = await failure(reader, 'secretsmanager:missing');
    expect(smError.message).toBe('no secret missing (webhook reference secretsmanager:missing) in Secrets Manager');
    expect(smError.hint).toContain('create-secret');

    await putParameter('/bedrock-guard/missing', URL_1);
    expect(await reader.read('ssm:/bedrock-guard/missing')).toBe(URL_1);
  });

  it('never repeats the value of a secret that is not a usable URL', async () => {
    await createSecret('no-scheme', `hooks.slack.com/services/${SECRET}`);
    await createSecret('bad-json', `{"url": "${URL_1}"`);
    await createSecret('json-without-url', JSON.stringify({ token: SECRET, url: '' }));
    await createSecret('plain-http', `http://hooks.slack.com/services/${SECRET}`);
    await putParameter('/blank', '   ');
    const reader = new SecretReader(aws);

    expect((await failure(reader, 'secretsmanager:no-scheme')).message).toBe(
      "secret no-scheme (webhook reference secretsmanager:no-scheme) isn't an https:// URL",
    );
    const badJson = await failure(reader, 'secretsmanager:bad-json');
    expect(badJson.message).toBe(
      "secret bad-json (webhook reference secretsmanager:bad-json) holds JSON that doesn't parse",
    );
    expect(badJson.cause).toBeUndefined();
    expect((await failure(reader, 'secretsmanager:json-without-url')).message).toMatch(
      /holds JSON without a "url" or "webhook" key$/,
    );
    expect((await failure(reader, 'secretsmanager:plain-http')).message).toMatch(/isn't an https:\/\/ URL$/);
    expect((await failure(reader, 'ssm:/blank')).message).toBe(
      'SSM parameter /blank (webhook reference ssm:/blank) is empty',
    );
    // A reference of no known kind may be the URL itself, mistyped.
    const unknown = await failure(reader, `hooks.slack.com/services/${SECRET}`);
    expect(unknown.message).toBe('unsupported webhook reference');
    expect((await failure(reader, `http://hooks.slack.com/services/${SECRET}`)).message).toBe(
      "the webhook reference isn't an https:// URL",
    );
    await expect(reader.read('ssm:')).rejects.toThrow('webhook reference ssm: names no SSM parameter');
  });

  it('says what to allow when AWS refuses the read', async () => {
    await putParameter('/hook', URL_1);
    // moto doesn't enforce IAM: the refusal is injected into the real client, as AWS would send it.
    aws.ssm(SSMClient).middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), {
          name: 'AccessDeniedException',
        });
      },
      { step: 'finalizeRequest', name: 'refuse' },
    );
    const error = await failure(new SecretReader(aws), 'ssm:/hook');
    expect(error.message).toBe('not allowed to read SSM parameter /hook (webhook reference ssm:/hook)');
    expect(error.hint).toMatch(/ssm:GetParameter.*kms:Decrypt/);
  });

  it('picks up a new secret version after the TTL', async () => {
    await createSecret('hook', URL_1);
    let now = 0;
    const reader = new SecretReader(aws, { ttlMs: 1_000, now: () => now });
    expect(await reader.read('secretsmanager:hook')).toBe(URL_1);
    await secrets.send(new PutSecretValueCommand({ SecretId: 'hook', SecretString: JSON.stringify({ url: URL_2 }) }));
    expect(await reader.read('secretsmanager:hook')).toBe(URL_1);
    now = 1_001;
    expect(await reader.read('secretsmanager:hook')).toBe(URL_2);
  });
});
