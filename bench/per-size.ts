/**
 * Runs a bench once per size, each in a fresh child process, so that peak RSS
 * (`maxRSS`) belongs to that size alone. A bench file calls `serveSizes` at
 * its end (the child side) and `runSizes` from the runner (the parent side).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Parent: run `file` (the bundled bench, next to the runner) once per size and collect its JSON. */
export function runSizes<T>(file: URL, sizes: readonly number[]): T[] {
  const child = fileURLToPath(file);
  return sizes.map((n) => {
    const out = execFileSync(process.execPath, [child, '--child', String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out) as T;
  });
}

/** Child: when `file` is the process's entry and was given `--child N`, print `measure(N)` as JSON. */
export function serveSizes(file: string, measure: (size: number) => unknown): void {
  const at = process.argv.indexOf('--child');
  if (at > 0 && process.argv[1] === fileURLToPath(file)) {
    process.stdout.write(JSON.stringify(measure(Number(process.argv[at + 1]))));
  }
}
