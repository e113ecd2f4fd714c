// Bundles the CLI into one ESM file so `npx bedrock-guard` starts fast (no TypeScript at run time).
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
