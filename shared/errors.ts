/**
 * The error hierarchy of bedrock-guard. Every error a user can cause carries
 * where it happened (`location`) and what to do about it (`hint`), so that the
 * CLI and the handlers can print an actionable message without guessing.
 */
export class BedrockGuardError extends Error {
  readonly location: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: { location?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BedrockGuardError';
    this.location = options.location;
    this.hint = options.hint;
  }

  /** One line for humans: `location: message (hint)`. */
  describe(): string {
    const where = this.location ? `${this.location}: ` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}${this.message}${hint}`;
  }
}

/** An IAM policy document that AWS would reject, or that we can't evaluate faithfully. */
export class PolicyGrammarError extends BedrockGuardError {
  constructor(message: string, options: { location?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'PolicyGrammarError';
  }
}

/** A snapshot folder that is missing a file, holds bad JSON, or is inconsistent. */
export class SnapshotError extends BedrockGuardError {
  constructor(message: string, options: { location?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

/** A bad command-line argument or request; the CLI exits 1 with this message. */
export class UsageError extends BedrockGuardError {
  constructor(message: string, options: { location?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'UsageError';
  }
}
