import { describe, expect, it } from 'vitest';
import { operator, valueTest } from './helpers.js';

describe('ARN operators', () => {
  it.each(['ArnEquals', 'ArnLike'])('%s checks the six parts separately', (name) => {
    const test = valueTest(name, 'arn:aws:bedrock:us-*:111122223333:inference-profile/*');
    expect(test('arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-micro-v1:0')).toBe(true);
    expect(test('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-micro-v1:0')).toBe(false);
    expect(test('arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.amazon.nova-micro-v1:0')).toBe(false);
    expect(test('arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc')).toBe(false);
  });

  it('ArnEquals and ArnLike agree on every value', () => {
    const values = [
      'arn:aws:iam::111122223333:role/ml-a',
      'arn:aws:iam::111122223333:role/ML-a',
      'arn:aws:iam::444455556666:role/ml-a',
      'not-an-arn',
    ];
    for (const v of values) {
      expect(valueTest('ArnEquals', 'arn:aws:iam::111122223333:role/ml-*')(v)).toBe(
        valueTest('ArnLike', 'arn:aws:iam::111122223333:role/ml-*')(v),
      );
    }
  });

  it('is case-sensitive', () => {
    expect(valueTest('ArnLike', 'arn:aws:iam::*:role/Admin')('arn:aws:iam::111122223333:role/admin')).toBe(false);
  });

  it('needs all six parts in the policy value', () => {
    expect(valueTest('ArnLike', 'arn:aws:bedrock:*')('arn:aws:bedrock:us-east-1:111122223333:job/1')).toBe(false);
  });

  it('negated twins and variables', () => {
    expect(operator('ArnNotEquals').negated).toBe(true);
    expect(operator('ArnNotLike').negated).toBe(true);
    expect(operator('ArnLike').variables).toBe(true);
  });
});
