import { DesiredState } from '../core/desired/grants.js';
import { audienceOf, type FindingsEvent } from '../core/events/findings-event.js';
import type { PolicyFile } from '../core/policy-file/types.js';
import type { AccountView } from './account-cache.js';

/**
 * The policy file compiled once per account view (its protected principals
 * decide who is exempt), so frequent events judge principals without
 * recompiling it; and who hears about a principal's findings.
 */
export class DesiredStates {
  private readonly byView = new WeakMap<ReadonlyMap<string, string>, DesiredState>();

  constructor(private readonly policy: PolicyFile) {}

  of(view: Pick<AccountView, 'protectedPrincipals'>): DesiredState {
    let desired = this.byView.get(view.protectedPrincipals);
    if (!desired)
      this.byView.set(view.protectedPrincipals, (desired = new DesiredState(this.policy, view.protectedPrincipals)));
    return desired;
  }

  /** A principal's `owner` tag and teams, for the notifier's routing. */
  audience(view: AccountView, arn: string): Pick<FindingsEvent, 'owner' | 'teams'> {
    const principal = view.snapshot.principal(arn);
    return principal ? audienceOf(principal, this.of(view).grantsFor(principal).teams) : {};
  }
}
