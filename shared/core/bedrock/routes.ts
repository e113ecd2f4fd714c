import type { PrincipalKind, Snapshot } from '../snapshot/types.js';
import {
  foundationModelArn,
  globalFoundationModelArn,
  invocationJobArn,
  mantleProjectArn,
  modelIdOf,
  regionOf,
} from './arns.js';

export const ROUTE_KINDS = [
  'invoke',
  'invoke-stream',
  'batch',
  'async',
  'cross-region-profile',
  'global-profile',
  'application-profile',
  'provisioned',
  'mantle',
  'api-key',
  'api-key-long-term',
  'mantle-api-key',
] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** One authorization check AWS makes on a route. */
export interface RouteCheck {
  readonly action: string;
  readonly resource: string;
  /** Request context the route itself sets (lower-case keys), e.g. `bedrock:inferenceprofilearn`. */
  readonly context: Readonly<Record<string, string>>;
  /** Why AWS makes this check, for explanations. */
  readonly purpose: string;
  /** Reported but not deciding: clients such as the console call it, the runtime call does not. */
  readonly advisory?: true;
  /** Equal for checks that are the same request (action, resource, context): decide once, reuse. */
  readonly key: string;
}

/** A way to reach a model: the API, the resource it is called on, and every check on the way. */
export interface Route {
  /** Stable id, e.g. `invoke`, `cross-region-profile:us.amazon.nova-micro-v1:0`. */
  readonly id: string;
  readonly kind: RouteKind;
  /** The API calls this route stands for. */
  readonly apis: string;
  /** The inference profile or provisioned model the route goes through. */
  readonly via?: string;
  readonly checks: readonly RouteCheck[];
  /** Set when the catalogue says the route can't serve the model (IAM is still evaluated). */
  readonly unavailable?: string;
}

export type Catalogue = Pick<Snapshot, 'account' | 'foundationModels' | 'inferenceProfiles' | 'provisionedModels'>;

export interface RouteQuery {
  readonly modelId: string;
  readonly region: string;
  /** Long-term API keys exist only for IAM users. */
  readonly principalKind: PrincipalKind;
}

const INVOKE = 'bedrock:InvokeModel';
const STREAM = 'bedrock:InvokeModelWithResponseStream';

function check(
  action: string,
  resource: string,
  region: string,
  purpose: string,
  extra: Record<string, string> = {},
): RouteCheck {
  const context = { 'aws:requestedregion': region, ...extra };
  const key = `${action}|${resource}|${Object.entries(context).sort().join(';')}`;
  return { action, resource, context, purpose, key };
}

/** Why on-demand routes can't serve the model in this Region, per `foundation-models.json`. */
function onDemandGap(catalogue: Catalogue, modelId: string, region: string): string | undefined {
  const inRegion = catalogue.foundationModels.filter((m) => m.region === region);
  if (inRegion.length === 0) return undefined; // no catalogue for the Region: nothing to say
  const model = inRegion.find((m) => m.modelId === modelId);
  if (!model) return `not in the ${region} catalogue`;
  if (model.inferenceTypes.length > 0 && !model.inferenceTypes.includes('ON_DEMAND')) {
    return `${modelId} is not offered on demand in ${region}; call it through an inference profile`;
  }
  return undefined;
}

function profileRoutes(catalogue: Catalogue, q: RouteQuery): Route[] {
  const { partition } = catalogue.account;
  const routes: Route[] = [];
  for (const profile of catalogue.inferenceProfiles) {
    if (profile.region !== q.region) continue;
    const destinations = profile.modelArns.filter((arn) => modelIdOf(arn) === q.modelId);
    if (destinations.length === 0) continue;
    const global = profile.type === 'SYSTEM_DEFINED' && profile.id.startsWith('global.');
    const kind: RouteKind =
      profile.type === 'APPLICATION' ? 'application-profile' : global ? 'global-profile' : 'cross-region-profile';
    const modelArns = new Set(destinations);
    if (global) {
      // Global profiles are authorised on the source-Region model and the Region-less model ARN.
      modelArns.add(foundationModelArn(partition, q.region, q.modelId));
      modelArns.add(globalFoundationModelArn(partition, q.modelId));
    }
    for (const action of [INVOKE, STREAM]) {
      const stream = action === STREAM;
      const checks: RouteCheck[] = [
        check(action, profile.arn, q.region, 'the inference profile, in the source Region'),
        ...[...modelArns].map((arn) => {
          const region = regionOf(arn) || 'unspecified';
          const purpose =
            region === 'unspecified'
              ? 'the Region-less global model (aws:RequestedRegion is "unspecified")'
              : region === q.region
                ? 'the model in the source Region'
                : `the model in destination Region ${region}`;
          return check(action, arn, region, purpose, { 'bedrock:inferenceprofilearn': profile.arn });
        }),
        {
          ...check(
            'bedrock:GetInferenceProfile',
            profile.arn,
            q.region,
            'reading the profile, as consoles and SDK helpers do',
          ),
          advisory: true,
        },
      ];
      routes.push({
        id: `${kind}${stream ? '-stream' : ''}:${profile.id}`,
        kind,
        apis: stream ? 'InvokeModelWithResponseStream, ConverseStream' : 'InvokeModel, Converse',
        via: profile.arn,
        checks,
      });
    }
  }
  return routes;
}

/**
 * Provisioned throughput is bought for a model or one of its context-length
 * variants (`amazon.nova-lite-v1:0:300k`); a version suffix (`:1`) is another model.
 */
function servesModel(arn: string, modelId: string): boolean {
  const id = modelIdOf(arn);
  if (id === undefined || !id.startsWith(modelId)) return false;
  const rest = id.slice(modelId.length);
  return rest === '' || /^:(?!\d+$)[^:]+$/.test(rest);
}

function provisionedRoutes(catalogue: Catalogue, q: RouteQuery): Route[] {
  return catalogue.provisionedModels
    .filter((p) => p.region === q.region && servesModel(p.foundationModelArn ?? p.modelArn, q.modelId))
    .flatMap((p) =>
      [INVOKE, STREAM].map((action) => ({
        id: `provisioned${action === STREAM ? '-stream' : ''}:${p.name ?? p.arn}`,
        kind: 'provisioned' as const,
        apis: action === STREAM ? 'InvokeModelWithResponseStream, ConverseStream' : 'InvokeModel, Converse',
        via: p.arn,
        checks: [check(action, p.arn, q.region, 'the provisioned model')],
      })),
    );
}

/**
 * Every route by which a principal could use `modelId` in `region`, with the
 * IAM checks AWS makes on each (Bedrock user guide: inference profiles
 * prerequisites, geographic and global cross-Region inference, API keys;
 * Service Authorization Reference for bedrock and bedrock-mantle). Pure:
 * destinations come from the snapshot's inference profiles.
 */
export function bedrockRoutes(catalogue: Catalogue, q: RouteQuery): Route[] {
  const { partition, accountId } = catalogue.account;
  const model = foundationModelArn(partition, q.region, q.modelId);
  const gap = onDemandGap(catalogue, q.modelId, q.region);
  const onDemand = (route: Omit<Route, 'unavailable'>): Route => (gap ? { ...route, unavailable: gap } : route);
  const mantleProject = mantleProjectArn(partition, q.region, accountId);
  const bearer = (service: 'bedrock' | 'bedrock-mantle', type: 'SHORT_TERM' | 'LONG_TERM') =>
    check(`${service}:CallWithBearerToken`, '*', q.region, `using a ${type.toLowerCase().replace('_', '-')} API key`, {
      [`${service}:bearertokentype`]: type,
    });
  const mantle = check('bedrock-mantle:CreateInference', mantleProject, q.region, 'the bedrock-mantle project', {
    'bedrock-mantle:model': q.modelId,
  });

  const routes: Route[] = [
    onDemand({
      id: 'invoke',
      kind: 'invoke',
      apis: 'InvokeModel, Converse',
      checks: [check(INVOKE, model, q.region, 'the model')],
    }),
    onDemand({
      id: 'invoke-stream',
      kind: 'invoke-stream',
      apis: 'InvokeModelWithResponseStream, ConverseStream',
      checks: [check(STREAM, model, q.region, 'the model')],
    }),
    {
      id: 'batch',
      kind: 'batch',
      apis: 'CreateModelInvocationJob',
      checks: [
        check('bedrock:CreateModelInvocationJob', model, q.region, 'the model'),
        check(
          'bedrock:CreateModelInvocationJob',
          invocationJobArn(partition, q.region, accountId),
          q.region,
          'the new job',
        ),
      ],
    },
    onDemand({
      id: 'async',
      kind: 'async',
      apis: 'StartAsyncInvoke (authorised as bedrock:InvokeModel)',
      checks: [check(INVOKE, model, q.region, 'the model')],
    }),
    ...profileRoutes(catalogue, q),
    ...provisionedRoutes(catalogue, q),
    { id: 'mantle', kind: 'mantle', apis: 'bedrock-mantle chat completions', checks: [mantle] },
    onDemand({
      id: 'api-key',
      kind: 'api-key',
      apis: 'InvokeModel, Converse with a short-term API key',
      checks: [bearer('bedrock', 'SHORT_TERM'), check(INVOKE, model, q.region, 'the model')],
    }),
    {
      id: 'mantle-api-key',
      kind: 'mantle-api-key',
      apis: 'bedrock-mantle with an API key',
      checks: [bearer('bedrock-mantle', 'SHORT_TERM'), mantle],
    },
  ];
  if (q.principalKind === 'user') {
    routes.push(
      onDemand({
        id: 'api-key-long-term',
        kind: 'api-key-long-term',
        apis: 'InvokeModel, Converse with a long-term API key',
        checks: [bearer('bedrock', 'LONG_TERM'), check(INVOKE, model, q.region, 'the model')],
      }),
    );
  }
  return routes;
}
