import { BedrockGuardError } from '../errors.js';
import { explainCommand } from './commands/explain.js';
import type { Io } from './io.js';

export const USAGE = `bedrock-guard — governance for Amazon Bedrock access

Usage:
  bedrock-guard explain --snapshot DIR --principal ARN --action A --resource ARN [--context k=v]… [--json]
      The IAM decision (Allowed, ImplicitlyDenied, ExplicitlyDenied) and the statements that decided it.
  bedrock-guard explain --snapshot DIR --batch FILE.jsonl|- [--context k=v]…
      One JSON result per line of {"principal", "action", "resource", "context"?}, in order.
  bedrock-guard explain --snapshot DIR [--principal ARN] --model MODEL_ID --region REGION [--json]
      Every route to the model (invoke, stream, batch, async, inference profiles, provisioned,
      bedrock-mantle, API keys) and the check that fails on each; without --principal, everyone's routes.
  bedrock-guard help

--context key=value overrides a request-context key; repeat a key for a multivalued key.
Exit codes: 0 done, 1 bad arguments, bad input or a failed batch line.
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
      default:
        io.stderr.write(`bedrock-guard: unknown command "${command}"\n\n${USAGE}`);
        return 1;
    }
  } catch (error) {
    if (error instanceof BedrockGuardError) {
      io.stderr.write(`bedrock-guard: ${error.describe()}\n`);
      return 1;
    }
    throw error;
  }
}
