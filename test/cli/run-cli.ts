import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../shared/cli/main.js';

/** Runs the bundled CLI as a user would (`bin/bedrock-guard.js`), built by the global setup. */
export function runCli(args: string[], input?: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, ['bin/bedrock-guard.js', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    input,
    env: { ...process.env, NO_COLOR: '1', ...env },
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

/** An environment where the AWS SDK finds no credentials, quickly (no instance-metadata probe). */
export const NO_AWS = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: 'bedrock-guard-test-no-such-profile',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Runs `bedrock-guard …` in this process (sharing its environment, e.g. an emulator's endpoint), capturing output. */
export async function runMain(
  args: string[],
  options: { terminalInput?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const chunks = { stdout: '', stderr: '' };
  const sink = (name: keyof typeof chunks) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks[name] += chunk.toString();
        done();
      },
    });
  // `terminalInput`: what a person types at a terminal (stdin marked as a TTY).
  const stdin =
    options.terminalInput === undefined
      ? {}
      : { stdin: Object.assign(Readable.from([options.terminalInput]), { isTTY: true }) };
  const code = await main(args, { stdout: sink('stdout'), stderr: sink('stderr'), ...stdin });
  return { code, ...chunks };
}
