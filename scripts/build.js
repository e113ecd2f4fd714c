// Bundles the CLI (dist/cli.js and its chunks) so `npx bedrock-guard` starts fast (no TypeScript at run time),
// and each Lambda handler in functions/ into one file, dist/functions/<name>.js, for `osls package`.
// With --bench, also bundles the benches (dependencies left as imports), so they measure shipped code.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const REQUIRE_BANNER = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

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

// One self-contained, minified file per handler: the AWS SDK is bundled (pinned by the lock file, not the
// runtime's copy), and `package.json` marks the folder as ESM for the Lambda runtime.
const handlers = readdirSync('functions').filter((f) => f.endsWith('.ts'));
mkdirSync('dist/functions', { recursive: true });
await build({
  entryPoints: handlers.map((f) => `functions/${f}`),
  outdir: 'dist/functions',
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  banner: { js: REQUIRE_BANNER },
});
writeFileSync('dist/functions/package.json', '{ "type": "module" }\n');
// Overwritten in place (a test may be loading a bundle meanwhile); only bundles of deleted handlers go.
const bundles = new Set(['package.json', ...handlers.map((f) => f.replace(/\.ts$/, '.js'))]);
for (const f of readdirSync('dist/functions')) if (!bundles.has(f)) rmSync(`dist/functions/${f}`);

if (process.argv.includes('--bench')) {
  await build({
    entryPoints: ['bench/run.ts', 'bench/matrix.ts', 'bench/plan.ts', 'bench/apply.ts', 'bench/service.ts'],
    outdir: 'dist/bench',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
}
