/**
 * `npm run bench`: runs every bench in order, prints a report and writes
 * `bench/out/results.json` (bench/out/ is git-ignored).
 *
 * A bench is a module exporting `run(): Promise<BenchReport>` (see timing.ts);
 * `bench/matrix.ts` (its own shape: `runMatrixBench` + `formatMatrix`) runs
 * when present and is skipped otherwise.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from './timing.js';

type BenchModule = Record<string, unknown>;

/** How to get a report out of each bench module. */
const BENCHES: readonly {
  name: string;
  file: string;
  optional: boolean;
  report: (mod: BenchModule) => Promise<BenchReport>;
}[] = [
  {
    name: 'evaluator',
    file: './evaluator.ts',
    optional: false,
    report: (mod) => (mod.run as () => Promise<BenchReport>)(),
  },
  {
    name: 'matrix',
    file: './matrix.ts',
    optional: true,
    async report(mod) {
      if (typeof mod.run === 'function') return (mod.run as () => Promise<BenchReport>)();
      const results = (mod.runMatrixBench as () => unknown[])();
      const text = (mod.formatMatrix as (r: unknown[]) => string)(results);
      return { name: 'matrix', lines: text.split('\n').map((l) => l.trimStart()), metrics: { sizes: results } };
    },
  },
];

const results: Record<string, unknown> = {};
const started = new Date();
process.stdout.write(
  `bedrock-guard bench — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${started.toISOString()}\n`,
);

for (const bench of BENCHES) {
  const url = new URL(bench.file, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    if (!bench.optional) throw new Error(`bench ${bench.name}: ${bench.file} is missing`);
    process.stdout.write(`\n## ${bench.name}: skipped (${bench.file} not present)\n`);
    continue;
  }
  const mod = (await import(url.href)) as BenchModule;
  process.stdout.write(`\n## ${bench.name}\n`);
  const t0 = process.hrtime.bigint();
  const report = await bench.report(mod);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const line of report.lines) process.stdout.write(`  ${line}\n`);
  process.stdout.write(`  (bench took ${(ms / 1000).toFixed(1)} s)\n`);
  results[report.name] = report.metrics;
}

const outDir = new URL('./out/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const file = new URL('results.json', outDir);
writeFileSync(
  file,
  `${JSON.stringify({ started: started.toISOString(), node: process.version, cpu: cpus()[0]?.model, results }, null, 2)}\n`,
);
process.stdout.write(`\nwrote ${fileURLToPath(file)}\n`);
