import { EventParseError } from '../core/events/parse-event.js';

type ZodIssues = ReadonlyArray<{ readonly path: readonly PropertyKey[]; readonly message: string }>;
/** The parser middleware's `cause`: the issues themselves (Powertools 2.x), or a ZodError holding them. */
type ZodCause = ZodIssues | { issues?: ZodIssues } | undefined;

/** Zod's issues as fields: `detail.findings` (or `(the input)`) and what was expected. */
export const fieldIssues = (issues: ZodIssues) =>
  issues.map((i) => ({ path: i.path.map(String).join('.') || '(the input)', message: i.message }));

/**
 * The parser middleware's error says only "Failed to parse schema": this one
 * names each field that failed and what was expected.
 */
export function inputProblem(_event: unknown, error: Error): Error {
  const cause = error.cause as ZodCause;
  const issues = fieldIssues((Array.isArray(cause) ? cause : (cause as { issues?: ZodIssues })?.issues) ?? []);
  return new EventParseError(
    `the input does not match what this function takes: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ') || error.message}`,
    { issues, cause: error },
  );
}
