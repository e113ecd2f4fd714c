#!/usr/bin/env node
// The CLI is bundled by `npm ci` (the `prepare` script) into dist/cli.js.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('bedrock-guard: dist/cli.js is missing; run `npm run build` (npm ci does it for you).\n');
  process.exit(1);
}
await import(bundle.href);
