import { ACCOUNT_FEATURES, probeResource } from '../features.js';
import { makeFinding, type Rule } from '../rule.js';
import type { StatementRef } from '../../iam/types.js';
import type { Finding } from '../types.js';
import { routeExcessFindings } from './route-excess.js';

export const unapprovedFeature: Rule = {
  id: 'unapproved-feature',
  title: 'Bedrock features the policy file does not grant',
  severity: 'medium',
  containable: true,
  docs:
    'Features a principal may use that none of its teams grants: agents, guardrail management, knowledge bases, ' +
    'model customization, custom model import and buying provisioned throughput (each found by probing its IAM ' +
    'actions in every Region), and, for models it is granted, the batch, provisioned-throughput and API-key routes. ' +
    'Using a guardrail (ApplyGuardrail) is never treated as a feature to take away.',
  example: {
    violating: 'The playground team is granted [invoke] only, and its role may call bedrock:CreateAgent on *.',
    compliant: "The role's policy leaves out agent actions, or the team lists agents under features.",
  },
  check(ctx) {
    const findings: Finding[] = routeExcessFindings(ctx, this, (modelId) => ({
      why: "the principal's teams grant this model, but not this feature",
      remediation: `Remove the feature's actions from the granting statements, or add the feature to a team that grants ${modelId}.`,
    }));
    const { partition, accountId } = ctx.snapshot.account;
    for (const cohort of ctx.cohorts) {
      const representative = cohort.principals[0];
      if (!representative) continue;
      for (const spec of ACCOUNT_FEATURES) {
        if (cohort.grants.hasFeature(spec.feature)) continue;
        const regions: string[] = [];
        const resources = new Set<string>();
        const evidence = new Map<string, StatementRef>();
        for (const region of ctx.scope.regions) {
          for (const probe of spec.probes) {
            const resource = probeResource(probe.resource, partition, region, accountId);
            const result = ctx.prober.evaluate(representative, {
              action: probe.action,
              resource,
              context: { 'aws:requestedregion': region },
            });
            if (result.decision !== 'Allowed') continue;
            if (!regions.includes(region)) regions.push(region);
            resources.add(resource);
            for (const s of result.statements) {
              if (s.policy.layer === 'identity') evidence.set(`${s.policy.id}|${s.policy.name}|${s.index}`, s);
            }
          }
        }
        if (regions.length === 0) continue;
        for (const principal of cohort.principals) {
          findings.push(
            makeFinding(ctx, this, principal, cohort.grants, {
              route: spec.feature,
              resources: [...resources],
              message: `may use ${spec.title.toLowerCase()} (${spec.feature}) in ${regions.join(', ')}, which no team of the principal grants`,
              evidence: [...evidence.values()],
              remediation: `Remove ${spec.denyActions.join(', ')} from the granting statements, or add ${spec.feature} to the features of one of the principal's teams.`,
            }),
          );
        }
      }
    }
    return findings;
  },
};
