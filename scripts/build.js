// Bundles the CLI (dist/cli.js and its chunks) so `npx bedrock-guard` starts fast (no TypeScript at run time).
// With --bench, also bundles the benches (dependencies left as imports), so they measure shipped code.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: clear the old ones so the folder holds one build.
rmSync('dist/chunks', { recursive: true, force: true });

// Split into chunks so that a command loads only its own code: `explain` starts without the policy-file parser.
await build({
  entryPoints: { cli: 'bin/cli.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
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
    entryPoints: ['bench/run.ts', 'bench/matrix.ts', 'bench/plan.ts', 'bench/apply.ts'],
    outdir: 'dist/bench',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
}
