/**
 * The guard's denies, judged by an independent evaluator. The self-check
 * proves a plan with our own evaluator; here iam-simulate (test-only, AGPL)
 * re-decides, for every example, each route that IAM allowed before the plan
 * for every principal the plan changes, on the policies as they would be after
 * it — and must agree: excess denied, everything the file grants still allowed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../../shared/core/iam/policy.js';
import { requestContext } from '../../shared/core/iam/context.js';
import { applyToFiles } from '../../shared/core/plan/apply-to-files.js';
import { planFromFiles } from '../../shared/core/plan/plan.js';
import { loadPolicyFile } from '../../shared/core/policy-file/parse.js';
import { buildSnapshot } from '../../shared/core/snapshot/build.js';
import { principalContext } from '../../shared/core/snapshot/principal-context.js';
import type { Principal, Snapshot } from '../../shared/core/snapshot/types.js';
import { readSnapshotFiles } from '../../shared/snapshot/read-folder.js';
import { NOW } from '../support/snapshot-fixtures.js';
import type { ContextRecord, PolicyDoc, RequestSpec } from './arbitraries.js';
import { oracle, type PolicyInputs } from './harness.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const WITH_DENIES = ['demo', 'govcloud', 'playground-team', 'custom-model-import', 'iam-hygiene'];

const doc = (p: CompiledPolicy): PolicyDoc => ({
  Version: '2012-10-17',
  Statement: p.statements.map((s) => s.raw) as unknown as PolicyDoc['Statement'],
});

function inputsOf(p: Principal): PolicyInputs {
  return {
    identity: p.policies.identity.map(doc),
    boundary: p.policies.boundary && doc(p.policies.boundary),
    scps: p.policies.scps.map((level) => level.policies.map(doc)),
  };
}

/**
 * A request as AWS would carry it: the principal's facts, the request's keys,
 * the route's own keys. A batch job's ARN is only known once Bedrock makes it:
 * the oracle is asked about one such job rather than the `*` pattern.
 */
function requestOf(snapshot: Snapshot, p: Principal, check: RequestSpec): RequestSpec {
  const resource = check.resource.replace(/model-invocation-job\/\*$/, 'model-invocation-job/bgjob0001');
  const context: ContextRecord = {};
  for (const layer of [principalContext(p, snapshot.account), requestContext(resource, NOW)]) {
    for (const [k, v] of layer) context[k] = typeof v === 'string' ? v : [...v];
  }
  Object.assign(context, check.context);
  return { action: check.action, resource, context };
}

describe.each(WITH_DENIES)('the denies planned for examples/%s, re-decided by iam-simulate', (name) => {
  it('block every enforced excess route and keep every granted one', async () => {
    const dir = join(EXAMPLES, name);
    const files = await readSnapshotFiles(join(dir, 'snapshot'));
    const path = join(dir, 'bedrock-guard.yaml');
    const { policy } = loadPolicyFile(readFileSync(path, 'utf8'), path);
    const work = planFromFiles(files, policy, { now: NOW });
    const after = buildSnapshot(applyToFiles(files, work.changes));
    const changed = new Set(work.changes.map((c) => c.principal));
    expect(changed.size).toBeGreaterThan(0);

    let asked = 0;
    for (const cohort of work.reconciliation.cohorts) {
      for (const before of cohort.principals.filter((p) => changed.has(p.arn))) {
        const principal = after.principal(before.arn) as Principal;
        const inputs = inputsOf(principal);
        const allowed = async (route: { checks: readonly (RequestSpec & { advisory?: true })[] }) => {
          for (const check of route.checks) {
            if (check.advisory) continue;
            asked++;
            const answer = await oracle(inputs, principal.arn, requestOf(after, principal, check));
            if (answer.decision !== 'Allowed') return false;
          }
          return true;
        };
        for (const cell of cohort.cells) {
          for (const route of cell.granted) {
            expect(await allowed(route), `${principal.arn} keeps ${cell.modelId} ${cell.region} ${route.id}`).toBe(
              true,
            );
          }
          for (const { route, rule } of cell.excess) {
            if (policy.rules[rule].mode !== 'enforce') continue;
            expect(await allowed(route), `${principal.arn} loses ${cell.modelId} ${cell.region} ${route.id}`).toBe(
              false,
            );
          }
        }
      }
    }
    expect(asked).toBeGreaterThan(0);
  }, 120_000);
});
