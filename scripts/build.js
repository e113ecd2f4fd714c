// Bundles the CLI (dist/cli.js and its chunks) so `npx bedrock-guard` starts fast (no TypeScript at run time),
// and each Lambda handler in functions/ into a folder of its own, dist/functions/<name>/ (index.js and its
// chunks), for `osls package`. With --bench, also bundles the benches (dependencies left as imports), so they
// measure shipped code.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS_OUT, REQUIRE_BANNER, functionBuildOptions, functionOutputs } from './function-build-options.js';

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
  banner: { js: REQUIRE_BANNER },
});

// One folder per handler (scripts/function-build-options.js): each built on its own, so a chunk holds only code of
// that handler, and `package.json` marks them all as ESM for the Lambda runtime.
const handlers = readdirSync('functions')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
mkdirSync(FUNCTIONS_OUT, { recursive: true });
writeFileSync(join(FUNCTIONS_OUT, 'package.json'), '{ "type": "module" }\n');
const results = await Promise.all(handlers.map((name) => build({ ...functionBuildOptions(name), metafile: true })));
// Overwritten in place (a test may be loading a bundle meanwhile): only what no load can reach goes, namely chunks
// of an older build, chunks esbuild wrote for code it dropped (functionOutputs), the folders of deleted handlers,
// and anything else (the old one-file bundles).
for (const [i, name] of handlers.entries()) {
  const { statics, lazy } = functionOutputs(results[i].metafile, name);
  const used = new Set([...statics, ...lazy].map((path) => basename(path)));
  const dir = join(FUNCTIONS_OUT, name);
  for (const f of readdirSync(dir)) if (!used.has(f)) rmSync(join(dir, f), { recursive: true, force: true });
}
const kept = new Set(['package.json', ...handlers]);
for (const f of readdirSync(FUNCTIONS_OUT)) {
  if (!kept.has(f)) rmSync(join(FUNCTIONS_OUT, f), { recursive: true, force: true });
}

if (process.argv.includes('--bench')) {
  await build({
    entryPoints: [
      'bench/run.ts',
      'bench/matrix.ts',
      'bench/plan.ts',
      'bench/apply.ts',
      'bench/service.ts',
      'bench/meter.ts',
    ],
    outdir: 'dist/bench',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
}
