import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VERSION } from '../../version.js';
import { UsageError } from '../../errors.js';
import { renderHtmlReport } from '../../report/html/page.js';
import { planJson } from '../../report/json.js';
import { planSarif } from '../../report/sarif.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';
import { preparePlan } from '../prepare-plan.js';
import { renderPlan } from '../render-plan.js';
import { styleFor } from '../style.js';

const OPTIONS = {
  policy: { type: 'string' },
  snapshot: { type: 'string' },
  json: { type: 'boolean' },
  sarif: { type: 'boolean' },
  report: { type: 'string' },
  'org-role': { type: 'string' },
} as const;

/** Progress lines appear on a terminal at once, elsewhere only once a run has taken this long. */
const QUIET_MS = 2_000;

/** `bedrock-guard plan`: findings and planned actions; exit 0 no drift, 2 drift. */
export async function planCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'plan');
  if (positionals.length > 0) throw new UsageError(`plan: unexpected argument "${positionals[0]}"`);
  if (values.json && values.sarif) throw new UsageError('plan: choose one of --json and --sarif');
  const started = Date.now();
  const stderr = io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  const progress = (phase: string) => {
    if (stderr.isTTY === true || Date.now() - started > QUIET_MS) stderr.write(`bedrock-guard: ${phase}…\n`);
  };
  const {
    work: { plan },
  } = await preparePlan({
    policyPath: values.policy ?? 'bedrock-guard.yaml',
    identify: false,
    progress,
    warn: (line) => stderr.write(`${line}\n`),
    ...(values.snapshot !== undefined ? { snapshotDir: values.snapshot } : {}),
    ...(values['org-role'] ? { orgRoleArn: values['org-role'] } : {}),
  });
  if (values.report !== undefined) {
    progress(`writing ${values.report}`);
    await mkdir(dirname(values.report), { recursive: true });
    await writeFile(values.report, renderHtmlReport(plan));
  }
  if (values.json) io.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
  else if (values.sarif) io.stdout.write(`${JSON.stringify(planSarif(plan, VERSION), null, 2)}\n`);
  else io.stdout.write(`${renderPlan(plan, styleFor(io.stdout))}\n`);
  if (values.report !== undefined && !values.json && !values.sarif)
    io.stdout.write(`Report written to ${values.report}\n`);
  if (!plan.selfCheck.passed) {
    stderr.write('bedrock-guard: the plan failed its self-check; please report it with the snapshot.\n');
    return 1;
  }
  return plan.drift ? 2 : 0;
}
