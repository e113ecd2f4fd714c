import type { Heartbeats } from '../core/budgets/logging-health.js';

/** An invoke the guard saw (a CloudTrail event), or an invocation log record that reached the meter. */
export const HEARTBEAT_KINDS = ['invoke', 'record'] as const;
export type HeartbeatKind = (typeof HEARTBEAT_KINDS)[number];

/**
 * The latest time of each kind of heartbeat per Region, shared by every
 * Lambda container: what tells invocation logging that is on but not
 * delivering from a Region nobody uses.
 */
export interface HeartbeatStore {
  /**
   * Records `time` (ISO 8601) as the latest of its kind in `region`, unless a
   * later one is recorded already. An implementation may skip beats that come
   * soon after its last write of the same heartbeat.
   *
   * @throws RangeError for a time that is not a date.
   */
  beat(kind: HeartbeatKind, region: string, time: string): Promise<void>;
  /** The latest times in `regions`; a Region without a heartbeat of a kind has no entry for it. */
  read(regions: readonly string[]): Promise<Heartbeats>;
}

/**
 * `time` as `toISOString` writes it (UTC, milliseconds), so that times from
 * CloudTrail (`…:00Z`) and log records (`….123Z`) compare as text.
 *
 * @throws RangeError for a time that is not a date.
 */
export function heartbeatTime(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`heartbeat time is not a date: ${JSON.stringify(time)}`);
  return new Date(ms).toISOString();
}

const FIELD = { invoke: 'lastInvoke', record: 'lastRecord' } as const satisfies Record<HeartbeatKind, keyof Heartbeats>;

/** The Heartbeats of `regions`, each time looked up by kind and Region; a missing one is left out. */
export function heartbeatsOf(
  regions: readonly string[],
  time: (kind: HeartbeatKind, region: string) => string | undefined,
): Heartbeats {
  const out = { lastInvoke: {} as Record<string, string>, lastRecord: {} as Record<string, string> };
  for (const region of regions) {
    for (const kind of HEARTBEAT_KINDS) {
      const t = time(kind, region);
      if (t !== undefined) out[FIELD[kind]][region] = t;
    }
  }
  return out;
}

/** The same, per process: offline runs and tests. Every beat is kept (no throttle). */
export class MemoryHeartbeats implements HeartbeatStore {
  private readonly times = new Map<string, string>();

  async beat(kind: HeartbeatKind, region: string, time: string): Promise<void> {
    const t = heartbeatTime(time);
    const id = `${kind}#${region}`;
    const current = this.times.get(id);
    if (current === undefined || current < t) this.times.set(id, t);
  }

  async read(regions: readonly string[]): Promise<Heartbeats> {
    return heartbeatsOf(regions, (kind, region) => this.times.get(`${kind}#${region}`));
  }
}
