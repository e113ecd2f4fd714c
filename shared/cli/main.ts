import { BedrockGuardError } from '../errors.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

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
      default:
        io.stderr.write(`bedrock-guard: unknown command "${command}" ${rest.length ? '' : ''}\n\n${USAGE}`);
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
