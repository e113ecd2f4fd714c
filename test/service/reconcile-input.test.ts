import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReconcileInputSchema } from '../../shared/service/reconcile-input.js';

const sample = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`events/${path}`, 'utf8')) as Record<string, unknown>;

const refused = (input: unknown) => expect(ReconcileInputSchema.safeParse(input).success).toBe(false);

describe('ReconcileInputSchema', () => {
  it('takes the Scheduled Event sample as a scheduled run identified by the event id', () => {
    const event = sample('schedule/reconcile-scheduled.json');
    expect(ReconcileInputSchema.parse(event)).toStrictEqual({ kind: 'schedule', id: event.id, request: {} });
  });

  it('takes a Scheduled Event with more envelope fields than the sample', () => {
    const event = { ...sample('schedule/reconcile-scheduled.json'), 'replay-name': 'r1' };
    expect(ReconcileInputSchema.parse(event)).toMatchObject({ kind: 'schedule' });
  });

  it('takes the manual dry-run sample', () => {
    expect(ReconcileInputSchema.parse(sample('manual/reconcile-dry-run.json'))).toStrictEqual({
      kind: 'manual',
      request: { dryRun: true, maxChanges: 10 },
    });
  });

  it('takes the manual principals sample', () => {
    expect(ReconcileInputSchema.parse(sample('manual/reconcile-principals.json'))).toStrictEqual({
      kind: 'manual',
      request: {
        dryRun: true,
        principals: ['arn:aws:iam::111122223333:role/Playground', 'arn:aws:iam::111122223333:user/bob'],
      },
    });
  });

  it('takes an empty manual invoke as "reconcile with the configured defaults"', () => {
    expect(ReconcileInputSchema.parse({})).toStrictEqual({ kind: 'manual', request: {} });
  });

  it('takes maxChanges 0 and principals by name', () => {
    expect(ReconcileInputSchema.parse({ maxChanges: 0, principals: ['bob'] })).toStrictEqual({
      kind: 'manual',
      request: { maxChanges: 0, principals: ['bob'] },
    });
  });

  it.each([
    ['an unknown key', { dryRun: true, principal: 'bob' }],
    ['a misspelt key', { dryrun: true }],
    ['dryRun as a string', { dryRun: 'true' }],
    ['principals as a string', { principals: 'arn:aws:iam::111122223333:user/bob' }],
    ['an empty principal', { principals: [''] }],
    ['a principal that is not a string', { principals: [42] }],
    ['maxChanges as a string', { maxChanges: '10' }],
    ['a negative maxChanges', { maxChanges: -1 }],
    ['a fractional maxChanges', { maxChanges: 2.5 }],
    ['null', null],
    ['an array', [{ dryRun: true }]],
    ['a string', 'reconcile'],
  ])('refuses %s', (_, input) => refused(input));

  it('refuses EventBridge events that are not the schedule', () => {
    const event = sample('schedule/reconcile-scheduled.json');
    refused({ ...event, 'detail-type': 'AWS API Call via CloudTrail' });
    refused(JSON.parse(readFileSync('events/iam-change/AttachRolePolicy.json', 'utf8')));
  });

  it('refuses a Scheduled Event without an id', () => {
    const { id: _, ...event } = sample('schedule/reconcile-scheduled.json');
    refused(event);
    refused({ ...event, id: '' });
  });

  it('says which field is wrong', () => {
    const result = ReconcileInputSchema.safeParse({ dryRun: 'yes' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('dryRun');
  });
});
