import { BedrockGuardError } from '../errors.js';
import { explainCommand } from './commands/explain.js';
import type { Io } from './io.js';

export const USAGE = `bedrock-guard — governance for Amazon Bedrock access

Usage:
  bedrock-guard validate FILE [--snapshot DIR] [--json]
      Checks a policy file (bedrock-guard.yaml): every error and warning with its line:col.
      With --snapshot, model ids that match no model in the snapshot's catalogue are warnings.
  bedrock-guard plan [--policy FILE] [--snapshot DIR] [--json | --sarif] [--report FILE.html]
      What breaks the policy file (default ./bedrock-guard.yaml) and the guard-owned denies that would
      contain it, like \`terraform plan\`: human output, JSON, SARIF 2.1.0, and a self-contained HTML report.
      Without --snapshot, the account is captured live.
  bedrock-guard apply [--policy FILE] [--snapshot DIR] [--yes] [--dry-run] [--max-changes N] [--json]
      Carries the plan out: writes and removes guard-owned deny policies (path /bedrock-guard/), records
      every action in the ledger, then re-reads IAM and verifies. Refuses, before any write, a plan of more
      than N changes (default 25); asks on a terminal, needs --yes elsewhere. Exit 0 applied and verified.
  bedrock-guard snapshot --out DIR [--regions R1,R2 | --policy FILE]
      Captures the snapshot folder from live AWS (Regions from --regions, else the policy file's).
  bedrock-guard ledger [--since WHEN] [--until WHEN] [--table NAME] [--json]
      The audit ledger: what the guard did and declined to do, oldest first. WHEN is a duration back from
      now (30m, 24h, 7d) or an ISO date or date-time (UTC); default --since 7d. The table is --table, else
      BEDROCK_GUARD_LEDGER_TABLE, else bedrock-guard-ledger.
  bedrock-guard ledger init [--table NAME]
      Creates the ledger table (on-demand, encrypted, point-in-time recovery) unless it exists.
  bedrock-guard handle-event FILE [--policy FILE] [--snapshot DIR] [--dry-run] [--json] [--bus NAME]
      One CloudTrail event (EventBridge envelope, CloudTrail record or LookupEvents item; - for stdin)
      through the Lambda handlers' pipeline: the principals it touched are re-read and planned, their
      denies applied (unless --dry-run) and recorded, findings published to --bus (or printed).
      With --snapshot, offline: the folder stands in for AWS and nothing is written.
  bedrock-guard explain --snapshot DIR --principal ARN --action A --resource ARN [--context k=v]… [--json]
      The IAM decision (Allowed, ImplicitlyDenied, ExplicitlyDenied) and the statements that decided it.
  bedrock-guard explain --snapshot DIR --batch FILE.jsonl|- [--context k=v]…
      One JSON result per line of {"principal", "action", "resource", "context"?}, in order.
  bedrock-guard explain --snapshot DIR [--principal ARN] --model MODEL_ID --region REGION [--json]
      Every route to the model (invoke, stream, batch, async, inference profiles, provisioned,
      bedrock-mantle, API keys) and the check that fails on each; without --principal, everyone's routes.
  bedrock-guard explain-denial EVENT.json|- [--policy FILE] [--snapshot DIR] [--first-use WHEN] [--json]
      Why a denied Bedrock invoke (EventBridge envelope, CloudTrail record or LookupEvents item; - for
      stdin) was denied: the request replayed on the route it took, the cause, the deciding statements and
      the smallest policy change, checked by replaying it. A guard deny is by design: the rule and the line
      of the policy file (--policy, else ./bedrock-guard.yaml if present). --first-use: when the account
      first used the model, for a third-party model's AWS Marketplace subscription. Without --snapshot,
      the account is captured live.
  bedrock-guard help

Live commands use the default AWS credential chain; AWS_ENDPOINT_URL points them at an emulator.
--org-role ARN (plan, apply, snapshot, explain-denial) reads SCPs as that role, e.g. in the management account.
--context key=value overrides a request-context key; repeat a key for a multivalued key.
Exit codes: 0 done (plan: no drift; apply: applied, recorded and verified), 2 plan found drift, 1 bad
arguments, bad input (an invalid policy file), a failed batch line, or an apply refused or not as planned.
`;

/** Runs one CLI invocation and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return 0;
      case 'explain':
        return await explainCommand(rest, io);
      // Loaded on demand: the policy-file parser and the planner stay out of `explain`'s start-up.
      case 'validate':
        return await (await import('./commands/validate.js')).validateCommand(rest, io);
      case 'plan':
        return await (await import('./commands/plan.js')).planCommand(rest, io);
      case 'apply':
        return await (await import('./commands/apply.js')).applyCommand(rest, io);
      case 'snapshot':
        return await (await import('./commands/snapshot.js')).snapshotCommand(rest, io);
      case 'ledger':
        return await (await import('./commands/ledger.js')).ledgerCommand(rest, io);
      case 'handle-event':
        return await (await import('./commands/handle-event.js')).handleEventCommand(rest, io);
      case 'explain-denial':
        return await (await import('./commands/explain-denial.js')).explainDenialCommand(rest, io);
      default:
        io.stderr.write(`bedrock-guard: unknown command "${command}"\n\n${USAGE}`);
        return 1;
    }
  } catch (thrown) {
    const error = await asGuardError(thrown);
    if (error instanceof BedrockGuardError) {
      io.stderr.write(`bedrock-guard: ${error.describe()}\n`);
      return 1;
    }
    throw error;
  }
}

/** AWS SDK errors get an actionable message; the SDK is loaded only if the command used it. */
async function asGuardError(error: unknown): Promise<unknown> {
  if (error instanceof BedrockGuardError || !(error instanceof Error)) return error;
  return (await import('../aws/explain-error.js')).explainAwsError(error);
}
