/**
 * The event service's speed (issue 5 §6), in three parts:
 *
 * 1. Bundle size of each Lambda function (`dist/functions/<name>/`, as `scripts/build.js` writes them): what a
 *    cold start loads (`index.js` and every chunk it imports statically, transitively), raw and gzipped; the
 *    lazy chunks apart (the SSM client, loaded only with an `ssm:` policy file, and the SDK's other lazy
 *    imports); and what the largest is made of (esbuild's metafile, built with the same options).
 * 2. Module init: a fresh `node` process per run imports the function's `index.js` (the module's top level:
 *    config from the environment, Powertools, middy chain) in a Lambda-like environment; median of 7 runs.
 * 3. Per-event latency and AWS calls against the moto server: the demo account seeded into a member account
 *    (as test/service/handlers.test.ts does), the handlers in their real middy + Powertools chains, each
 *    "container" a handler made by `eventHandler(name, { env, aws })` with its own `AwsClients`, whose call
 *    counter is read before and after each event. Modules are loaded once for the whole process, so a cold
 *    start here is the first event's work (a full capture); part 2 is the rest of a real cold start. The
 *    Bedrock catalogue comes from the loopback stand-in, in one page per list (moto has no Bedrock).
 *
 * Targets: bundle (what a cold start loads) ≤ 1.5 MiB (1.5 × 1024 × 1024 = 1,572,864 bytes), init ≤ 250 ms, ≤ 6 AWS calls per warm
 * IAM event that writes nothing.
 *
 * It runs in its own process (like the apply bench): the AWS_* environment it sets and the RSS stay there.
 * By hand, after `node scripts/build.js --bench`: `node dist/bench/service.js`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  CreatePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  RemoveUserFromGroupCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { build, type Metafile } from 'esbuild';
import { FUNCTIONS_OUT, functionBuildOptions, functionOutputs } from '../scripts/function-build-options.js';
import { AwsClients } from '../shared/aws/clients.js';
import type { RunResult } from '../shared/service/guard-service.js';
import { eventHandler, reconcileHandler } from '../shared/service/lambda.js';
import { type LiveAws, seedAccount, startLiveAws } from '../test/aws/live-env.js';
import { catalogueFromSnapshot, startBedrockServer } from '../test/support/bedrock-server.js';
import { assumedRole, createServiceAws, lambdaContext, sampleEvent } from '../test/service/service-env.js';
import { median, round1, spread } from './timing.js';
import { BenchServers, roundTrip } from './servers.js';

export const TARGETS = {
  /** 1.5 MiB: 1.5 × 1024 × 1024 bytes. */
  bundleBytes: 1.5 * 1024 * 1024,
  initMs: 250,
  /** AWS calls per warm IAM event that writes nothing. */
  warmIamCalls: 6,
} as const;

const FUNCTIONS_DIR = FUNCTIONS_OUT;
const INIT_RUNS = 7;
const DEMO = 'examples/demo';
const FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly';

// ---- 1. bundle size -----------------------------------------------------------------------------

export interface BundleSize {
  readonly name: string;
  /** What a cold start loads: `index.js` and the chunks it imports statically (transitively). */
  readonly bytes: number;
  /** Those files gzipped (-9) one by one, summed: about what they weigh in the zip. */
  readonly gzipBytes: number;
  readonly files: number;
  /** Lazy chunks loaded only with an `ssm:` policy file (the SSM client and the code that calls it). */
  readonly ssmBytes: number;
  /** The other lazy chunks: the SDK's own `import()`s (credential providers Lambda never uses, event streams). */
  readonly otherLazyBytes: number;
  /** Every file of the folder, as packaged. */
  readonly folderBytes: number;
}

export interface Contributor {
  readonly name: string;
  readonly bytes: number;
}

export interface InitReport {
  readonly functions: readonly InitTime[];
  /** The 1-minute load average before and after (Linux, macOS): how busy the machine was. */
  readonly loadAverage: readonly [number, number];
  readonly cpus: number;
}

export interface BundleReport {
  readonly bundles: readonly BundleSize[];
  /** The function whose bundle is broken down (the largest): what its cold start loads. */
  readonly analysed: string;
  readonly analysedBytes: number;
  readonly contributors: readonly Contributor[];
  /** Bytes of @aws-sdk/*, @smithy/* and @aws-crypto/* in what that cold start loads. */
  readonly awsSdkBytes: number;
  readonly packages: number;
}

/** Who an input file belongs to: its npm package, or the folder of our own code. */
function ownerOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) {
    const parts = path.split('/');
    return `${parts.slice(0, Math.min(2, parts.length - 1)).join('/')} (own code)`;
  }
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
}

/** A function's bundle folder, as copied: file name → contents. */
type BundleFiles = ReadonlyMap<string, Buffer>;

/**
 * The bundle folders, copied to `dir` (a `dist/functions` of its own, with the package.json that makes them
 * ESM) so that a build running meanwhile cannot change them while they are measured and timed.
 */
function copyBundles(dir: string): Map<string, BundleFiles> {
  let names: string[];
  try {
    names = readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    names = [];
  }
  if (names.length === 0) throw new Error(`service bench: no ${FUNCTIONS_DIR}/<name>/: run \`node scripts/build.js\``);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const out = new Map<string, BundleFiles>();
  for (const name of names) {
    mkdirSync(join(dir, name));
    const files = new Map<string, Buffer>();
    for (const f of readdirSync(join(FUNCTIONS_DIR, name))) {
      const bytes = readFileSync(join(FUNCTIONS_DIR, name, f));
      writeFileSync(join(dir, name, f), bytes);
      files.set(f, bytes);
    }
    out.set(name, files);
  }
  return out;
}

/** Lazy chunks reached from an `import()` of these: the SSM client, needed only for an `ssm:` policy file. */
const SSM_ENTRY = /(^|\/)shared\/aws\/ssm-parameter\.ts$|\/@aws-sdk\/client-ssm\//;

/**
 * One function's files by role, from esbuild's metafile of the same build (scripts/function-build-options.js):
 * the static ones, the lazy ones behind the SSM client's `import()`s, and the other lazy ones.
 */
function classify(metafile: Metafile, name: string) {
  const { statics, lazy } = functionOutputs(metafile, name);
  const staticSet = new Set(statics);
  const ssm = new Set<string>();
  const visit = (path: string) => {
    if (ssm.has(path) || staticSet.has(path)) return;
    ssm.add(path);
    for (const i of metafile.outputs[path]?.imports ?? [])
      if (!i.external && i.kind === 'import-statement') visit(i.path);
  };
  for (const path of lazy) if (SSM_ENTRY.test(metafile.outputs[path]?.entryPoint ?? '')) visit(path);
  return { statics, ssm: [...ssm], other: lazy.filter((path) => !ssm.has(path)) };
}

async function measureBundles(copies: ReadonlyMap<string, BundleFiles>): Promise<BundleReport> {
  const names = [...copies.keys()];
  // The build scripts/build.js makes (the same options), only not written, with a metafile.
  const metafiles = await Promise.all(
    names.map(async (name) => (await build({ ...functionBuildOptions(name), write: false, metafile: true })).metafile),
  );
  const analyses = names.map((name, i) => {
    const metafile = metafiles[i] as Metafile;
    const files = copies.get(name) as BundleFiles;
    const roles = classify(metafile, name);
    const shipped = (paths: readonly string[]) =>
      paths.map((path) => {
        const bytes = files.get(basename(path));
        if (!bytes) {
          throw new Error(
            `service bench: ${FUNCTIONS_DIR}/${name} has no ${basename(path)}: it is older than the sources; ` +
              'run `node scripts/build.js`',
          );
        }
        return bytes;
      });
    const sum = (buffers: readonly Buffer[]) => buffers.reduce((n, b) => n + b.length, 0);
    const statics = shipped(roles.statics);
    const size: BundleSize = {
      name,
      bytes: sum(statics),
      gzipBytes: statics.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
      files: statics.length,
      ssmBytes: sum(shipped(roles.ssm)),
      otherLazyBytes: sum(shipped(roles.other)),
      folderBytes: sum([...files.values()]),
    };
    return { size, metafile, statics: roles.statics };
  });
  analyses.sort((a, b) => b.size.bytes - a.size.bytes || a.size.name.localeCompare(b.size.name));
  const largest = analyses[0];
  if (!largest) throw new Error('service bench: no function bundles');
  const byOwner = new Map<string, number>();
  for (const path of largest.statics) {
    for (const [input, { bytesInOutput }] of Object.entries(largest.metafile.outputs[path]?.inputs ?? {})) {
      const owner = ownerOf(input);
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + bytesInOutput);
    }
  }
  const ranked = [...byOwner].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes }));
  const awsSdkBytes = ranked
    .filter((c) => /^@(aws-sdk|smithy|aws-crypto)\//.test(c.name))
    .reduce((n, c) => n + c.bytes, 0);
  return {
    bundles: analyses.map((a) => a.size),
    analysed: largest.size.name,
    analysedBytes: largest.size.bytes,
    contributors: ranked.slice(0, 8),
    awsSdkBytes,
    packages: ranked.filter((c) => !c.name.endsWith('(own code)')).length,
  };
}

// ---- 2. module init -----------------------------------------------------------------------------

export interface InitTime {
  readonly name: string;
  /** `await import()` of the function's `index.js` in a fresh process: median and min of the runs. */
  readonly importMs: number;
  readonly importMinMs: number;
  /** `performance.now()` once the import is done: from the process's start to a handler ready to run. */
  readonly readyMs: number;
  /** Measured from here: spawn to exit (includes node's start and exit). */
  readonly processMs: number;
}

/** As deployed (serverless.yml provider.environment), plus what the Lambda runtime sets: tracing is on. */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  // The runtime is Node 22: no "Node 20 support ends" warning there.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  BEDROCK_GUARD_LEDGER_TABLE: 'bedrock-guard-bench-ledger',
  BEDROCK_GUARD_IDEMPOTENCY_TABLE: 'bedrock-guard-bench-idempotency',
  BEDROCK_GUARD_BUS: 'bedrock-guard-bench-findings',
  BEDROCK_GUARD_ROLE_PREFIX: 'bedrock-guard-bench-',
  POWERTOOLS_SERVICE_NAME: 'bedrock-guard',
  POWERTOOLS_METRICS_NAMESPACE: 'BedrockGuard',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

const IMPORT_SCRIPT = `
const t0 = process.hrtime.bigint();
await import(process.argv[1]);
const importMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ importMs, readyMs: performance.now() }));
`;

/** `root` holds dist/functions/<name>/ as the function's zip does. */
function measureInit(root: string, names: readonly string[]): InitTime[] {
  const once = (name: string) => {
    const file = join(root, FUNCTIONS_DIR, name, 'index.js');
    const t0 = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        ...LAMBDA_ENV,
        AWS_LAMBDA_FUNCTION_NAME: `bedrock-guard-bench-${name}`,
        LAMBDA_TASK_ROOT: root,
      },
    });
    const processMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (child.status !== 0) throw new Error(`service bench: importing ${name}/index.js failed: ${child.stderr}`);
    const out = JSON.parse(child.stdout) as { importMs: number; readyMs: number };
    return { ...out, processMs };
  };
  if (names[0]) once(names[0]); // the first process of all warms the file cache
  // Round robin, so that a busy moment of the machine is shared out rather than landing on one function.
  const all = new Map(names.map((name) => [name, [] as ReturnType<typeof once>[]]));
  for (let run = 0; run < INIT_RUNS; run++) for (const name of names) all.get(name)?.push(once(name));
  return names.map((name) => {
    const runs = all.get(name) ?? [];
    const imports = runs.map((r) => r.importMs);
    return {
      name,
      importMs: round1(median(imports)),
      importMinMs: round1(Math.min(...imports)),
      readyMs: round1(median(runs.map((r) => r.readyMs))),
      processMs: round1(median(runs.map((r) => r.processMs))),
    };
  });
}

// ---- 3. events on moto --------------------------------------------------------------------------

/** One distinct breakdown of calls, and which of the case's events had it. */
export interface CallBreakdown {
  /** What each event was about (a role, a model…). */
  readonly events: readonly string[];
  readonly calls: number;
  /** `Service.Operation` → calls; DynamoDB calls labelled by table: idempotency, ledger, first-use gate. */
  readonly byOperation: Readonly<Record<string, number>>;
}

export interface EventCase {
  readonly case: string;
  readonly fn: string;
  readonly events: number;
  readonly wallMs: { readonly median: number; readonly min: number; readonly max: number };
  /**
   * This process's CPU time (user + system), median: the handler, the SDK, and the in-process proxy and
   * Bedrock stand-in. The rest of the wall time is waiting, mostly on moto.
   */
  readonly cpuMs: number;
  /** Time in AWS calls (summed over the event's calls), median. */
  readonly awsMs: number;
  /** Mean time per event in each operation's calls (all calls of it in the event). */
  readonly awsMsByOperation: Readonly<Record<string, number>>;
  /** Wall time of each event, in order (`label: ms`). */
  readonly eachMs: readonly string[];
  /** AWS calls of each event, in order. */
  readonly calls: readonly number[];
  readonly breakdowns: readonly CallBreakdown[];
  readonly note?: string;
  /** A warm IAM event that writes nothing: what the ≤ 6 calls target is about. */
  readonly warmIamNoWrite?: boolean;
}

export interface EventsReport {
  /** Median sts:GetCallerIdentity round trip through the proxy to moto: the floor of one call. */
  readonly roundTripMs: number;
  readonly cases: readonly EventCase[];
  /** This process's peak RSS: every container of the bench in one process. */
  readonly peakRssMiB: number;
  /** Powertools Metrics' "No application metrics to publish" warnings (stderr), left out of the output. */
  readonly emptyMetricsWarnings: number;
  /** Median time of one EventBridge.PutEvents call on moto, over the events that made exactly one. */
  readonly putEventsMs?: number;
}

type Handler = (event: never, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
type Json = Record<string, unknown>;

interface Container {
  readonly fn: string;
  readonly handler: Handler;
  readonly aws: AwsClients;
  readonly probe: Probe;
}

/**
 * Every request a container's clients send, seen at the step where `AwsClients` counts them (each HTTP
 * attempt): by `Service.Operation`, with DynamoDB calls labelled by table (the counter only knows
 * `DynamoDB.PutItem`), and the time each took.
 */
interface Probe {
  readonly calls: Map<string, number>;
  readonly ms: Map<string, number>;
}

function probeClients(tables: { ledger: string; idempotency: string }): {
  probe: Probe;
  instrument: (client: object) => void;
} {
  const probe: Probe = { calls: new Map(), ms: new Map() };
  type Next = (args: { input: unknown }) => Promise<unknown>;
  type Context = { clientName?: string; commandName?: string };
  const middleware = (next: Next, context: Context) => async (args: { input: unknown }) => {
    const service = (context.clientName ?? 'Client').replace(/Client$/, '');
    let key = `${service}.${(context.commandName ?? 'Command').replace(/Command$/, '')}`;
    if (service === 'DynamoDB') {
      const input = args.input as { TableName?: string; Item?: { id?: { S?: string } } };
      const table =
        input.TableName === tables.ledger
          ? 'ledger'
          : input.TableName !== tables.idempotency
            ? (input.TableName ?? 'other')
            : input.Item?.id?.S?.startsWith('first-use#')
              ? 'first-use'
              : 'idempotency';
      key = `${key} (${table})`;
    }
    probe.calls.set(key, (probe.calls.get(key) ?? 0) + 1);
    const t0 = process.hrtime.bigint();
    try {
      return await next(args);
    } finally {
      probe.ms.set(key, (probe.ms.get(key) ?? 0) + Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  const instrument = (client: object) =>
    (client as { middlewareStack: { add(m: unknown, o: unknown): void } }).middlewareStack.add(middleware, {
      step: 'finalizeRequest',
      priority: 'low',
      name: 'benchProbe',
    });
  return { probe, instrument };
}

function between(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of after) if (n - (before.get(key) ?? 0) > 0) out.set(key, n - (before.get(key) ?? 0));
  return out;
}

interface Delivery {
  readonly label: string;
  readonly ms: number;
  readonly cpuMs: number;
  /** Time spent in AWS calls (summed; calls made in parallel overlap). */
  readonly awsMs: number;
  readonly msByOperation: Record<string, number>;
  readonly byOperation: Record<string, number>;
  readonly calls: number;
  readonly result: RunResult;
}

async function deliver(c: Container, event: unknown, label: string): Promise<Delivery> {
  const counted0 = c.aws.stats.total;
  const calls0 = new Map(c.probe.calls);
  const ms0 = new Map(c.probe.ms);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = (await c.handler(event as never, lambdaContext(c.fn))) as RunResult;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const calls = between(calls0, c.probe.calls);
  const byOperation = Object.fromEntries([...calls].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const total = [...calls.values()].reduce((n, k) => n + k, 0);
  // The probe sees what the guard's own counter counts, or the breakdown would not be the counter's.
  check(total === c.aws.stats.total - counted0, `counted ${c.aws.stats.total - counted0} calls, probed ${total}`);
  const awsMs = [...between(ms0, c.probe.ms).values()].reduce((n, k) => n + k, 0);
  return {
    label,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    awsMs,
    msByOperation: Object.fromEntries(between(ms0, c.probe.ms)),
    byOperation,
    calls: total,
    result,
  };
}

function summarise(
  name: string,
  fn: string,
  deliveries: readonly Delivery[],
  note?: string,
  warmIamNoWrite = false,
): EventCase {
  const times = deliveries.map((d) => d.ms);
  const breakdowns: { events: string[]; calls: number; byOperation: Record<string, number> }[] = [];
  for (const d of deliveries) {
    const key = JSON.stringify(d.byOperation);
    const same = breakdowns.find((b) => JSON.stringify(b.byOperation) === key);
    if (same) same.events.push(d.label);
    else breakdowns.push({ events: [d.label], calls: d.calls, byOperation: d.byOperation });
  }
  return {
    case: name,
    fn,
    events: deliveries.length,
    wallMs: spread(times),
    cpuMs: round1(median(deliveries.map((d) => d.cpuMs))),
    awsMs: round1(median(deliveries.map((d) => d.awsMs))),
    awsMsByOperation: meanByOperation(deliveries),
    eachMs: deliveries.map((d) => `${d.label}: ${round1(d.ms)}`),
    calls: deliveries.map((d) => d.calls),
    breakdowns,
    ...(note ? { note } : {}),
    ...(warmIamNoWrite ? { warmIamNoWrite } : {}),
  };
}

function meanByOperation(deliveries: readonly Delivery[]): Record<string, number> {
  const sum = new Map<string, number>();
  for (const d of deliveries)
    for (const [key, ms] of Object.entries(d.msByOperation)) sum.set(key, (sum.get(key) ?? 0) + ms);
  return Object.fromEntries(
    [...sum].sort((a, b) => b[1] - a[1]).map(([key, ms]) => [key, round1(ms / deliveries.length)]),
  );
}

/** Fails the bench loudly: a wrong result makes its figures meaningless. */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`service bench: ${message}`);
}

const describeResult = (r: RunResult) =>
  JSON.stringify({ ignored: r.ignored, actions: r.actions, problems: r.problems, scope: r.scope });

/**
 * Powertools Metrics warns on stderr, whatever the log level, when an invocation adds no metric (an
 * idempotency hit returns before the handler adds any): counted, and kept out of the bench's output.
 */
function quietEmptyMetricsWarnings(): () => number {
  let count = 0;
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (String(chunk).startsWith('No application metrics to publish')) {
      count++;
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  return () => {
    process.stderr.write = write;
    return count;
  };
}

async function measureEvents(): Promise<EventsReport> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const warnings = quietEmptyMetricsWarnings();
  const servers = new BenchServers();
  try {
    const live: LiveAws = await startLiveAws();
    servers.add(live);
    // The tests' Bedrock stand-in serves pages of 2 to exercise paginators: here each list is one page (as in
    // the apply bench), so the cold start's catalogue calls are those of an account like the demo one.
    const bedrock = await startBedrockServer(catalogueFromSnapshot(join(DEMO, 'snapshot')), { pageSize: 100 });
    servers.add(bedrock);
    process.env.AWS_ENDPOINT_URL_BEDROCK = bedrock.endpoint;
    const org = await seedAccount({ ...live, bedrock }, join(DEMO, 'snapshot'));
    const account = org.memberAccount;
    const svc = await createServiceAws({
      prefix: 'bg-bench',
      policy: join(DEMO, 'bedrock-guard.yaml'),
      orgRoleArn: org.orgRoleArn,
    });
    const tables = {
      ledger: svc.env.BEDROCK_GUARD_LEDGER_TABLE as string,
      idempotency: svc.env.BEDROCK_GUARD_IDEMPOTENCY_TABLE as string,
    };
    const iam = new IAMClient({});
    const roundTripMs = await roundTrip();

    const container = (fn: string, env: Json = {}): Container => {
      const { probe, instrument } = probeClients(tables);
      const aws = new AwsClients({ instrument });
      const options = { env: { ...svc.env, ...env } as Record<string, string>, aws };
      const handler = (fn === 'reconcile' ? reconcileHandler(options) : eventHandler(fn, options)) as Handler;
      return { fn, handler, aws, probe };
    };
    const iamEvent = (file: string, eventID: string, requestParameters: Json) =>
      sampleEvent(`events/iam-change/${file}.json`, account, { eventID, requestParameters });
    const cases: EventCase[] = [];
    const all: Delivery[] = [];
    const send = async (c: Container, event: unknown, label: string) => {
      const d = await deliver(c, event, label);
      all.push(d);
      return d;
    };
    const noChange = (d: Delivery, what: string) =>
      check(
        d.result.actions.length === 0 && d.result.problems.length === 0 && d.result.ignored === undefined,
        `${what}: expected a run with no change, got ${describeResult(d.result)}`,
      );

    // Deployed, the scheduled reconcile has put the account in line: the events below start from there.
    const sweep = await send(
      container('reconcile'),
      JSON.parse(readFileSync('events/schedule/reconcile-scheduled.json', 'utf8')),
      'schedule',
    );
    check(
      sweep.result.actions.length === 3 && sweep.result.actions.every((a) => a.result === 'applied'),
      `the first reconcile: ${describeResult(sweep.result)}`,
    );
    cases.push(summarise('reconcile (schedule, 3 denies)', 'reconcile', [sweep], 'puts the demo account in line'));

    // Compliant roles of the demo account (the reconcile planned nothing for them).
    const compliant = ['AppBackend', 'BatchJobs', 'Playground', 'ReadOnly', 'BedrockBatchServiceRole'];
    let tag = 0;
    const tagRole = async (c: Container, role: string, what: string) => {
      tag++;
      const tags = [{ Key: 'bench', Value: String(tag) }];
      await iam.send(new TagRoleCommand({ RoleName: role, Tags: tags }));
      const d = await send(
        c,
        iamEvent('TagRole', `bench-tag-${tag}`, { roleName: role, tags: [{ key: 'bench', value: String(tag) }] }),
        role,
      );
      noChange(d, `${what} TagRole ${role}`);
      return d;
    };

    // Cold start: a new container's first event captures the whole account.
    const cold: Delivery[] = [];
    let warm: Container | undefined;
    for (const role of compliant.slice(0, 3)) {
      warm = container('onIamChange');
      cold.push(await tagRole(warm, role, 'cold start'));
    }
    check(warm !== undefined, 'no container');
    cases.push(summarise('cold start: TagRole', 'onIamChange', cold, 'full capture (modules already loaded)'));

    // Warm, no change.
    const tagged: Delivery[] = [];
    for (const role of compliant) tagged.push(await tagRole(warm, role, 'warm'));
    cases.push(summarise('warm, no change: TagRole', 'onIamChange', tagged, undefined, true));

    const readOnly: Delivery[] = [];
    for (const [i, role] of ['AppBackend', 'BatchJobs', 'BedrockBatchServiceRole'].entries()) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: READ_ONLY }));
      const d = await send(
        warm,
        iamEvent('AttachRolePolicy', `bench-ro-${i}`, { roleName: role, policyArn: READ_ONLY }),
        role,
      );
      noChange(d, `AttachRolePolicy ReadOnly ${role}`);
      readOnly.push(d);
    }
    cases.push(summarise('warm, no change: attach BedrockReadOnly', 'onIamChange', readOnly, undefined, true));

    // Warm, a deny written: IAM changed first, then its event.
    const writes: Delivery[] = [];
    const writeEvents: Json[] = [];
    for (const [i, role] of ['AppBackend', 'BatchJobs', 'ReadOnly'].entries()) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: FULL_ACCESS }));
      const event = iamEvent('AttachRolePolicy', `bench-full-${i}`, { roleName: role, policyArn: FULL_ACCESS });
      const d = await send(warm, event, role);
      check(
        d.result.actions.length === 1 &&
          d.result.actions[0]?.type === 'put-deny' &&
          d.result.actions[0].result === 'applied' &&
          d.result.problems.length === 0,
        `AttachRolePolicy FullAccess ${role}: ${describeResult(d.result)}`,
      );
      writes.push(d);
      writeEvents.push(event);
    }
    cases.push(
      summarise('warm, deny written: attach BedrockFullAccess', 'onIamChange', writes, 'put-deny, ledger, verify'),
    );

    // The same events again: the idempotency record answers.
    const redelivered: Delivery[] = [];
    for (const [i, event] of writeEvents.entries()) {
      const d = await send(warm, event, writes[i]?.label ?? '');
      check(
        JSON.stringify(d.result) === JSON.stringify(writes[i]?.result),
        'a redelivered event did not return the first result',
      );
      check(
        Object.keys(d.byOperation).every((op) => op.startsWith('DynamoDB.')),
        `a redelivered event called ${Object.keys(d.byOperation).join(', ')}`,
      );
      redelivered.push(d);
    }
    cases.push(summarise('redelivered (idempotency hit)', 'onIamChange', redelivered));

    // A customer-managed policy's new version: who it is attached to is read, then they are re-read.
    const cmi = `arn:aws:iam::${account}:policy/BedrockCMIExecutionPolicy`;
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: cmi }));
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: cmi, VersionId: Policy?.DefaultVersionId }),
    );
    const doc = JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? '{}')) as { Statement: Json[] | Json };
    const versions: Delivery[] = [];
    for (let i = 0; i < 3; i++) {
      const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).map((s, j) => ({
        ...s,
        Sid: `BenchV${i}S${j}`,
      }));
      const policyDocument = JSON.stringify({ ...doc, Statement: statements });
      await iam.send(
        new CreatePolicyVersionCommand({ PolicyArn: cmi, PolicyDocument: policyDocument, SetAsDefault: true }),
      );
      const d = await send(
        warm,
        iamEvent('CreatePolicyVersion', `bench-cpv-${i}`, { policyArn: cmi, policyDocument, setAsDefault: true }),
        `v${i + 2}`,
      );
      noChange(d, 'CreatePolicyVersion');
      check(
        d.result.scope === 1,
        `CreatePolicyVersion planned ${d.result.scope} principals, expected CMIExecutionRole`,
      );
      versions.push(d);
    }
    cases.push(
      summarise(
        'CreatePolicyVersion (role-attached policy)',
        'onIamChange',
        versions,
        'Sid changed only: no action',
        true,
      ),
    );

    const groupAdds: Delivery[] = [];
    for (let i = 0; i < 3; i++) {
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'ml-engineers', UserName: 'alice' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'ml-engineers', UserName: 'alice' }));
      const d = await send(
        warm,
        iamEvent('AddUserToGroup', `bench-group-${i}`, { groupName: 'ml-engineers', userName: 'alice' }),
        `#${i + 1}`,
      );
      noChange(d, 'AddUserToGroup');
      groupAdds.push(d);
    }
    cases.push(summarise('AddUserToGroup (alice → ml-engineers)', 'onIamChange', groupAdds, undefined, true));

    // SCPs: re-read, and the whole account planned. Its own function (container), warmed by one event first.
    const scp = container('onScpChange');
    const scpEvent = (i: number) =>
      sampleEvent('events/scp-change/UpdatePolicy.json', account, { eventID: `bench-scp-${i}` });
    const scpCold = await send(scp, scpEvent(0), 'cold');
    noChange(scpCold, 'UpdatePolicy (cold)');
    cases.push(summarise('cold start: SCP UpdatePolicy', 'onScpChange', [scpCold]));
    const scps: Delivery[] = [];
    for (let i = 1; i <= 3; i++) {
      const d = await send(scp, scpEvent(i), `#${i}`);
      noChange(d, 'UpdatePolicy');
      check(d.result.scope === 'account', `UpdatePolicy planned ${d.result.scope}, expected the account`);
      scps.push(d);
    }
    cases.push(summarise('SCP UpdatePolicy (whole account)', 'onScpChange', scps, 'SCPs re-read, unchanged'));

    // Invokes: alerting only (as deployed), their own container, warmed by one approved invoke.
    const inv = container('onInvoke', { BEDROCK_GUARD_ENFORCE: 'false' });
    let invokes = 0;
    const invokeEvent = (role: string, modelId: string) => {
      const event = sampleEvent('events/invoke/InvokeModel.json', account, { eventID: `bench-invoke-${++invokes}` });
      const detail = event.detail as Record<string, Record<string, unknown>>;
      detail.requestParameters = { modelId };
      delete detail.additionalEventData;
      detail.userIdentity = assumedRole(account, role);
      return event;
    };
    const approvedPairs: [string, string][] = [
      ['Playground', 'deepseek.r1-v1:0'],
      ['Playground', 'anthropic.claude-3-opus-20240229-v1:0'],
      ['AppBackend', 'amazon.nova-micro-v1:0'],
      ['AppBackend', 'amazon.nova-lite-v1:0'],
      ['AppBackend', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ];
    const invWarmup = await send(inv, invokeEvent('Playground', 'deepseek.r1-v1:0'), 'cold');
    check(/approved/.test(invWarmup.result.ignored ?? ''), `invoke warm-up: ${describeResult(invWarmup.result)}`);
    cases.push(summarise('cold start: invoke, approved model', 'onInvoke', [invWarmup]));
    const approved: Delivery[] = [];
    for (const [role, model] of approvedPairs) {
      const d = await send(inv, invokeEvent(role, model), `${role} ${model}`);
      check(/approved/.test(d.result.ignored ?? ''), `approved invoke ${role} ${model}: ${describeResult(d.result)}`);
      approved.push(d);
    }
    cases.push(summarise('invoke, approved model', 'onInvoke', approved));
    const unapprovedModels = [
      'amazon.nova-micro-v1:0',
      'amazon.nova-lite-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ];
    const firstUse: Delivery[] = [];
    for (const model of unapprovedModels) {
      const d = await send(inv, invokeEvent('Playground', model), model);
      check(
        d.result.ignored === undefined && d.result.published > 0,
        `first use of ${model}: ${describeResult(d.result)}`,
      );
      firstUse.push(d);
    }
    cases.push(summarise('invoke, unapproved model, first use', 'onInvoke', firstUse, 'alert published'));
    const repeats: Delivery[] = [];
    for (const model of unapprovedModels) {
      const d = await send(inv, invokeEvent('Playground', model), model);
      check(/already reported/.test(d.result.ignored ?? ''), `repeat of ${model}: ${describeResult(d.result)}`);
      repeats.push(d);
    }
    cases.push(summarise('invoke, unapproved model, repeat', 'onInvoke', repeats, 'gated: already reported'));

    iam.destroy();
    const putEvents = all
      .filter((d) => d.byOperation['EventBridge.PutEvents'] === 1)
      .map((d) => d.msByOperation['EventBridge.PutEvents'] ?? 0);
    return {
      roundTripMs,
      cases,
      ...(putEvents.length > 0 ? { putEventsMs: round1(median(putEvents)) } : {}),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      emptyMetricsWarnings: warnings(),
    };
  } finally {
    warnings();
    // Interrupted: the calls cut off fail, but that is not the news; `close` waits for the exit instead.
    await servers.close();
  }
}

// ---- the whole bench ----------------------------------------------------------------------------

export interface ServiceBenchResult {
  readonly targets: typeof TARGETS;
  readonly bundle: BundleReport;
  readonly init: InitReport;
  readonly events: EventsReport;
}

async function measure(): Promise<ServiceBenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-bench-'));
  let bundle: BundleReport;
  let init: InitReport;
  try {
    const copies = copyBundles(join(scratch, FUNCTIONS_DIR));
    bundle = await measureBundles(copies);
    const load0 = loadavg()[0] ?? 0;
    const functions = measureInit(scratch, bundle.bundles.map((b) => b.name).sort());
    init = { functions, loadAverage: [round1(load0), round1(loadavg()[0] ?? 0)], cpus: cpus().length };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const events = await measureEvents();
  return { targets: TARGETS, bundle, init, events };
}

/** Runs the bench in a fresh process (this file, bundled next to the runner). */
export function runServiceBench(): ServiceBenchResult {
  const child = fileURLToPath(new URL('./service.js', import.meta.url));
  const out = execFileSync(process.execPath, [child, '--child'], { encoding: 'utf8', maxBuffer: 1 << 22 });
  return JSON.parse(out) as ServiceBenchResult;
}

// ---- the report ---------------------------------------------------------------------------------

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const pass = (ok: boolean) => (ok ? 'ok' : 'OVER');
const WIDTH = 118;

/** `ops` as `name count` items after `head`, wrapped at WIDTH with continuation lines indented by `indent`. */
function wrapped(head: string, ops: Readonly<Record<string, number | string>>, indent: number): string[] {
  const items = Object.entries(ops).map(
    ([name, n]) => `${name.replace(/^DynamoDB\./, 'DDB.').replace(/^EventBridge\./, 'EB.')} ${n}`,
  );
  const lines: string[] = [];
  let line = head;
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    if (line.length + piece.length + 1 > WIDTH && line.trim().length > 0 && line !== head) {
      lines.push(line);
      line = `${' '.repeat(indent)}${piece}`;
    } else line += `${line === head ? '' : ' '}${piece}`;
  }
  lines.push(line);
  return lines;
}

export function formatService(r: ServiceBenchResult): string {
  const { bundle, init, events } = r;
  const lines: string[] = [];
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
  lines.push(
    'bundle size: what a cold start loads from dist/functions/<name>/ (index.js and the chunks it imports statically)',
    `  target ≤ 1.5 MiB = 1.5 × 1024 × 1024 = ${r.targets.bundleBytes.toLocaleString('en')} bytes`,
    `  ${'function'.padEnd(18)} ${'bytes'.padStart(10)} ${'gzip -9'.padStart(9)} ${'files'.padStart(5)}  ` +
      `${'target'.padEnd(16)} ${'lazy: ssm'.padStart(10)} ${'other'.padStart(8)} ${'folder'.padStart(10)}`,
    ...bundle.bundles.map(
      (b) =>
        `  ${b.name.padEnd(18)} ${b.bytes.toLocaleString('en').padStart(10)} ${b.gzipBytes.toLocaleString('en').padStart(9)} ` +
        `${String(b.files).padStart(5)}  ${`${pass(b.bytes <= r.targets.bundleBytes)} (${pct(b.bytes, r.targets.bundleBytes)} of it)`.padEnd(16)} ` +
        `${b.ssmBytes.toLocaleString('en').padStart(10)} ${b.otherLazyBytes.toLocaleString('en').padStart(8)} ` +
        `${b.folderBytes.toLocaleString('en').padStart(10)}`,
    ),
    '  lazy chunks, loaded only if their code runs: ssm, with an `ssm:` policy file only (the SSM client); other, the',
    "  AWS SDK's own import()s (credential providers that Lambda, whose credentials are in the environment, never uses).",
    '  folder: every file of it, as packaged.',
    `  top 8 of ${bundle.packages} packages (and our folders) in what ${bundle.analysed} loads at cold start, by minified`,
    `  bytes in the output (esbuild metafile; the AWS SDK, @aws-sdk + @smithy + @aws-crypto, is ${kib(bundle.awsSdkBytes)}, ` +
      `${pct(bundle.awsSdkBytes, bundle.analysedBytes)} of it):`,
    ...bundle.contributors.map(
      (c) => `    ${c.name.padEnd(34)} ${kib(c.bytes).padStart(8)}  ${pct(c.bytes, bundle.analysedBytes).padStart(4)}`,
    ),
    '',
    `module init (a fresh node process per run imports dist/functions/<name>/index.js, Lambda-like env: tracing on;` +
      ` median of ${INIT_RUNS};` +
      ` target ≤ ${r.targets.initMs} ms)`,
    `  ${'function'.padEnd(18)} ${'import'.padStart(9)} ${'min'.padStart(9)} ${'ready'.padStart(9)} ${'process'.padStart(9)}  target`,
    ...init.functions.map(
      (t) =>
        `  ${t.name.padEnd(18)} ${`${t.importMs} ms`.padStart(9)} ${`${t.importMinMs} ms`.padStart(9)} ` +
        `${`${t.readyMs} ms`.padStart(9)} ${`${t.processMs} ms`.padStart(9)}  ${pass(t.importMs <= r.targets.initMs)}`,
    ),
    '  import: `await import()` of index.js and its static chunks (the module top level: config, Powertools, middy chain);',
    '  ready: process start → import done (performance.now()); process: spawn → exit, timed by the parent.',
    `  (${init.cpus} CPUs, 1-minute load average ${init.loadAverage[0]} before, ${init.loadAverage[1]} after)`,
    '',
    `events on the moto server (demo account; a "container" = one handler + its AwsClients; one call's round trip` +
      ` ${events.roundTripMs} ms;`,
    `  target ≤ ${r.targets.warmIamCalls} AWS calls per warm IAM event that writes nothing)`,
    `  ${'case'.padEnd(44)} ${'function'.padEnd(12)} ${'n'.padStart(2)}  ${'wall ms: median (min–max)'.padEnd(26)} ` +
      `${'CPU ms'.padStart(7)} ${'in AWS'.padStart(7)} ${'calls'.padStart(6)}`,
  );
  for (const c of events.cases) {
    const wall = c.events > 1 ? `${c.wallMs.median} (${c.wallMs.min}–${c.wallMs.max})` : String(c.wallMs.median);
    const calls = [...new Set(c.calls)].sort((a, b) => a - b);
    const range = calls.length > 1 ? `${calls[0]}–${calls[calls.length - 1]}` : String(calls[0]);
    lines.push(
      `  ${c.case.padEnd(44)} ${c.fn.padEnd(12)} ${String(c.events).padStart(2)}  ${wall.padEnd(26)} ` +
        `${String(c.cpuMs).padStart(7)} ${String(c.awsMs).padStart(7)} ${range.padStart(6)}${c.note ? `  ${c.note}` : ''}`,
    );
    const [first, ...others] = c.breakdowns;
    if (!first) continue;
    const who = (b: CallBreakdown) => (c.breakdowns.length > 1 ? ` (${b.events.join(', ')})` : '');
    lines.push(...wrapped(`      ${first.calls}${who(first)}: `, first.byOperation, 8));
    // Other breakdowns as their difference from the first: they differ by a call or two.
    for (const b of others) {
      const names = new Set([...Object.keys(first.byOperation), ...Object.keys(b.byOperation)]);
      const delta = Object.fromEntries(
        [...names]
          .map((name) => [name, (b.byOperation[name] ?? 0) - (first.byOperation[name] ?? 0)] as const)
          .filter(([, d]) => d !== 0)
          .map(([name, d]) => [name, d > 0 ? `+${d}` : `−${-d}`]),
      );
      lines.push(...wrapped(`      ${b.calls}${who(b)}: as above, `, delta, 8));
    }
  }
  const warmIam = events.cases.filter((c) => c.warmIamNoWrite).flatMap((c) => c.calls);
  if (warmIam.length > 0) {
    const within = warmIam.filter((n) => n <= r.targets.warmIamCalls).length;
    lines.push(
      `  warm IAM events without a write: ${Math.min(...warmIam)}–${Math.max(...warmIam)} calls; ` +
        `${within} of ${warmIam.length} within ≤ ${r.targets.warmIamCalls} (${pass(within === warmIam.length)})`,
    );
  }
  if (events.putEventsMs !== undefined) {
    lines.push(
      `  moto's EB.PutEvents took ${events.putEventsMs} ms a call (median; moto delivers to the bus rule's SQS target`,
      '  before it answers): most of the wall time of the events that publish.',
    );
  }
  lines.push(
    '  Counted: every HTTP request a handler sends through its AwsClients, retries included: idempotency',
    '  (Powertools: put-if-absent, then the result; a hit is the put failing with the stored result), the',
    '  first-use gate (a conditional put in the same table), IAM / Organizations / Bedrock reads, STS (the',
    '  org role), IAM writes, the ledger and the findings bus (EB.PutEvents). Not counted: the changes the',
    '  bench makes to IAM before delivering an event. CPU ms: this process (handler, SDK, in-process proxy);',
    '  in AWS: the time of those calls, summed (their wait on moto, and the SDK around each request).',
    `  Peak RSS of the bench process ${events.peakRssMiB} MiB (every container in one process).`,
    ...(events.emptyMetricsWarnings > 0
      ? [
          `  Powertools Metrics warned "No application metrics to publish" ${events.emptyMetricsWarnings}× on stderr` +
            ' (hidden here): invocations that added no metric.',
        ]
      : []),
  );
  return lines.join('\n');
}

// ---- child / standalone side --------------------------------------------------------------------

// Runs only as dist/bench/service.js (esbuild also bundles this file into run.js, where `import.meta.url` is
// run.js): `--child` prints JSON for the runner, otherwise the report.
const self = fileURLToPath(import.meta.url);
if (basename(self) === 'service.js' && process.argv[1] && resolve(process.argv[1]) === self) {
  try {
    statSync(FUNCTIONS_DIR);
  } catch {
    throw new Error(`service bench: run it from the repository root, after \`node scripts/build.js --bench\``);
  }
  const result = await measure();
  process.stdout.write(process.argv.includes('--child') ? JSON.stringify(result) : `${formatService(result)}\n`);
}
