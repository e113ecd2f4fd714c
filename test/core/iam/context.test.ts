import { describe, expect, it } from 'vitest';
import { contextFrom, LayeredContext, requestContext } from '../../../shared/core/iam/context.js';

const NOW = new Date('2026-03-01T12:34:56.789Z');

describe('contextFrom', () => {
  it('lower-cases keys and keeps values as given', () => {
    const ctx = contextFrom({ 'aws:PrincipalTag/Team': 'ML', 'aws:TagKeys': ['A', 'b'] });
    expect([...ctx]).toEqual([
      ['aws:principaltag/team', 'ML'],
      ['aws:tagkeys', ['A', 'b']],
    ]);
  });
});

describe('requestContext', () => {
  it('derives time keys without milliseconds, and epoch seconds', () => {
    const ctx = requestContext('*', NOW);
    expect(ctx.get('aws:currenttime')).toBe('2026-03-01T12:34:56Z');
    expect(ctx.get('aws:epochtime')).toBe(String(Math.floor(NOW.getTime() / 1000)));
    expect(ctx.has('aws:requestedregion')).toBe(false);
  });

  it.each([
    ['arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-micro-v1:0', 'us-west-2'],
    ['arn:aws:bedrock:eu-central-1:111122223333:inference-profile/eu.amazon.nova-micro-v1:0', 'eu-central-1'],
    ['arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0', 'unspecified'],
    ['arn:aws:s3:::amzn-s3-demo-bucket/key', 'unspecified'],
    ['arn:aws:iam::111122223333:user/alice', 'us-east-1'],
    ['arn:aws-us-gov:iam::111122223333:role/app', 'us-gov-west-1'],
    ['arn:aws-cn:iam::111122223333:role/app', 'cn-north-1'],
    ['arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/m', 'us-gov-west-1'],
  ])('aws:RequestedRegion for %s is %s', (resource, region) => {
    expect(requestContext(resource, NOW).get('aws:requestedregion')).toBe(region);
  });
});

describe('LayeredContext', () => {
  it('lets later layers override earlier ones key by key', () => {
    const merged = new LayeredContext([
      requestContext('arn:aws:bedrock:us-east-1::foundation-model/m', NOW),
      contextFrom({ 'aws:RequestedRegion': 'us-west-2', 'aws:username': 'alice' }),
    ]);
    expect(merged.toMap().get('aws:requestedregion')).toBe('us-west-2');
    expect(merged.get('aws:requestedregion')).toBe('us-west-2');
    expect(merged.get('aws:username')).toBe('alice');
    expect(merged.get('aws:currenttime')).toBe('2026-03-01T12:34:56Z');
  });
});
