import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { explainRequest } from '../../shared/core/explain/explain.js';
import type { ContextValue, EvaluationResult } from '../../shared/core/iam/types.js';
import { SNAPSHOT_FILES, type SnapshotFileKey, type SnapshotFiles } from '../../shared/core/snapshot/files.js';
import type { Snapshot } from '../../shared/core/snapshot/types.js';
import { BedrockGuardError } from '../../shared/errors.js';

/** `test/fixtures/snapshots/<name>` */
export const fixtureDir = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/snapshots/${name}/`, import.meta.url));

/** The bundled demo snapshot folder. */
export const DEMO_DIR = fileURLToPath(new URL('../../examples/demo/snapshot/', import.meta.url));

/** The IAM shapes the tests edit; anything else passes through untouched. */
export interface InlineJson {
  PolicyName: string;
  PolicyDocument: unknown;
}
export interface AttachedJson {
  PolicyName?: string;
  PolicyArn: string;
}
export interface PrincipalJson {
  Arn: string;
  UserName?: string;
  RoleName?: string;
  GroupList?: string[];
  UserPolicyList?: InlineJson[];
  RolePolicyList?: InlineJson[];
  AttachedManagedPolicies?: AttachedJson[];
  PermissionsBoundary?: { PermissionsBoundaryType: string; PermissionsBoundaryArn: string };
  Tags?: { Key: string; Value: string }[];
  [key: string]: unknown;
}
export interface PolicyJson {
  Arn: string;
  PolicyName?: string;
  DefaultVersionId?: string;
  PolicyVersionList: { Document: unknown; VersionId: string; IsDefaultVersion: boolean }[];
  [key: string]: unknown;
}
export interface IamJson {
  UserDetailList: PrincipalJson[];
  GroupDetailList: { GroupName: string; GroupPolicyList?: InlineJson[]; AttachedManagedPolicies?: AttachedJson[] }[];
  RoleDetailList: PrincipalJson[];
  Policies: PolicyJson[];
  IsTruncated?: boolean;
  [key: string]: unknown;
}
export interface ScpsJson {
  levels: { target: string; policies: { Id: string; Name: string; Content: string }[] }[];
}

/** A fixture's files, parsed afresh on every call so that a test may edit them. */
export function fixtureFiles(name: string): SnapshotFiles & { iam: IamJson; scps?: ScpsJson } {
  const out: Record<string, unknown> = {};
  for (const [key, file] of Object.entries(SNAPSHOT_FILES) as [SnapshotFileKey, string][]) {
    try {
      out[key] = JSON.parse(readFileSync(join(fixtureDir(name), file), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return out as unknown as SnapshotFiles & { iam: IamJson; scps?: ScpsJson };
}

/** A fresh temporary folder holding `files` (name → raw text), removed when the calling test ends. */
export function tempFolder(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bedrock-guard-snapshot-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A fixture folder's files as raw text, for copying into a temporary folder with changes. */
export function fixtureTexts(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of Object.values(SNAPSHOT_FILES)) {
    try {
      out[file] = readFileSync(join(fixtureDir(name), file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return out;
}

/**
 * Assert that `run` throws a `BedrockGuardError` of the given class whose
 * message, location and hint match, and return it for further checks.
 */
export async function expectGuardError(
  run: () => unknown,
  want: {
    name: 'SnapshotError' | 'PolicyGrammarError';
    message: RegExp;
    /** `null`: the error names no location (it is about the folder as a whole). */
    location: string | RegExp | null;
    hint?: RegExp;
  },
): Promise<BedrockGuardError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an error').toBeInstanceOf(BedrockGuardError);
  const error = caught as BedrockGuardError;
  expect(error.name).toBe(want.name);
  expect(error.message).toMatch(want.message);
  if (want.location === null) expect(error.location).toBeUndefined();
  else if (typeof want.location === 'string') expect(error.location).toBe(want.location);
  else expect(error.location).toMatch(want.location);
  expect(error.hint, 'every user-caused error carries a hint').toEqual(expect.any(String));
  if (want.hint) expect(error.hint).toMatch(want.hint);
  return error;
}

/** A request as `explain` sees it: principal facts, then the request's own keys, then explicit context. */
export interface RequestLine {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export const NOW = new Date('2026-11-22T12:00:00Z');

/** Decide one request against a snapshot the way the CLI's `explain` does. */
export function decide(snapshot: Snapshot, line: RequestLine): EvaluationResult {
  return explainRequest(snapshot, { ...line, now: NOW }).result;
}
