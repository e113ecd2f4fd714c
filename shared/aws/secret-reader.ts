import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BedrockGuardError } from '../errors.js';
import type { AwsClients } from './clients.js';
import { postableUrl } from './slack-webhook.js';
import { isAccessDenied, isAwsError } from './sdk-output.js';

/** How long a resolved webhook URL is kept before it is read again (a rotated secret is picked up after it). */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export interface SecretReaderOptions {
  readonly ttlMs?: number;
  /** The clock, in milliseconds; tests pass their own. */
  readonly now?: () => number;
}

interface Cached {
  readonly value: Promise<string>;
  /** When the value was read plus the TTL; infinite while the read is under way. */
  expires: number;
}

/**
 * Resolves webhook references to their URL:
 *
 * - `ssm:/name` (or `ssm:` and a parameter ARN): the SecureString parameter, decrypted;
 * - `secretsmanager:name-or-arn`: the secret's string, either the URL itself or JSON with a `url` or `webhook` key;
 * - `https://…`: the URL as written (plain `http://` only to loopback, for local tests).
 *
 * A resolved URL is kept per reference for `ttlMs` (five minutes by default),
 * and concurrent reads of one reference share one request. The URL is a
 * credential: errors name the reference, never the value, and nothing here logs.
 *
 * @example
 * const secrets = new SecretReader(aws);
 * const url = await secrets.read('ssm:/bedrock-guard/slack-webhook');
 */
export class SecretReader {
  private readonly cache = new Map<string, Cached>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly aws: AwsClients,
    options: SecretReaderOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  read(ref: string): Promise<string> {
    if (/^https?:\/\//i.test(ref)) return new Promise((resolve) => resolve(checkedUrl(ref, 'the webhook reference')));
    const cached = this.cache.get(ref);
    if (cached && cached.expires > this.now()) return cached.value;
    const entry: Cached = { value: this.resolve(ref), expires: Infinity };
    this.cache.set(ref, entry);
    entry.value.then(
      () => {
        entry.expires = this.now() + this.ttlMs;
      },
      () => {
        // A failed read isn't kept: the next one tries again.
        if (this.cache.get(ref) === entry) this.cache.delete(ref);
      },
    );
    return entry.value;
  }

  private async resolve(ref: string): Promise<string> {
    if (ref.startsWith('ssm:')) return this.parameter(ref, ref.slice('ssm:'.length));
    if (ref.startsWith('secretsmanager:')) return this.secret(ref, ref.slice('secretsmanager:'.length));
    // The reference may be the URL itself, mistyped: it is not repeated.
    throw new BedrockGuardError('unsupported webhook reference', {
      hint: 'Write ssm:/parameter-name (a SecureString), secretsmanager:secret-name-or-arn, or an https:// URL.',
    });
  }

  private async parameter(ref: string, name: string): Promise<string> {
    if (!name) throw new BedrockGuardError(`webhook reference ${ref} names no SSM parameter`);
    let value: string | undefined;
    try {
      const { Parameter } = await this.aws
        .ssm(SSMClient)
        .send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      value = Parameter?.Value;
    } catch (error) {
      if (isAwsError(error, 'ParameterNotFound')) {
        throw new BedrockGuardError(`no SSM parameter ${name} (webhook reference ${ref})`, {
          hint: `Put the webhook URL there: aws ssm put-parameter --type SecureString --name ${name} --value https://…`,
          cause: error,
        });
      }
      if (isAccessDenied(error) || isKmsError(error)) {
        throw new BedrockGuardError(`not allowed to read SSM parameter ${name} (webhook reference ${ref})`, {
          hint: "Allow ssm:GetParameter on the parameter, and kms:Decrypt on its key, to the notifier's role.",
          cause: error,
        });
      }
      throw error;
    }
    return checkedUrl(value?.trim() ?? '', `SSM parameter ${name} (webhook reference ${ref})`);
  }

  private async secret(ref: string, id: string): Promise<string> {
    if (!id) throw new BedrockGuardError(`webhook reference ${ref} names no secret`);
    const where = `secret ${id} (webhook reference ${ref})`;
    let value: string | undefined;
    try {
      const out = await this.aws.of(SecretsManagerClient).send(new GetSecretValueCommand({ SecretId: id }));
      value = out.SecretString;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFound')) {
        throw new BedrockGuardError(`no ${where} in Secrets Manager`, {
          hint: `Create it: aws secretsmanager create-secret --name ${id} --secret-string https://…`,
          cause: error,
        });
      }
      if (isAccessDenied(error) || isKmsError(error)) {
        throw new BedrockGuardError(`not allowed to read ${where}`, {
          hint: "Allow secretsmanager:GetSecretValue on the secret, and kms:Decrypt on its key, to the notifier's role.",
          cause: error,
        });
      }
      if (isAwsError(error, 'InvalidRequest')) {
        throw new BedrockGuardError(`can't read ${where}: it is scheduled for deletion or has no current version`, {
          hint: 'Restore it (aws secretsmanager restore-secret) or point the reference at another secret.',
          cause: error,
        });
      }
      throw error;
    }
    return checkedUrl(urlOfSecret(value?.trim() ?? '', where), where);
  }
}

/** The secret's string as the URL, or the `url` (else `webhook`) key of a JSON object. */
function urlOfSecret(value: string, where: string): string {
  if (!value.startsWith('{')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Not the parse error as the cause: its message quotes the text, the secret.
    throw new BedrockGuardError(`${where} holds JSON that doesn't parse`, {
      hint: 'Store the webhook URL alone, or JSON such as {"url": "https://…"}.',
    });
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const url = [record.url, record.webhook].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (url === undefined) {
    throw new BedrockGuardError(`${where} holds JSON without a "url" or "webhook" key`, {
      hint: 'Store the webhook URL alone, or JSON such as {"url": "https://…"}.',
    });
  }
  return url.trim();
}

/** The value when it is an https URL (or http to loopback); otherwise an error that doesn't repeat it. */
function checkedUrl(value: string, where: string): string {
  if (value === '') {
    throw new BedrockGuardError(`${where} is empty`, { hint: 'Store the webhook URL there.' });
  }
  if (postableUrl(value)) return value;
  throw new BedrockGuardError(`${where} isn't an https:// URL`, {
    hint: 'A webhook URL starts with https:// (plain http only to localhost).',
  });
}

const isKmsError = (error: unknown): boolean =>
  ['KMSAccessDenied', 'KMSDisabled', 'KMSInvalidState', 'KMSNotFound', 'InvalidKeyId', 'DecryptionFailure'].some(
    (code) => isAwsError(error, code),
  );
