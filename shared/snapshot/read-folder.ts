import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSnapshot } from '../core/snapshot/build.js';
import { REQUIRED_FILES, SNAPSHOT_FILES, type SnapshotFileKey, type SnapshotFiles } from '../core/snapshot/files.js';
import type { Snapshot } from '../core/snapshot/types.js';
import { SnapshotError } from '../errors.js';

/** How to make each required file by hand (PRODUCT.md §3.1). */
const HOW_TO_CREATE: Partial<Record<SnapshotFileKey, string>> = {
  account:
    'Write {"accountId": "111122223333", "partition": "aws", "regions": ["us-east-1"]}; ' +
    '`aws sts get-caller-identity --query Account --output text` prints the account id.',
  iam: 'Capture it with `aws iam get-account-authorization-details --output json > iam.json`.',
};

const CAPTURE_HINT =
  'Run `bedrock-guard snapshot --out DIR`, or assemble the folder by hand: account.json plus ' +
  '`aws iam get-account-authorization-details --output json > iam.json` (see PRODUCT.md §3.1).';

/**
 * Read the snapshot folder's files and parse their JSON, without interpreting
 * them. Required files that are missing, unreadable files and JSON syntax
 * errors throw `SnapshotError` naming the file (and the line and column of a
 * syntax error); optional files that are absent come back `undefined`.
 *
 * @example
 * const files = await readSnapshotFiles('examples/demo/snapshot');
 * files.scps === undefined; // no scps.json: the account has no SCPs
 */
export async function readSnapshotFiles(dir: string): Promise<SnapshotFiles> {
  await assertFolder(dir);
  await assertSomeSnapshotFile(dir);
  const keys = Object.keys(SNAPSHOT_FILES) as SnapshotFileKey[];
  const entries = await Promise.all(keys.map(async (key) => [key, await readJsonFile(dir, key)] as const));
  return Object.fromEntries(entries) as unknown as SnapshotFiles;
}

/**
 * Load a snapshot folder (PRODUCT.md §3.1) into memory: `account.json` and
 * `iam.json` are required; `scps.json`, `foundation-models.json`,
 * `inference-profiles.json` and `provisioned-models.json` are optional.
 * Errors are `SnapshotError` or `PolicyGrammarError` with the file, the JSON
 * path and a hint; nothing is guessed.
 *
 * @example
 * const snapshot = await readSnapshotFolder('examples/demo/snapshot');
 * snapshot.principal('arn:aws:iam::111122223333:role/AppBackend')?.decisionKey;
 */
export async function readSnapshotFolder(dir: string): Promise<Snapshot> {
  return buildSnapshot(await readSnapshotFiles(dir));
}

async function assertFolder(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new SnapshotError(`snapshot folder ${dir} does not exist`, {
        location: dir,
        hint: CAPTURE_HINT,
        cause: error,
      });
    }
    throw new SnapshotError(`cannot read snapshot folder ${dir}: ${(error as Error).message}`, {
      location: dir,
      cause: error,
    });
  }
  if (!isDirectory) {
    throw new SnapshotError(`${dir} is a file, not a snapshot folder`, {
      location: dir,
      hint: 'Point at the folder that holds account.json and iam.json.',
    });
  }
}

/** A folder with none of the required files is most likely the wrong folder: say where a snapshot is. */
async function assertSomeSnapshotFile(dir: string): Promise<void> {
  const present = await Promise.all(REQUIRED_FILES.map((key) => exists(join(dir, SNAPSHOT_FILES[key]))));
  if (present.some(Boolean)) return;
  const nested: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && (await exists(join(dir, entry.name, SNAPSHOT_FILES.account)))) {
      nested.push(join(dir, entry.name));
    }
  }
  const required = REQUIRED_FILES.map((key) => SNAPSHOT_FILES[key]).join(' and ');
  throw new SnapshotError(`${dir} holds no snapshot: ${required} are both missing`, {
    location: dir,
    hint: nested.length > 0 ? `Did you mean ${nested.join(' or ')}?` : CAPTURE_HINT,
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function readJsonFile(dir: string, key: SnapshotFileKey): Promise<unknown> {
  const file = join(dir, SNAPSHOT_FILES[key]);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      if (!REQUIRED_FILES.includes(key)) return undefined;
      throw new SnapshotError(`${SNAPSHOT_FILES[key]} is missing from the snapshot folder`, {
        location: file,
        hint: HOW_TO_CREATE[key] ?? CAPTURE_HINT,
        cause: error,
      });
    }
    throw new SnapshotError(`cannot read ${SNAPSHOT_FILES[key]}: ${(error as Error).message}`, {
      location: file,
      cause: error,
    });
  }
  const text = decodeText(bytes);
  if (text.trim() === '') {
    throw new SnapshotError(`${SNAPSHOT_FILES[key]} is empty`, {
      location: file,
      hint:
        HOW_TO_CREATE[key] ?? 'Delete the file if there is nothing to capture, or write the command output into it.',
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = positionOf((error as Error).message, text);
    throw new SnapshotError(`${SNAPSHOT_FILES[key]} is not valid JSON: ${(error as Error).message}`, {
      location: at ? `${file}:${at.line}:${at.column}` : file,
      hint: 'Write the AWS CLI output unchanged, with `--output json` (text or table output is not JSON).',
      cause: error,
    });
  }
}

/**
 * The AWS CLI writes UTF-8, but a PowerShell `>` redirect writes UTF-16 with a
 * byte-order mark; both are accepted.
 */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Line and column (1-based) of a `JSON.parse` error, from the message's position when V8 gives one. */
function positionOf(message: string, text: string): { line: number; column: number } | undefined {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const offset = Number(position[1]);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n') };
  }
  if (/end of (JSON )?input/i.test(message)) {
    const lines = text.split('\n');
    return { line: lines.length, column: (lines.at(-1) ?? '').length + 1 };
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
