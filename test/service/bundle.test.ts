import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRE_BANNER } from '../../scripts/function-build-options.js';
import { type LiveAws, seedAccount, startLiveAws } from '../aws/live-env.js';
import { createServiceAws, type ServiceAws } from './service-env.js';

/**
 * The Lambda bundles as scripts/build.js writes them (the global setup has just built them): one folder per
 * function, `index.js` and its chunks. A cold start loads `index.js` and the chunks it imports statically; the
 * SSM client is in a lazy chunk, loaded only for a policy file kept in Parameter Store (`ssm:/…`).
 */
const FUNCTIONS_DIR = 'dist/functions';
const NAMES = readdirSync('functions')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
/** Strings only the SSM client's code has: its service's wire name and its command's name. */
const SSM_CLIENT = /AmazonSSM|"GetParameterCommand"/;

interface Bundle {
  readonly dir: string;
  readonly files: readonly string[];
  /** What a cold start loads: index.js and every chunk it imports statically, transitively. */
  readonly statics: ReadonlySet<string>;
  /** Chunks reached only through `import()`: loaded when that code runs, if ever. */
  readonly lazy: ReadonlySet<string>;
}

/** The chunks a bundle file imports: esbuild's `import … from "./chunk-X.js"` and `import("./chunk-X.js")`. */
function chunkImports(file: string): { statics: string[]; lazy: string[] } {
  const statics: string[] = [];
  const lazy: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(
    /(import\s*\(\s*|from\s*|import\s*)["']\.\/(chunk-\w+\.js)["']/g,
  )) {
    (m[1]?.includes('(') ? lazy : statics).push(m[2] as string);
  }
  return { statics, lazy };
}

function bundleOf(name: string): Bundle {
  const dir = join(FUNCTIONS_DIR, name);
  const closure = (withLazy: boolean) => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const { statics, lazy } = chunkImports(join(dir, file));
      for (const f of withLazy ? [...statics, ...lazy] : statics) visit(f);
    };
    visit('index.js');
    return seen;
  };
  const statics = closure(false);
  return {
    dir,
    files: readdirSync(dir),
    statics,
    lazy: new Set([...closure(true)].filter((f) => !statics.has(f))),
  };
}

/** Node's module loader, hooked to write down every file it loads (one URL a line). */
const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(log, url + '\\n');
  return nextLoad(url, context);
}
`;

/** Imports a bundle in a fresh process and runs its handler on one event, as the Lambda runtime would. */
const RUN = `
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
const [hooks, log, bundle, event, name] = process.argv.slice(2);
register(hooks, { data: { log } });
const { handler } = await import(bundle);
const context = {
  functionName: name, functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'req-bundle-test',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + name,
  logGroupName: '/aws/lambda/' + name, logStreamName: 'test', callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 60000,
};
process.stdout.write(JSON.stringify(await handler(JSON.parse(readFileSync(event, 'utf8')), context)));
`;

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-bundle-'));
  writeFileSync(join(scratch, 'hooks.mjs'), HOOKS);
  writeFileSync(join(scratch, 'run.mjs'), RUN);
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * The handler's result, and which files of its bundle folder the process loaded. Asynchronous: the AWS stand-ins
 * (the fault proxy in front of moto, the Bedrock catalogue) answer from this process.
 */
async function runBundle(name: string, event: string, env: NodeJS.ProcessEnv) {
  const log = join(scratch, `${name}-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const child = spawn(
    process.execPath,
    [
      join(scratch, 'run.mjs'),
      pathToFileURL(join(scratch, 'hooks.mjs')).href,
      log,
      pathToFileURL(resolve(FUNCTIONS_DIR, name, 'index.js')).href,
      event,
      name,
    ],
    { env, timeout: 60_000 },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', done);
  });
  const prefix = `${pathToFileURL(resolve(FUNCTIONS_DIR, name)).href}/`;
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith(prefix))
    .map((url) => url.slice(prefix.length));
  return { status, stdout, stderr, loaded: new Set(loaded) };
}

describe('Lambda bundles (dist/functions/<name>/)', () => {
  it('has a folder per handler, with index.js and only the chunks it reaches', () => {
    expect(readdirSync(FUNCTIONS_DIR).sort()).toEqual([...NAMES, 'package.json'].sort());
    for (const name of NAMES) {
      const { files, statics, lazy } = bundleOf(name);
      expect(files, name).toContain('index.js');
      // Every chunk imported exists, and nothing else is there (no chunk of an older build).
      expect([...statics, ...lazy].sort(), name).toEqual([...files].sort());
    }
  });

  it('starts every file with the createRequire banner (bundled CommonJS calls require, chunks too)', () => {
    for (const name of NAMES) {
      const { dir, files } = bundleOf(name);
      for (const f of files)
        expect(readFileSync(join(dir, f), 'utf8').startsWith(REQUIRE_BANNER), `${name}/${f}`).toBe(true);
    }
  });

  it('leaves the SSM client out of what a cold start loads: it is in a lazy chunk', () => {
    // The notifier reads its Slack webhook from Parameter Store on every cold start: there it is static.
    for (const name of NAMES.filter((n) => n !== 'notify')) {
      const { dir, statics, lazy } = bundleOf(name);
      const withSsm = (files: Iterable<string>) =>
        [...files].filter((f) => SSM_CLIENT.test(readFileSync(join(dir, f), 'utf8')));
      expect(withSsm(statics), name).toEqual([]);
      expect(withSsm(lazy).length, name).toBeGreaterThan(0);
    }
  });

  it('imports and runs a handler offline from its bundle, loading no lazy chunk', async () => {
    const run = await runBundle('on-iam-change', 'events/iam-change/AttachRolePolicy.json', {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      BEDROCK_GUARD_SNAPSHOT: 'examples/demo/snapshot',
      BEDROCK_GUARD_POLICY: resolve('examples/demo/bedrock-guard.yaml'),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      dryRun: true,
      scope: 1,
      trigger: { eventName: 'AttachRolePolicy' },
    });
    const { statics, lazy } = bundleOf('on-iam-change');
    expect([...run.loaded].sort()).toEqual([...statics].sort());
    expect([...lazy].filter((f) => run.loaded.has(f))).toEqual([]);
  }, 60_000);
});

describe('Lambda bundle with the policy file in SSM Parameter Store (moto)', () => {
  let aws: LiveAws;
  let svc: ServiceAws;
  beforeAll(async () => {
    aws = await startLiveAws();
    await seedAccount(aws, 'examples/demo/snapshot');
    svc = await createServiceAws({ prefix: 'bg-bundle', policy: 'ssm:/bedrock-guard/policy' });
    const ssm = new SSMClient({});
    await ssm.send(
      new PutParameterCommand({
        Name: '/bedrock-guard/policy',
        Type: 'String',
        Value: readFileSync('examples/demo/bedrock-guard.yaml', 'utf8'),
      }),
    );
    ssm.destroy();
  }, 90_000);
  afterAll(async () => {
    await aws?.stop();
  });

  it('loads the lazy SSM chunk to read it, and reconciles with it', async () => {
    const run = await runBundle('reconcile', 'events/manual/reconcile-dry-run.json', {
      ...process.env,
      ...svc.env,
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.stdout) as { actions: Array<{ policyName: string; result: string }> };
    expect(result.actions.map((a) => `${a.result} ${a.policyName}`).sort()).toEqual([
      'planned bedrock-guard-deny-role-ContractorRole',
      'planned bedrock-guard-deny-role-DataScience',
      'planned bedrock-guard-deny-user-bob',
    ]);
    const { dir, lazy } = bundleOf('reconcile');
    const ssmChunks = [...lazy].filter((f) => SSM_CLIENT.test(readFileSync(join(dir, f), 'utf8')));
    for (const f of ssmChunks) expect(run.loaded.has(f), f).toBe(true);
  }, 60_000);
});
