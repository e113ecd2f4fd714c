import { guardPolicyName, GUARD_PATH, GUARD_TAG } from '../plan/guard-owned.js';
import { DEFAULT_QUOTAS, QUOTA_FINDING } from '../plan/quotas.js';
import type { RuleId } from '../policy-file/types.js';
import { ACCOUNT_FEATURES } from './features.js';
import type { Rule } from './rule.js';
import { RULES } from './rules/index.js';

/** Accepted in policy files, but not in `RULES` (see `rules/index.ts`). */
const UNCHECKED_RULE: RuleId = 'invocation-logging-disabled';

const code = (s: string) => `\`${s}\``;
const list = (items: readonly string[]) => items.map(code).join(', ');
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Rule texts are plain prose; put IAM names, ARNs and lone wildcards in code
 * spans so that Markdown reads `*` as a character, not as emphasis.
 */
const IAM_TOKEN = /(?<![\w`])(?:[\w.-]+:[\w.*/:-]*[\w*]|[\w.-]+\/\*|\*)(?![\w`])/g;
const prose = (text: string) => text.replace(IAM_TOKEN, (token) => code(token));

/** What each containable rule's findings become in the guard's deny (statement Sids of `synthesize-deny.ts`). */
const CONTAINS: Partial<Record<RuleId, () => string[]>> = {
  'unapproved-model-access': () => [
    'In `enforce` mode the deny gets one statement per family of routes: `BedrockGuardUnapprovedModels` ' +
      '(direct `bedrock:InvokeModel` / `bedrock:InvokeModelWithResponseStream` calls, which also cover Converse, ' +
      'async invoke and API-key calls), `BedrockGuardUnapprovedProfiles` (calls through inference profiles), ' +
      '`BedrockGuardUnapprovedBatch` (`bedrock:CreateModelInvocationJob`), `BedrockGuardUnapprovedProvisioned` ' +
      '(invoking provisioned models) and `BedrockGuardUnapprovedMantle` (`bedrock-mantle:CreateInference`, with the ' +
      'model as the `bedrock-mantle:Model` condition key; one statement per set of Regions, numbered from the second).',
  ],
  'unapproved-feature': () => [
    'In `enforce` mode the deny gets `BedrockGuardUnapprovedFeatures`, which denies on `*` the actions of each ' +
      'feature found and not granted:',
    '',
    ...ACCOUNT_FEATURES.map((spec) => `- ${code(spec.feature)} — ${spec.title}: ${list(spec.denyActions)}`),
    '',
    'Short-term API keys (the `api-keys` feature) on models the principal may invoke are denied by ' +
      '`BedrockGuardShortTermApiKeys` (`bedrock:CallWithBearerToken` with `bedrock:BearerTokenType` `SHORT_TERM`) ' +
      'and `BedrockGuardShortTermApiKeysMantle` (the same for `bedrock-mantle`). Batch and provisioned-throughput ' +
      'routes of granted models go into `BedrockGuardUnapprovedBatch` and `BedrockGuardUnapprovedProvisioned`. ' +
      '`bedrock:ApplyGuardrail` is never denied.',
  ],
  'long-term-api-keys': () => [
    'In `enforce` mode the deny gets `BedrockGuardLongTermApiKeyCreation` (`iam:CreateServiceSpecificCredential` ' +
      'with `iam:ServiceSpecificCredentialServiceName` `bedrock.amazonaws.com`) and `BedrockGuardLongTermApiKeyUse` ' +
      '(`bedrock:CallWithBearerToken` with `bedrock:BearerTokenType` `LONG_TERM`), both on `*`.',
  ],
};

function intro(): string[] {
  return [
    '<!-- Generated from shared/core/reconcile/rules/ by `npm run docs`; edit the rules, not this file. -->',
    '',
    '# Rules',
    '',
    'bedrock-guard compares what IAM lets each user and role do in Amazon Bedrock with what the ' +
      '[policy file](policy-file.md) grants, and reports every difference as a **finding**. This page lists the ' +
      'built-in rules that produce findings, and how the guard contains them.',
    '',
    '## Findings',
    '',
    'A finding carries:',
    '',
    '- **rule**: the rule id below;',
    "- **severity**: the rule's default, or the `severity` the policy file sets for the rule;",
    '- **mode**: `enforce` or `alert` (see below);',
    '- **status**: `open` (the account allows it now), `contained` (a guard-owned deny already blocks it) or ' +
      '`exempt` (the principal is listed under `exempt`: reported, never touched);',
    '- **principal**: the user or role ARN;',
    '- **model**, and the **Region** or **Regions**, when the finding is about a model;',
    '- **route** or **routes**: how the access happens (route kinds such as `invoke, invoke-stream, batch`, ' +
      'route ids in each Region, a feature, or a part of a role such as `trust-policy`);',
    '- **resources**: the ARNs the finding is about;',
    '- **evidence**: the policy statements that allow it (or, for gaps, that block it);',
    '- **remediation**: what a person should change in the account or the policy file.',
    '',
    '## Modes',
    '',
    "Each rule runs in the mode the policy file gives it (the file's `mode`, or the rule's own under `rules`):",
    '',
    '- `enforce`: report the finding and, where the rule is containable, contain it with a deny policy that ' +
      'the guard owns;',
    '- `alert`: report only;',
    "- `off`: don't check.",
    '',
    'The guard only ever adds, changes and removes its own deny policies; it never edits or detaches your ' +
      'policies, roles or account settings. A rule whose fix would need that is not containable, so it alerts ' +
      'even in `enforce` mode (its findings have mode `alert`).',
    '',
  ];
}

function summary(): string[] {
  return [
    '## Summary',
    '',
    '| rule | default severity | containable | title |',
    '| --- | --- | --- | --- |',
    ...RULES.map((r) => `| [${code(r.id)}](#${r.id}) | ${r.severity} | ${r.containable ? 'yes' : 'no'} | ${r.title} |`),
    '',
    `The plan also raises [${code(QUOTA_FINDING.id)}](#${QUOTA_FINDING.id}) when a deny does not fit. ` +
      `${code(UNCHECKED_RULE)} is accepted in policy files but not checked by \`plan\`: it needs the account's ` +
      'model invocation logging configuration, which a snapshot folder does not hold. The service checks it, with ' +
      'its mode and severity ([deploy.md](deploy.md#usage-budgets)): each reconcile reads the configuration of every ' +
      'approved Region (off), and compares the last invoke seen with the last log record metered (not delivering); ' +
      '`DeleteModelInvocationLoggingConfiguration` raises it at once. The service also raises findings only an event ' +
      'shows: `guard-policy-tampered`, `unapproved-model-enabled`, `unapproved-model-invoked` and `invoke-denied`; and ' +
      'the metering function raises `budget-warning` at 80 % of a budget and `budget-exceeded` at 100 % (its budget ' +
      "deny lifts itself at the window's end).",
    '',
  ];
}

function section(rule: Rule): string[] {
  const contains = CONTAINS[rule.id];
  if (rule.containable && !contains) throw new Error(`rules-doc: say what the deny contains for ${rule.id}`);
  return [
    `## ${rule.id}`,
    '',
    `**${rule.title}** · default severity \`${rule.severity}\` · ${rule.containable ? 'containable' : 'not containable'}`,
    '',
    prose(rule.docs),
    '',
    `- **Violating:** ${prose(rule.example.violating)}`,
    `- **Compliant:** ${prose(rule.example.compliant)}`,
    '',
    ...(contains
      ? contains()
      : ['Not containable: in `enforce` mode its findings are reported exactly as in `alert` mode.']),
    '',
  ];
}

function quotaSection(): string[] {
  return [
    `## ${QUOTA_FINDING.id}`,
    '',
    `**${QUOTA_FINDING.title}** · severity \`${QUOTA_FINDING.severity}\` · raised by the plan`,
    '',
    "The deny that would contain a principal's enforced findings is larger than a managed policy may be (or the " +
      "principal has no managed-policy attachment left) and does not fit the principal's inline-policy budget " +
      "either. The finding has mode `enforce` and status `open`, and names the deny's size and the quotas used. The " +
      "excess stays open until the principal's own Bedrock statements are narrowed (so less needs denying), a " +
      'managed-policy attachment is freed, or the IAM quota is raised. It is not a policy-file rule: it cannot be ' +
      'turned off or given another severity.',
    '',
  ];
}

function denySection(): string[] {
  const q = DEFAULT_QUOTAS;
  const name = (kind: 'role' | 'user') => code(guardPolicyName({ kind, name: '<name>' }));
  return [
    "## How the guard's deny is built",
    '',
    'For each principal with enforced findings that is not exempt, the plan writes one deny policy:',
    '',
    `- **Where.** A customer managed policy under the IAM path ${code(GUARD_PATH)}, tagged ` +
      `${code(`${GUARD_TAG.key}=${GUARD_TAG.value}`)} and named ${name('role')} or ${name('user')}. A principal ` +
      'whose managed-policy attachments are all used (or whose deny is too large for a managed policy) gets an ' +
      'inline policy of the same name instead, if it fits its inline budget; an inline deny that still fits stays ' +
      `inline. If neither fits, the plan raises [${code(QUOTA_FINDING.id)}](#${QUOTA_FINDING.id}) instead. A deny ` +
      'that is no longer needed, or whose principal has become exempt, is removed; an unchanged deny is left alone.',
    "- **Size.** Documents are measured as IAM counts them, without insignificant whitespace, against IAM's " +
      `default quotas: ${thousands(q.managedPolicyChars)} characters per managed policy, ` +
      `${q.attachedManagedPolicies.role} managed policies per principal, and ${thousands(q.inlineChars.role)} (role) or ` +
      `${thousands(q.inlineChars.user)} (user) characters for all of a principal's inline policies together ` +
      "(the guard's deny plus the principal's own).",
    '- **What.** Only the enforced findings: one statement per family of routes (the Sids listed under each rule ' +
      'above), and nothing the policy file grants. Principals with the same IAM decisions and the same grants get ' +
      'the same document.',
    '- **Deny-list or allow-list.** A model family is written either as a deny-list (`Resource`: the excess model ' +
      'ARNs, in their Regions when the model is granted in another Region, else in Region `*`) or as an ' +
      "allow-list (`NotResource`: the model ARNs the file grants, plus the account's own Bedrock resources, which " +
      'other statements judge; every foundation model when no team grants the feature), whichever document is ' +
      'shorter. For inference profiles the allow-list form denies every ' +
      'model call made through a profile (`Null` `bedrock:InferenceProfileArn` `false`) except through the granted ' +
      'ones (`ArnNotLike`). bedrock-mantle is authorised on the project rather than the model, so its statements ' +
      'name models with the `bedrock-mantle:Model` condition key instead. An allow-list also blocks models the ' +
      'account cannot reach yet, so it is used only when both `unapproved-model-access` and `unapproved-feature` ' +
      'are enforced.',
    '- **Direct calls.** `BedrockGuardUnapprovedModels` carries the condition `"Null": ' +
      '{"bedrock:InferenceProfileArn": "true"}`, so it judges direct calls only; a call through an inference ' +
      "profile carries the profile's ARN and is judged by `BedrockGuardUnapprovedProfiles`.",
    '',
    'Before anything is applied, the plan applies its denies to the snapshot in memory and reconciles again: no ' +
      'enforced finding may stay open (except where a quota was exceeded) and every route the file grants that IAM ' +
      'allowed must still be allowed.',
    '',
  ];
}

/** `docs/rules.md`, from the rule registry, the features catalogue and the deny conventions (unformatted). */
export function rulesMarkdown(): string {
  return [...intro(), ...summary(), ...RULES.flatMap(section), ...quotaSection(), ...denySection()].join('\n');
}
