import type { Route, RouteCheck } from '../../bedrock/routes.js';
import { groupBy } from '../../group-by.js';
import type { EvaluationResult, StatementRef } from '../../iam/types.js';
import type { Principal } from '../../snapshot/types.js';
import { makeFinding, type Rule, type RuleContext } from '../rule.js';
import type { Finding } from '../types.js';

const PROFILE_KINDS = new Set(['cross-region-profile', 'global-profile']);

interface Cause {
  /** Causes with the same head are told once, with all their resources. */
  readonly head: string;
  readonly remediation: string;
  readonly resource: string;
  readonly purpose: string;
  readonly statements: readonly StatementRef[];
}

/** Name what stops one check: an SCP, the boundary, an explicit deny, or a missing Allow. */
function cause(ctx: RuleContext, check: RouteCheck, result: EvaluationResult, via: string | undefined): Cause {
  const base = { resource: check.resource, purpose: check.purpose, statements: result.statements };
  const deny = result.statements[0];
  const named = deny ? `${deny.policy.name}${deny.sid ? ` (${deny.sid})` : ''}` : undefined;
  switch (result.blockedBy?.layer) {
    case 'scp': {
      const where = result.blockedBy.target ? ` attached to ${result.blockedBy.target}` : '';
      return {
        ...base,
        head: `${named ? `SCP ${named}` : 'the SCPs'}${where} block${named ? 's' : ''} ${check.action} on`,
        remediation: named
          ? `exempt inference-profile calls in that SCP: add "ArnNotLike": {"bedrock:InferenceProfileArn": "arn:${ctx.snapshot.account.partition}:bedrock:*:*:inference-profile/*"} to its Region-deny statement`
          : `allow ${check.action} in the SCPs of that level`,
      };
    }
    case 'boundary':
      return {
        ...base,
        head: `the permissions boundary does not allow ${check.action} on`,
        remediation: `add those ARNs to the permissions boundary's ${check.action} statement`,
      };
    default:
      if (result.decision === 'ExplicitlyDenied' && named) {
        return {
          ...base,
          head: `${named} denies ${check.action} on`,
          remediation: `exempt profile calls from that deny with "ArnNotLike": {"bedrock:InferenceProfileArn": "${via ?? '*'}"}`,
        };
      }
      return {
        ...base,
        head: `no identity policy allows ${check.action} on`,
        remediation: `add those ARNs to the statement that allows ${check.action}`,
      };
  }
}

/** "head a (purpose), b (purpose); head2 c (purpose)". */
function tell(causes: readonly Cause[]): string {
  return [...groupBy(causes, (c) => c.head).entries()]
    .map(([head, list]) => `${head} ${list.map((c) => `${c.resource} (${c.purpose})`).join(', ')}`)
    .join('; ');
}

/**
 * Every reason a profile route fails (each blocked check, the advisory
 * `GetInferenceProfile` too), or none when the principal shows no sign of
 * using the profile: its identity policies don't mention the profile ARN.
 */
function causes(ctx: RuleContext, principal: Principal, route: Route, allowed: boolean): Cause[] {
  const profileCheck = route.checks.find((c) => !c.advisory && c.resource === route.via);
  if (!profileCheck) return [];
  const own = ctx.prober.evaluate(principal, profileCheck);
  if (own.decision === 'ImplicitlyDenied' && own.blockedBy?.layer === 'identity') return [];
  const out: Cause[] = [];
  for (const check of route.checks) {
    if (allowed && !check.advisory) continue;
    const result = ctx.prober.evaluate(principal, check);
    if (result.decision === 'Allowed') continue;
    out.push(cause(ctx, check, result, route.via));
    // An SCP or boundary that blocks first hides a missing Allow: name that too, or the fix would be half of it.
    const layer = result.blockedBy?.layer;
    if (layer === 'scp' || layer === 'boundary') {
      const own = ctx.prober.evaluateIdentity(principal, check);
      if (own.decision !== 'Allowed') out.push(cause(ctx, check, own, route.via));
    }
  }
  return out;
}

export const crossRegionProfileGaps: Rule = {
  id: 'cross-region-profile-gaps',
  title: 'Approved models that fail through their inference profiles',
  severity: 'medium',
  containable: false,
  docs:
    'A principal that may invoke an approved model in a Region and is set up to call it through a geographic or global ' +
    'cross-Region inference profile (its policies name the profile), but is denied there. The finding names every ' +
    'cause: each missing destination-Region model ARN (or the Region-less ARN of a global profile), the SCP or ' +
    'boundary that blocks (a Region deny without an ArnNotLike bedrock:InferenceProfileArn exemption), an explicit ' +
    'deny, and a missing bedrock:GetInferenceProfile. The fix widens access, which the guard never does, so the ' +
    'rule alerts.',
  example: {
    violating:
      'ChatApp may invoke the model in us-east-1 and the us. profile, but not the model in us-east-2 and us-west-2.',
    compliant: "ChatApp's policy lists the profile ARN and the model ARN in each destination Region.",
  },
  check(ctx) {
    const findings: Finding[] = [];
    for (const cohort of ctx.cohorts) {
      const representative = cohort.principals[0];
      if (!representative) continue;
      for (const cell of cohort.cells) {
        if (!cohort.grants.allows('invoke', cell.modelId, cell.region)) continue;
        const granted = new Set(cell.granted.map((r) => r.id));
        // A gap is a profile that fails where the model itself works (seed 001), not a Region the principal can't use at all.
        if (!cell.granted.some((r) => r.kind === 'invoke')) continue;
        for (const route of cell.routes) {
          if (!PROFILE_KINDS.has(route.kind) || route.id.includes('-stream:')) continue;
          const found = causes(ctx, representative, route, granted.has(route.id));
          if (found.length === 0) continue;
          const fields = {
            model: cell.modelId,
            region: cell.region,
            route: route.id,
            resources: [...new Set(found.map((c) => c.resource))],
            message: `is granted ${cell.modelId}, but ${route.via ?? route.id} ${granted.has(route.id) ? 'is not readable' : 'fails'}: ${tell(found)}`,
            evidence: found.flatMap((c) => c.statements),
            remediation: `${[...new Set(found.map((c) => c.remediation))].join('; ')}.`.replace(/^./, (c) =>
              c.toUpperCase(),
            ),
          };
          for (const principal of cohort.principals)
            findings.push(makeFinding(ctx, this, principal, cohort.grants, fields));
        }
      }
    }
    return findings;
  },
};
