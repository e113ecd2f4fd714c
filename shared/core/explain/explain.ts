import { decideRoutes, type RouteDecision } from '../bedrock/decide.js';
import { bedrockRoutes } from '../bedrock/routes.js';
import type { ContextValue } from '../iam/types.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { type ExplainInput, type Explanation, Explainer } from './explainer.js';

export type { ExplainInput, Explanation } from './explainer.js';

/** Explain one request; for many, reuse one `Explainer`. */
export function explainRequest(snapshot: Snapshot, input: ExplainInput & { readonly now?: Date }): Explanation {
  return new Explainer(snapshot, input.now).explain(input);
}

export interface ModelExplainInput {
  readonly principal: string;
  readonly modelId: string;
  readonly region: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
  readonly now?: Date;
}

export interface ModelExplanation {
  readonly principal: Principal;
  readonly modelId: string;
  readonly region: string;
  readonly routes: readonly RouteDecision[];
}

/** Can a principal use a model in a Region, and by which routes? Each route names its failing check. */
export function explainModel(snapshot: Snapshot, input: ModelExplainInput): ModelExplanation {
  const explainer = new Explainer(snapshot, input.now, input.context);
  const { principal } = explainer.principalFacts(input.principal);
  const routes = bedrockRoutes(snapshot, {
    modelId: input.modelId,
    region: input.region,
    principalKind: principal.kind,
  });
  // A route's own keys (the profile ARN, the Region it reaches) are part of the request, so they win.
  const decided = decideRoutes(
    routes,
    (check) =>
      explainer.explain({
        principal: input.principal,
        action: check.action,
        resource: check.resource,
        context: check.context,
      }).result,
  );
  return { principal, modelId: input.modelId, region: input.region, routes: decided };
}
