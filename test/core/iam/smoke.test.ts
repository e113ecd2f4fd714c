import { describe, expect, it } from 'vitest';
import { contextFrom } from '../../../shared/core/iam/context.js';
import { evaluate } from '../../../shared/core/iam/evaluate.js';
import { compilePolicy } from '../../../shared/core/iam/policy.js';

const identity = (doc: unknown) =>
  compilePolicy(doc, { layer: 'identity', name: 'p', id: 'p', kind: 'inline' }, 'test');

describe('evaluate', () => {
  it('allows, denies and explains', () => {
    const allow = identity({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: 'bedrock:Invoke*', Resource: 'arn:aws:bedrock:*::foundation-model/*' },
      ],
    });
    const deny = identity({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Deny',
        Action: 'bedrock:InvokeModel',
        Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.*',
        Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'ds' } },
      },
    });
    const set = { identity: [allow, deny], boundary: undefined, scps: [] };
    const req = (resource: string, ctx: Record<string, string>) => ({
      action: 'bedrock:invokemodel',
      resource,
      context: contextFrom(ctx),
    });
    expect(evaluate(set, req('arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0', {})).decision).toBe(
      'Allowed',
    );
    const r = evaluate(set, req('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2', {}));
    expect(r.decision).toBe('ExplicitlyDenied');
    expect(
      evaluate(
        set,
        req('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2', { 'aws:PrincipalTag/team': 'ds' }),
      ).decision,
    ).toBe('Allowed');
    expect(evaluate(set, { ...req('arn:aws:s3:::b', {}), action: 's3:GetObject' }).decision).toBe('ImplicitlyDenied');
  });
});
