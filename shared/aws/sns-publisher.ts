import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseArn } from '../core/iam/arn.js';
import { type Alert, alertKey } from '../core/notify/alert.js';
import { snsMessage } from '../core/notify/sns-message.js';
import { BedrockGuardError } from '../errors.js';
import type { AwsClients } from './clients.js';
import { isAwsError } from './sdk-output.js';

/** Where an SNS topic is configured: what a hint points at. */
const TOPIC_SETTING = "`notify.sns.topic` (or a team's `notify.sns`) in the policy file";

/** SNS's rule for FIFO message group and deduplication ids: 1 to 128 of these. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Publishes an alert to an SNS topic, from a client in the topic's own Region
 * (a topic in another Region or partition than the guard's works), and returns
 * the message id. On a FIFO topic the alert's principal (else its account)
 * orders the messages, and a hash of the topic, the alert and its trigger
 * deduplicates a retried publish. Errors propagate so that the notifier's
 * invocation is retried and, in the end, lands in its dead-letter queue; a
 * missing topic or a refused publish says which topic and what to check.
 *
 * @example
 * const messageId = await publishAlert(aws, 'arn:aws:sns:eu-west-1:123456789012:bedrock-guard', alert);
 */
export async function publishAlert(aws: AwsClients, topicArn: string, alert: Alert): Promise<string> {
  const arn = parseArn(topicArn);
  if (!arn || arn.service !== 'sns' || !arn.region || !arn.resource) {
    throw new BedrockGuardError(`${topicArn} is not an SNS topic ARN`, {
      hint: `Set ${TOPIC_SETTING} to arn:<partition>:sns:<region>:<account>:<topic>.`,
    });
  }
  const { subject, message, attributes } = snsMessage(alert);
  const fifo = arn.resource.endsWith('.fifo');
  try {
    const out = await aws.of(SNSClient, arn.region).send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subject,
        Message: message,
        MessageAttributes: attributes,
        ...(fifo
          ? {
              MessageGroupId: fifoId(alert.principal ?? alert.finding.principal ?? alert.account),
              MessageDeduplicationId: sha256([topicArn, alertKey(alert), alert.trigger.id].join('\n')),
            }
          : {}),
      }),
    );
    if (!out.MessageId) throw new BedrockGuardError(`SNS returned no message id for ${topicArn}`);
    return out.MessageId;
  } catch (error) {
    throw explained(error, topicArn);
  }
}

function explained(error: unknown, topicArn: string): unknown {
  if (isAwsError(error, 'NotFound')) {
    return new BedrockGuardError(`no SNS topic ${topicArn}`, {
      hint: `Create the topic, or fix ${TOPIC_SETTING}.`,
      cause: error,
    });
  }
  if (isAwsError(error, 'AuthorizationError')) {
    return new BedrockGuardError(`not allowed to publish to SNS topic ${topicArn}`, {
      hint: "Allow sns:Publish on the topic to the notifier's role, and to the guard's account in the topic's access policy when the topic is in another account.",
      cause: error,
    });
  }
  if (['KMSAccessDenied', 'KMSDisabled', 'KMSInvalidState', 'KMSNotFound'].some((code) => isAwsError(error, code))) {
    return new BedrockGuardError(`SNS topic ${topicArn} can't encrypt the message with its KMS key`, {
      hint: "Allow kms:GenerateDataKey and kms:Decrypt on the topic's key to the notifier's role, and check that the key is enabled.",
      cause: error,
    });
  }
  return error;
}

/** The value itself when SNS takes it as a FIFO id; a hash of it when it is too long or has other characters. */
function fifoId(value: string): string {
  return FIFO_ID.test(value) ? value : sha256(value);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
