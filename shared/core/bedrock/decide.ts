import type { EvaluationResult } from '../iam/types.js';
import type { Route, RouteCheck } from './routes.js';

export interface CheckOutcome {
  readonly check: RouteCheck;
  readonly result: EvaluationResult;
}

export interface RouteDecision {
  readonly route: Route;
  /** IAM lets the principal through every deciding check of the route. */
  readonly allowed: boolean;
  readonly checks: readonly CheckOutcome[];
  /** The first deciding check that was not allowed. */
  readonly failing: CheckOutcome | undefined;
  /** Advisory checks that were not allowed. */
  readonly warnings: readonly CheckOutcome[];
}

/** Decide each route: allowed only when all of its deciding checks are. */
export function decideRoutes(
  routes: readonly Route[],
  evaluateCheck: (check: RouteCheck) => EvaluationResult,
): RouteDecision[] {
  return routes.map((route) => {
    const checks = route.checks.map((check) => ({ check, result: evaluateCheck(check) }));
    const denied = checks.filter((c) => c.result.decision !== 'Allowed');
    const failing = denied.find((c) => !c.check.advisory);
    return { route, allowed: failing === undefined, checks, failing, warnings: denied.filter((c) => c.check.advisory) };
  });
}
