/**
 * Live enforcement on the moto server: an account of 1,000 roles seeded into
 * moto, then the guard's whole loop against it, as `bedrock-guard apply`
 * runs it — capture, plan, apply (each deny written to IAM and recorded in
 * the DynamoDB ledger), verify (re-read IAM, plan again, `verifyApplied`),
 * and a second cycle (capture + plan) that must find nothing left to change.
 * Each phase gets its own `AwsClients`, so its call counts are its own; each
 * reports wall time, this process's CPU time, the moto server's CPU time
 * (Linux), and peak RSS so far. Seeding is timed apart and is not a phase;
 * neither is creating the ledger table (once per account).
 *
 * Bedrock's catalogue comes from the loopback stand-in (moto has none), with
 * the demo snapshot's catalogue. Every other call goes through the fault proxy
 * with no faults, only so that `ListServiceSpecificCredentials` (which moto
 * lacks) is answered and the capture is complete; the proxy adds a loopback
 * hop to each of those calls (the round trips the report prints show its cost).
 *
 * It runs in its own process (like the matrix and plan benches): peak RSS is
 * this bench's alone, and the AWS_* environment it sets stays there. The
 * bundled file also runs by hand: `node dist/bench/apply.js --table 1000`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { applyActions } from '../shared/apply/apply-actions.js';
import { verifyLive } from '../shared/apply/verify-live.js';
import { captureSnapshot } from '../shared/aws/capture.js';
import { AwsClients } from '../shared/aws/clients.js';
import { IamDenyWriter } from '../shared/aws/iam-writer.js';
import { createLedgerTable, DynamoLedger } from '../shared/aws/ledger.js';
import { mapLimit } from '../shared/aws/sdk-output.js';
import { denyActions } from '../shared/core/apply/safety.js';
import { protectCaller } from '../shared/core/apply/protect-caller.js';
import { planFromFiles } from '../shared/core/plan/plan.js';
import { loadPolicyFile } from '../shared/core/policy-file/parse.js';
import { buildSnapshot } from '../shared/core/snapshot/build.js';
import { catalogueFromSnapshot, startBedrockServer } from '../test/support/bedrock-server.js';
import { serviceCredentialsStandIn, startFaultProxy } from '../test/support/fault-proxy.js';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, type MotoServer, startMoto } from '../test/support/moto.js';
import { BenchServers } from './servers.js';
import { timeAsync } from './timing.js';

export const APPLY_ROLES = 1_000;
const REGIONS = ['us-east-1', 'us-west-2'];
const SEED_CONCURRENCY = 16;
const RUNNER = 'BedrockGuardRunner';
const LEDGER_TABLE = 'bedrock-guard-ledger-bench';

/** What the platform team approves for the seeded account; the models are the demo catalogue's. */
export const APPLY_POLICY = `version: 1
partition: aws
regions: [${REGIONS.join(', ')}]
mode: enforce
models:
  standard: [amazon.nova-micro-v1:0, amazon.nova-lite-v1:0]
  premium: [anthropic.claude-3-haiku-20240307-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0]
teams:
  - name: everyone
    principals: "arn:aws:iam::*:role/*"
    models: [standard]
  - name: research
    principals: { tags: { team: research } }
    models: [standard, premium]
rules:
  unapproved-model-access: enforce
  full-access-managed-policy: alert
  cross-region-profile-gaps: alert
`;

// ---- the seeded account -------------------------------------------------------------------------

type Doc = { Version: '2012-10-17'; Statement: Record<string, unknown>[] };
const allow = (Action: string | string[], Resource: string | string[]): Doc => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action, Resource }],
});
const INVOKE = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
const models = (ids: readonly string[]) =>
  ids.flatMap((id) => [`arn:aws:bedrock:*::foundation-model/${id}`, `arn:aws:bedrock:*:*:inference-profile/us.${id}`]);
const NOVA = models(['amazon.nova-micro-v1:0', 'amazon.nova-lite-v1:0']);
const PREMIUM = models(['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-sonnet-20240620-v1:0']);

/** Customer-managed policies the over-broad roles attach: invoke anything, or anything at all. */
const MANAGED = {
  BenchBedrockInvokeAll: allow(INVOKE, '*'),
  BenchBedrockAll: allow('bedrock:*', '*'),
} as const;
const managedArn = (name: keyof typeof MANAGED) => `arn:aws:iam::${MOTO_ACCOUNT}:policy/${name}`;

type Kind = 'compliant' | 'over-broad' | 'research' | 'research-over-broad';

interface SeedRole {
  readonly name: string;
  readonly kind: Kind;
  readonly tags: Readonly<Record<string, string>>;
  readonly inline?: Doc;
  readonly attach?: keyof typeof MANAGED;
}

/**
 * Per ten roles: six compliant (inline: the approved Nova models only), three
 * over-broad (a managed invoke-anything or bedrock:* policy, or inline
 * bedrock:*), one tagged `team=research`, whose team has the premium models
 * too (half of them compliant, half with invoke-anything attached).
 */
function seedRoles(count: number): SeedRole[] {
  return Array.from({ length: count }, (_, i): SeedRole => {
    const name = `app-${String(i).padStart(4, '0')}`;
    const slot = i % 10;
    const round = Math.floor(i / 10);
    if (slot === 9) {
      return round % 2 === 0
        ? { name, kind: 'research-over-broad', tags: { team: 'research' }, attach: 'BenchBedrockInvokeAll' }
        : { name, kind: 'research', tags: { team: 'research' }, inline: allow(INVOKE, [...NOVA, ...PREMIUM]) };
    }
    if (slot === 0 || slot === 3 || slot === 6) {
      const variant = round % 3;
      if (variant === 0) return { name, kind: 'over-broad', tags: {}, attach: 'BenchBedrockInvokeAll' };
      if (variant === 1) return { name, kind: 'over-broad', tags: {}, attach: 'BenchBedrockAll' };
      return { name, kind: 'over-broad', tags: {}, inline: allow('bedrock:*', '*') };
    }
    return { name, kind: 'compliant', tags: {}, inline: allow(INVOKE, NOVA) };
  });
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The roles, the managed policies, and the guard's own role (bedrock:* inline: only its protection keeps it unplanned). */
async function seed(server: MotoServer, roles: readonly SeedRole[]): Promise<{ calls: number }> {
  const iam = new IAMClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 3,
  });
  let calls = 0;
  iam.middlewareStack.add(
    (next) => (args) => {
      calls++; // every HTTP attempt, retries included, as CallStats counts them
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchSeedCalls' },
  );
  const send = iam.send.bind(iam);
  for (const [PolicyName, doc] of Object.entries(MANAGED)) {
    await send(new CreatePolicyCommand({ PolicyName, PolicyDocument: JSON.stringify(doc) }));
  }
  const runnerTrust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
  });
  await send(new CreateRoleCommand({ RoleName: RUNNER, AssumeRolePolicyDocument: runnerTrust }));
  await send(
    new PutRolePolicyCommand({
      RoleName: RUNNER,
      PolicyName: 'bedrock-admin',
      PolicyDocument: JSON.stringify(allow('bedrock:*', '*')),
    }),
  );
  await mapLimit(roles, SEED_CONCURRENCY, async (role) => {
    const Tags = Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value }));
    await send(
      new CreateRoleCommand({
        RoleName: role.name,
        AssumeRolePolicyDocument: TRUST,
        ...(Tags.length > 0 ? { Tags } : {}),
      }),
    );
    if (role.inline) {
      await send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: 'bedrock',
          PolicyDocument: JSON.stringify(role.inline),
        }),
      );
    }
    if (role.attach) {
      await send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: managedArn(role.attach) }));
    }
  });
  iam.destroy();
  return { calls };
}

/** The guard runs as an assumed-role session of its own role, as it does when deployed. */
async function runnerCredentials(endpoint: string): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, maxAttempts: 3 });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${RUNNER}`, RoleSessionName: 'bench' }),
  );
  sts.destroy();
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** Median of `n` sequential sts:GetCallerIdentity round trips to `endpoint`: the floor of a call's latency. */
async function roundTripMs(endpoint: string, n = 30): Promise<number> {
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  const timing = await timeAsync(async () => void (await sts.send(new GetCallerIdentityCommand({}))), n, 3);
  sts.destroy();
  return Math.round(timing.medianMs * 10) / 10;
}

/**
 * The moto server's process, to read its CPU time and memory: Linux only (`/proc`), found by the
 * port on its command line; undefined elsewhere, and the figures are left out.
 */
function motoProcess(port: number): { cpuMs(): number; peakRssMiB(): number } | undefined {
  let pid: string | undefined;
  try {
    pid = readdirSync('/proc').find((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return argv.includes('moto.server') && argv.includes(String(port));
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    });
  } catch {
    return undefined;
  }
  if (pid === undefined) return undefined;
  return {
    // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (USER_HZ, 100 on Linux).
    cpuMs: () => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    peakRssMiB: () =>
      Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024),
  };
}

// ---- the measured phases ------------------------------------------------------------------------

export interface PhaseResult {
  readonly phase: string;
  readonly wallMs: number;
  /**
   * CPU time of this process (user + system): our code, the SDK, and the in-process proxy and
   * Bedrock stand-in. The rest of the wall time is waiting, mostly on moto.
   */
  readonly cpuMs: number;
  /** CPU time of the moto server in the phase (Linux only). */
  readonly motoCpuMs?: number;
  readonly awsCalls: number;
  /** `Service.Operation` → calls, largest first (as `apply --json` reports them). */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Peak RSS of this process so far (it only grows). */
  readonly peakRssMiB: number;
  readonly note?: string;
}

export interface ApplyBenchResult {
  readonly roles: number;
  readonly mix: Readonly<Record<Kind, number>>;
  readonly principalsCaptured: number;
  readonly denyActions: number;
  readonly applied: number;
  readonly seed: { readonly wallMs: number; readonly calls: number; readonly concurrency: number };
  /** Median sequential round trip of sts:GetCallerIdentity, straight to moto and through the proxy. */
  readonly roundTripMs: { readonly moto: number; readonly proxied: number };
  readonly ledgerInit: PhaseResult;
  /** Capture, plan, apply, verify, second cycle. */
  readonly phases: readonly PhaseResult[];
  /** The five phases' wall time: ledger init and seeding excluded. */
  readonly totalMs: number;
  readonly peakRssMiB: number;
  /** The moto server's peak RSS (Linux only). */
  readonly motoPeakRssMiB?: number;
}

const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
let moto: ReturnType<typeof motoProcess>;

async function phase<T>(
  name: string,
  aws: AwsClients | undefined,
  fn: () => Promise<T>,
): Promise<{ value: T; result: PhaseResult }> {
  const cpu0 = process.cpuUsage();
  const motoCpu0 = moto?.cpuMs();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const motoCpu = moto && motoCpu0 !== undefined ? moto.cpuMs() - motoCpu0 : undefined;
  return {
    value,
    result: {
      phase: name,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      ...(motoCpu !== undefined ? { motoCpuMs: motoCpu } : {}),
      awsCalls: aws?.stats.total ?? 0,
      byOperation: Object.fromEntries(aws?.stats.byOperation() ?? []),
      peakRssMiB: rssMiB(),
    },
  };
}

/** Fails the bench loudly: a wrong result makes its timings meaningless. */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`apply bench: ${message}`);
}

async function measure(roleCount: number): Promise<ApplyBenchResult> {
  const roles = seedRoles(roleCount);
  const mix = { compliant: 0, 'over-broad': 0, research: 0, 'research-over-broad': 0 } satisfies Record<Kind, number>;
  for (const r of roles) mix[r.kind]++;
  const expectedDenies = mix['over-broad'] + mix['research-over-broad'];

  const servers = new BenchServers();
  try {
    // No AWS managed policies: the seeded account attaches only customer-managed ones.
    const server = await startMoto({ managedPolicies: false });
    servers.add(server);
    moto = motoProcess(server.port);
    const proxy = await startFaultProxy({ target: server.endpoint, answer: serviceCredentialsStandIn([]) });
    servers.add(proxy);
    // The tests' page of 2 is there to exercise paginators; here each list is one page.
    const bedrock = await startBedrockServer(catalogueFromSnapshot('examples/demo/snapshot', MOTO_ACCOUNT), {
      pageSize: 100,
    });
    servers.add(bedrock);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ENDPOINT_URL_BEDROCK: bedrock.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;

    const s0 = process.hrtime.bigint();
    const seeded = await seed(server, roles);
    const seedMs = Math.round(Number(process.hrtime.bigint() - s0) / 1e6);
    const credentials = await runnerCredentials(server.endpoint);
    const clients = () => new AwsClients({ credentials });
    const roundTrip = { moto: await roundTripMs(server.endpoint), proxied: await roundTripMs(proxy.endpoint) };

    const phases: PhaseResult[] = [];

    // (1) Capture: every read `bedrock-guard apply` makes before planning.
    const captureAws = clients();
    const captured = await phase('capture', captureAws, () => captureSnapshot(captureAws, { regions: REGIONS }));
    phases.push(captured.result);
    const live = captured.value;
    check(live.warnings.length === 0, `the capture has warnings: ${live.warnings.join('; ')}`);

    // (2) Plan: the snapshot built, the policy file checked against its catalogue, the plan and its self-check.
    const planOf = (files: typeof live.files, callerArn: string, quotas = live.quotas) => {
      const snapshot = buildSnapshot(files);
      const protectedPrincipals = protectCaller(snapshot, callerArn);
      const { policy } = loadPolicyFile(APPLY_POLICY, 'bench-apply.yaml', {
        knownModelIds: snapshot.foundationModels.map((m) => m.modelId),
        knownRegions: snapshot.account.regions,
      });
      const work = planFromFiles(files, policy, { snapshot, quotas, protectedPrincipals });
      return { snapshot, protectedPrincipals, policy, work };
    };
    const planned = await phase('plan', undefined, async () => planOf(live.files, live.callerArn));
    const { snapshot, protectedPrincipals, policy, work } = planned.value;
    const actions = denyActions(work.plan);
    phases.push({
      ...planned.result,
      note: `${work.plan.findings.length} findings, ${actions.length} deny actions, self-check ${work.plan.selfCheck.passed ? 'passed' : 'FAILED'}`,
    });
    const runnerArn = `arn:aws:iam::${MOTO_ACCOUNT}:role/${RUNNER}`;
    check(work.plan.selfCheck.passed, 'the plan failed its self-check');
    check(protectedPrincipals.has(runnerArn), `the guard's own role is not protected (caller ${live.callerArn})`);
    check(snapshot.principals.length === roleCount + 1, `captured ${snapshot.principals.length} principals`);
    check(
      actions.length === expectedDenies && actions.every((a) => a.type === 'put-deny'),
      `planned ${actions.length} deny changes (${[...new Set(actions.map((a) => a.type))].join(', ')}), expected ${expectedDenies} put-deny`,
    );
    check(!actions.some((a) => a.principal === runnerArn), "the plan writes to the guard's own role");

    // (3) The ledger table: once per account in real life, so not a phase.
    const ledgerAws = clients();
    const ledgerInit = await phase('ledger init', ledgerAws, async () => {
      await createLedgerTable(ledgerAws.dynamodb(), LEDGER_TABLE);
    });

    // (4) Apply: every deny written and recorded, as `apply --max-changes <all> --yes` does…
    const applyAws = clients();
    const trigger = { kind: 'manual' as const, id: `bench-${new Date().toISOString()}` };
    const applied = await phase('apply', applyAws, async () => {
      const ledger = new DynamoLedger(applyAws.dynamodb(), LEDGER_TABLE);
      await ledger.assertReady();
      return applyActions(
        actions,
        {
          writer: new IamDenyWriter(applyAws.iam(work.plan.partition)),
          ledger,
          snapshot,
          desired: work.reconciliation.desired,
          protectedPrincipals,
        },
        { trigger, maxChanges: actions.length },
      );
    });
    const outcomes = applied.value;
    const bad = outcomes.filter((o) => o.result !== 'applied' || o.ledger !== 'recorded');
    check(
      bad.length === 0,
      `${bad.length} action(s) not applied and recorded, e.g. ${bad
        .slice(0, 3)
        .map((o) => `${o.action.principal}: ${o.result} ${o.ledger} ${o.detail}`)
        .join('; ')}`,
    );
    phases.push({ ...applied.result, note: `${outcomes.length} denies written and recorded` });

    // …then IAM re-read and planned again: the touched principals must have ended as planned.
    const verifyAws = clients();
    const verified = await phase('verify', verifyAws, async () => {
      return verifyLive(verifyAws, live.files, policy, work.plan, actions, {
        quotas: live.quotas,
        protectedPrincipals,
      });
    });
    phases.push(verified.result);
    check(verified.value.length === 0, `verify found ${verified.value.length} problem(s): ${verified.value[0]}`);

    // (5) A second cycle, as the next `apply` (or the service's next event) runs it: nothing left to change.
    const againAws = clients();
    const again = await phase('second cycle', againAws, async () => {
      const next = await captureSnapshot(againAws, { regions: REGIONS });
      return planOf(next.files, next.callerArn, next.quotas).work;
    });
    const left = denyActions(again.value.plan);
    check(again.value.plan.selfCheck.passed, 'the second plan failed its self-check');
    phases.push({ ...again.result, note: `${left.length} deny changes` });
    check(left.length === 0, `the second cycle still plans ${left.length} deny change(s), e.g. ${left[0]?.principal}`);

    return {
      roles: roleCount,
      mix,
      principalsCaptured: snapshot.principals.length,
      denyActions: actions.length,
      applied: outcomes.length,
      seed: { wallMs: seedMs, calls: seeded.calls, concurrency: SEED_CONCURRENCY },
      roundTripMs: roundTrip,
      ledgerInit: ledgerInit.result,
      phases,
      totalMs: phases.reduce((sum, p) => sum + p.wallMs, 0),
      peakRssMiB: rssMiB(),
      ...(moto ? { motoPeakRssMiB: moto.peakRssMiB() } : {}),
    };
  } finally {
    // Interrupted: the calls cut off fail, but that is not the news; `close` waits for the exit instead.
    await servers.close();
  }
}

// ---- runner side --------------------------------------------------------------------------------

/** Runs the bench in a fresh process (this file, bundled next to the runner). */
export function runApplyBench(roles = APPLY_ROLES): ApplyBenchResult {
  const child = fileURLToPath(new URL('./apply.js', import.meta.url));
  const out = execFileSync(process.execPath, [child, '--child', String(roles)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as ApplyBenchResult;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const top = (ops: PhaseResult['byOperation'], n = 4) =>
  Object.entries(ops)
    .slice(0, n)
    .map(([op, count]) => `${op} ${count}`)
    .join(', ') + (Object.keys(ops).length > n ? `, +${Object.keys(ops).length - n} more` : '');

export function formatApply(r: ApplyBenchResult): string {
  const motoCpu = (ms: number | undefined) => (ms === undefined ? 'n/a' : secs(ms));
  const row = (p: PhaseResult) =>
    `  ${p.phase.padEnd(12)} ${secs(p.wallMs).padStart(8)} ${secs(p.cpuMs).padStart(8)} ${motoCpu(p.motoCpuMs).padStart(9)}` +
    ` ${String(p.awsCalls).padStart(6)}  ${String(p.peakRssMiB).padStart(4)} MiB  ${[p.note, top(p.byOperation)].filter(Boolean).join('; ')}`;
  const mix = Object.entries(r.mix)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  return [
    `live apply on the moto server: ${r.roles} roles (${mix}) + the guard's own role, ${REGIONS.length} Regions`,
    `  seeding ${secs(r.seed.wallMs)} (${r.seed.calls} IAM calls, ${r.seed.concurrency} in parallel; not in the total); ` +
      `round trip: moto ${r.roundTripMs.moto} ms, through the proxy ${r.roundTripMs.proxied} ms`,
    `  ${'phase'.padEnd(12)} ${'wall'.padStart(8)} ${'our CPU'.padStart(8)} ${'moto CPU'.padStart(9)} ${'calls'.padStart(6)}` +
      `  ${'peak RSS'.padStart(8)}  top operations`,
    ...r.phases.map(row),
    `  ${'total'.padEnd(12)} ${secs(r.totalMs).padStart(8)} ${''.padStart(8)} ${''.padStart(9)} ${String(
      r.phases.reduce((s, p) => s + p.awsCalls, 0),
    ).padStart(6)}  ${String(r.peakRssMiB).padStart(4)} MiB  ${r.denyActions} deny actions; ledger init not included` +
      (r.motoPeakRssMiB !== undefined ? `; moto peak RSS ${r.motoPeakRssMiB} MiB` : ''),
    `  (ledger init ${secs(r.ledgerInit.wallMs)}, ${r.ledgerInit.awsCalls} calls: ${top(r.ledgerInit.byOperation)})`,
  ].join('\n');
}

// ---- child / standalone side --------------------------------------------------------------------

// `--child N` prints JSON for the runner; `--table N` prints the report (run by hand). The flag is
// checked too because esbuild bundles this file into run.js as well, where `import.meta.url` is run.js.
const flag = process.argv.findIndex((a) => a === '--child' || a === '--table');
if (flag > 0 && process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measure(Number(process.argv[flag + 1] ?? APPLY_ROLES));
  process.stdout.write(process.argv[flag] === '--child' ? JSON.stringify(result) : `${formatApply(result)}\n`);
}
