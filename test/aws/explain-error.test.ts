import { AccessDeniedException } from '@aws-sdk/client-bedrock';
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../shared/aws/explain-error.js';
import { BedrockGuardError, UsageError } from '../../shared/errors.js';

const explained = (error: unknown) => {
  const out = explainAwsError(error);
  expect(out).toBeInstanceOf(BedrockGuardError);
  return out as BedrockGuardError;
};

describe('explainAwsError', () => {
  it('turns missing credentials into "no AWS credentials", pointing at --snapshot for offline work', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const out = explained(error);
    expect(out.message).toBe('no AWS credentials: Could not load credentials from any providers');
    expect(out.hint).toContain('AWS_PROFILE');
    expect(out.hint).toContain('--snapshot');
    expect(out.cause).toBe(error);
  });

  it('turns an SDK AccessDeniedException (HTTP 403) into "AWS refused a call" with the permissions hint', () => {
    const error = new AccessDeniedException({
      message: 'User is not authorized to perform: bedrock:ListFoundationModels',
      $metadata: { httpStatusCode: 403 },
    });
    const out = explained(error);
    expect(out.message).toBe(
      'AWS refused a call: AccessDeniedException (HTTP 403): User is not authorized to perform: bedrock:ListFoundationModels',
    );
    expect(out.hint).toMatch(/lacks this permission.*README "Permissions"/);
    expect(out.cause).toBe(error);
  });

  it('recognises a plain error shaped like an SDK error by its $metadata', () => {
    const error = Object.assign(new Error('no'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(explained(error).hint).toContain('lacks this permission');
  });

  it('gives other service errors the Region/endpoint/quota hint, without a status when there is none', () => {
    const error = new NoSuchEntityException({ message: 'The role with name X cannot be found.', $metadata: {} });
    const out = explained(error);
    expect(out.message).toBe('AWS refused a call: NoSuchEntityException: The role with name X cannot be found.');
    expect(out.hint).toContain('AWS_ENDPOINT_URL');
    expect(out.hint).not.toContain('lacks this permission');
  });

  it('returns errors that are not from the SDK unchanged', () => {
    const plain = new TypeError('x is undefined');
    expect(explainAwsError(plain)).toBe(plain);
    expect(explainAwsError('a string')).toBe('a string');
    expect(explainAwsError(undefined)).toBeUndefined();
  });

  it("returns the guard's own errors unchanged, even when they look like SDK errors", () => {
    const own = new UsageError('bad flag');
    expect(explainAwsError(own)).toBe(own);
    const shaped = Object.assign(new BedrockGuardError('already explained'), { $metadata: { httpStatusCode: 403 } });
    expect(explainAwsError(shaped)).toBe(shaped);
  });
});

describe('explainAwsError on network failures', () => {
  it('says AWS could not be reached, and what to check', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND bedrock.us-west-9.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    const explained = explainAwsError(error) as BedrockGuardError;
    expect(explained).toBeInstanceOf(BedrockGuardError);
    expect(explained.message).toBe('cannot reach AWS: getaddrinfo ENOTFOUND bedrock.us-west-9.amazonaws.com');
    expect(explained.hint).toContain('AWS_ENDPOINT_URL');
  });
});
