import { describe, expect, it } from 'vitest';
import { parseArn } from '../../../shared/core/iam/arn.js';

describe('parseArn', () => {
  it('keeps the colons of the resource part', () => {
    expect(parseArn('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0:200k')).toEqual(
      {
        partition: 'aws',
        service: 'bedrock',
        region: 'us-east-1',
        account: '',
        resource: 'foundation-model/anthropic.claude-3-haiku-20240307-v1:0:200k',
      },
    );
  });

  it('reads a Region-less, account-less ARN', () => {
    expect(parseArn('arn:aws:bedrock:::foundation-model/m')).toMatchObject({
      region: '',
      account: '',
      resource: 'foundation-model/m',
    });
  });

  it('reads an empty resource part', () => {
    expect(parseArn('arn:aws:s3:::')).toMatchObject({ service: 's3', resource: '' });
  });

  it.each(['*', 'bedrock.amazonaws.com', 'arn:aws:s3', 'arn:aws:s3::', 'ARN:aws:s3:::b', ''])('rejects %j', (text) => {
    expect(parseArn(text)).toBeUndefined();
  });
});
