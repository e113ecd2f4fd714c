import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every source file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);

describe('module boundaries', () => {
  it('keeps the AGPL oracle (@cloud-copilot/iam-simulate) out of shipped code and the bundle', () => {
    const shipped = ['shared', 'bin', 'functions'].flatMap((d) => {
      try {
        return sources(d);
      } catch {
        return [];
      }
    });
    expect(shipped.length).toBeGreaterThan(30);
    for (const file of shipped) {
      expect(
        importsOf(file).filter((i) => i.startsWith('@cloud-copilot/')),
        file,
      ).toEqual([]);
    }
    // The global setup has just built the CLI bundle: the entry and every chunk it loads.
    const bundle = ['dist/cli.js', ...readdirSync('dist/chunks').map((f) => `dist/chunks/${f}`)].filter((f) =>
      f.endsWith('.js'),
    );
    expect(bundle.length).toBeGreaterThan(1);
    for (const file of bundle) expect(readFileSync(file, 'utf8'), file).not.toContain('cloud-copilot');
  });

  it('keeps the core pure: no AWS SDK, no file system, no network in shared/core', () => {
    for (const file of sources('shared/core')) {
      const forbidden = importsOf(file).filter((i) => /^(@aws-sdk\/|node:|fs$|http|net$)/.test(i));
      expect(forbidden, file).toEqual([]);
    }
  });

  it('keeps the AWS SDK in the adapters (shared/aws) only', () => {
    for (const file of [...sources('shared'), ...sources('bin')]) {
      if (file.startsWith(join('shared', 'aws'))) continue;
      const sdk = importsOf(file).filter((i) => i.startsWith('@aws-sdk/') && !i.startsWith('@aws-sdk/types'));
      expect(sdk, file).toEqual([]);
    }
  });

  it('writes to IAM from one module only, the guard-owned deny writer', () => {
    const writes =
      /\b(Create|Put|Attach|Detach|Delete|Update|Tag|Untag|Set|Add|Remove)\w*(Policy|Role|User|Group|PolicyVersion|Boundary)\w*Command\b/;
    for (const file of sources('shared')) {
      if (file === join('shared', 'aws', 'iam-writer.ts')) continue;
      const text = readFileSync(file, 'utf8');
      if (!text.includes('@aws-sdk/client-iam')) continue;
      expect(writes.exec(text)?.[0], file).toBeUndefined();
    }
  });
});
