/**
 * Full access matrix for synthetic accounts: principals × 100 models × 4
 * Regions × every route. Each size runs in its own process so that peak RSS
 * (`maxRSS`) belongs to that size alone.
 *
 * `npm run bench` runs it with the rest.
 */
import { accessMatrix } from '../shared/core/access/matrix.js';
import { buildSnapshot } from '../shared/core/snapshot/build.js';
import { syntheticAccount } from '../test/support/synthetic-account.js';
import { runSizes, serveSizes } from './per-size.js';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1'];
const MODELS = 100;
export const MATRIX_SIZES = [1_000, 10_000, 50_000];

export interface MatrixResult {
  readonly principals: number;
  readonly distinctPolicySets: number;
  readonly cells: number;
  readonly routeDecisions: number;
  readonly loadMs: number;
  readonly matrixMs: number;
  readonly totalMs: number;
  readonly peakRssMiB: number;
}

/** One size, in this process. */
function measure(principals: number): MatrixResult {
  const files = syntheticAccount({ principals, models: MODELS, regions: REGIONS, seed: 42 });
  const t0 = process.hrtime.bigint();
  const snapshot = buildSnapshot(files);
  const t1 = process.hrtime.bigint();
  const models = [...new Set(snapshot.foundationModels.map((m) => m.modelId))].slice(0, MODELS);
  const groups = accessMatrix(snapshot, { models, regions: REGIONS, now: new Date('2026-11-22T00:00:00Z') });
  const t2 = process.hrtime.bigint();
  let routeDecisions = 0;
  for (const g of groups)
    for (const cell of g.cells.values()) routeDecisions += cell.routes.length * g.principals.length;
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
  return {
    principals: snapshot.principals.length,
    distinctPolicySets: groups.length,
    cells: snapshot.principals.length * models.length * REGIONS.length,
    routeDecisions,
    loadMs: Math.round(ms(t0, t1)),
    matrixMs: Math.round(ms(t1, t2)),
    totalMs: Math.round(ms(t0, t2)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Every size, each in a fresh child process (this file, bundled next to the runner). */
export function runMatrixBench(sizes = MATRIX_SIZES): MatrixResult[] {
  return runSizes<MatrixResult>(new URL('./matrix.js', import.meta.url), sizes);
}

export function formatMatrix(results: readonly MatrixResult[]): string {
  const rows = results.map(
    (r) =>
      `  ${String(r.principals).padStart(6)} principals  ${String(r.distinctPolicySets).padStart(4)} policy sets  ` +
      `${(r.routeDecisions / 1e6).toFixed(1).padStart(6)} M route decisions  load ${String(r.loadMs).padStart(5)} ms  ` +
      `matrix ${String(r.matrixMs).padStart(6)} ms  total ${String(r.totalMs).padStart(6)} ms  peak RSS ${r.peakRssMiB} MiB`,
  );
  return [`access matrix (${MODELS} models × ${REGIONS.length} Regions × all routes)`, ...rows].join('\n');
}

serveSizes(import.meta.url, measure);
