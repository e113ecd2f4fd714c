// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
import { describe, expect, it } from 'vitest';
import { contextFrom } from '../../../shared/core/iam/context.js';
import { compilePolicy, decodePolicyDocument, statementApplies } from '../../../shared/core/iam/policy.js';
import type { PolicyLayer, PolicySource } from '../../../shared/core/iam/types.js';
import { PolicyGrammarError } from '../../../shared/errors.js';

const source = (layer: PolicyLayer = 'identity'): PolicySource => ({
  layer,
  name: 'test',
  id: 'arn:aws:iam::111122223333:policy/test',
  kind: layer === 'scp' ? 'scp' : 'managed',
});

const compile = (doc: unknown, layer: PolicyLayer = 'identity') => compilePolicy(doc, source(layer), 'policy');

const doc = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const allow = { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' };

/** The PolicyGrammarError `compile` throws, so its location and message can be checked. */
function grammarError(document: unknown, layer: PolicyLayer = 'identity'): PolicyGrammarError {
  try {
    compile(document, layer);
  } catch (error) {
    if (error instanceof PolicyGrammarError) return error;
    throw error;
  }
  throw new Error('expected a PolicyGrammarError');
}

describe('grammar errors name the JSON path', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['unknown Version', { Version: '2012-10-18', Statement: [allow] }, 'policy.Version', /unknown Version/],
    ['unknown top-level element', { ...doc(allow), Statements: [] }, 'policy.Statements', /unknown policy element/],
    ['no Statement', { Version: '2012-10-17' }, 'policy', /needs a Statement/],
    ['document is an array', [allow], 'policy', /must be a JSON object/],
    ['statement is not an object', doc('Allow'), 'policy.Statement[0]', /must be an object/],
    ['missing Effect', doc({ Action: 'bedrock:InvokeModel', Resource: '*' }), 'policy.Statement[0].Effect', /Effect/],
    ['Effect in the wrong case', doc(allow, { ...allow, Effect: 'allow' }), 'policy.Statement[1].Effect', /Effect/],
    [
      'Action and NotAction',
      doc({ ...allow, NotAction: 's3:*' }),
      'policy.Statement[0]',
      /exactly one of Action or NotAction/,
    ],
    ['neither Action nor NotAction', doc({ Effect: 'Allow', Resource: '*' }), 'policy.Statement[0]', /exactly one/],
    ['Resource and NotResource', doc({ ...allow, NotResource: 'arn:aws:s3:::b' }), 'policy.Statement[0]', /not both/],
    [
      'no Resource in an identity policy',
      doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel' }),
      'policy.Statement[0]',
      /Resource or NotResource/,
    ],
    [
      'Principal in an identity policy',
      doc({ ...allow, Principal: { AWS: '*' } }),
      'policy.Statement[0].Principal',
      /Principal/,
    ],
    [
      'NotPrincipal in an identity policy',
      doc({ ...allow, NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }),
      'policy.Statement[0].NotPrincipal',
      /Principal/,
    ],
    [
      'unknown statement element',
      doc({ ...allow, Conditions: {} }),
      'policy.Statement[0].Conditions',
      /unknown statement element/,
    ],
    ['Sid that is not a string', doc({ ...allow, Sid: 7 }), 'policy.Statement[0].Sid', /Sid/],
    [
      'malformed action',
      doc({ ...allow, Action: ['bedrock:InvokeModel', 'bedrock InvokeModel'] }),
      'policy.Statement[0].Action[1]',
      /not an action/,
    ],
    [
      'action that is not a string',
      doc({ ...allow, Action: ['bedrock:InvokeModel', 5] }),
      'policy.Statement[0].Action[1]',
      /expected a string/,
    ],
    ['empty Action list', doc({ ...allow, Action: [] }), 'policy.Statement[0].Action', /empty/],
    [
      'malformed NotAction',
      doc({ Effect: 'Deny', NotAction: 'bedrock', Resource: '*' }),
      'policy.Statement[0].NotAction[0]',
      /not an action/,
    ],
    [
      'Condition that is not an object',
      doc({ ...allow, Condition: ['StringEquals'] }),
      'policy.Statement[0].Condition',
      /Condition/,
    ],
    [
      'operator block that is not an object',
      doc({ ...allow, Condition: { StringEquals: 'x' } }),
      'policy.Statement[0].Condition.StringEquals',
      /must map condition keys/,
    ],
    [
      'unknown operator',
      doc({ ...allow, Condition: { StringEqualz: { 'aws:username': 'a' } } }),
      'policy.Statement[0].Condition.StringEqualz.aws:username',
      /unknown condition operator/,
    ],
    [
      'bad Numeric value',
      doc({ ...allow, Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': ['60', 'ten'] } } }),
      'policy.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge[1]',
      /not a number/,
    ],
    [
      'bad Date value',
      doc({ ...allow, Condition: { DateLessThan: { 'aws:CurrentTime': 'next week' } } }),
      'policy.Statement[0].Condition.DateLessThan.aws:CurrentTime[0]',
      /not a date/,
    ],
    [
      'bad Bool value',
      doc({ ...allow, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }),
      'policy.Statement[0].Condition.Bool.aws:SecureTransport[0]',
      /not a boolean/,
    ],
    [
      'bad IP value',
      doc({ ...allow, Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '10.0.0.0/33'] } } }),
      'policy.Statement[0].Condition.NotIpAddress.aws:SourceIp[1]',
      /not an IP address/,
    ],
    [
      'bad Null value',
      doc({ ...allow, Condition: { Null: { 'aws:TokenIssueTime': 'yes' } } }),
      'policy.Statement[0].Condition.Null.aws:TokenIssueTime[0]',
      /Null takes/,
    ],
    [
      'error in the second statement',
      doc(allow, { ...allow, Condition: { IpAddress: { 'aws:SourceIp': 'x' } } }),
      'policy.Statement[1].Condition.IpAddress.aws:SourceIp[0]',
      /not an IP address/,
    ],
    ['bad JSON string', '{"Version": "2012-10-17", "Statement": [', 'policy', /not valid JSON/],
    ['text that is neither JSON nor URL-encoded JSON', 'Version=2012-10-17', 'policy', /not valid JSON/],
    ['broken URL encoding', '%7B%22Version%22%3A%E0%A4%A', 'policy', /neither JSON nor URL-encoded JSON/],
  ];

  it.each(cases)('%s', (_name, document, location, message) => {
    const error = grammarError(document);
    expect(error.location).toBe(location);
    expect(error.message).toMatch(message);
  });

  it('gives a hint for actions and Principal', () => {
    expect(grammarError(doc({ ...allow, Action: 'InvokeModel' })).hint).toMatch(/bedrock:InvokeModel/);
    expect(grammarError(doc({ ...allow, Principal: '*' })).hint).toMatch(/resource-based/);
  });

  it('also rejects Principal in SCPs and boundaries', () => {
    expect(grammarError(doc({ ...allow, Principal: '*' }), 'scp').location).toBe('policy.Statement[0].Principal');
    expect(grammarError(doc({ ...allow, Principal: '*' }), 'boundary').location).toBe('policy.Statement[0].Principal');
  });
});

describe('accepted documents', () => {
  it('an SCP statement may omit Resource, which then covers everything', () => {
    const scp = compile(doc({ Effect: 'Deny', Action: 's3:*' }), 'scp');
    const [s] = scp.statementsFor('s3:getobject');
    expect(s).toBeDefined();
    expect(s?.matchesResource('arn:aws:s3:::b/k', new Map())).toBe(true);
  });

  it('takes a single Statement object, and single strings for Action and Resource', () => {
    const p = compile({ Version: '2012-10-17', Statement: allow });
    expect(p.statements).toHaveLength(1);
    expect(p.statementsFor('bedrock:invokemodel')).toHaveLength(1);
  });

  it('takes an Id and no Version', () => {
    expect(compile({ Id: 'x', Statement: [allow] }).statements).toHaveLength(1);
  });

  it.each(['2012-10-17', '2008-10-17'])('takes Version %s', (version) => {
    expect(compile({ Version: version, Statement: [allow] }).statements).toHaveLength(1);
  });

  it('keeps Sid, Effect and index on each statement', () => {
    const p = compile(doc({ ...allow, Sid: 'A' }, { ...allow, Effect: 'Deny' }));
    expect(p.statements.map((s) => [s.index, s.sid, s.effect])).toEqual([
      [0, 'A', 'Allow'],
      [1, undefined, 'Deny'],
    ]);
  });
});

describe('policy documents as AWS returns them', () => {
  const object = doc({
    Sid: 'Invoke',
    ...allow,
    Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data science' } },
  });

  it('decodes a JSON string', () => {
    expect(decodePolicyDocument(JSON.stringify(object), 'p')).toEqual(object);
    expect(decodePolicyDocument(`  \n${JSON.stringify(object)}`, 'p')).toEqual(object);
  });

  it('decodes a URL-encoded JSON string (RFC 3986, spaces as %20)', () => {
    const encoded = encodeURIComponent(JSON.stringify(object, null, 2));
    expect(encoded).toContain('%20');
    expect(decodePolicyDocument(encoded, 'p')).toEqual(object);
    const p = compile(encoded);
    const request = {
      action: 'bedrock:InvokeModel',
      resource: '*',
      context: contextFrom({ 'aws:PrincipalTag/team': 'data science' }),
    };
    const [s] = p.statementsFor('bedrock:invokemodel');
    expect(s && statementApplies(s, request)).toBe(true);
  });

  it('passes an object through', () => {
    expect(decodePolicyDocument(object, 'p')).toBe(object);
  });
});

describe('compiled policy', () => {
  it('filters statements by action once per action, case-insensitively', () => {
    const p = compile(
      doc(
        { Effect: 'Allow', Action: 'bedrock:Invoke*', Resource: '*' },
        { Effect: 'Deny', NotAction: 'bedrock:InvokeModel', Resource: '*' },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      ),
    );
    expect(p.statementsFor('bedrock:invokemodel').map((s) => s.index)).toEqual([0]);
    expect(p.statementsFor('bedrock:invokemodelwithresponsestream').map((s) => s.index)).toEqual([0, 1]);
    expect(p.statementsFor('s3:getobject').map((s) => s.index)).toEqual([1, 2]);
    expect(p.statementsFor('bedrock:invokemodel')).toBe(p.statementsFor('bedrock:invokemodel'));
  });

  it('lists the context keys its conditions and variables read', () => {
    const p = compile(
      doc(
        { ...allow, Resource: 'arn:aws:s3:::b/${aws:username}/*' },
        {
          ...allow,
          Condition: {
            StringEquals: { 'aws:PrincipalTag/Team': '${aws:PrincipalTag/dept}' },
            Null: { 'aws:TokenIssueTime': 'false' },
          },
        },
      ),
    );
    expect([...p.reads].sort()).toEqual([
      'aws:principaltag/dept',
      'aws:principaltag/team',
      'aws:tokenissuetime',
      'aws:username',
    ]);
  });

  it('reads no variables from a 2008-10-17 policy', () => {
    const p = compile({
      Version: '2008-10-17',
      Statement: [{ ...allow, Resource: 'arn:aws:s3:::b/${aws:username}/*' }],
    });
    expect([...p.reads]).toEqual([]);
  });

  it('evaluates Resource with variables per request', () => {
    const p = compile(doc({ ...allow, Resource: 'arn:aws:s3:::b/${aws:username}/*' }));
    const [s] = p.statements;
    expect(s?.matchesResource('arn:aws:s3:::b/alice/x', contextFrom({ 'aws:username': 'alice' }))).toBe(true);
    expect(s?.matchesResource('arn:aws:s3:::b/alice/x', contextFrom({ 'aws:username': 'bob' }))).toBe(false);
    expect(s?.matchesResource('arn:aws:s3:::b/alice/x', new Map())).toBe(false);
  });
});
