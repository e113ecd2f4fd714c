import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { documentHash, entryId, type Trigger } from '../../shared/ledger/entry.js';

const DENY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'A', Effect: 'Deny', Action: ['bedrock:InvokeModel'], Resource: '*' }],
};

describe('documentHash', () => {
  it('is sha256: and the hex digest of the canonical JSON', () => {
    const expected = createHash('sha256')
      .update(JSON.stringify({ a: 1, b: [2] }))
      .digest('hex');
    expect(documentHash({ b: [2], a: 1 })).toBe(`sha256:${expected}`);
    expect(documentHash(DENY)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('does not change with key order', () => {
    const reordered = {
      Statement: [{ Resource: '*', Action: ['bedrock:InvokeModel'], Effect: 'Deny', Sid: 'A' }],
      Version: '2012-10-17',
    };
    expect(documentHash(reordered)).toBe(documentHash(DENY));
  });

  it('does not change with whitespace of the text it was parsed from', () => {
    expect(documentHash(JSON.parse(JSON.stringify(DENY, null, 4)) as unknown)).toBe(documentHash(DENY));
  });

  it('changes with array order', () => {
    const a = { Action: ['bedrock:InvokeModel', 'bedrock:Converse'] };
    const b = { Action: ['bedrock:Converse', 'bedrock:InvokeModel'] };
    expect(documentHash(a)).not.toBe(documentHash(b));
  });

  it('changes with any value', () => {
    expect(documentHash({ ...DENY, Version: '2008-10-17' })).not.toBe(documentHash(DENY));
  });

  it('ignores undefined members', () => {
    expect(documentHash({ ...DENY, Id: undefined })).toBe(documentHash(DENY));
  });
});

describe('entryId', () => {
  const trigger: Trigger = { kind: 'event', id: 'evt-1' };
  const target = {
    action: 'put-deny',
    principal: 'arn:aws:iam::111122223333:role/App',
    mechanism: 'managed',
    policyName: 'bedrock-guard-deny-role-App',
    afterHash: documentHash(DENY),
    result: 'applied',
  } as const;

  it('is 32 hex characters', () => {
    expect(entryId(trigger, target)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the same for equal input, so a retried write lands on the same item', () => {
    expect(entryId({ ...trigger }, { ...target })).toBe(entryId(trigger, target));
  });

  it.each([
    ['trigger id', { kind: 'event', id: 'evt-2' }, {}],
    ['trigger kind', { kind: 'manual', id: 'evt-1' }, {}],
    ['action', trigger, { action: 'remove-deny' }],
    ['principal', trigger, { principal: 'arn:aws:iam::111122223333:role/Other' }],
    ['mechanism', trigger, { mechanism: 'inline' }],
    ['policy name', trigger, { policyName: 'bedrock-guard-deny-role-Other' }],
    ['afterHash', trigger, { afterHash: documentHash({}) }],
    ['missing afterHash', trigger, { afterHash: undefined }],
    ['result', trigger, { result: 'skipped' }],
  ] as const)('differs when the %s differs', (_, otherTrigger, change) => {
    expect(entryId(otherTrigger, { ...target, ...change })).not.toBe(entryId(trigger, target));
  });

  it('does not let one field run into the next', () => {
    const a = entryId({ kind: 'manual', id: 'a,b' }, { ...target, principal: 'c' });
    const b = entryId({ kind: 'manual', id: 'a' }, { ...target, principal: 'b,c' });
    expect(a).not.toBe(b);
  });
});
