import { UsageError } from '../errors.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^(\d+)([mhd])$/;
const DATE = /^(\d{4}-\d{2}-\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?$/;

export const WHEN_HINT =
  'Use a duration back from now (30m, 24h, 7d), a date (2024-05-01, midnight UTC) or a date-time (2024-05-01T12:00Z; UTC unless it has an offset).';

/**
 * A point in time from the command line: a duration back from `now`, an ISO
 * date (midnight UTC) or an ISO date-time. A date-time without an offset is
 * UTC, like the times the ledger prints.
 */
export function parseWhen(text: string, flag: string, now: Date): Date {
  const bad = () => new UsageError(`${flag} "${text}" is not a duration, date or date-time`, { hint: WHEN_HINT });
  const duration = DURATION.exec(text);
  if (duration) {
    const unit = duration[2] as keyof typeof UNIT_MS;
    const time = new Date(now.getTime() - Number(duration[1]) * UNIT_MS[unit]);
    if (Number.isNaN(time.getTime())) throw bad();
    return time;
  }
  const match = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (!match) throw bad();
  const [, day, clock, zone] = match;
  const time = new Date(clock === undefined ? `${day}T00:00:00Z` : `${day}T${clock}${zone ?? 'Z'}`);
  // Date rolls 2024-02-30 over to March 1st: a day or clock that reads back differently does not exist.
  const local = zone && zone !== 'Z' ? new Date(time.getTime() + offsetMs(zone)) : time;
  if (Number.isNaN(time.getTime()) || !local.toISOString().startsWith(`${day}T${clock ?? ''}`)) throw bad();
  return time;
}

/** `+05:30` → the milliseconds that zone is ahead of UTC. */
function offsetMs(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number) as [number, number];
  return sign * (hours * 60 + minutes) * 60_000;
}
