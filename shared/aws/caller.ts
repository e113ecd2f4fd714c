import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BedrockGuardError } from '../errors.js';
import type { AwsClients } from './clients.js';

/** Who is calling AWS (`sts:GetCallerIdentity`): the ARN and the account. */
export async function callerIdentity(aws: AwsClients): Promise<{ arn: string; account: string }> {
  const { Arn, Account } = await aws.sts().send(new GetCallerIdentityCommand({}));
  if (!Arn || !Account) throw new BedrockGuardError('sts:GetCallerIdentity returned no ARN or account');
  return { arn: Arn, account: Account };
}

export const callerArn = async (aws: AwsClients): Promise<string> => (await callerIdentity(aws)).arn;
