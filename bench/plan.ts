/**
 * `plan` for synthetic accounts of 1k / 10k / 50k principals against a
 * realistic policy file: snapshot build, reconcile (every principal × 100
 * models × 4 Regions × every route, every rule), deny synthesis and the
 * in-memory self-check, as `bedrock-guard plan` runs them.
 * Each size runs in its own process so that peak RSS belongs to it alone.
 */
import { planFromFiles } from '../shared/core/plan/plan.js';
import { loadPolicyFile } from '../shared/core/policy-file/parse.js';
import { syntheticAccount } from '../test/support/synthetic-account.js';
import { runSizes, serveSizes } from './per-size.js';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1'];
const MODELS = 100;
export const PLAN_SIZES = [1_000, 10_000, 50_000];

/** What a platform team would write for the synthetic account's teams and groups. */
export const BENCH_POLICY = `version: 1
partition: aws
regions: [us-east-1, us-west-2, eu-west-1]
exempt:
  - "arn:aws:iam::*:role/security-*"
models:
  standard: [amazon.nova-micro-v1:0, amazon.nova-lite-v1:0]
  premium: ["anthropic.claude-3-haiku-*", "anthropic.claude-3-5-sonnet-*"]
  embeddings: ["amazon.titan-embed-*", "cohere.embed-*"]
teams:
  - name: everyone
    principals: "arn:aws:iam::*:role/*"
    models: [standard]
  - name: builders
    principals:
      - tags: { team: [data-science, ml-platform, research] }
    models: [standard, premium, embeddings]
    features: [invoke, batch]
  - name: search
    principals: { tags: { team: search } }
    models: [embeddings]
  - name: ml-engineers
    principals: { groups: [ml-engineers] }
    models: [standard, premium]
    features: [invoke, api-keys]
  - name: contractors
    principals: { groups: [contractors] }
    models: [standard]
    regions: [us-east-1]
rules:
  full-access-managed-policy: alert
  cross-region-profile-gaps: alert
  custom-model-import-role: alert
`;

export interface PlanResult {
  readonly principals: number;
  readonly findings: number;
  readonly denies: number;
  /** The whole plan: snapshot build, reconcile, deny synthesis and the self-check. */
  readonly planMs: number;
  /** The part of `planMs` spent in the self-check. */
  readonly selfCheckMs: number;
  readonly peakRssMiB: number;
  readonly selfCheckPassed: boolean;
}

function measure(principals: number): PlanResult {
  const files = syntheticAccount({ principals, models: MODELS, regions: REGIONS, seed: 42 });
  const { policy } = loadPolicyFile(BENCH_POLICY, 'bench.yaml');
  const phases = new Map<string, bigint>();
  const t0 = process.hrtime.bigint();
  const work = planFromFiles(files, policy, {
    now: new Date('2026-11-22T00:00:00Z'),
    progress: (phase) => phases.set(phase.split(' ')[0] ?? phase, process.hrtime.bigint()),
  });
  const t1 = process.hrtime.bigint();
  const ms = (a: bigint, b: bigint) => Math.round(Number(b - a) / 1e6);
  return {
    principals: work.actual.principals.length,
    findings: work.plan.findings.length,
    denies: work.plan.actions.filter((a) => a.type === 'put-deny').length,
    planMs: ms(t0, t1),
    selfCheckMs: ms(phases.get('checking') ?? t1, t1),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    selfCheckPassed: work.plan.selfCheck.passed,
  };
}

export function runPlanBench(sizes = PLAN_SIZES): PlanResult[] {
  return runSizes<PlanResult>(new URL('./plan.js', import.meta.url), sizes);
}

export function formatPlan(results: readonly PlanResult[]): string {
  const rows = results.map(
    (r) =>
      `  ${String(r.principals).padStart(6)} principals  ${String(r.findings).padStart(8)} findings  ` +
      `${String(r.denies).padStart(6)} denies  plan ${String(r.planMs).padStart(6)} ms ` +
      `(self-check ${String(r.selfCheckMs).padStart(5)} ms)  peak RSS ${r.peakRssMiB} MiB  ` +
      `self-check ${r.selfCheckPassed ? 'passed' : 'FAILED'}`,
  );
  return [`plan (${MODELS} models × ${REGIONS.length} Regions, realistic policy file)`, ...rows].join('\n');
}

serveSizes(import.meta.url, measure);
