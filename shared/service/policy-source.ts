import { isAbsolute, join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import { loadPolicyFile } from '../core/policy-file/parse.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import { UsageError } from '../errors.js';
import { readPolicyFileText } from '../policy-file/read.js';
import type { ServiceConfig } from './config.js';

/** The policy file: bundled (relative to the function's root) or from Parameter Store (`ssm:/…`). */
export async function readPolicy(
  config: Pick<ServiceConfig, 'policy'>,
  options: { readonly aws?: AwsClients; readonly root?: string },
): Promise<{ policy: PolicyFile; path: string }> {
  let text: string;
  let path: string;
  if (config.policy.kind === 'ssm') {
    if (!options.aws)
      throw new UsageError('the policy file is in SSM Parameter Store, but this run is offline', {
        hint: 'Point BEDROCK_GUARD_POLICY at a local file for offline runs.',
      });
    // Loaded only here, with the SSM client (lazy chunks of the Lambda bundles): most deployments bundle the file.
    const { readParameter } = await import('../aws/ssm-parameter.js');
    path = `ssm:${config.policy.name}`;
    text = await readParameter(options.aws, config.policy.name);
  } else {
    path = config.policy.path;
    text = await readPolicyFileText(isAbsolute(path) || !options.root ? path : join(options.root, path));
  }
  return { policy: loadPolicyFile(text, path).policy, path };
}
