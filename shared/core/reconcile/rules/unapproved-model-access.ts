import type { Rule } from '../rule.js';
import { routeExcessFindings } from './route-excess.js';

export const unapprovedModelAccess: Rule = {
  id: 'unapproved-model-access',
  title: 'Model access the policy file does not grant',
  severity: 'high',
  containable: true,
  docs:
    'Every principal × model × Region × route (invoke, streaming, batch, async, inference profiles, provisioned ' +
    'throughput, bedrock-mantle, API keys) that IAM allows but no team of the principal grants. Models in the ' +
    'Bedrock catalogue and models that policies name by ARN both count. Since serverless models are enabled by default, IAM is the only reliable gate: in enforce mode the guard contains each one with its own deny policy on the principal.',
  example: {
    violating:
      'Role AppBackend may call bedrock:InvokeModel on arn:aws:bedrock:*::foundation-model/*, and its team grants only the "standard" model set.',
    compliant:
      "AppBackend's policy names only the standard models, or the model is added to a set its team is granted.",
  },
  check(ctx) {
    return routeExcessFindings(ctx, this, (modelId, regions) => {
      const outside = regions.filter((r) => !ctx.policy.regions.includes(r));
      if (outside.length === regions.length) {
        return {
          why: `${outside.join(', ')} ${outside.length === 1 ? 'is not an approved Region' : 'are not approved Regions'}`,
          remediation: `Scope the granting statements to approved Regions (the Region in the ARN, or aws:RequestedRegion), or add the Region to the policy file's regions.`,
        };
      }
      return {
        why: 'no team of the principal grants this model there',
        remediation: `Narrow the granting statements to approved models, or grant ${modelId} to one of the principal's teams in the policy file. In enforce mode the guard's deny policy blocks it meanwhile.`,
      };
    });
  },
};
