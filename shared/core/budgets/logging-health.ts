import type { PublishedFinding } from '../events/findings-event.js';
import type { PolicyFile, Severity } from '../policy-file/types.js';

/** Bedrock model invocation logging in one Region, as `GetModelInvocationLoggingConfiguration` returns it. */
export interface InvocationLogging {
  readonly region: string;
  /** A configuration with a CloudWatch Logs or an S3 destination: Bedrock writes a record of each call there. */
  readonly enabled: boolean;
  readonly cloudWatch?: { readonly logGroupName: string };
  readonly s3?: { readonly bucketName: string; readonly keyPrefix?: string };
  /** Whether text prompts and completions are delivered too (`textDataDeliveryEnabled`), when configured. */
  readonly textDelivery?: boolean;
}

/**
 * Signs of life per Region, ISO 8601 in UTC: the latest invoke the guard saw
 * (a CloudTrail event), and the latest time an invocation log record reached
 * the meter. A Region with neither has no entry.
 */
export interface Heartbeats {
  readonly lastInvoke: Readonly<Record<string, string>>;
  readonly lastRecord: Readonly<Record<string, string>>;
}

export interface LoggingHealthInput {
  readonly policy: PolicyFile;
  /** The Regions whose configuration was read; an approved Region left out is not judged. */
  readonly logging: readonly InvocationLogging[];
  readonly heartbeats: Heartbeats;
  readonly now: Date;
}

const RULE = 'invocation-logging-disabled';

/**
 * How long invokes may go on with no record reaching the meter before that is
 * a fault: Bedrock delivers within minutes, and heartbeats are written at most
 * every few minutes per container.
 */
export const DELIVERY_GRACE_MS = 3_600_000;

/**
 * The `invocation-logging-disabled` findings of the approved Regions, in the
 * file's Region order: logging off (the budgets can't count usage there), or
 * on but not delivering — invokes were seen more than {@link DELIVERY_GRACE_MS}
 * after the last record that reached the meter, or no record ever did. A
 * Region with no invokes seen is never "not delivering". Account-level: no
 * `principal`. The severity is the rule's, else high when the file has
 * budgets (they go blind) and medium without.
 *
 * A lone invoke after more than an hour of quiet raises "not delivering" when
 * the check runs before its record arrives (minutes): only the latest invoke
 * is known, not the first one the meter missed.
 *
 * @example
 * loggingFindings({ policy, logging: [{ region: 'us-west-2', enabled: false }], heartbeats, now });
 * // → [{ rule: 'invocation-logging-disabled', region: 'us-west-2', route: 'invocation-logging:us-west-2',
 * //      message: 'Bedrock model invocation logging is off in us-west-2: …', … }]
 */
export function loggingFindings(input: LoggingHealthInput): PublishedFinding[] {
  const { policy, heartbeats, now } = input;
  const setting = policy.rules[RULE];
  if (setting.mode === 'off') return [];
  const severity: Severity = setting.severity ?? (policy.budgets.length > 0 ? 'high' : 'medium');
  const byRegion = new Map(input.logging.map((l) => [l.region, l]));
  const out: PublishedFinding[] = [];
  const finding = (region: string, route: string, message: string, remediation: string) =>
    out.push({ rule: RULE, severity, mode: 'alert', status: 'open', region, route, message, remediation });

  for (const region of new Set(policy.regions)) {
    const logging = byRegion.get(region);
    if (!logging) continue;
    if (!logging.enabled) {
      finding(
        region,
        `invocation-logging:${region}`,
        `Bedrock model invocation logging is off in ${region}: model calls there are not logged, and budgets can't count usage there`,
        `Turn it on in ${region} (PutModelInvocationLoggingConfiguration) with a CloudWatch Logs group or an S3 bucket ` +
          'as destination, and feed it to the meter: subscribe the meter to the log group, or deploy with the ' +
          'serverless params invocationLogGroup / invocationLogBucket.',
      );
      continue;
    }
    const stall = stalled(heartbeats, region);
    if (!stall) continue;
    const none = stall.lastRecord
      ? `no invocation log record has reached the meter since ${stall.lastRecord} (${age(now, stall.lastRecord)})`
      : 'no invocation log record has ever reached the meter';
    finding(
      region,
      `invocation-logging:${region}:delivery`,
      `Bedrock model invocation logging is on in ${region} (${destination(logging)}) but not delivering: ` +
        `${none} although invokes were seen at ${stall.lastInvoke}`,
      'Check that Bedrock can still write to the destination (the logging role and its trust policy for ' +
        'bedrock.amazonaws.com, the log group or the bucket and its policy), and that the meter still reads it: ' +
        "the log group's subscription filter to the meter, or the bucket's object-created rule.",
    );
  }
  return out;
}

/** The last invoke and record when invokes went on for longer than the grace period after the last record. */
function stalled(heartbeats: Heartbeats, region: string): { lastInvoke: string; lastRecord?: string } | undefined {
  const lastInvoke = heartbeats.lastInvoke[region];
  if (lastInvoke === undefined) return undefined;
  const lastRecord = heartbeats.lastRecord[region];
  if (lastRecord === undefined) return { lastInvoke };
  return Date.parse(lastInvoke) - Date.parse(lastRecord) > DELIVERY_GRACE_MS ? { lastInvoke, lastRecord } : undefined;
}

function destination(logging: InvocationLogging): string {
  const to: string[] = [];
  if (logging.cloudWatch) to.push(`CloudWatch Logs group ${logging.cloudWatch.logGroupName}`);
  if (logging.s3)
    to.push(`S3 bucket ${logging.s3.bucketName}${logging.s3.keyPrefix ? `/${logging.s3.keyPrefix}` : ''}`);
  return `to ${to.join(' and ')}`;
}

/** `45 min ago`, `3 h ago`: the age of an ISO time at `now`, rounded down. */
function age(now: Date, time: string): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(time)) / 60_000));
  return minutes < 120 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ago`;
}
