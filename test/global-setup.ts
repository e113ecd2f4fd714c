import { execFileSync } from 'node:child_process';

/** The CLI tests run the bundled `bin/bedrock-guard.js`, so build it once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit' });
}
