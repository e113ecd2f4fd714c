/**
 * `npm run bench`: runs every bench in order, prints a report and writes
 * `bench/out/results.json` (git-ignored). `scripts/build.js --bench` bundles
 * this file, `matrix.ts`, `plan.ts`, `apply.ts`, `service.ts` and `meter.ts` with esbuild first, so the figures are
 * those of bundled code, as the CLI and the Lambda handlers ship. The apply and meter benches need the moto server
 * (`pip install "moto[server]"`), as the live tests do; so does the service bench, which also
 * reads the Lambda bundles `scripts/build.js` writes to dist/functions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { formatApply, runApplyBench } from './apply.js';
import { run as runEvaluator } from './evaluator.js';
import { formatMatrix, runMatrixBench } from './matrix.js';
import { formatMeter, runMeterBench } from './meter.js';
import { formatPlan, runPlanBench } from './plan.js';
import { formatService, runServiceBench } from './service.js';
import type { BenchReport } from './timing.js';

const BENCHES: readonly (() => Promise<BenchReport>)[] = [
  runEvaluator,
  async () => {
    const sizes = runMatrixBench();
    return { name: 'matrix', lines: formatMatrix(sizes).split('\n'), metrics: { sizes } };
  },
  async () => {
    const sizes = runPlanBench();
    return { name: 'plan', lines: formatPlan(sizes).split('\n'), metrics: { sizes } };
  },
  async () => {
    const result = runApplyBench();
    return { name: 'apply', lines: formatApply(result).split('\n'), metrics: { ...result } };
  },
  async () => {
    const result = runServiceBench();
    return { name: 'service', lines: formatService(result).split('\n'), metrics: { ...result } };
  },
  async () => {
    const result = runMeterBench();
    return { name: 'meter', lines: formatMeter(result).split('\n'), metrics: { ...result } };
  },
];

const results: Record<string, unknown> = {};
const started = new Date();
process.stdout.write(
  `bedrock-guard bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${started.toISOString()}\n`,
);
for (const bench of BENCHES) {
  const t0 = process.hrtime.bigint();
  const report = await bench();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(`\n## ${report.name}\n`);
  for (const line of report.lines) process.stdout.write(`  ${line}\n`);
  process.stdout.write(`  (bench took ${(ms / 1000).toFixed(1)} s)\n`);
  results[report.name] = report.metrics;
}

mkdirSync('bench/out', { recursive: true });
writeFileSync(
  'bench/out/results.json',
  `${JSON.stringify({ started: started.toISOString(), node: process.version, cpu: cpus()[0]?.model, results }, null, 2)}\n`,
);
process.stdout.write('\nwrote bench/out/results.json\n');
