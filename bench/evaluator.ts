/**
 * Evaluator bench: decisions per second of our evaluator (policies compiled
 * once) against iam-simulate's `runSimulation` on the same requests, and the
 * CLI end to end (`explain --batch`, process start included).
 *
 * BENCH_N (default 20000) requests; iam-simulate runs on the first
 * BENCH_ORACLE_N (default 1000) of them that it accepts, because it is slow;
 * rates are per decision, so the ratio is fair. BENCH_KEEP=1 keeps the temp
 * folder with the snapshot and the JSONL batch.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { explainRequest } from '../shared/core/explain/explain.js';
import { contextFrom, LayeredContext } from '../shared/core/iam/context.js';
import { decide, evaluate, type PolicySet } from '../shared/core/iam/evaluate.js';
import type { AuthorizationRequest, Decision } from '../shared/core/iam/types.js';
import type { Snapshot } from '../shared/core/snapshot/types.js';
import { readSnapshotFolder } from '../shared/snapshot/read-folder.js';
import type { ContextRecord } from '../test/differential/arbitraries.js';
import { type PolicyInputs, simulation } from '../test/differential/harness.js';
import { batchLine, type PolicySetFixture, type Workload, workload, writeWorkload } from './fixtures.js';
import { type BenchReport, fmtMs, fmtRate, rate, type Timing, timeAsync, timeSync } from './timing.js';

// npm runs the bench from the package root.
const CLI = resolve('bin/bedrock-guard.js');
const TARGET_RATIO = 300;

export interface EvaluatorBenchOptions {
  readonly n?: number;
  readonly oracleN?: number;
  /** Measured runs per in-process timing (after warm-up). */
  readonly runs?: number;
  /** Measured CLI runs (after one warm-up). */
  readonly cliRuns?: number;
  readonly keep?: boolean;
}

interface Prepared {
  readonly principal: string;
  readonly policies: PolicySet;
  /** The request exactly as the CLI builds it: snapshot facts, derived keys, then the line's context. */
  readonly request: AuthorizationRequest;
  readonly decision: Decision;
}

/** The context explainRequest built, as a plain record for iam-simulate. */
function toRecord(context: AuthorizationRequest['context']): ContextRecord {
  if (!(context instanceof LayeredContext))
    throw new Error('explainRequest no longer builds a LayeredContext: update the bench');
  const out: ContextRecord = {};
  for (const [k, v] of context.toMap()) out[k] = typeof v === 'string' ? v : [...v];
  return out;
}

const REGIONLESS = /^arn:[^:]+:[^:]+:::/;

function inputsFor(w: Workload, role: string): PolicyInputs {
  const set = w.sets.find((s) => role.endsWith(`:role/${s.role}`)) as PolicySetFixture;
  return { identity: set.identity, boundary: set.boundary, scps: w.scps.map((l) => l.policies) };
}

/** Spawn the CLI once; `stdout` is a file descriptor (timed runs) or captured (verification). */
function cli(args: string[], stdout: number | 'pipe') {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    stdio: ['ignore', stdout, 'pipe'],
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`bedrock-guard ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function timeCli(args: string[], runs: number): Timing {
  const devNull = openSync('/dev/null', 'w');
  try {
    return timeSync(() => void cli(args, devNull), runs, 1);
  } finally {
    closeSync(devNull);
  }
}

export async function run(options: EvaluatorBenchOptions = {}): Promise<BenchReport> {
  const n = options.n ?? Number(process.env.BENCH_N ?? 20_000);
  const oracleN = options.oracleN ?? Number(process.env.BENCH_ORACLE_N ?? 1000);
  const runs = options.runs ?? 7;
  const cliRuns = options.cliRuns ?? 5;
  const keep = options.keep ?? process.env.BENCH_KEEP === '1';

  const w = workload(n);
  const dir = mkdtempSync(join(tmpdir(), 'bedrock-guard-bench-'));
  try {
    const paths = writeWorkload(w, dir);

    // In process: load and compile the snapshot, then decide every request.
    let snapshot: Snapshot | undefined;
    const load = await timeAsync(
      async () => {
        snapshot = await readSnapshotFolder(paths.snapshot);
      },
      runs,
      1,
    );
    const snap = snapshot as Snapshot;
    const now = new Date();
    const lines = w.requests.map((r) => batchLine(w, r));
    const explainAll = () => lines.map((line) => explainRequest(snap, { ...line, now }));
    const prepared: Prepared[] = explainAll().map((e, i) => ({
      principal: (w.requests[i] as Workload['requests'][number]).principal,
      policies: e.principal.policies,
      request: e.request,
      decision: e.result.decision,
    }));
    const decisions: Record<Decision, number> = { Allowed: 0, ImplicitlyDenied: 0, ExplicitlyDenied: 0 };
    for (const p of prepared) decisions[p.decision]++;

    let sink = 0;
    const evalT = timeSync(
      () => {
        for (const p of prepared) sink += evaluate(p.policies, p.request).statements.length;
      },
      runs,
      2,
    );
    const decideT = timeSync(
      () => {
        for (const p of prepared) if (decide(p.policies, p.request) === 'Allowed') sink++;
      },
      runs,
      2,
    );
    const explainT = timeSync(() => void explainAll(), runs, 1);
    const ours = rate(n, evalT.medianMs);

    // iam-simulate: the same requests (as built above), the same policies.
    const subset = prepared.filter((p) => !REGIONLESS.test(p.request.resource)).slice(0, oracleN);
    const sims: Simulation[] = subset.map((p) =>
      simulation(inputsFor(w, p.principal), p.principal, {
        action: p.request.action,
        resource: p.request.resource,
        context: toRecord(p.request.context),
      }),
    );
    // First pass: warm-up, and a check that both answer the same (keys iam-simulate ignores dropped: N1).
    let agree = 0;
    for (const [i, sim] of sims.entries()) {
      const r = await runSimulation(sim, {});
      if (r.resultType !== 'single') throw new Error(`iam-simulate rejected request ${i}: ${JSON.stringify(r)}`);
      const p = subset[i] as Prepared;
      const context = toRecord(p.request.context);
      for (const k of r.result.ignoredContextKeys ?? []) delete context[k.toLowerCase()];
      if (evaluate(p.policies, { ...p.request, context: contextFrom(context) }).decision === r.overallResult) agree++;
    }
    const oracleT = await timeAsync(
      async () => {
        for (const sim of sims) await runSimulation(sim, {});
      },
      3,
      0,
    );
    const oracle = rate(sims.length, oracleT.medianMs);

    // End to end: the CLI on the same snapshot and batch, process start included.
    const batchArgs = ['explain', '--snapshot', paths.snapshot, '--batch', paths.batch];
    const verify = cli(batchArgs, 'pipe').stdout.trimEnd().split('\n');
    const cliAgree = verify.filter((line, i) => JSON.parse(line).decision === prepared[i]?.decision).length;
    const startT = timeCli(['explain', '--snapshot', paths.snapshot, '--batch', paths.empty], cliRuns);
    const cliT = timeCli(batchArgs, cliRuns);
    const endToEnd = rate(n, cliT.medianMs);

    const row = (label: string, t: Timing, count?: number, note = '') =>
      `${label.padEnd(46)} ${fmtMs(t.medianMs).padStart(9)}${count === undefined ? '' : `  ${fmtRate(rate(count, t.medianMs)).padStart(10)}`}${note}`;
    const ratio = (x: number) => `${x.toFixed(0)}x`;
    const report = [
      `${n} requests, ${w.sets.length} roles (policy sets), ${w.scps.length} SCP levels; decisions: ` +
        `${decisions.Allowed} Allowed, ${decisions.ImplicitlyDenied} ImplicitlyDenied, ${decisions.ExplicitlyDenied} ExplicitlyDenied`,
      `medians of ${runs} runs (CLI: ${cliRuns}, iam-simulate: 3), after warm-up`,
      row('load + compile snapshot (in process)', load),
      row('evaluate, compiled (in process)', evalT, n),
      row('decide, decision only (in process)', decideT, n),
      row('explainRequest: principal + context + evaluate', explainT, n),
      row(
        `iam-simulate runSimulation, ${sims.length} requests`,
        oracleT,
        sims.length,
        `  (${(oracleT.medianMs / sims.length).toFixed(2)} ms per decision; same decision as ours: ${agree}/${sims.length})`,
      ),
      row('CLI, empty batch (process start + load)', startT),
      row(`CLI explain --batch, ${n} lines`, cliT, n, `  (same decision as in process: ${cliAgree}/${n})`),
      `ratio in process (evaluate / iam-simulate)      ${ratio(ours / oracle)}`,
      `ratio end to end (CLI incl. start / iam-simulate) ${ratio(endToEnd / oracle)}  (target >= ${TARGET_RATIO}x: ${
        endToEnd / oracle >= TARGET_RATIO ? 'met' : 'not met'
      })`,
    ];
    if (keep) report.push(`kept ${dir}`);
    return {
      name: 'evaluator',
      lines: report,
      metrics: {
        requests: n,
        roles: w.sets.length,
        scpLevels: w.scps.length,
        decisions,
        loadMs: load,
        evaluate: { ...evalT, perSecond: ours },
        decide: { ...decideT, perSecond: rate(n, decideT.medianMs) },
        explainRequest: { ...explainT, perSecond: rate(n, explainT.medianMs) },
        iamSimulate: { requests: sims.length, ...oracleT, perSecond: oracle, agreeWithOurs: agree },
        inProcessRatio: ours / oracle,
        cliStart: startT,
        cliBatch: { ...cliT, perSecond: endToEnd, agreeWithInProcess: cliAgree },
        endToEndRatio: endToEnd / oracle,
        targetRatio: TARGET_RATIO,
        sink,
      },
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
