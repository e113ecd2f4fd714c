import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regionsFor } from '../../shared/cli/regions.js';
import { BedrockGuardError, PolicyFileError, UsageError } from '../../shared/errors.js';

const policyText = (regions: string) => `version: 1
regions: ${regions}
models:
  standard: [amazon.nova-micro-v1:0]
teams:
  - name: everyone
    principals: arn:aws:iam::*:role/*
    models: [standard]
`;

/** Each test runs in an empty temporary folder (no ./bedrock-guard.yaml) with neither Region variable set. */
let dir: string;
const cwd = process.cwd();
const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bedrock-guard-regions-'));
  process.chdir(dir);
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
});

afterEach(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const usageError = (flag: string) =>
  regionsFor(flag, undefined).then(
    () => {
      throw new Error('expected a UsageError');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(UsageError);
      return error as UsageError;
    },
  );

describe('regionsFor with --regions', () => {
  it('splits the list, trimming spaces and dropping empty items', async () => {
    expect(await regionsFor(' us-east-1, eu-central-1,,us-gov-west-1, ', undefined)).toEqual([
      'us-east-1',
      'eu-central-1',
      'us-gov-west-1',
    ]);
  });

  it('takes the flag over the policy file and AWS_REGION', async () => {
    writeFileSync('bedrock-guard.yaml', policyText('[us-west-2]'));
    process.env.AWS_REGION = 'ap-southeast-2';
    expect(await regionsFor('eu-west-1', 'bedrock-guard.yaml')).toEqual(['eu-west-1']);
  });

  it('rejects an item that is not a Region, naming it', async () => {
    const error = await usageError('us-east-1,useast1');
    expect(error.message).toBe('--regions: "useast1" is not a Region');
    expect(error.hint).toBe('e.g. --regions us-east-1,us-west-2');
  });

  it.each(['US-EAST-1', 'us-east', 'us-east-1a', 'arn:aws:iam::1:role/x'])('rejects %s', async (bad) => {
    expect((await usageError(bad)).message).toBe(`--regions: "${bad}" is not a Region`);
  });

  it('rejects a list with no Region in it', async () => {
    expect((await usageError('')).message).toBe('--regions: "" is not a Region');
    expect((await usageError(' , ')).message).toBe('--regions: " , " is not a Region');
  });
});

describe('regionsFor without --regions', () => {
  it('takes the Regions of the given policy file, over AWS_REGION', async () => {
    writeFileSync('mine.yaml', policyText('[us-east-1, us-west-2]'));
    process.env.AWS_REGION = 'eu-west-1';
    expect(await regionsFor(undefined, 'mine.yaml')).toEqual(['us-east-1', 'us-west-2']);
  });

  it('takes the Regions of ./bedrock-guard.yaml when no file is given', async () => {
    writeFileSync('bedrock-guard.yaml', policyText('[eu-central-1]'));
    process.env.AWS_REGION = 'eu-west-1';
    expect(await regionsFor(undefined, undefined)).toEqual(['eu-central-1']);
  });

  it('prefers the given file to ./bedrock-guard.yaml', async () => {
    writeFileSync('bedrock-guard.yaml', policyText('[eu-central-1]'));
    writeFileSync('other.yaml', policyText('[ap-northeast-1]'));
    expect(await regionsFor(undefined, 'other.yaml')).toEqual(['ap-northeast-1']);
  });

  it('says so when the given policy file does not exist, instead of falling back', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const error = await regionsFor(undefined, 'missing.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockGuardError);
    expect(error).toMatchObject({ message: 'no such policy file', location: 'missing.yaml' });
  });

  it('reports an invalid policy file', async () => {
    writeFileSync('bedrock-guard.yaml', 'version: 1\nregions: nowhere\n');
    await expect(regionsFor(undefined, undefined)).rejects.toBeInstanceOf(PolicyFileError);
  });

  it('falls back to AWS_REGION without a policy file', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_DEFAULT_REGION = 'us-east-2';
    expect(await regionsFor(undefined, undefined)).toEqual(['eu-west-1']);
  });

  it('falls back to AWS_DEFAULT_REGION without AWS_REGION', async () => {
    process.env.AWS_DEFAULT_REGION = 'us-east-2';
    expect(await regionsFor(undefined, undefined)).toEqual(['us-east-2']);
  });

  it('is a UsageError listing the ways to give Regions when nothing gives one', async () => {
    const error = await regionsFor(undefined, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('no Regions to capture');
    expect((error as UsageError).hint).toMatch(/--regions.*--policy.*AWS_REGION/);
  });
});
