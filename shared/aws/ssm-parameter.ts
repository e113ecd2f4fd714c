import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BedrockGuardError } from '../errors.js';
import type { AwsClients } from './clients.js';
import { isAwsError } from './sdk-output.js';

/** A parameter's value (SecureString decrypted): the policy file kept in Parameter Store. */
export async function readParameter(aws: AwsClients, name: string): Promise<string> {
  try {
    const { Parameter } = await aws.ssm(SSMClient).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (Parameter?.Value === undefined) throw new BedrockGuardError(`SSM parameter ${name} has no value`);
    return Parameter.Value;
  } catch (error) {
    if (!isAwsError(error, 'ParameterNotFound')) throw error;
    throw new BedrockGuardError(`no SSM parameter ${name}`, {
      hint: 'Put the policy file there (aws ssm put-parameter --name NAME --type String --value file://bedrock-guard.yaml), or point BEDROCK_GUARD_POLICY at a bundled file.',
      cause: error,
    });
  }
}
