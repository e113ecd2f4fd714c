import { budgetDenyExpiry, budgetIdOfDenyName } from '../budgets/budget-deny.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { type ExistingDeny, ownInlinePolicies } from './guard-owned.js';
import { removeDeny } from './place-deny.js';
import type { RemoveDenyAction } from './types.js';

/** A budget deny found on a principal: always inline, named for its budget (`bedrock-guard-budget-<budgetId>`). */
export interface ExistingBudgetDeny extends ExistingDeny {
  readonly mechanism: 'inline';
  readonly budgetId: string;
  /** When it lifts itself (`budgetDenyExpiry`); `undefined` when the document no longer carries its end. */
  readonly expiry: string | undefined;
}

/** The budget denies on a principal as captured. */
export function budgetDenies(principal: Principal): ExistingBudgetDeny[] {
  return ownInlinePolicies(principal).flatMap(({ name, document }) => {
    const budgetId = budgetIdOfDenyName(name);
    return budgetId === undefined
      ? []
      : [{ mechanism: 'inline', policyName: name, document, budgetId, expiry: budgetDenyExpiry(document) }];
  });
}

export interface BudgetDenyTidying {
  readonly removals: readonly RemoveDenyAction[];
  /** Budget denies left in place that no longer lift themselves, one line each. */
  readonly warnings: readonly string[];
}

/**
 * What the plan does with budget denies, which the metering function writes
 * and IAM lifts at the window's end: it removes those whose end is at or
 * before `now` (they deny nothing any more; removing them is tidying) and
 * leaves the live ones. One whose end can't be read (its document was edited)
 * is guard-owned but lifts itself no more: the plan can't tell when it should
 * go, so it leaves it and warns. The guard's own identity, and service-linked
 * roles, are never written to (as `apply`'s safety rules say).
 */
export function tidyBudgetDenies(
  snapshot: Snapshot,
  now: Date,
  protectedPrincipals?: ReadonlyMap<string, string>,
): BudgetDenyTidying {
  const removals: RemoveDenyAction[] = [];
  const warnings: string[] = [];
  for (const principal of snapshot.principals) {
    if (principal.serviceLinked || protectedPrincipals?.has(principal.arn)) continue;
    for (const deny of budgetDenies(principal)) {
      if (deny.expiry === undefined) {
        warnings.push(
          `${principal.kind} ${principal.name}: the budget deny ${deny.policyName} carries no end (DateLessThan aws:CurrentTime) any more, so it does not lift itself; the guard leaves it: delete it once the budget should allow again.`,
        );
      } else if (Date.parse(deny.expiry) <= now.getTime()) {
        removals.push(removeDeny(principal, deny, `budget deny expired at ${deny.expiry}`));
      }
    }
  }
  return { removals, warnings };
}
