import { readFile } from 'node:fs/promises';
import { loadPolicyFile, type ParseOptions } from '../core/policy-file/parse.js';
import type { PolicyFile, PolicyFileIssue } from '../core/policy-file/types.js';
import { BedrockGuardError } from '../errors.js';

const CREATE_HINT =
  'Create bedrock-guard.yaml (see docs/policy-file.md for every field and a starting example), or pass its path.';

/** The text of a policy file; a missing or unreadable file is a `BedrockGuardError` that says what to do. */
export async function readPolicyFileText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new BedrockGuardError('no such policy file', {
        location: path,
        hint: CREATE_HINT,
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new BedrockGuardError('a folder, not a policy file', {
        location: path,
        hint: 'Point at the YAML file, e.g. bedrock-guard.yaml.',
        cause: error,
      });
    }
    throw new BedrockGuardError(`cannot read the policy file: ${(error as Error).message}`, {
      location: path,
      cause: error,
    });
  }
}

/**
 * Read and load `bedrock-guard.yaml`: the normalized policy and its warnings,
 * or `PolicyFileError` with every error (path and line:col each).
 */
export async function readPolicyFile(
  path: string,
  options: ParseOptions = {},
): Promise<{ policy: PolicyFile; warnings: PolicyFileIssue[] }> {
  return loadPolicyFile(await readPolicyFileText(path), path, options);
}
