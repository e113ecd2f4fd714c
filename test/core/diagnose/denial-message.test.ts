import { describe, expect, it } from 'vitest';
import { describeMessage, readDenialMessage } from '../../../shared/core/diagnose/denial-message.js';

/**
 * AWS's authorization messages, in the shapes Bedrock returns them
 * (IAM user guide, "Troubleshoot access denied error messages"; the
 * Bedrock model-access errors), read back into fields.
 */
const CALLER = 'User: arn:aws:sts::111122223333:assumed-role/AppBackend/s1 is not authorized to perform:';
const MODEL = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0';
const denied = (action: string, tail: string) => `${CALLER} ${action} on resource: ${MODEL} ${tail}`;

describe('readDenialMessage', () => {
  it.each([
    {
      tail: 'because no identity-based policy allows the bedrock:InvokeModel action',
      read: { layer: 'identity', explicit: false },
      says: 'no identity-based policy allows it',
    },
    {
      tail: 'with an explicit deny in a service control policy',
      read: { layer: 'scp', explicit: true },
      says: 'an explicit deny in a service control policy',
    },
    {
      tail: 'because no service control policy allows the bedrock:InvokeModel action',
      read: { layer: 'scp', explicit: false },
      says: 'no service control policy allows it',
    },
    {
      tail: 'with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyOpus',
      read: { layer: 'identity', explicit: true, policyArn: 'arn:aws:iam::111122223333:policy/DenyOpus' },
      says: 'an explicit deny in an identity-based policy (DenyOpus)',
    },
    {
      tail: 'with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyOpus.',
      read: { layer: 'identity', explicit: true, policyArn: 'arn:aws:iam::111122223333:policy/DenyOpus' },
      says: 'an explicit deny in an identity-based policy (DenyOpus)',
    },
    {
      tail: 'with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-a1b2c3/service_control_policy/p-6h2k9d4w',
      read: {
        layer: 'scp',
        explicit: true,
        policyArn: 'arn:aws:organizations::111122223333:policy/o-a1b2c3/service_control_policy/p-6h2k9d4w',
      },
      says: 'an explicit deny in a service control policy (p-6h2k9d4w)',
    },
    {
      tail: 'because no permissions boundary allows the bedrock:InvokeModel action',
      read: { layer: 'boundary', explicit: false },
      says: 'no permissions boundary allows it',
    },
    {
      tail: 'with an explicit deny in a permissions boundary',
      read: { layer: 'boundary', explicit: true },
      says: 'an explicit deny in the permissions boundary',
    },
    {
      tail: 'because no session policy allows the bedrock:InvokeModel action',
      read: { layer: 'session', explicit: false },
      says: 'no session policy allows it',
    },
    {
      tail: 'with an explicit deny in a VPC endpoint policy',
      read: { layer: 'vpc-endpoint', explicit: true },
      says: 'an explicit deny in a VPC endpoint policy',
    },
    {
      tail: 'with an explicit deny in a resource control policy',
      read: { layer: 'rcp', explicit: true },
      says: 'an explicit deny in a resource control policy',
    },
    {
      tail: 'because no resource-based policy allows the bedrock:InvokeModel action',
      read: { layer: 'resource', explicit: false },
      says: 'no resource-based policy allows it',
    },
  ])('reads "…$tail"', ({ tail, read, says }) => {
    const message = readDenialMessage(denied('bedrock:InvokeModel', tail));
    expect(message).toStrictEqual({ action: 'bedrock:InvokeModel', resource: MODEL, ...read });
    expect(describeMessage(message)).toBe(says);
  });

  it('reads the action and the resource AWS authorised, the streaming action and a profile destination included', () => {
    const destination = 'arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-micro-v1:0';
    expect(
      readDenialMessage(
        `${CALLER} bedrock:InvokeModelWithResponseStream on resource: ${destination} because no identity-based policy allows the bedrock:InvokeModelWithResponseStream action`,
      ),
    ).toStrictEqual({
      action: 'bedrock:InvokeModelWithResponseStream',
      resource: destination,
      layer: 'identity',
      explicit: false,
    });
  });

  it('keeps the resource when the message ends right after it, with or without a full stop', () => {
    expect(readDenialMessage(`${CALLER} bedrock:InvokeModel on resource: ${MODEL}`)).toStrictEqual({
      action: 'bedrock:InvokeModel',
      resource: MODEL,
    });
    expect(readDenialMessage(`${CALLER} bedrock:InvokeModel on resource: ${MODEL}.`).resource).toBe(MODEL);
  });

  it.each([
    {
      text: 'Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model. Refer to the Amazon Bedrock documentation for further details. Your AWS Marketplace subscription for this model cannot be completed at this time. If you recently fixed this issue, try again after 15 minutes.',
      access: 'marketplace-permissions',
    },
    {
      text: 'Your AWS Marketplace subscription for this model is still being processed. Please try again later.',
      access: 'marketplace-pending',
    },
    {
      text: 'The AWS Marketplace subscription for this model is pending; try again in a few minutes.',
      access: 'marketplace-pending',
    },
    {
      text: 'Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model. If you have already filled out the form, try again in 15 minutes.',
      access: 'use-case-form',
    },
    { text: "You don't have access to the model with the specified model ID.", access: 'no-access' },
  ])('reads the model-access answer "$access"', ({ text, access }) => {
    const message = readDenialMessage(text);
    expect(message).toStrictEqual({ modelAccess: access });
    expect(describeMessage(message)).toMatch(/model/);
  });

  it.each([undefined, '', 'Access denied', 'Rate exceeded', 'User: x is not authorized', '{"Message": 42}'])(
    'reads nothing from %j',
    (text) => {
      expect(readDenialMessage(text)).toStrictEqual({});
      expect(describeMessage(readDenialMessage(text))).toBeUndefined();
    },
  );

  it('names no layer when AWS names none', () => {
    const message = readDenialMessage(`${CALLER} bedrock:InvokeModel on resource: ${MODEL} for reasons of its own`);
    expect(message).toStrictEqual({ action: 'bedrock:InvokeModel', resource: MODEL });
    expect(describeMessage(message)).toBeUndefined();
  });
});
