import { parseArn } from './arn.js';
import type { ContextValue, RequestContext } from './types.js';

/** Lower-case the keys of a plain record into a request context. */
export function contextFrom(record: Readonly<Record<string, ContextValue>>): Map<string, ContextValue> {
  const ctx = new Map<string, ContextValue>();
  for (const [k, v] of Object.entries(record)) ctx.set(k.toLowerCase(), v);
  return ctx;
}

/**
 * The keys AWS derives from the request itself: `aws:RequestedRegion` from the
 * resource ARN (`unspecified` for a Region-less ARN such as a global
 * cross-Region model), and the time of the request.
 */
export function requestContext(resource: string, now: Date): Map<string, ContextValue> {
  const ctx = new Map<string, ContextValue>([
    ['aws:currenttime', now.toISOString().replace(/\.\d{3}Z$/, 'Z')],
    ['aws:epochtime', String(Math.floor(now.getTime() / 1000))],
    ['aws:securetransport', 'true'],
    ['aws:viaawsservice', 'false'],
  ]);
  const arn = parseArn(resource);
  if (arn) ctx.set('aws:requestedregion', requestedRegion(arn.partition, arn.service, arn.region));
  return ctx;
}

/** IAM's global endpoints live in one Region per partition; other Region-less ARNs are `unspecified`. */
const IAM_HOME: Record<string, string> = { aws: 'us-east-1', 'aws-us-gov': 'us-gov-west-1', 'aws-cn': 'cn-north-1' };

function requestedRegion(partition: string, service: string, region: string): string {
  if (region !== '') return region;
  if (service === 'iam') return IAM_HOME[partition] ?? 'us-east-1';
  return 'unspecified';
}

/** Layer contexts: later ones override earlier ones key by key. */
export function mergeContexts(...layers: ReadonlyMap<string, ContextValue>[]): Map<string, ContextValue> {
  const out = new Map<string, ContextValue>();
  for (const layer of layers) for (const [k, v] of layer) out.set(k, v);
  return out;
}

/** `top` over `base` without copying either: for hot loops that reuse both many times. */
export function overlay(base: RequestContext, top: RequestContext): RequestContext {
  return { get: (key) => top.get(key) ?? base.get(key) };
}
