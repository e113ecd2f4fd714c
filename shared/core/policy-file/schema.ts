import * as z from 'zod';
import {
  ALERT_RULE_IDS,
  EVENT_RULE_IDS,
  FEATURES,
  MODES,
  RULE_IDS,
  SEVERITIES,
  type Feature,
  type RuleId,
} from './types.js';

/**
 * The YAML surface of `bedrock-guard.yaml` (PRODUCT.md §3.3), the single
 * source of both validation and the published JSON Schema: every field carries
 * the description editors show on hover. Cross-field rules (names that must
 * resolve, Regions that must belong to the partition, uniqueness) need the
 * whole file and live in `checks.ts`.
 */

export const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;
export type Partition = (typeof PARTITIONS)[number];

/** A string format: the pattern (kept in the JSON Schema), the error's wording and how to fix it. */
export interface StringFormat {
  readonly pattern: RegExp;
  /** A noun phrase; the converter appends the offending value. */
  readonly message: string;
  readonly hint: string;
}

export const FORMATS = {
  region: {
    pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/,
    message: 'invalid Region name',
    hint: 'Regions look like us-east-1, eu-central-2 or us-gov-west-1.',
  },
  arnGlob: {
    pattern:
      /^arn:(aws|aws-us-gov|aws-cn|[a-z*?-]*[*?][a-z*?-]*):iam::(\d{12}|[\d*?]*[*?][\d*?]*):((role|user)\/.+|(r(o(le?)?)?|u(s(er?)?)?)?[*?].*)$/,
    message: 'malformed ARN glob',
    hint:
      'Expected arn:<partition or *>:iam::<12-digit account id or *>:role/<name> or …:user/<name>, ' +
      'e.g. arn:aws:iam::*:role/BreakGlass; * and ? are wildcards. Use the role ARN, not an assumed-role session ARN.',
  },
  modelGlob: {
    pattern: /^[a-z0-9*?][a-zA-Z0-9.:_*?-]*$/,
    message: 'invalid model id or glob',
    hint: 'Use Bedrock model ids such as amazon.nova-micro-v1:0, or globs such as anthropic.claude-*.',
  },
  setName: {
    pattern: /^[a-z0-9][a-z0-9_-]*$/,
    message: 'invalid model-set name',
    hint: 'Model-set names are lower-case letters, digits, - and _, starting with a letter or digit, e.g. standard.',
  },
  groupName: {
    pattern: /^[\w+=,.@-]{1,128}$/,
    message: 'invalid IAM group name',
    hint: 'IAM group names are 1–128 characters of letters, digits and +=,.@_-; give the name, not the ARN.',
  },
  notifyWindow: {
    pattern: /^[1-9]\d*[mhd]$/,
    message: 'invalid notify window',
    hint: 'A number of minutes (30m), hours (6h) or days (1d).',
  },
  window: {
    pattern: /^([1-9]\d*[hd]|month)$/,
    message: 'invalid budget window',
    hint: 'A window is a number of hours (6h), a number of days (1d, 7d) or month (the calendar month).',
  },
  slackWebhook: {
    pattern: /^(ssm:\/.+|secretsmanager:.+|https:\/\/hooks\.slack\.com\/.+)$/,
    message: 'invalid Slack webhook reference',
    hint: 'Keep the webhook URL out of the file: ssm:/parameter/name or secretsmanager:secret-name (an https://hooks.slack.com/… URL also works).',
  },
  snsTopic: {
    pattern: /^arn:aws(-us-gov|-cn)?:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
    message: 'invalid SNS topic ARN',
    hint: 'e.g. arn:aws:sns:us-east-1:111122223333:bedrock-guard-alerts',
  },
} as const satisfies Record<string, StringFormat>;

const formatted = (format: StringFormat) => z.string().regex(format.pattern, format.message);
const region = formatted(FORMATS.region).describe('A Region name, e.g. us-east-1.');

/** What each rule finds, and whether `enforce` can contain it (see docs/policy-file.md). */
export const RULE_DESCRIPTIONS: Readonly<Record<RuleId, string>> = {
  'unapproved-model-access':
    'A principal can use a model, or a Region, that no team it matches grants. enforce: contained by a guard-owned deny per principal.',
  'unapproved-feature':
    'A principal can use a Bedrock feature (batch, agents, …) that no team it matches grants. enforce: contained by a guard-owned deny per principal.',
  'full-access-managed-policy':
    'A non-exempt principal holds AmazonBedrockFullAccess or an equivalent bedrock:* on *. Reported only: the guard never edits your policies, so enforce behaves as alert.',
  'long-term-api-keys':
    'A principal can create or use long-term Bedrock API keys without the long-term-api-keys feature. enforce: contained by a guard-owned deny per principal.',
  'cross-region-profile-gaps':
    'An approved model works directly but fails through its cross-Region inference profile: a missing destination-Region model ARN, a missing bedrock:GetInferenceProfile, or a blocking SCP. Reported only: enforce behaves as alert.',
  'custom-model-import-role':
    'A role Bedrock can assume (custom model import and other jobs) is trusted without aws:SourceAccount/aws:SourceArn, reads S3 without s3:ResourceAccount, or may kms:Decrypt any key. Reported only: enforce behaves as alert.',
  'invocation-logging-disabled':
    'Model invocation logging is off in an approved Region, or on but not delivering to the meter (budgets need it). Checked by the service (each reconcile, and DeleteModelInvocationLoggingConfiguration events), not by plan.',
};

/** What granting each feature allows. */
export const FEATURE_DESCRIPTIONS: Readonly<Record<Feature, string>> = {
  invoke:
    'On-demand inference by every route: InvokeModel, Converse, streaming, async invoke, inference profiles, bedrock-mantle.',
  batch: 'Batch inference jobs (CreateModelInvocationJob).',
  'provisioned-throughput': 'Buying and invoking Provisioned Throughput.',
  'api-keys': 'Short-term Bedrock API keys (bearer tokens).',
  'long-term-api-keys': 'Long-term Bedrock API keys (IAM service-specific credentials for Bedrock).',
  agents: 'Amazon Bedrock Agents.',
  guardrails: 'Creating, updating and deleting Bedrock Guardrails (applying a guardrail is always allowed).',
  'knowledge-bases': 'Bedrock Knowledge Bases.',
  customization: 'Model customization jobs: fine-tuning, continued pre-training, distillation.',
  'custom-model-import': 'Importing custom model weights (CreateModelImportJob).',
};

const mode = z
  .enum(MODES)
  .describe('enforce: contain with guard-owned deny policies where the rule can; alert: report only; off: skip.');
const severity = z.enum(SEVERITIES);
const arnGlob = formatted(FORMATS.arnGlob).describe(
  'A user or role ARN; * and ? are wildcards, e.g. arn:aws:iam::*:role/BreakGlass.',
);
const modelGlob = formatted(FORMATS.modelGlob).describe(
  'A Bedrock model id (amazon.nova-micro-v1:0) or a glob (anthropic.claude-*).',
);
const setName = formatted(FORMATS.setName).describe('The name of a model set defined under models.');
const slackWebhook = formatted(FORMATS.slackWebhook).describe(
  'Where the Slack incoming-webhook URL is: ssm:/parameter/name, secretsmanager:secret-name or the URL itself.',
);
const snsTopic = formatted(FORMATS.snsTopic).describe('An SNS topic ARN.');

/** A value or a non-empty list of them. */
const oneOrMany = <T extends z.ZodType>(item: T, description: string) =>
  z.union([item, z.array(item).min(1)]).describe(description);

const selectorObject = z
  .strictObject({
    arns: oneOrMany(arnGlob, 'User or role ARN globs; any may match.').optional(),
    tags: z
      .record(
        z.string().min(1),
        oneOrMany(z.string().describe('A tag value; * and ? are wildcards.'), 'The accepted values of this tag.'),
      )
      .meta({ minProperties: 1 })
      .describe('Principal tags: every key listed must be present with one of its values.')
      .optional(),
    groups: oneOrMany(
      formatted(FORMATS.groupName).describe('An IAM group name.'),
      'IAM group names (users only); membership of any matches.',
    ).optional(),
  })
  .refine((s) => s.arns !== undefined || s.tags !== undefined || s.groups !== undefined, {
    message: 'a principal selector needs at least one of arns, tags, groups',
  })
  .meta({ minProperties: 1 })
  .describe('Matches a principal when every field it sets matches.');

const selector = z
  .union([arnGlob, selectorObject])
  .describe('An ARN glob, or an object of arns, tags and groups that must all match.');

const team = z
  .strictObject({
    name: z.string().min(1).describe('The team name, unique in the file; budgets refer to it.'),
    principals: oneOrMany(
      selector,
      'Who belongs to the team: a selector or a list of selectors, any of which may match. A principal may belong to several teams.',
    ),
    models: z
      .array(setName)
      .describe('The model sets the team may use; [] for a team granted features only.')
      .meta({ uniqueItems: true }),
    features: z
      .array(z.enum(FEATURES))
      .default(['invoke'])
      .meta({ uniqueItems: true })
      .describe(
        `What the team may do with its models. ${FEATURES.map((f) => `${f}: ${FEATURE_DESCRIPTIONS[f]}`).join(' ')}`,
      ),
    regions: z
      .array(region)
      .min(1)
      .meta({ uniqueItems: true })
      .describe("Narrows the file's regions for this team; each must be listed in the top-level regions.")
      .optional(),
    notify: z
      .strictObject({
        slack: slackWebhook.optional(),
        sns: snsTopic.optional(),
        minSeverity: severity
          .default('low')
          .describe("The least severe finding about the team's principals sent there (denial diagnoses are low)."),
      })
      .describe("Where this team's findings are sent, in addition to the top-level notify.")
      .optional(),
  })
  .describe('A team: who (principals) may use what (models, features) where (regions).');

const budget = z
  .strictObject({
    team: z.string().min(1).describe('The team the budget applies to.'),
    models: z.array(setName).min(1).describe('The model sets whose use counts against the budget.'),
    window: formatted(FORMATS.window).describe('The window usage is summed over: Nh hours, Nd days, or month.'),
    max: z
      .strictObject({
        inputTokens: z.number().int().min(1).describe('Input tokens per window.').optional(),
        outputTokens: z.number().int().min(1).describe('Output tokens per window.').optional(),
        invocations: z.number().int().min(1).describe('Invocations per window.').optional(),
      })
      .refine((m) => m.inputTokens !== undefined || m.outputTokens !== undefined || m.invocations !== undefined, {
        message: 'a budget needs at least one of inputTokens, outputTokens, invocations',
      })
      .meta({ minProperties: 1 })
      .describe('The limits per window; at least one.'),
  })
  .describe("A usage budget on a team's use of some model sets.");

const ruleSetting = z
  .union([
    mode,
    z.strictObject({
      mode: mode.optional(),
      severity: severity.describe("Overrides the rule's default severity.").optional(),
    }),
  ])
  .optional();

const rules = z
  .strictObject(Object.fromEntries(RULE_IDS.map((id) => [id, ruleSetting.describe(RULE_DESCRIPTIONS[id])])))
  .describe('Built-in checks; each may override the mode (a mode, or { mode, severity }).');

const alertRules = z
  .array(z.enum(ALERT_RULE_IDS))
  .min(1)
  .meta({ uniqueItems: true })
  .describe(
    `Only findings of these rules (the rules above, deny-exceeds-quota, and the services' rules ${EVENT_RULE_IDS.join(', ')}); every rule when absent.`,
  )
  .optional();

const notify = z
  .strictObject({
    slack: z
      .strictObject({
        webhook: slackWebhook,
        minSeverity: severity.default('medium').describe('The least severe finding posted.'),
        rules: alertRules,
      })
      .describe('Post findings to a Slack incoming webhook.')
      .optional(),
    sns: z
      .strictObject({
        topic: snsTopic,
        minSeverity: severity.default('low').describe('The least severe finding published.'),
        rules: alertRules,
      })
      .describe('Publish findings to an SNS topic, with severity, rule and account as message attributes.')
      .optional(),
    routes: z
      .array(
        z
          .strictObject({
            slack: slackWebhook.optional(),
            sns: snsTopic.optional(),
            minSeverity: severity.default('info').describe('The least severe finding sent.'),
            rules: alertRules,
          })
          .refine((r) => r.slack !== undefined || r.sns !== undefined, {
            message: 'a route needs slack or sns',
          })
          .describe('Findings matching rules and minSeverity also go to this Slack webhook and/or SNS topic.'),
      )
      .default([])
      .describe('Extra destinations by rule and severity, e.g. invoke-denied diagnoses to a support channel.'),
    window: formatted(FORMATS.notifyWindow)
      .default('1d')
      .describe(
        'The same rule, principal and resource is sent once per destination in this window (Nm, Nh or Nd); the next message counts the repeats.',
      ),
  })
  .describe('Where findings are sent.');

export const policyFileSchema = z
  .strictObject({
    version: z.literal(1).describe('The policy-file format version: 1.'),
    partition: z.enum(PARTITIONS).default('aws').describe('The AWS partition of the accounts governed.'),
    regions: z
      .array(region)
      .min(1)
      .meta({ uniqueItems: true })
      .describe('The Regions where Bedrock use is approved, e.g. [us-east-1, us-west-2].'),
    mode: mode.default('enforce').describe(`The default mode of every rule. ${mode.description ?? ''}`),
    exempt: z
      .array(arnGlob)
      .default([])
      .describe('Principals (ARN globs) that are reported but never touched, e.g. break-glass roles.'),
    models: z
      .record(formatted(FORMATS.setName), z.array(modelGlob).min(1).describe('The model ids and globs in this set.'))
      .meta({ minProperties: 1 })
      .refine((sets) => Object.keys(sets).length > 0, { message: 'define at least one model set' })
      .describe('Named sets of approved model ids; teams and budgets refer to them by name.'),
    teams: z.array(team).describe('Who may use what. A principal may use a model only if a team it matches grants it.'),
    budgets: z.array(budget).default([]).describe('Usage budgets per team.'),
    rules: rules.optional(),
    notify: notify.prefault({}),
  })
  .meta({
    title: 'bedrock-guard policy file',
    description:
      'bedrock-guard.yaml: which principals may use which Amazon Bedrock models, where and how. See docs/policy-file.md.',
  });

export type PolicyFileInput = z.input<typeof policyFileSchema>;
export type PolicyFileOutput = z.output<typeof policyFileSchema>;
