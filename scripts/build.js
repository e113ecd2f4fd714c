// Bundles the CLI into one ESM file so `npx bedrock-guard` starts fast (no TypeScript at run time).
// With --bench, also bundles the benches (dependencies left as imports), so they measure shipped code.
import { build } from 'esbuild';

await build({
  entryPoints: ['bin/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

if (process.argv.includes('--bench')) {
  await build({
    entryPoints: ['bench/run.ts', 'bench/matrix.ts', 'bench/plan.ts'],
    outdir: 'dist/bench',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
}
