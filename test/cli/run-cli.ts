import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the bundled CLI as a user would (`bin/bedrock-guard.js`), built by the global setup. */
export function runCli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['bin/bedrock-guard.js', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    input,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch folder with the given files (objects are written as JSON). */
export function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bedrock-guard-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}
