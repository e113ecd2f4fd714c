import { describe, expect, it } from 'vitest';
import type { FindingsEvent, PublishedFinding } from '../../shared/core/events/findings-event.js';
import { destinationKey, passes, routeFindings } from '../../shared/core/notify/routing.js';
import type { NotifySettings, Team } from '../../shared/core/policy-file/types.js';

const finding = (rule: string, severity: PublishedFinding['severity']): PublishedFinding => ({
  rule,
  severity,
  mode: 'alert',
  status: 'open',
  message: `${rule} (${severity})`,
});

const event = (findings: PublishedFinding[], teams?: string[]): FindingsEvent => ({
  version: 1,
  account: '111122223333',
  partition: 'aws',
  trigger: { kind: 'event', id: 'e-1', eventName: 'InvokeModel' },
  principal: 'arn:aws:iam::111122223333:role/AppBackend',
  ...(teams ? { teams } : {}),
  dryRun: false,
  findings,
  actions: [],
});

const team = (name: string, notify?: Team['notify']): Team => ({
  name,
  principals: [{ arns: ['*'] }],
  models: [],
  features: ['invoke'],
  regions: ['us-east-1'],
  ...(notify ? { notify } : {}),
});

const settings = (extra: Partial<NotifySettings> = {}): NotifySettings => ({
  slack: { webhook: 'ssm:/bedrock-guard/slack', minSeverity: 'medium' },
  sns: { topic: 'arn:aws:sns:us-east-1:111122223333:bedrock-guard-alerts', minSeverity: 'low' },
  routes: [],
  windowMs: 86_400_000,
  ...extra,
});

/** Destination → the rules it gets, for compact expectations. */
const routed = (e: FindingsEvent, notify: NotifySettings, teams: Team[] = []) =>
  Object.fromEntries(
    routeFindings(e, notify, teams).map((d) => [destinationKey(d.destination), d.alerts.map((a) => a.finding.rule)]),
  );

describe('passes', () => {
  it('takes findings at least as severe as the minimum, critical being the most severe', () => {
    const filter = { minSeverity: 'medium' as const };
    expect(passes(filter, finding('r', 'critical'))).toBe(true);
    expect(passes(filter, finding('r', 'medium'))).toBe(true);
    expect(passes(filter, finding('r', 'low'))).toBe(false);
    expect(passes({ minSeverity: 'info' }, finding('r', 'info'))).toBe(true);
  });

  it('takes only the listed rules when rules are listed', () => {
    const filter = { minSeverity: 'info' as const, rules: ['invoke-denied' as const] };
    expect(passes(filter, finding('invoke-denied', 'low'))).toBe(true);
    expect(passes(filter, finding('unapproved-model-access', 'critical'))).toBe(false);
  });
});

describe('routeFindings', () => {
  it('sends each destination what its severity lets through', () => {
    const e = event([finding('unapproved-model-invoked', 'high'), finding('invoke-denied', 'low')]);
    expect(routed(e, settings())).toEqual({
      'slack:ssm:/bedrock-guard/slack': ['unapproved-model-invoked'],
      'sns:arn:aws:sns:us-east-1:111122223333:bedrock-guard-alerts': ['unapproved-model-invoked', 'invoke-denied'],
    });
  });

  it('adds the routes, by rule: denial diagnoses to a support channel', () => {
    const notify = settings({ routes: [{ rules: ['invoke-denied'], minSeverity: 'info', slack: 'ssm:/bg/support' }] });
    const e = event([finding('unapproved-model-invoked', 'high'), finding('invoke-denied', 'low')]);
    expect(routed(e, notify)['slack:ssm:/bg/support']).toEqual(['invoke-denied']);
  });

  it("adds the notify of each team the principal belongs to, and only those teams'", () => {
    const teams = [
      team('data-science', { slack: 'ssm:/bg/ds', minSeverity: 'low' }),
      team('apps', { sns: 'arn:aws:sns:us-east-1:111122223333:bedrock-guard-apps', minSeverity: 'low' }),
      team('silent'),
    ];
    const e = event([finding('invoke-denied', 'low')], ['data-science', 'silent']);
    const out = routed(e, settings(), teams);
    expect(out['slack:ssm:/bg/ds']).toEqual(['invoke-denied']);
    expect(out).not.toHaveProperty('sns:arn:aws:sns:us-east-1:111122223333:bedrock-guard-apps');
  });

  it('sends a finding once to a destination named by several routes', () => {
    const notify = settings({
      routes: [{ minSeverity: 'info', slack: 'ssm:/bedrock-guard/slack' }],
    });
    const teams = [team('apps', { slack: 'ssm:/bedrock-guard/slack', minSeverity: 'info' })];
    const e = event([finding('unapproved-model-invoked', 'high'), finding('invoke-denied', 'low')], ['apps']);
    expect(routed(e, notify, teams)['slack:ssm:/bedrock-guard/slack']).toEqual([
      'unapproved-model-invoked',
      'invoke-denied',
    ]);
  });

  it('sends nothing where nothing passes, and nothing without destinations', () => {
    expect(routeFindings(event([finding('invoke-denied', 'info')]), settings(), [])).toEqual([]);
    expect(routeFindings(event([finding('invoke-denied', 'low')]), { routes: [], windowMs: 1 }, [])).toEqual([]);
  });

  it("makes alerts of the event's account, principal, owner, teams, trigger and actions", () => {
    const e: FindingsEvent = {
      ...event([finding('unapproved-model-invoked', 'high')], ['apps']),
      owner: 'U024BE7LH',
      actions: [
        { type: 'put-deny', policyName: 'bedrock-guard-deny-role-AppBackend', result: 'applied', ledgerId: 'l1' },
      ],
    };
    const [delivery] = routeFindings(e, settings(), []);
    expect(delivery?.alerts[0]).toEqual({
      account: '111122223333',
      partition: 'aws',
      trigger: e.trigger,
      principal: e.principal,
      owner: 'U024BE7LH',
      teams: ['apps'],
      dryRun: false,
      finding: e.findings[0],
      actions: e.actions,
      repeats: 0,
    });
  });
});
