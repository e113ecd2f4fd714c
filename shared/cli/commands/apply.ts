import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { applyActions, type ActionOutcome } from '../../apply/apply-actions.js';
import { verifyLive } from '../../apply/verify-live.js';
import { AwsClients } from '../../aws/clients.js';
import { IamDenyWriter } from '../../aws/iam-writer.js';
import { DynamoLedger, ledgerTableName } from '../../aws/ledger.js';
import { BlastRadiusError, denyActions } from '../../core/apply/safety.js';
import { UsageError } from '../../errors.js';
import type { Trigger } from '../../ledger/entry.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';
import { preparePlan } from '../prepare-plan.js';
import { renderApplied, renderDryRun } from '../render-apply.js';
import { renderPlan } from '../render-plan.js';
import { styleFor } from '../style.js';

const OPTIONS = {
  policy: { type: 'string' },
  snapshot: { type: 'string' },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'max-changes': { type: 'string' },
  json: { type: 'boolean' },
  table: { type: 'string' },
  'org-role': { type: 'string' },
} as const;

/** The blast-radius limit when `--max-changes` is not given: enough for day-to-day drift, not for a runaway. */
const DEFAULT_MAX_CHANGES = 25;

/**
 * `bedrock-guard apply`: the plan, carried out against AWS. Captures the
 * account live (or reads `--snapshot`), plans, refuses past the blast-radius
 * limit before any write, asks before writing (or takes `--yes`), writes each
 * guard deny and records it in the ledger, then re-reads IAM and verifies
 * that the touched principals ended as planned. Exit 0 when all of that
 * holds, 1 otherwise.
 */
export async function applyCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'apply');
  if (positionals.length > 0) throw new UsageError(`apply: unexpected argument "${positionals[0]}"`);
  const maxChanges = parseLimit(values['max-changes']);
  const stderr = io.stderr;
  const style = styleFor(io.stdout);
  const aws = new AwsClients();
  const { account, policy, work } = await preparePlan(
    {
      policyPath: values.policy ?? 'bedrock-guard.yaml',
      identify: true,
      progress: (phase) => stderr.write(`bedrock-guard: ${phase}…\n`),
      warn: (line) => stderr.write(`${line}\n`),
      ...(values.snapshot !== undefined ? { snapshotDir: values.snapshot } : {}),
      ...(values['org-role'] ? { orgRoleArn: values['org-role'] } : {}),
    },
    aws,
  );
  const { plan } = work;
  if (!values.json) io.stdout.write(`${renderPlan(plan, style)}\n\n`);
  if (!plan.selfCheck.passed) {
    stderr.write('bedrock-guard: the plan failed its self-check; nothing was written. Please report it.\n');
    return 1;
  }
  const actions = denyActions(plan);
  const summary = { account: plan.account, changes: actions.length, maxChanges };
  if (actions.length === 0) {
    if (values.json)
      io.stdout.write(`${JSON.stringify({ ...summary, outcomes: [], verified: true, problems: [] }, null, 2)}\n`);
    else io.stdout.write("No changes: the account's guard denies already match the policy file.\n");
    return 0;
  }
  if (values['dry-run']) {
    if (values.json) io.stdout.write(`${JSON.stringify({ ...summary, dryRun: true, actions }, null, 2)}\n`);
    else io.stdout.write(`${renderDryRun(actions)}\n`);
    return 0;
  }

  const table = values.table ?? ledgerTableName();
  const ledger = new DynamoLedger(aws.dynamodb(), table);
  await ledger.assertReady();
  const trigger: Trigger = { kind: 'manual', id: `manual-${new Date().toISOString()}-${randomUUID().slice(0, 8)}` };
  const parts = {
    writer: new IamDenyWriter(aws.iam(plan.partition)),
    ledger,
    snapshot: account.snapshot,
    desired: work.reconciliation.desired,
    protectedPrincipals: account.protectedPrincipals,
  };
  if (actions.length <= maxChanges && !values.yes && !(await confirm(io, actions.length, plan.account))) {
    stderr.write('bedrock-guard: not applied.\n');
    return 1;
  }
  let outcomes: ActionOutcome[];
  try {
    outcomes = await applyActions(actions, parts, { trigger, maxChanges });
  } catch (error) {
    if (!(error instanceof BlastRadiusError)) throw error;
    stderr.write(
      `bedrock-guard: ${error.message}.\n  hint: review the plan (bedrock-guard plan); if it is right, ` +
        `pass --max-changes ${error.changes}. The refusal is in the ledger (${table}).\n`,
    );
    return 1;
  }

  // Re-read IAM and plan again: every principal the actions were for must have ended exactly as planned.
  const problems = await verifyLive(aws, account.files, policy, plan, actions, {
    quotas: account.quotas,
    protectedPrincipals: account.protectedPrincipals,
  });
  const ok = problems.length === 0 && outcomes.every((o) => o.result !== 'failed' && o.ledger !== 'unrecorded');
  if (values.json) {
    const calls = Object.fromEntries(aws.stats.byOperation());
    const result = { ...summary, trigger, ledgerTable: table, outcomes, verified: problems.length === 0, problems };
    io.stdout.write(
      `${JSON.stringify({ ...result, awsCalls: { total: aws.stats.total, byOperation: calls } }, null, 2)}\n`,
    );
    return ok ? 0 : 1;
  }
  io.stdout.write(
    `${renderApplied({ account: plan.account, trigger: trigger.id, outcomes, problems, table, calls: aws.stats.total }, style)}\n`,
  );
  return ok ? 0 : 1;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_CHANGES;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`--max-changes "${text}" is not a whole number`, { hint: 'e.g. --max-changes 50' });
  }
  return n;
}

/** Asks on a terminal; without one, `--yes` is the only way to say yes. */
async function confirm(io: Io, changes: number, account: string): Promise<boolean> {
  const stdin = io.stdin;
  if (!stdin?.isTTY) {
    throw new UsageError('apply: --yes is required when not run from a terminal', {
      hint: 'Review with `bedrock-guard plan` or `apply --dry-run`, then run `apply --yes`.',
    });
  }
  const rl = createInterface({ input: stdin, output: io.stdout });
  try {
    const answer = await rl.question(`Write ${changes} guard deny change(s) to account ${account}? Type "yes": `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
