import { BEDROCK_CREDENTIAL_SERVICE } from '../features.js';
import { groupBy } from '../../group-by.js';
import { makeFinding, type Rule, type RuleContext } from '../rule.js';
import type { Finding } from '../types.js';
import { routeExcessFindings } from './route-excess.js';

const CREATE = 'iam:CreateServiceSpecificCredential';

export const longTermApiKeys: Rule = {
  id: 'long-term-api-keys',
  title: 'Long-term Bedrock API keys',
  severity: 'high',
  containable: true,
  docs:
    'Principals that may create IAM service-specific credentials for bedrock.amazonaws.com (long-term Bedrock API ' +
    'keys) or call Bedrock with a long-term bearer token (bedrock:CallWithBearerToken with bedrock:BearerTokenType ' +
    'LONG_TERM), unless a team grants them the long-term-api-keys feature. Long-term keys are static secrets: AWS ' +
    'recommends short-term keys or IAM credentials. The guard denies both the creation and the use. Keys users ' +
    'already hold (service-credentials.json) are reported as alerts: the guard never deletes a credential.',
  example: {
    violating:
      'User bob may call iam:CreateServiceSpecificCredential on his own user, and no team grants long-term-api-keys.',
    compliant:
      "bob's policies leave out iam:CreateServiceSpecificCredential (or condition it on another service name).",
  },
  check(ctx) {
    const findings: Finding[] = routeExcessFindings(ctx, this, () => ({
      why: 'long-term API keys are not granted to any team of the principal',
      remediation:
        "Remove bedrock:CallWithBearerToken for LONG_TERM tokens and delete the user's Bedrock service-specific credentials; use short-term API keys or IAM roles instead.",
    }));
    const { partition, accountId } = ctx.snapshot.account;
    for (const cohort of ctx.cohorts) {
      if (cohort.grants.hasFeature('long-term-api-keys')) continue;
      for (const principal of cohort.principals) {
        // A user may make keys for itself; anyone may hold the right for every user.
        const target =
          principal.kind === 'user' ? principal.arn : `arn:${partition}:iam::${accountId}:user/bedrock-guard-probe`;
        const result = ctx.prober.evaluate(principal, {
          action: CREATE,
          resource: target,
          context: { 'iam:servicespecificcredentialservicename': BEDROCK_CREDENTIAL_SERVICE },
        });
        if (result.decision !== 'Allowed') continue;
        findings.push(
          makeFinding(ctx, this, principal, cohort.grants, {
            route: 'create-service-specific-credential',
            resources: [target],
            message: `may create long-term Bedrock API keys (${CREATE} for ${BEDROCK_CREDENTIAL_SERVICE})`,
            evidence: result.statements,
            remediation: `Remove ${CREATE} from the granting statements, or condition it with StringNotEquals iam:ServiceSpecificCredentialServiceName ${BEDROCK_CREDENTIAL_SERVICE}.`,
          }),
        );
      }
    }
    findings.push(...heldKeys(ctx, this));
    return findings;
  },
};

/**
 * Keys users already hold. The guard denies their use (above) but never
 * deletes a credential, so these are alerts whatever the rule's mode.
 */
function heldKeys(ctx: RuleContext, rule: Rule): Finding[] {
  const active = groupBy(
    ctx.snapshot.apiKeys.filter((k) => k.status === 'Active'),
    (k) => k.userName,
  );
  if (active.size === 0) return [];
  const findings: Finding[] = [];
  for (const cohort of ctx.cohorts) {
    if (cohort.grants.hasFeature('long-term-api-keys')) continue;
    for (const principal of cohort.principals) {
      if (principal.kind !== 'user') continue;
      for (const key of active.get(principal.name) ?? []) {
        const alias = key.alias ? ` (${key.alias})` : '';
        const finding = makeFinding(ctx, rule, principal, cohort.grants, {
          route: 'long-term-api-key',
          resources: [principal.arn],
          message: `holds an active long-term Bedrock API key ${key.id}${alias}${key.created ? `, created ${key.created}` : ''}`,
          evidence: [],
          remediation: `Delete it (aws iam delete-service-specific-credential --user-name ${principal.name} --service-specific-credential-id ${key.id}) or make it Inactive; the guard denies its use but never deletes credentials.`,
        });
        findings.push({ ...finding, mode: 'alert' });
      }
    }
  }
  return findings;
}
