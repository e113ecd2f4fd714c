/** Small timing helpers for the benches: `process.hrtime.bigint()`, warm-up runs, medians. */

export interface Timing {
  /** Every measured run, in milliseconds. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function summarise(runsMs: number[]): Timing {
  return { runsMs, medianMs: median(runsMs), minMs: Math.min(...runsMs) };
}

/** Time `fn` `runs` times after `warmup` unmeasured runs. */
export function timeSync(fn: () => void, runs: number, warmup = 1): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarise(out);
}

export async function timeAsync(fn: () => Promise<void>, runs: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarise(out);
}

/** Decisions per second for `count` decisions in `ms`. */
export const rate = (count: number, ms: number): number => (count * 1000) / ms;

export const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Median, least and most of some times, to 0.1 ms. */
export const spread = (ms: readonly number[]) => ({
  median: round1(median(ms)),
  min: round1(Math.min(...ms)),
  max: round1(Math.max(...ms)),
});

export const fmtRate = (perSecond: number): string =>
  perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)} M/s`
    : perSecond >= 1e3
      ? `${(perSecond / 1e3).toFixed(1)} k/s`
      : `${perSecond.toFixed(0)} /s`;

export const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** The shape every bench returns to `run.ts`: lines for the report and numbers for results.json. */
export interface BenchReport {
  readonly name: string;
  readonly lines: readonly string[];
  readonly metrics: Readonly<Record<string, unknown>>;
}
