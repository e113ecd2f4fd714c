import { access } from 'node:fs/promises';
import { loadPolicyFile } from '../core/policy-file/parse.js';
import { FORMATS } from '../core/policy-file/schema.js';
import { UsageError } from '../errors.js';
import { readPolicyFileText } from '../policy-file/read.js';

/**
 * The Regions to capture: `--regions a,b`, else the policy file's `regions`
 * (the given file, or ./bedrock-guard.yaml when there is one), else the SDK's Region.
 */
export async function regionsFor(flag: string | undefined, policyPath: string | undefined): Promise<string[]> {
  if (flag !== undefined) {
    const regions = flag
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const bad = regions.find((r) => !FORMATS.region.pattern.test(r));
    if (bad || regions.length === 0) {
      throw new UsageError(`--regions: "${bad ?? flag}" is not a Region`, {
        hint: 'e.g. --regions us-east-1,us-west-2',
      });
    }
    return regions;
  }
  const path = policyPath ?? ((await exists('bedrock-guard.yaml')) ? 'bedrock-guard.yaml' : undefined);
  if (path !== undefined) return [...loadPolicyFile(await readPolicyFileText(path), path).policy.regions];
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region) return [region];
  throw new UsageError('no Regions to capture', {
    hint: 'Pass --regions us-east-1,us-west-2, or --policy with a policy file that lists regions:, or set AWS_REGION.',
  });
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
