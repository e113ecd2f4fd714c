import { parseArn } from './arn.js';
import type { ContextValue, RequestContext } from './types.js';

const lowerKeys = new Map<string, string>();

/** Key names repeat across requests: lower-case each distinct one once. */
function lowerKey(key: string): string {
  let lower = lowerKeys.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (lowerKeys.size < 10_000) lowerKeys.set(key, lower);
  }
  return lower;
}

/** Lower-case the keys of a plain record into a request context. */
export function contextFrom(record: Readonly<Record<string, ContextValue>>): Map<string, ContextValue> {
  const ctx = new Map<string, ContextValue>();
  for (const key in record) ctx.set(lowerKey(key), record[key] as ContextValue);
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

/**
 * Several contexts seen as one, later layers winning key by key, without
 * copying: principal facts, request-derived keys and overrides are each
 * built once and shared by many requests.
 */
export class LayeredContext implements RequestContext {
  constructor(private readonly layers: readonly ReadonlyMap<string, ContextValue>[]) {}

  get(key: string): ContextValue | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const value = (this.layers[i] as ReadonlyMap<string, ContextValue>).get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** The effective context as one Map (for display and tests). */
  toMap(): Map<string, ContextValue> {
    const out = new Map<string, ContextValue>();
    for (const layer of this.layers) for (const [k, v] of layer) out.set(k, v);
    return out;
  }
}
