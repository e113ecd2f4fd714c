import { modelIdOf as foundationModelIdOf, namedModelId, regionOf } from '../bedrock/arns.js';
import { bedrockRoutes, type Route } from '../bedrock/routes.js';
import { usedModelId } from '../budgets/usage.js';
import type { Touch } from '../events/touch.js';
import type { InferenceProfile, PrincipalKind, Snapshot } from '../snapshot/types.js';
import type { DenialMessage } from './denial-message.js';

/** A Bedrock request AWS refused, as CloudTrail recorded it. */
export interface DeniedRequest {
  /** The caller: a user or role ARN, or an assumed-role session ARN. */
  readonly principal: string;
  readonly eventName: string;
  /** The Region the request was made in (the profile's source Region). */
  readonly region: string;
  /** What the caller named: a model id or ARN, an inference profile id or ARN, a provisioned model ARN. */
  readonly model: string;
  /** Where a cross-Region profile sent it (`additionalEventData.inferenceRegion`). */
  readonly inferenceRegion?: string;
  readonly errorCode: string;
  readonly errorMessage?: string;
  /** ISO time of the event. */
  readonly time: string;
}

/** The denied request of an invoke event, or undefined when the event is not one (or names no model). */
export function deniedRequestOf(touch: Touch): DeniedRequest | undefined {
  const model = touch.models[0];
  if (touch.concern !== 'invoke' || !touch.error || !touch.actor || !model) return undefined;
  return {
    principal: touch.actor,
    eventName: touch.eventName,
    region: touch.region,
    model,
    ...(touch.inferenceRegion ? { inferenceRegion: touch.inferenceRegion } : {}),
    errorCode: touch.error.code,
    ...(touch.error.message ? { errorMessage: touch.error.message } : {}),
    time: touch.eventTime,
  };
}

export interface DeniedRoute {
  readonly modelId: string | undefined;
  readonly profile?: InferenceProfile;
  /** The route the request took; absent when the catalogue doesn't know what it named. */
  readonly route: Route | undefined;
}

/**
 * Which route the request took: the profile or provisioned model it named
 * (its streaming twin for streaming calls), batch for `CreateModelInvocationJob`,
 * else the direct invoke. Without the profile in the catalogue, the check
 * AWS's message names stands in for the route.
 */
export function deniedRoute(
  snapshot: Snapshot,
  request: DeniedRequest,
  kind: PrincipalKind,
  message: DenialMessage,
): DeniedRoute {
  const stream = /Stream$/.test(request.eventName);
  const profile = profileNamed(snapshot, request.model, request.region);
  const destination = profile?.modelArns.map(foundationModelIdOf).find((id) => id !== undefined);
  const modelId = destination ?? usedModelId(request.model, snapshot);
  // A profile the catalogue doesn't hold: its model's direct invoke is another route, with other checks.
  const unknownProfile = !profile && namesProfile(request.model);
  if (modelId !== undefined && !unknownProfile) {
    const routes = bedrockRoutes(snapshot, { modelId, region: request.region, principalKind: kind });
    const via = profile?.arn ?? (/:provisioned-model\//.test(request.model) ? request.model : undefined);
    const route = via
      ? routes.find((r) => r.via === via && r.id.includes('-stream:') === stream)
      : routes.find(
          (r) =>
            r.id === (request.eventName === 'CreateModelInvocationJob' ? 'batch' : stream ? 'invoke-stream' : 'invoke'),
        );
    if (route) return { modelId, ...(profile ? { profile } : {}), route };
  }
  const through = unknownProfile ? profileArnOf(snapshot, request) : undefined;
  return { modelId, ...(profile ? { profile } : {}), route: messageRoute(message, through) };
}

/** Whether the caller named an inference profile: its ARN, or a system profile's id (`us.…`, `global.…`). */
function namesProfile(named: string): boolean {
  if (named.startsWith('arn:')) return /:(?:application-)?inference-profile\//.test(named);
  return namedModelId(named) !== named;
}

/** The ARN of the profile the request named, in the Region it was called in. */
function profileArnOf(snapshot: Snapshot, request: DeniedRequest): string {
  if (request.model.startsWith('arn:')) return request.model;
  const { partition, accountId } = snapshot.account;
  return `arn:${partition}:bedrock:${request.region}:${accountId}:inference-profile/${request.model}`;
}

/** A profile by id or ARN in the Region it was called in (its ARN may carry the account or not). */
function profileNamed(snapshot: Snapshot, named: string, region: string): InferenceProfile | undefined {
  const id = /:(?:application-)?inference-profile\/(.+)$/.exec(named)?.[1] ?? named;
  return snapshot.inferenceProfiles.find((p) => p.region === region && (p.arn === named || p.id === id));
}

/**
 * The one check AWS's message names, as a route of its own. Through a
 * profile, a model check carries the profile's ARN, as AWS's does.
 */
function messageRoute(message: DenialMessage, profileArn: string | undefined): Route | undefined {
  if (!message.action || !message.resource) return undefined;
  const region = regionOf(message.resource) || 'unspecified';
  const through: Record<string, string> =
    profileArn && foundationModelIdOf(message.resource) !== undefined
      ? { 'bedrock:inferenceprofilearn': profileArn }
      : {};
  return {
    id: 'as-denied',
    kind: 'invoke',
    apis: message.action,
    checks: [
      {
        action: message.action,
        resource: message.resource,
        context: { 'aws:requestedregion': region, ...through },
        purpose: 'the resource AWS named',
        key: `${message.action}|${message.resource}`,
      },
    ],
  };
}
