import { describe, expect, it } from 'vitest';
import { BedrockGuardError } from '../../shared/errors.js';
import { configFromEnv } from '../../shared/service/config.js';

const ROLE = 'arn:aws:iam::111122223333:role/OrgReader';

/** The error `configFromEnv` throws for `env`. */
function errorOf(env: Record<string, string | undefined>): BedrockGuardError {
  try {
    configFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(BedrockGuardError);
    return error as BedrockGuardError;
  }
  throw new Error('configFromEnv accepted the environment');
}

describe('configFromEnv', () => {
  it('has a default for every variable', () => {
    expect(configFromEnv({})).toStrictEqual({
      policy: { kind: 'file', path: 'bedrock-guard.yaml' },
      ledgerTable: 'bedrock-guard-ledger',
      maxChanges: 25,
      dryRun: false,
      enforce: true,
      cacheMs: 15 * 60_000,
      firstUseMs: 60 * 60_000,
    });
  });

  it('parses every variable', () => {
    expect(
      configFromEnv({
        BEDROCK_GUARD_POLICY: 'config/policy.yaml',
        BEDROCK_GUARD_LEDGER_TABLE: 'svc-dev-ledger',
        BEDROCK_GUARD_IDEMPOTENCY_TABLE: 'svc-dev-idempotency',
        BEDROCK_GUARD_BUS: 'svc-dev-findings',
        BEDROCK_GUARD_MAX_CHANGES: '7',
        BEDROCK_GUARD_DRY_RUN: 'true',
        BEDROCK_GUARD_ENFORCE: 'false',
        BEDROCK_GUARD_ORG_ROLE: ROLE,
        BEDROCK_GUARD_CACHE_MINUTES: '5',
        BEDROCK_GUARD_FIRST_USE_MINUTES: '120',
        BEDROCK_GUARD_ROLE_PREFIX: 'svc-dev-',
      }),
    ).toStrictEqual({
      policy: { kind: 'file', path: 'config/policy.yaml' },
      ledgerTable: 'svc-dev-ledger',
      idempotencyTable: 'svc-dev-idempotency',
      bus: 'svc-dev-findings',
      maxChanges: 7,
      dryRun: true,
      enforce: false,
      orgRoleArn: ROLE,
      cacheMs: 5 * 60_000,
      firstUseMs: 120 * 60_000,
      rolePrefix: 'svc-dev-',
    });
  });

  it('reads numbers as numbers, zero included', () => {
    const config = configFromEnv({ BEDROCK_GUARD_MAX_CHANGES: '0', BEDROCK_GUARD_CACHE_MINUTES: '0' });
    expect(config.maxChanges).toBe(0);
    expect(config.cacheMs).toBe(0);
    expect(typeof configFromEnv({}).maxChanges).toBe('number');
  });

  it('takes DRY_RUN=false and ENFORCE=true as written', () => {
    const config = configFromEnv({ BEDROCK_GUARD_DRY_RUN: 'false', BEDROCK_GUARD_ENFORCE: 'true' });
    expect(config.dryRun).toBe(false);
    expect(config.enforce).toBe(true);
  });

  it('counts empty strings as unset (serverless.yml passes "" for what the user left out)', () => {
    const empty = Object.fromEntries(
      [
        'POLICY',
        'LEDGER_TABLE',
        'IDEMPOTENCY_TABLE',
        'BUS',
        'MAX_CHANGES',
        'DRY_RUN',
        'ENFORCE',
        'ORG_ROLE',
        'CACHE_MINUTES',
        'FIRST_USE_MINUTES',
        'ROLE_PREFIX',
        'SNAPSHOT',
      ].map((v) => [`BEDROCK_GUARD_${v}`, '']),
    );
    expect(configFromEnv(empty)).toStrictEqual(configFromEnv({}));
  });

  it('ignores variables that are not its own, and undefined values', () => {
    expect(
      configFromEnv({ PATH: '/bin', POWERTOOLS_SERVICE_NAME: 'bedrock-guard', BEDROCK_GUARD_BUS: undefined }),
    ).toStrictEqual(configFromEnv({}));
  });

  it('reads the policy from SSM Parameter Store given ssm:/name', () => {
    expect(configFromEnv({ BEDROCK_GUARD_POLICY: 'ssm:/bedrock-guard/policy' }).policy).toStrictEqual({
      kind: 'ssm',
      name: '/bedrock-guard/policy',
    });
    expect(configFromEnv({ BEDROCK_GUARD_POLICY: 'ssm:/x' }).policy).toStrictEqual({ kind: 'ssm', name: '/x' });
    expect(configFromEnv({ BEDROCK_GUARD_POLICY: 'policies/ssm.yaml' }).policy).toStrictEqual({
      kind: 'file',
      path: 'policies/ssm.yaml',
    });
  });

  it('forces a dry run when BEDROCK_GUARD_SNAPSHOT is set, whatever DRY_RUN says', () => {
    const config = configFromEnv({ BEDROCK_GUARD_SNAPSHOT: 'examples/demo/snapshot', BEDROCK_GUARD_DRY_RUN: 'false' });
    expect(config.snapshotDir).toBe('examples/demo/snapshot');
    expect(config.dryRun).toBe(true);
  });

  it('accepts an org role ARN in another partition', () => {
    const arn = 'arn:aws-us-gov:iam::111122223333:role/path/OrgReader';
    expect(configFromEnv({ BEDROCK_GUARD_ORG_ROLE: arn }).orgRoleArn).toBe(arn);
  });

  it.each([
    ['BEDROCK_GUARD_MAX_CHANGES', '-1'],
    ['BEDROCK_GUARD_MAX_CHANGES', '2.5'],
    ['BEDROCK_GUARD_MAX_CHANGES', ' 3'],
    ['BEDROCK_GUARD_CACHE_MINUTES', 'fifteen'],
    ['BEDROCK_GUARD_FIRST_USE_MINUTES', '1h'],
    ['BEDROCK_GUARD_DRY_RUN', 'TRUE'],
    ['BEDROCK_GUARD_DRY_RUN', '1'],
    ['BEDROCK_GUARD_ENFORCE', 'no'],
    ['BEDROCK_GUARD_ORG_ROLE', 'OrgReader'],
    ['BEDROCK_GUARD_ORG_ROLE', 'arn:aws:iam::111122223333:user/bob'],
    ['BEDROCK_GUARD_ORG_ROLE', 'arn:aws:iam::1111:role/OrgReader'],
  ])('refuses %s=%j, naming it', (variable, value) => {
    const error = errorOf({ [variable]: value });
    expect(error.message).toMatch(/^invalid configuration: /);
    expect(error.message).toContain(`${variable}: `);
    expect(error.hint).toMatch(/environment/);
  });

  it('reports every bad variable at once, in one message naming each', () => {
    const error = errorOf({
      BEDROCK_GUARD_MAX_CHANGES: 'abc',
      BEDROCK_GUARD_DRY_RUN: 'yes',
      BEDROCK_GUARD_ORG_ROLE: 'not-an-arn',
      BEDROCK_GUARD_BUS: 'fine',
    });
    expect(error.message).toContain('BEDROCK_GUARD_MAX_CHANGES: expected a whole number');
    expect(error.message).toContain('BEDROCK_GUARD_DRY_RUN: ');
    expect(error.message).toContain('BEDROCK_GUARD_ORG_ROLE: expected an IAM role ARN');
    expect(error.message).not.toContain('BEDROCK_GUARD_BUS');
    expect(error.message.split('; ')).toHaveLength(3);
  });
});
