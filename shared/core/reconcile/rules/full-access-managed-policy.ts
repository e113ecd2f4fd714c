import { makeFinding, type Rule } from '../rule.js';
import type { Finding } from '../types.js';

/** An action no policy names: only `bedrock:*`, `*` or a NotAction that leaves Bedrock in grants it. */
const ANY_BEDROCK_ACTION = 'bedrock:BedrockGuardProbeAnyAction';
const FULL_ACCESS = 'AmazonBedrockFullAccess';

export const fullAccessManagedPolicy: Rule = {
  id: 'full-access-managed-policy',
  title: 'Full Bedrock access on a non-exempt principal',
  severity: 'high',
  containable: false,
  docs:
    'Principals that hold the AWS managed policy AmazonBedrockFullAccess, or any statement equivalent to ' +
    'bedrock:* on * (found by asking the evaluator about an action no policy names). Full access includes model ' +
    'access, agents, customization, provisioned throughput and API keys; give non-admins least-privilege policies. ' +
    "The guard never detaches customers' policies, so this rule alerts; the other rules' denies contain what " +
    'the file does not grant.',
  example: {
    violating: 'User alice has AmazonBedrockFullAccess attached and is not exempt.',
    compliant:
      'alice has a policy naming the Bedrock actions and models her team needs; admins are listed under exempt.',
  },
  check(ctx) {
    const { partition, accountId, regions } = ctx.snapshot.account;
    const fullAccessArn = `arn:${partition}:iam::aws:policy/${FULL_ACCESS}`;
    const resource = `arn:${partition}:bedrock:${regions[0] ?? 'us-east-1'}:${accountId}:bedrock-guard-probe/any`;
    const findings: Finding[] = [];
    for (const cohort of ctx.cohorts) {
      const representative = cohort.principals[0];
      if (!representative) continue;
      const result = ctx.prober.evaluate(representative, { action: ANY_BEDROCK_ACTION, resource });
      const held = representative.policies.identity.some((p) => p.source.id === fullAccessArn);
      const effective = result.decision === 'Allowed';
      if (!held && !effective) continue;
      const evidence = effective
        ? result.statements.filter((s) => s.policy.layer === 'identity')
        : representative.policies.identity
            .filter((p) => p.source.id === fullAccessArn)
            .flatMap((p) =>
              p.statements.map((s) => ({ policy: p.source, index: s.index, sid: s.sid, effect: s.effect })),
            );
      const how = held ? `holds ${FULL_ACCESS}` : 'is allowed bedrock:* on *';
      const caveat = effective ? '' : ' (its permissions boundary or SCPs cut it down today)';
      for (const principal of cohort.principals) {
        findings.push(
          makeFinding(ctx, this, principal, cohort.grants, {
            route: 'bedrock:*',
            resources: held ? [fullAccessArn] : ['*'],
            message: `${how}${caveat}`,
            evidence,
            remediation: held
              ? `Detach ${FULL_ACCESS} and attach a policy with the Bedrock actions and model ARNs the principal's teams are granted, or list the principal under exempt if it is an administrator.`
              : 'Replace bedrock:* on * with the Bedrock actions and model ARNs the principal needs, or list the principal under exempt if it is an administrator.',
          }),
        );
      }
    }
    return findings;
  },
};
