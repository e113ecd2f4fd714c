import { BedrockGuardError } from '../errors.js';
import { explainCommand } from './commands/explain.js';
import type { Io } from './io.js';

export const USAGE = `bedrock-guard — governance for Amazon Bedrock access

Usage:
  bedrock-guard explain --snapshot DIR --principal ARN --action A --resource ARN [--context k=v]… [--json]
  bedrock-guard explain --snapshot DIR --batch FILE.jsonl
  bedrock-guard explain --snapshot DIR [--principal ARN] --model MODEL_ID --region REGION [--json]
  bedrock-guard help

Exit codes: 0 success, 1 bad input or error.
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
