import * as z from 'zod';
import { BedrockGuardError } from '../errors.js';

/** How the event service runs, read once at cold start from the function's environment. */
export interface ServiceConfig {
  /** A file path (relative to the function's root) or `ssm:/parameter/name`. */
  readonly policy: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'ssm'; readonly name: string };
  readonly ledgerTable: string;
  readonly idempotencyTable?: string;
  /** Usage counters of the budgets (the meter function). */
  readonly usageTable?: string;
  /** The findings bus; findings are only logged without one. */
  readonly bus?: string;
  readonly maxChanges: number;
  /** Plan and report, never write IAM. */
  readonly dryRun: boolean;
  /** Whether this function may write the guard's denies (alerting functions have no IAM write permission). */
  readonly enforce: boolean;
  readonly orgRoleArn?: string;
  /** The cached account is captured again after this long. */
  readonly cacheMs: number;
  /** One "unapproved model invoked" alert per principal and model in this window. */
  readonly firstUseMs: number;
  /** Names of the guard's own roles start with this (`<service>-<stage>-`): never planned against. */
  readonly rolePrefix?: string;
  /** Offline runs: a snapshot folder instead of AWS; implies a dry run with nothing sent anywhere. */
  readonly snapshotDir?: string;
}

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const count = (fallback: number) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).default(fallback);
const name = z.string().min(1);

const ENV = z.object({
  BEDROCK_GUARD_POLICY: name.default('bedrock-guard.yaml'),
  BEDROCK_GUARD_LEDGER_TABLE: name.default('bedrock-guard-ledger'),
  BEDROCK_GUARD_IDEMPOTENCY_TABLE: name.optional(),
  BEDROCK_GUARD_USAGE_TABLE: name.optional(),
  BEDROCK_GUARD_BUS: name.optional(),
  BEDROCK_GUARD_MAX_CHANGES: count(25),
  BEDROCK_GUARD_DRY_RUN: flag.default(false),
  BEDROCK_GUARD_ENFORCE: flag.default(true),
  BEDROCK_GUARD_ORG_ROLE: z
    .string()
    .regex(/^arn:[^:]+:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN')
    .optional(),
  BEDROCK_GUARD_CACHE_MINUTES: count(15),
  BEDROCK_GUARD_FIRST_USE_MINUTES: count(60),
  BEDROCK_GUARD_ROLE_PREFIX: name.optional(),
  BEDROCK_GUARD_SNAPSHOT: name.optional(),
});

/**
 * The configuration from the environment, every variable checked at once:
 * a bad value stops the cold start with one message naming each variable,
 * instead of failing on the first event that needs it. Empty values count
 * as unset (`serverless.yml` passes `''` for what the user left out).
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): ServiceConfig {
  const set = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('BEDROCK_GUARD_') && v !== ''));
  const parsed = ENV.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new BedrockGuardError(`invalid configuration: ${lines.join('; ')}`, {
      hint: 'Fix the function environment (serverless.yml provider.environment) and deploy again.',
    });
  }
  const e = parsed.data;
  const policy = e.BEDROCK_GUARD_POLICY.startsWith('ssm:')
    ? { kind: 'ssm' as const, name: e.BEDROCK_GUARD_POLICY.slice(4) }
    : { kind: 'file' as const, path: e.BEDROCK_GUARD_POLICY };
  return {
    policy,
    ledgerTable: e.BEDROCK_GUARD_LEDGER_TABLE,
    ...(e.BEDROCK_GUARD_IDEMPOTENCY_TABLE ? { idempotencyTable: e.BEDROCK_GUARD_IDEMPOTENCY_TABLE } : {}),
    ...(e.BEDROCK_GUARD_USAGE_TABLE ? { usageTable: e.BEDROCK_GUARD_USAGE_TABLE } : {}),
    ...(e.BEDROCK_GUARD_BUS ? { bus: e.BEDROCK_GUARD_BUS } : {}),
    maxChanges: e.BEDROCK_GUARD_MAX_CHANGES,
    dryRun: e.BEDROCK_GUARD_DRY_RUN || e.BEDROCK_GUARD_SNAPSHOT !== undefined,
    enforce: e.BEDROCK_GUARD_ENFORCE,
    ...(e.BEDROCK_GUARD_ORG_ROLE ? { orgRoleArn: e.BEDROCK_GUARD_ORG_ROLE } : {}),
    cacheMs: e.BEDROCK_GUARD_CACHE_MINUTES * 60_000,
    firstUseMs: e.BEDROCK_GUARD_FIRST_USE_MINUTES * 60_000,
    ...(e.BEDROCK_GUARD_ROLE_PREFIX ? { rolePrefix: e.BEDROCK_GUARD_ROLE_PREFIX } : {}),
    ...(e.BEDROCK_GUARD_SNAPSHOT ? { snapshotDir: e.BEDROCK_GUARD_SNAPSHOT } : {}),
  };
}
