// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
/**
 * Runs one scenario through both evaluators: ours (`compilePolicy` +
 * `evaluate`) and the oracle, iam-simulate. iam-simulate is AGPL and is
 * imported only from test/ and bench/.
 */
import {
  type RunSimulationResults,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { contextFrom } from '../../shared/core/iam/context.js';
import { decide, evaluate, type PolicySet } from '../../shared/core/iam/evaluate.js';
import { compilePolicy } from '../../shared/core/iam/policy.js';
import type { Decision, EvaluationResult } from '../../shared/core/iam/types.js';
import { ACCOUNT, type ContextRecord, type PolicyDoc, type RequestSpec, type Scenario } from './arbitraries.js';

export interface PolicyInputs {
  readonly identity: readonly PolicyDoc[];
  readonly boundary?: PolicyDoc | undefined;
  readonly scps?: readonly (readonly PolicyDoc[])[];
}

/** Compile a scenario's policies once, as the product does. */
export function compileSet(inputs: PolicyInputs): PolicySet {
  return {
    identity: inputs.identity.map((doc, i) =>
      compilePolicy(
        doc,
        { layer: 'identity', name: `identity${i}`, id: `identity${i}`, kind: 'inline' },
        `identity${i}`,
      ),
    ),
    boundary:
      inputs.boundary === undefined
        ? undefined
        : compilePolicy(
            inputs.boundary,
            { layer: 'boundary', name: 'boundary', id: 'boundary', kind: 'managed' },
            'pb',
          ),
    scps: (inputs.scps ?? []).map((level, l) => ({
      target: `level${l}`,
      policies: level.map((doc, i) =>
        compilePolicy(
          doc,
          { layer: 'scp', name: `scp${l}.${i}`, id: `p-${l}${i}`, kind: 'scp', target: `level${l}` },
          `scp${l}.${i}`,
        ),
      ),
    })),
  };
}

/**
 * D5: an empty multivalued key is treated as absent (AWS: "resolves to a null
 * dataset"); iam-simulate keeps `[]` as a present key, which flips `Null`.
 */
export function withoutEmptyLists(context: ContextRecord): ContextRecord {
  const out: ContextRecord = {};
  for (const [k, v] of Object.entries(context)) if (!(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

/** Our decision, given the context keys the oracle dropped as not applicable to the action. */
export function ours(set: PolicySet, request: RequestSpec, ignoredKeys: readonly string[] = []): EvaluationResult {
  const context = withoutEmptyLists(request.context);
  for (const k of ignoredKeys) delete context[k];
  return evaluate(set, { action: request.action, resource: request.resource, context: contextFrom(context) });
}

export function simulation(inputs: PolicyInputs, principal: string, request: RequestSpec): Simulation {
  const sim: Simulation = {
    request: {
      principal,
      action: request.action,
      // Same-account requests: the resource's account is the principal's.
      resource: { resource: request.resource, accountId: principal.split(':')[4] || ACCOUNT },
      contextVariables: withoutEmptyLists(request.context),
    },
    identityPolicies: inputs.identity.map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: (inputs.scps ?? []).map((level, l) => ({
      orgIdentifier: `level${l}`,
      policies: level.map((policy, i) => ({ name: `scp${l}.${i}`, policy })),
    })),
    resourceControlPolicies: [],
  };
  if (inputs.boundary !== undefined) sim.permissionBoundaryPolicies = [{ name: 'boundary', policy: inputs.boundary }];
  return sim;
}

export interface OracleAnswer {
  readonly decision: Decision;
  /** Context keys iam-simulate dropped because the action/resource doesn't take them. */
  readonly ignoredKeys: readonly string[];
}

export class OracleRejectedError extends Error {}

function single(result: RunSimulationResults): { decision: Decision; ignoredKeys: string[] } {
  if (result.resultType !== 'single') {
    throw new OracleRejectedError(`iam-simulate answered ${result.resultType}: ${JSON.stringify(result)}`);
  }
  return { decision: result.overallResult, ignoredKeys: result.result.ignoredContextKeys ?? [] };
}

/** A Region-less foundation-model ARN (global cross-Region inference). */
const REGIONLESS_FM = /^arn:aws:bedrock:::foundation-model\//;

/**
 * iam-simulate's decision. Its validator knows only Regional foundation-model
 * ARNs, so a Region-less one is validated through its Regional twin (same
 * policies, same applicable context keys) and then evaluated unvalidated with
 * the real ARN and the filtered context.
 */
export async function oracle(inputs: PolicyInputs, principal: string, request: RequestSpec): Promise<OracleAnswer> {
  if (!REGIONLESS_FM.test(request.resource)) {
    return single(await runSimulation(simulation(inputs, principal, request), {}));
  }
  const twin = { ...request, resource: request.resource.replace('arn:aws:bedrock:::', 'arn:aws:bedrock:us-east-1::') };
  const { ignoredKeys } = single(await runSimulation(simulation(inputs, principal, twin), {}));
  const sim = simulation(inputs, principal, request);
  for (const k of ignoredKeys) delete sim.request.contextVariables[k];
  return { decision: runUnsafeSimulation(sim, {}) as Decision, ignoredKeys };
}

/** `decide` (the decision-only evaluator of the access matrix) on the same request as `ours`. */
export function oursDecide(set: PolicySet, request: RequestSpec, ignoredKeys: readonly string[] = []): Decision {
  const context = withoutEmptyLists(request.context);
  for (const k of ignoredKeys) delete context[k];
  return decide(set, { action: request.action, resource: request.resource, context: contextFrom(context) });
}

export async function compare(scenario: Scenario, set: PolicySet = compileSet(scenario)) {
  const out: { request: RequestSpec; ours: Decision; decided: Decision; oracle: Decision }[] = [];
  for (const request of scenario.requests) {
    const principal = request.context['aws:PrincipalArn'];
    const o = await oracle(scenario, typeof principal === 'string' ? principal : scenario.principal, request);
    out.push({
      request,
      ours: ours(set, request, o.ignoredKeys).decision,
      decided: oursDecide(set, request, o.ignoredKeys),
      oracle: o.decision,
    });
  }
  return out;
}
