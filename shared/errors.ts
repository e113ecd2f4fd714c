import { formatIssue } from './core/policy-file/issues.js';
import type { PolicyFileIssue } from './core/policy-file/types.js';

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

/** A policy file (`bedrock-guard.yaml`) that doesn't validate: every error, each with its path and line:col. */
export class PolicyFileError extends BedrockGuardError {
  readonly issues: readonly PolicyFileIssue[];

  constructor(file: string, issues: readonly PolicyFileIssue[]) {
    const count = `${issues.length} error${issues.length === 1 ? '' : 's'}`;
    super(`invalid policy file (${count})`, { location: file });
    this.name = 'PolicyFileError';
    this.issues = issues;
  }

  /** One block per issue: `file:line:col: error: message (at path)` and its `  hint: …` line. */
  override describe(): string {
    return this.issues.map((issue) => formatIssue(this.location ?? '', issue)).join('\n');
  }
}
