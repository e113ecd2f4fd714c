/**
 * Usage metering's speed (issue 7): model invocation log records consumed per second, in two parts.
 *
 * 1. End to end: the meter handler (`meterHandler`, its real middy + Powertools chain) on the moto server, as
 *    test/service/meter-handler.test.ts runs it: the demo account seeded into a member account, with ten more
 *    roles of the data-science team (the "principals"), and the usage, ledger and idempotency tables and the
 *    findings bus on moto too. One warm container (a handler with its own `AwsClients`) takes CloudWatch Logs
 *    subscription deliveries (gzip + base64) of 100 and of 500 records spread over the ten roles, each record
 *    counted against one budget whose limits are far off (the steady state: counted, nothing to act on). Records
 *    per second = records in the batch / the handler's wall time for it (decoding, parsing, attribution, the
 *    DynamoDB transactions and the consistent read back). The AWS calls of each batch come from the container's
 *    call counter, by operation. Then one 500-record batch delivered again (every record a duplicate), and a
 *    batch of 100 that spends another budget at once (the alert, the deny written to IAM, the ledger, the bus).
 *    The first batch, which captures the account, is reported apart.
 * 2. The pure part alone, in process: what `BudgetMeter` does per record before any I/O — parse the JSON line
 *    (`parseInvocationLog`, zod), resolve caller and model (`resolveUsage`), the budgets it counts against
 *    (`budgetsFor`) and its counter increments (`increments`) — over the demo snapshot with the same ten roles.
 *
 * It runs in its own process (like the apply and service benches): the AWS_* environment it sets stays there.
 * By hand, after `node scripts/build.js --bench`: `node dist/bench/meter.js`.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type AttributeValue, BatchWriteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AwsClients } from '../shared/aws/clients.js';
import { budgetsFor, increments } from '../shared/core/budgets/budgets.js';
import { isInvalidRecord, parseInvocationLog } from '../shared/core/budgets/invocation-log.js';
import { resolveUsage } from '../shared/core/budgets/usage.js';
import { DesiredState } from '../shared/core/desired/grants.js';
import { loadPolicyFile } from '../shared/core/policy-file/parse.js';
import { buildSnapshot } from '../shared/core/snapshot/build.js';
import type { MeterResult } from '../shared/service/budget-meter.js';
import { meterHandler } from '../shared/service/meter-lambda.js';
import { readSnapshotFiles } from '../shared/snapshot/read-folder.js';
import { seedAccount, startLiveAws } from '../test/aws/live-env.js';
import { catalogueFromSnapshot, startBedrockServer } from '../test/support/bedrock-server.js';
import { createServiceAws, createUsageTable, lambdaContext } from '../test/service/service-env.js';
import { BenchServers, roundTrip } from './servers.js';
import { fmtRate, median, rate, round1, spread, timeSync } from './timing.js';

const DEMO = 'examples/demo';
const SIZES = [
  { records: 100, batches: 20 },
  { records: 500, batches: 6 },
] as const;
/** Batches of 100 on a usage table left to grow, to show what moto's transactions cost as it does. */
const GROWING_BATCHES = 10;
const PRINCIPALS = Array.from({ length: 10 }, (_, i) => `BenchAnalyst${String(i + 1).padStart(2, '0')}`);
/** Records of the in-process part. */
const PURE_RECORDS = 50_000;
const PREMIUM = [
  'us.anthropic.claude-3-opus-20240229-v1:0',
  'us.deepseek.r1-v1:0',
  'anthropic.claude-3-opus-20240229-v1:0',
] as const;

/**
 * The demo's policy file with two budgets: the ten roles' team with limits they never reach, and the
 * playground's, small enough for one batch to spend it.
 */
function policyText(): string {
  const budgets = `budgets:
  - team: data-science
    models: [premium]
    window: 1d
    max: { inputTokens: 1000000000000, invocations: 1000000000 }
  - team: playground
    models: [premium]
    window: 1d
    max: { invocations: 50 }

`;
  const text = readFileSync(join(DEMO, 'bedrock-guard.yaml'), 'utf8').replace(
    /^budgets:\n[\s\S]*?(?=^rules:)/m,
    budgets,
  );
  if (!text.includes('max: { invocations: 50 }')) throw new Error('meter bench: the demo policy file has no budgets');
  return text;
}

/** One model invocation log record of `role`'s session, as Bedrock writes it. */
function logRecord(account: string, role: string, i: number, time: Date): Record<string, unknown> {
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: time.toISOString(),
    accountId: account,
    identity: { arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${i % 7}` },
    region: 'us-east-1',
    requestId: randomUUID(),
    operation: i % 3 ? 'Converse' : 'InvokeModel',
    modelId: PREMIUM[i % PREMIUM.length],
    input: {
      inputContentType: 'application/json',
      inputTokenCount: 200 + (i % 1_000),
      cacheReadInputTokenCount: i % 5 ? 0 : 512,
      cacheWriteInputTokenCount: 0,
    },
    output: { outputContentType: 'application/json', outputTokenCount: 40 + (i % 300) },
    inferenceRegion: 'us-east-2',
  };
}

let logEvents = 0;
/** A CloudWatch Logs subscription delivery of `records`. */
function subscription(account: string, records: readonly Record<string, unknown>[]) {
  const batch = {
    messageType: 'DATA_MESSAGE',
    owner: account,
    logGroup: '/aws/bedrock/model-invocations',
    logStream: 'aws/bedrock/modelinvocations',
    subscriptionFilters: ['bedrock-guard-usage'],
    logEvents: records.map((r) => {
      logEvents += 1;
      return {
        id: `3${String(logEvents).padStart(55, '0')}`,
        timestamp: Date.parse(r.timestamp as string),
        message: JSON.stringify(r),
      };
    }),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } };
}

// ---- 1. end to end ------------------------------------------------------------------------------

export interface MeterCase {
  readonly case: string;
  readonly records: number;
  readonly batches: number;
  readonly wallMs: { readonly median: number; readonly min: number; readonly max: number };
  /** Records over the batches' summed wall time. */
  readonly recordsPerSecond: number;
  /** This process's CPU per batch (handler, SDK, the in-process fault proxy), median. */
  readonly cpuMs: number;
  /** Time in AWS calls per batch, median: moto's share of the wall time. */
  readonly awsMs: number;
  /** Records over the summed wall time less the time in AWS calls: the guard's own pace (absent when calls overlapped past it). */
  readonly ownRecordsPerSecond?: number;
  /** AWS calls of a batch, by operation: the median over the case's batches. */
  readonly calls: Readonly<Record<string, number>>;
  readonly note?: string;
}

export interface EndToEndReport {
  readonly principals: number;
  /** Median sts:GetCallerIdentity round trip through the proxy to moto. */
  readonly roundTripMs: number;
  readonly cases: readonly MeterCase[];
}

type Handler = ReturnType<typeof meterHandler>;

interface Batch {
  readonly ms: number;
  readonly cpuMs: number;
  /** Time spent in AWS calls (summed; calls made in parallel overlap). */
  readonly awsMs: number;
  readonly calls: Record<string, number>;
  readonly result: MeterResult;
}

/** The container: a handler with its own clients, whose requests are counted and timed. */
interface Container {
  readonly handler: Handler;
  readonly clients: AwsClients;
  /** Milliseconds spent in AWS requests so far (each HTTP attempt, where `AwsClients` counts it). */
  awsMs: number;
}

function container(env: Record<string, string>): Container {
  const timed = { awsMs: 0 };
  type Next = (args: unknown) => Promise<unknown>;
  const middleware = (next: Next) => async (args: unknown) => {
    const t0 = process.hrtime.bigint();
    try {
      return await next(args);
    } finally {
      timed.awsMs += Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  const clients = new AwsClients({
    instrument: (client) =>
      (client as { middlewareStack: { add(m: unknown, o: unknown): void } }).middlewareStack.add(middleware, {
        step: 'finalizeRequest',
        priority: 'low',
        name: 'benchTimer',
      }),
  });
  const handler = meterHandler({ env, aws: clients });
  return Object.assign(timed, { handler, clients });
}

async function deliver(c: Container, event: unknown): Promise<Batch> {
  const { handler, clients } = c;
  const before = new Map(clients.stats.byOperation());
  const aws0 = c.awsMs;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = (await handler(event as never, lambdaContext('meter'))) as MeterResult;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const awsMs = c.awsMs - aws0;
  const calls = Object.fromEntries(
    clients.stats
      .byOperation()
      .map(([op, n]) => [op, n - (before.get(op) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, awsMs, calls, result };
}

function summarise(name: string, records: number, batches: readonly Batch[], note?: string): MeterCase {
  const times = batches.map((b) => b.ms);
  if (batches.length === 0) throw new Error(`meter bench: no batches for ${name}`);
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  // Calls made in parallel (the cold start's capture) overlap: their summed time can pass the wall time.
  const own = sum(batches.map((b) => b.ms - b.awsMs));
  return {
    case: name,
    records,
    batches: batches.length,
    wallMs: spread(times),
    recordsPerSecond: Math.round(rate(records * batches.length, sum(times))),
    cpuMs: round1(median(batches.map((b) => b.cpuMs))),
    awsMs: round1(median(batches.map((b) => b.awsMs))),
    ...(own > 0 ? { ownRecordsPerSecond: Math.round(rate(records * batches.length, own)) } : {}),
    calls: medianCalls(batches),
    ...(note ? { note } : {}),
  };
}

/** Per operation, the median of its count over the batches (a heartbeat write every five minutes varies). */
function medianCalls(batches: readonly Batch[]): Record<string, number> {
  const ops = [...new Set(batches.flatMap((b) => Object.keys(b.calls)))];
  return Object.fromEntries(
    ops
      .map((op) => [op, median(batches.map((b) => b.calls[op] ?? 0))] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
}

/** Deletes every item of `table` (a scan, then batch deletes); returns how many there were. */
async function clearTable(client: DynamoDBClient, table: string): Promise<number> {
  let deleted = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ProjectionExpression: 'id', ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    const keys = (page.Items ?? []).map((item) => ({ id: item.id as AttributeValue }));
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      while (requests.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
    deleted += keys.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}

async function measureEndToEnd(): Promise<EndToEndReport> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const servers = new BenchServers();
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-meter-bench-'));
  try {
    const live = servers.add(await startLiveAws());
    // One page per catalogue list (the tests' stand-in serves pages of 2), as in the service bench.
    const bedrock = servers.add(
      await startBedrockServer(catalogueFromSnapshot(join(DEMO, 'snapshot')), { pageSize: 100 }),
    );
    process.env.AWS_ENDPOINT_URL_BEDROCK = bedrock.endpoint;
    const org = await seedAccount({ ...live, bedrock }, join(DEMO, 'snapshot'));
    const account = org.memberAccount;
    const iam = new IAMClient({});
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    for (const RoleName of PRINCIPALS) {
      await iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: trust,
          Tags: [{ Key: 'team', Value: 'data-science' }],
        }),
      );
    }
    iam.destroy();
    const policy = join(scratch, 'bedrock-guard.yaml');
    writeFileSync(policy, policyText());
    const svc = await createServiceAws({ prefix: 'bg-meter-bench', policy, orgRoleArn: org.orgRoleArn });
    const usage = await createUsageTable('bg-meter-bench-usage');
    const roundTripMs = await roundTrip();

    const meter = container({ ...svc.env, ...usage.env });
    const table = usage.env.BEDROCK_GUARD_USAGE_TABLE as string;
    const dynamodb = new DynamoDBClient({});
    let n = 0;
    const batch = (size: number, roles: readonly string[] = PRINCIPALS) =>
      Array.from({ length: size }, () => {
        n += 1;
        return logRecord(account, roles[n % roles.length] as string, n, new Date());
      });
    const counted = (b: Batch, records: number, what: string) =>
      check(
        b.result.counted === records && b.result.invalid === 0 && b.result.unattributed === 0 && b.result.alerts === 0,
        `${what}: ${JSON.stringify(b.result)}`,
      );
    const cases: MeterCase[] = [];

    const cold = await deliver(meter, subscription(account, batch(100)));
    counted(cold, 100, 'cold batch');
    cases.push(summarise('first batch (cold: captures the account)', 100, [cold]));

    let last: unknown;
    for (const { records, batches } of SIZES) {
      const done: Batch[] = [];
      for (let i = 0; i < batches; i++) {
        // Each batch on an empty usage table (not timed): moto copies the whole table for every action of a
        // transaction, so there a batch's cost grows with the table (the last case shows it); DynamoDB's does not.
        await clearTable(dynamodb, table);
        last = subscription(account, batch(records));
        const b = await deliver(meter, last);
        counted(b, records, `batch of ${records}`);
        done.push(b);
      }
      cases.push(summarise(`batch of ${records}, ${PRINCIPALS.length} principals`, records, done));
    }
    const replay = await deliver(meter, last);
    check(replay.result.counted === 0 && replay.result.duplicates === 500, `replay: ${JSON.stringify(replay.result)}`);
    cases.push(summarise('the last batch of 500 again', 500, [replay], 'every record a duplicate'));

    await clearTable(dynamodb, table);
    const spend = await deliver(meter, subscription(account, batch(100, ['Playground'])));
    check(
      spend.result.denies.length === 1 && spend.result.denies[0]?.result === 'applied',
      `spending batch: ${JSON.stringify(spend.result)}`,
    );
    cases.push(summarise('batch of 100 spending a budget', 100, [spend], 'alert + deny + ledger + bus'));

    await clearTable(dynamodb, table);
    const growing: Batch[] = [];
    for (let i = 0; i < GROWING_BATCHES; i++) {
      const b = await deliver(meter, subscription(account, batch(100)));
      counted(b, 100, 'growing table');
      growing.push(b);
    }
    const items = await clearTable(dynamodb, table);
    cases.push(
      summarise(`batch of 100, the usage table left to grow`, 100, growing, `moto: ${items} items at the end`),
    );
    dynamodb.destroy();
    return { principals: PRINCIPALS.length, roundTripMs, cases };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await servers.close();
  }
}

// ---- 2. the pure part ---------------------------------------------------------------------------

export interface PureReport {
  readonly records: number;
  /** parse + resolve + increments, per second (median of the runs). */
  readonly recordsPerSecond: number;
  /** `parseInvocationLog` alone (JSON text → record). */
  readonly parsePerSecond: number;
  /** resolve + budgets + increments alone, on parsed records. */
  readonly attributePerSecond: number;
  readonly increments: number;
}

async function measurePure(): Promise<PureReport> {
  const files = await readSnapshotFiles(join(DEMO, 'snapshot'));
  const iam = files.iam as { RoleDetailList: Record<string, unknown>[] };
  const model = iam.RoleDetailList.find((r) => r.RoleName === 'DataScience');
  if (!model) throw new Error('meter bench: the demo snapshot has no DataScience role');
  const added = PRINCIPALS.map((name, i) => ({
    ...model,
    RoleName: name,
    RoleId: `AROABENCH${String(i).padStart(12, '0')}`,
    Arn: `arn:aws:iam::111122223333:role/${name}`,
  }));
  const snapshot = buildSnapshot({ ...files, iam: { ...iam, RoleDetailList: [...iam.RoleDetailList, ...added] } });
  const policy = loadPolicyFile(policyText(), 'bedrock-guard.yaml').policy;
  const desired = new DesiredState(policy);
  const start = Date.parse('2025-11-18T00:00:00Z');
  const lines = Array.from({ length: PURE_RECORDS }, (_, i) =>
    JSON.stringify(
      logRecord('111122223333', PRINCIPALS[i % PRINCIPALS.length] as string, i, new Date(start + i * 1_000)),
    ),
  );
  const parsed = lines.map((line) => parseInvocationLog(line));
  const attribute = (record: (typeof parsed)[number]) => {
    if (isInvalidRecord(record)) throw new Error(`meter bench: ${record.invalid}`);
    const { principal, modelId } = resolveUsage(record, snapshot);
    if (!principal || modelId === undefined) throw new Error(`meter bench: not attributed: ${record.caller}`);
    return increments(record, principal.arn, budgetsFor(policy, desired, principal, modelId)).length;
  };
  let counted = 0;
  const whole = timeSync(() => {
    counted = 0;
    for (const line of lines) counted += attribute(parseInvocationLog(line));
  }, 5);
  check(counted === PURE_RECORDS, `pure part: ${counted} increments for ${PURE_RECORDS} records`);
  const parse = timeSync(() => {
    for (const line of lines) parseInvocationLog(line);
  }, 5);
  const attributeOnly = timeSync(() => {
    for (const record of parsed) attribute(record);
  }, 5);
  return {
    records: PURE_RECORDS,
    recordsPerSecond: Math.round(rate(PURE_RECORDS, whole.medianMs)),
    parsePerSecond: Math.round(rate(PURE_RECORDS, parse.medianMs)),
    attributePerSecond: Math.round(rate(PURE_RECORDS, attributeOnly.medianMs)),
    increments: counted,
  };
}

// ---- the whole bench ----------------------------------------------------------------------------

export interface MeterBenchResult {
  readonly endToEnd: EndToEndReport;
  readonly pure: PureReport;
}

async function measure(): Promise<MeterBenchResult> {
  const pure = await measurePure();
  const endToEnd = await measureEndToEnd();
  return { endToEnd, pure };
}

/** Runs the bench in a fresh process (this file, bundled next to the runner). */
export function runMeterBench(): MeterBenchResult {
  const child = fileURLToPath(new URL('./meter.js', import.meta.url));
  const out = execFileSync(process.execPath, [child, '--child'], { encoding: 'utf8', maxBuffer: 1 << 22 });
  return JSON.parse(out) as MeterBenchResult;
}

/** Fails the bench loudly: a wrong result makes its figures meaningless. */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`meter bench: ${message}`);
}

// ---- the report ---------------------------------------------------------------------------------

const WIDTH = 118;

/** `items`, comma-separated, on lines of at most WIDTH characters, indented by six. */
function wrapped(items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    if (line && 6 + line.length + 1 + piece.length > WIDTH) {
      lines.push(`      ${line}`);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(`      ${line}`);
  return lines;
}

const short = (op: string) => op.replace(/^DynamoDB\./, 'DDB.').replace(/^EventBridge\./, 'EB.');

export function formatMeter(r: MeterBenchResult): string {
  const { endToEnd: e2e, pure } = r;
  const dynamo = (c: MeterCase) =>
    Object.entries(c.calls)
      .filter(([op]) => op.startsWith('DynamoDB.'))
      .reduce((s, [, n]) => s + n, 0);
  const lines = [
    `end to end: the meter handler on the moto server (demo account + ${e2e.principals} data-science roles; one warm`,
    `  container; CloudWatch Logs subscription deliveries; one call's round trip ${e2e.roundTripMs} ms)`,
    `  ${'case'.padEnd(42)} ${'n'.padStart(2)}  ${'wall ms: median (min–max)'.padEnd(26)} ${'records/s'.padStart(10)} ` +
      `${'in AWS'.padStart(7)} ${'own rec/s'.padStart(10)} ${'CPU ms'.padStart(7)} ${'DDB'.padStart(4)} ${'calls'.padStart(5)}`,
  ];
  for (const c of e2e.cases) {
    const wall = c.batches > 1 ? `${c.wallMs.median} (${c.wallMs.min}–${c.wallMs.max})` : String(c.wallMs.median);
    const total = Object.values(c.calls).reduce((s, n) => s + n, 0);
    lines.push(
      `  ${c.case.padEnd(42)} ${String(c.batches).padStart(2)}  ${wall.padEnd(26)} ${fmtRate(c.recordsPerSecond).padStart(10)} ` +
        `${String(c.awsMs).padStart(7)} ${(c.ownRecordsPerSecond === undefined ? '—' : fmtRate(c.ownRecordsPerSecond)).padStart(10)} ${String(c.cpuMs).padStart(7)} ` +
        `${String(dynamo(c)).padStart(4)} ${String(total).padStart(5)}${c.note ? `  ${c.note}` : ''}`,
      ...wrapped(Object.entries(c.calls).map(([op, n]) => `${short(op)} ${n}`)),
    );
  }
  lines.push(
    '  records/s: the records of the batches over their summed wall time (decode, parse, attribute, the counter',
    '  transactions and their consistent read back, acting, publishing). in AWS: ms per batch inside AWS calls',
    '  (moto, the loopback proxy, the SDK around each request), median. own rec/s: records over the wall time less',
    '  that (— where parallel calls overlap past it). DDB: DynamoDB calls per batch. calls: every AWS call the',
    "  container's clients sent (retries included), median per operation. CPU ms: this process (handler, SDK,",
    '  in-process fault proxy). The usage table is emptied before each measured batch (not timed), but for the replay',
    '  and the last case: moto deep-copies a table for every action of a transaction, so on moto a transaction costs',
    "  O(items in the table × its actions); DynamoDB's does not.",
    '',
    `pure part, in process (${pure.records.toLocaleString('en')} records over ${PRINCIPALS.length} principals, one budget each;` +
      ' median of 5)',
    `  parse + resolve + increments  ${fmtRate(pure.recordsPerSecond).padStart(10)}`,
    `  parse alone (JSON + zod)      ${fmtRate(pure.parsePerSecond).padStart(10)}`,
    `  resolve + budgets + increments${fmtRate(pure.attributePerSecond).padStart(10)}`,
  );
  return lines.join('\n');
}

// ---- child / standalone side --------------------------------------------------------------------

// Runs only as dist/bench/meter.js (esbuild also bundles this file into run.js, where `import.meta.url` is
// run.js): `--child` prints JSON for the runner, otherwise the report.
const self = fileURLToPath(import.meta.url);
if (basename(self) === 'meter.js' && process.argv[1] && resolve(process.argv[1]) === self) {
  const result = await measure();
  process.stdout.write(process.argv.includes('--child') ? JSON.stringify(result) : `${formatMeter(result)}\n`);
}
