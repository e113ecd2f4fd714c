import { BedrockGuardError } from '../errors.js';

/** Node's codes for a host that can't be resolved or reached. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/**
 * An AWS SDK error as a message a person can act on: missing credentials,
 * a missing permission (with the operation), or the service's own words.
 * Anything that is not from the SDK is returned unchanged.
 */
export function explainAwsError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof BedrockGuardError) return error;
  if (error.name === 'CredentialsProviderError') {
    return new BedrockGuardError(`no AWS credentials: ${error.message}`, {
      hint: 'Set AWS_PROFILE (or run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); to work offline, pass --snapshot DIR.',
      cause: error,
    });
  }
  const code = (error as { code?: string }).code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new BedrockGuardError(`cannot reach AWS: ${error.message}`, {
      hint: 'Check the Regions in the policy file (Bedrock must be offered there), the network, and AWS_ENDPOINT_URL if you use an emulator.',
      cause: error,
    });
  }
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (metadata === undefined) return error;
  const status = metadata.httpStatusCode ? ` (HTTP ${metadata.httpStatusCode})` : '';
  const denied = /AccessDenied|UnauthorizedOperation/.test(error.name);
  return new BedrockGuardError(`AWS refused a call: ${error.name}${status}: ${error.message}`, {
    hint: denied
      ? 'The identity running bedrock-guard lacks this permission; README "Permissions" lists what each command needs.'
      : 'If this persists, check the Region, the endpoint (AWS_ENDPOINT_URL) and the service quotas.',
    cause: error,
  });
}
