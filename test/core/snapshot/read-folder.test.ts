import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSnapshotFiles, readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { expectGuardError, fixtureDir, fixtureTexts, tempFolder } from '../../support/snapshot-fixtures.js';

describe('readSnapshotFolder', () => {
  it('reads a folder written by the AWS CLI', async () => {
    const snapshot = await readSnapshotFolder(fixtureDir('cli-objects'));
    expect(snapshot.account.accountId).toBe('123456789012');
    expect(snapshot.principals).toHaveLength(11);
    expect(snapshot.scpsPresent).toBe(true);
    expect(snapshot.provisionedModels).toHaveLength(1);
  });

  it('leaves optional files out when they are absent', async () => {
    const texts = fixtureTexts('cli-objects');
    const dir = tempFolder({
      'account.json': texts['account.json'] ?? '',
      'iam.json': texts['iam.json'] ?? '',
      'README.md': '# not a snapshot file: ignored',
    });
    const files = await readSnapshotFiles(dir);
    expect(files.scps).toBeUndefined();
    expect(files.foundationModels).toBeUndefined();
    expect(files.inferenceProfiles).toBeUndefined();
    expect(files.provisionedModels).toBeUndefined();
    const snapshot = await readSnapshotFolder(dir);
    expect(snapshot.scpsPresent).toBe(false);
    expect(snapshot.principals.every((p) => p.policies.scps.length === 0)).toBe(true);
    expect(snapshot.foundationModels).toEqual([]);
  });

  it('names a folder that does not exist and says how to make one', async () => {
    const dir = join(fixtureDir('cli-objects'), 'no-such-folder');
    await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: /does not exist/,
      location: dir,
      hint: /bedrock-guard snapshot --out|get-account-authorization-details/,
    });
  });

  it('points from a parent folder to the snapshot folder inside it', async () => {
    const parent = fileURLToPath(new URL('../../../examples/demo/', import.meta.url)).replace(/\/$/, '');
    await expectGuardError(() => readSnapshotFolder(parent), {
      name: 'SnapshotError',
      message: /holds no snapshot/,
      location: parent,
      hint: new RegExp(`Did you mean ${join(parent, 'snapshot')}`),
    });
  });

  it('refuses a file where a folder belongs', async () => {
    const file = join(fixtureDir('cli-objects'), 'account.json');
    await expectGuardError(() => readSnapshotFolder(file), {
      name: 'SnapshotError',
      message: /not a snapshot folder/,
      location: file,
    });
  });

  it.each([
    ['account.json', /"accountId"/],
    ['iam.json', /aws iam get-account-authorization-details/],
  ])('names a missing %s and how to create it', async (missing, hint) => {
    const texts = fixtureTexts('cli-objects');
    delete texts[missing];
    const dir = tempFolder(texts);
    await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: new RegExp(`${missing} is missing`),
      location: join(dir, missing),
      hint,
    });
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    const texts = fixtureTexts('cli-objects');
    // A comma lost by hand-editing, deep in the file.
    const broken = (texts['iam.json'] as string).replace(
      '"Path": "/",\n      "UserName": "grace"',
      '"Path": "/"\n      "UserName": "grace"',
    );
    expect(broken).not.toBe(texts['iam.json']);
    const dir = tempFolder({ ...texts, 'iam.json': broken });
    const line = broken.slice(0, broken.indexOf('"UserName": "grace"')).split('\n').length;
    await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: /iam\.json is not valid JSON/,
      location: `${join(dir, 'iam.json')}:${line}:7`,
      hint: /--output json/,
    });
  });

  it('names the file of a truncated JSON document', async () => {
    const texts = fixtureTexts('cli-objects');
    const truncated = (texts['scps.json'] as string).slice(0, 200);
    const dir = tempFolder({ ...texts, 'scps.json': truncated });
    await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: /scps\.json is not valid JSON/,
      location: new RegExp(`^${join(dir, 'scps.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+:\\d+)?$`),
    });
  });

  it('names the file of JSON that V8 reports without a position', async () => {
    const texts = fixtureTexts('cli-objects');
    const dir = tempFolder({ ...texts, 'account.json': '{"accountId": }' });
    const error = await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: /account\.json is not valid JSON/,
      location: /account\.json/,
    });
    expect(error.describe()).toContain('account.json');
  });

  it('refuses an empty required file', async () => {
    const texts = fixtureTexts('cli-objects');
    const dir = tempFolder({ ...texts, 'iam.json': '\n' });
    await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: /iam\.json is empty/,
      location: join(dir, 'iam.json'),
      hint: /get-account-authorization-details/,
    });
  });

  it('accepts UTF-16 output from a PowerShell redirect and a UTF-8 byte-order mark', async () => {
    const texts = fixtureTexts('cli-objects');
    const dir = tempFolder(texts);
    writeFileSync(
      join(dir, 'iam.json'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(texts['iam.json'] as string, 'utf16le')]),
    );
    writeFileSync(join(dir, 'account.json'), `\ufeff${texts['account.json']}`);
    const snapshot = await readSnapshotFolder(dir);
    expect(snapshot.principals).toHaveLength(11);
  });

  it('passes build errors through with the file and JSON path', async () => {
    const texts = fixtureTexts('cli-objects');
    const dir = tempFolder({ ...texts, 'account.json': '{"accountId": "1234", "regions": ["us-east-1"]}' });
    await expectGuardError(() => readSnapshotFolder(dir), {
      name: 'SnapshotError',
      message: /not a 12-digit account id/,
      location: 'account.json $.accountId',
    });
  });
});
