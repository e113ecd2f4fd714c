import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SNAPSHOT_FILES, type SnapshotFileKey, type SnapshotFiles } from '../core/snapshot/files.js';

/** Writes the snapshot folder (PRODUCT.md §3.1): one pretty-printed JSON file per captured part. Returns the file names. */
export async function writeSnapshotFiles(dir: string, files: SnapshotFiles): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const key of Object.keys(SNAPSHOT_FILES) as SnapshotFileKey[]) {
    const content = files[key];
    if (content === undefined) continue;
    await writeFile(join(dir, SNAPSHOT_FILES[key]), `${JSON.stringify(content, null, 2)}\n`);
    written.push(SNAPSHOT_FILES[key]);
  }
  return written;
}
