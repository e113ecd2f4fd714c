import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../shared/core/events/pattern-match.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVENTS = join(ROOT, 'events');

const RULE_KEYS = [
  'modelAccess',
  'invokeDenials',
  'invokeFirstUse',
  'iamChanges',
  'scpChanges',
  'bedrockConfig',
] as const;
type RuleKey = (typeof RULE_KEYS)[number];
interface RuleDefinition {
  readonly function: string;
  readonly description: string;
  readonly state: string;
  readonly pattern: Record<string, unknown>;
}
const rules = JSON.parse(readFileSync(join(ROOT, 'functions', 'event-rules.json'), 'utf8')) as Record<
  RuleKey,
  RuleDefinition
>;

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const matching = (event: unknown): RuleKey[] => RULE_KEYS.filter((key) => matchesPattern(rules[key].pattern, event));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}
const samplePath = (path: string) => relative(EVENTS, path).split(sep).join('/');

/** Every event name a rule lists, with `$or` branches walked. */
function eventNames(pattern: unknown): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap(eventNames);
  if (typeof pattern !== 'object' || pattern === null) return [];
  return Object.entries(pattern).flatMap(([key, value]) =>
    key === 'eventName' && Array.isArray(value) ? value.filter((v) => typeof v === 'string') : eventNames(value),
  );
}

/**
 * The rules each sample under events/ must match: exactly these, no others.
 * Every sample file needs a line here, so a new sample cannot go untested.
 */
const EXPECTED: Record<string, readonly RuleKey[]> = {
  'model-access/AcceptAgreementRequest.json': ['modelAccess'],
  'model-access/CreateAgreementRequest.json': ['modelAccess'],
  'model-access/CreateFoundationModelAgreement.json': ['modelAccess'],
  'model-access/DeleteFoundationModelAgreement.json': ['modelAccess'],
  'model-access/PutFoundationModelEntitlement.json': ['modelAccess'],
  'model-access/PutUseCaseForModelAccess.json': ['modelAccess'],

  'invoke/InvokeModel.json': ['invokeFirstUse'],
  'invoke/InvokeModel-govcloud.json': ['invokeFirstUse'],
  'invoke/InvokeModel-AccessDenied.json': ['invokeDenials'],
  'invoke/InvokeModel-AccessDeniedException-inference-profile.json': ['invokeDenials'],
  'invoke/InvokeModel-AccessDeniedException-global-profile.json': ['invokeDenials'],
  'invoke/InvokeModel-AccessDeniedException-by-guard.json': ['invokeDenials'],
  'invoke/InvokeModel-ValidationException.json': [],
  'invoke/InvokeModel-ThrottlingException.json': [],
  'invoke/InvokeModelWithResponseStream.json': ['invokeFirstUse'],
  'invoke/InvokeModelWithResponseStream-AccessDeniedException.json': ['invokeDenials'],
  'invoke/Converse.json': ['invokeFirstUse'],
  'invoke/Converse-AccessDeniedException.json': ['invokeDenials'],
  'invoke/Converse-AccessDeniedException-marketplace.json': ['invokeDenials'],
  'invoke/ConverseStream.json': ['invokeFirstUse'],
  'invoke/ConverseStream-AccessDeniedException-scp.json': ['invokeDenials'],
  'invoke/CreateModelInvocationJob.json': ['invokeFirstUse'],
  'invoke/CreateModelInvocationJob-AccessDeniedException.json': ['invokeDenials'],

  'iam-change/AddUserToGroup.json': ['iamChanges'],
  'iam-change/AttachGroupPolicy.json': ['iamChanges'],
  'iam-change/AttachRolePolicy.json': ['iamChanges'],
  'iam-change/AttachRolePolicy-govcloud.json': ['iamChanges'],
  'iam-change/AttachUserPolicy.json': ['iamChanges'],
  'iam-change/CreatePolicyVersion.json': ['iamChanges'],
  'iam-change/CreatePolicyVersion-guard-policy.json': ['iamChanges'],
  'iam-change/CreateRole.json': ['iamChanges'],
  'iam-change/CreateServiceSpecificCredential.json': ['iamChanges'],
  'iam-change/DeleteGroupPolicy.json': ['iamChanges'],
  'iam-change/DeletePolicy.json': ['iamChanges'],
  'iam-change/DeleteRolePermissionsBoundary.json': ['iamChanges'],
  'iam-change/DeleteRolePolicy.json': ['iamChanges'],
  'iam-change/DeleteUserPermissionsBoundary.json': ['iamChanges'],
  'iam-change/DeleteUserPolicy.json': ['iamChanges'],
  'iam-change/DetachGroupPolicy.json': ['iamChanges'],
  'iam-change/DetachRolePolicy.json': ['iamChanges'],
  'iam-change/DetachRolePolicy-guard-policy.json': ['iamChanges'],
  'iam-change/DetachUserPolicy.json': ['iamChanges'],
  'iam-change/PutGroupPolicy.json': ['iamChanges'],
  'iam-change/PutRolePermissionsBoundary.json': ['iamChanges'],
  'iam-change/PutRolePolicy.json': ['iamChanges'],
  'iam-change/PutRolePolicy-guard-inline.json': ['iamChanges'],
  'iam-change/PutUserPermissionsBoundary.json': ['iamChanges'],
  'iam-change/PutUserPolicy.json': ['iamChanges'],
  'iam-change/RemoveUserFromGroup.json': ['iamChanges'],
  'iam-change/SetDefaultPolicyVersion.json': ['iamChanges'],
  'iam-change/TagRole.json': ['iamChanges'],
  'iam-change/TagUser.json': ['iamChanges'],
  'iam-change/UntagRole.json': ['iamChanges'],
  'iam-change/UntagUser.json': ['iamChanges'],
  'iam-change/UpdateAssumeRolePolicy.json': ['iamChanges'],

  'scp-change/AttachPolicy.json': ['scpChanges'],
  'scp-change/CreatePolicy.json': ['scpChanges'],
  'scp-change/DeletePolicy.json': ['scpChanges'],
  'scp-change/DetachPolicy.json': ['scpChanges'],
  'scp-change/DisablePolicyType.json': ['scpChanges'],
  'scp-change/EnablePolicyType.json': ['scpChanges'],
  'scp-change/UpdatePolicy.json': ['scpChanges'],

  'bedrock-config/CreateAgent.json': ['bedrockConfig'],
  'bedrock-config/CreateGuardrail.json': ['bedrockConfig'],
  'bedrock-config/CreateKnowledgeBase.json': ['bedrockConfig'],
  'bedrock-config/CreateModelImportJob.json': ['bedrockConfig'],
  'bedrock-config/CreateProvisionedModelThroughput.json': ['bedrockConfig'],
  'bedrock-config/DeleteModelInvocationLoggingConfiguration.json': ['bedrockConfig'],
  'bedrock-config/PutModelInvocationLoggingConfiguration.json': ['bedrockConfig'],

  'other/AttachRolePolicy-AccessDenied.json': [],
  'other/CreateBucket-s3.json': [],
  'other/GetFoundationModelAvailability.json': [],
  'other/GetRole.json': [],
  'malformed/missing-eventName.json': [],
  'schedule/reconcile-scheduled.json': [],
  'manual/reconcile-dry-run.json': [],
  'manual/reconcile-principals.json': [],
};

const SAMPLES = jsonFiles(EVENTS).map(samplePath);
/** Folders of CloudTrail samples (the rest are schedule/manual payloads and the malformed case). */
const CLOUDTRAIL_FOLDERS = ['model-access', 'invoke', 'iam-change', 'scp-change', 'bedrock-config', 'other'];
const cloudTrailSamples = SAMPLES.filter((s) => CLOUDTRAIL_FOLDERS.includes(s.split('/')[0] as string));

interface Envelope {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly unknown[];
  readonly detail: Record<string, unknown> & {
    readonly eventID: string;
    readonly eventName: string;
    readonly eventSource: string;
    readonly eventTime: string;
    readonly awsRegion: string;
    readonly recipientAccountId: string;
    readonly requestParameters: Record<string, unknown> | null;
  };
}
const sample = (file: string) => readJson(join(EVENTS, file)) as Envelope;

describe('functions/event-rules.json', () => {
  it('defines one rule per concern, each routed to a handler, with a valid state and description', () => {
    expect(Object.keys(rules).sort()).toEqual([...RULE_KEYS].sort());
    const functions = ['onModelAccess', 'onInvoke', 'onIamChange', 'onScpChange', 'onBedrockConfig'];
    for (const key of RULE_KEYS) {
      const rule = rules[key];
      expect(Object.keys(rule).sort(), key).toEqual(['description', 'function', 'pattern', 'state']);
      expect(functions, key).toContain(rule.function);
      expect(['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'], key).toContain(rule.state);
      // EventBridge rule descriptions hold at most 512 characters.
      expect(rule.description.length, key).toBeLessThanOrEqual(512);
    }
  });

  it('has patterns EventBridge accepts: known operators, arrays at the leaves', () => {
    for (const key of RULE_KEYS) expect(validatePattern(rules[key].pattern), key).toEqual([]);
  });

  it('takes only CloudTrail API calls, filtered by event source and name', () => {
    for (const key of RULE_KEYS) {
      const { pattern } = rules[key];
      expect(pattern['detail-type'], key).toEqual(['AWS API Call via CloudTrail']);
      const text = JSON.stringify(pattern);
      expect(text, key).toContain('"eventSource"');
      expect(eventNames(pattern).length, key).toBeGreaterThan(0);
    }
  });

  it('sees read-only invokes only where it must: the two invoke rules', () => {
    const wide = RULE_KEYS.filter((k) => rules[k].state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(wide).toEqual(['invokeDenials', 'invokeFirstUse']);
  });

  it('lists no event name twice within a rule', () => {
    for (const key of RULE_KEYS) {
      const names = eventNames(rules[key].pattern);
      expect(new Set(names).size, key).toBe(names.length);
    }
  });
});

describe('events/ samples', () => {
  it('each has an expectation, and each expectation a file', () => {
    expect(SAMPLES.filter((s) => !(s in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((s) => !SAMPLES.includes(s))).toEqual([]);
  });

  it.each(Object.entries(EXPECTED))('%s matches exactly %j', (file, expected) => {
    expect(matching(readJson(join(EVENTS, file)))).toEqual(expected);
  });

  it('never match both invoke rules at once', () => {
    for (const file of SAMPLES) {
      const keys = matching(readJson(join(EVENTS, file)));
      expect(keys.includes('invokeDenials') && keys.includes('invokeFirstUse'), file).toBe(false);
    }
  });

  it('cover every event name every rule lists', () => {
    for (const key of RULE_KEYS) {
      const covered = new Set(SAMPLES.filter((s) => EXPECTED[s]?.includes(key)).map((s) => sample(s).detail.eventName));
      expect(
        eventNames(rules[key].pattern).filter((name) => !covered.has(name)),
        key,
      ).toEqual([]);
    }
  });

  it('are named after their event: <concern>/<EventName>[-variant].json', () => {
    for (const file of cloudTrailSamples) {
      const base = file.split('/')[1]?.replace(/\.json$/, '') ?? '';
      const { eventName } = sample(file).detail;
      expect(base === eventName || base.startsWith(`${eventName}-`), file).toBe(true);
    }
  });

  it('are consistent EventBridge envelopes around CloudTrail records', () => {
    const eventIds = new Set<string>();
    for (const file of cloudTrailSamples) {
      const e = sample(file);
      const d = e.detail;
      expect(Object.keys(e), file).toEqual([
        'version',
        'id',
        'detail-type',
        'source',
        'account',
        'time',
        'region',
        'resources',
        'detail',
      ]);
      expect(e['detail-type'], file).toBe('AWS API Call via CloudTrail');
      expect(e.source, file).toBe(`aws.${d.eventSource.replace(/\.amazonaws\.com$/, '')}`);
      expect([e.time, e.region, e.account], file).toEqual([d.eventTime, d.awsRegion, d.recipientAccountId]);
      expect(d.eventID, file).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(eventIds.has(d.eventID), `${file}: duplicate eventID`).toBe(false);
      eventIds.add(d.eventID);
      expect(d, file).toMatchObject({ eventType: 'AwsApiCall', managementEvent: true, eventCategory: 'Management' });
      expect(['1.08', '1.09'], file).toContain(d['eventVersion']);
    }
  });

  it('name demo principals, so handlers can run them against examples/demo/snapshot', () => {
    const iam = readJson(join(ROOT, 'examples/demo/snapshot/iam.json')) as {
      UserDetailList: { UserName: string }[];
      GroupDetailList: { GroupName: string }[];
      RoleDetailList: { RoleName: string }[];
    };
    const known = {
      userName: new Set(iam.UserDetailList.map((u) => u.UserName)),
      groupName: new Set(iam.GroupDetailList.map((g) => g.GroupName)),
      roleName: new Set(iam.RoleDetailList.map((r) => r.RoleName)),
    };
    for (const file of cloudTrailSamples.filter((f) => f.startsWith('iam-change/') && !f.includes('CreateRole'))) {
      const params = sample(file).detail.requestParameters ?? {};
      for (const field of ['userName', 'groupName', 'roleName'] as const) {
        const name = params[field];
        if (typeof name === 'string') expect(known[field].has(name), `${file}: ${field} ${name}`).toBe(true);
      }
    }
  });

  it('include denials with both error codes, non-denial errors, and cross-Region inference', () => {
    const details = cloudTrailSamples.map((f) => sample(f).detail);
    const codes = new Set(details.map((d) => d['errorCode']));
    for (const code of ['AccessDenied', 'AccessDeniedException', 'ValidationException', 'ThrottlingException'])
      expect(codes, code).toContain(code);
    expect(
      details.some((d) => (d['additionalEventData'] as { inferenceRegion?: string } | undefined)?.inferenceRegion),
    ).toBe(true);
    expect(details.some((d) => d.awsRegion === 'us-gov-west-1')).toBe(true);
  });
});

describe('rule edge cases', () => {
  const withDetail = (file: string, change: Record<string, unknown>) => {
    const e = sample(file);
    return { ...e, detail: { ...e.detail, ...change } };
  };

  it('bedrockConfig takes Agents and Knowledge Bases calls logged under either Bedrock event source', () => {
    for (const file of ['bedrock-config/CreateAgent.json', 'bedrock-config/CreateKnowledgeBase.json']) {
      const event = withDetail(file, { eventSource: 'bedrock-agent.amazonaws.com' });
      expect(matching({ ...event, source: 'aws.bedrock-agent' }), file).toEqual(['bedrockConfig']);
    }
  });

  it('modelAccess takes Marketplace agreement calls whatever their EventBridge source', () => {
    const event = sample('model-access/AcceptAgreementRequest.json');
    expect(matching({ ...event, source: 'aws.marketplace' })).toEqual(['modelAccess']);
    // The Bedrock names need the Bedrock source and event source.
    const bedrock = sample('model-access/PutFoundationModelEntitlement.json');
    expect(matching({ ...bedrock, source: 'aws.iam' })).toEqual([]);
    expect(matching({ ...bedrock, detail: { ...bedrock.detail, eventSource: 'iam.amazonaws.com' } })).toEqual([]);
  });

  it('every change rule ignores the same call when it failed', () => {
    const cases = [
      'model-access/PutFoundationModelEntitlement.json',
      'model-access/AcceptAgreementRequest.json',
      'iam-change/AttachRolePolicy.json',
      'scp-change/DetachPolicy.json',
      'bedrock-config/CreateModelImportJob.json',
    ];
    for (const file of cases) {
      expect(matching(sample(file)), file).toHaveLength(1);
      expect(matching(withDetail(file, { errorCode: 'AccessDenied', errorMessage: 'denied' })), file).toEqual([]);
    }
  });

  it('invokeDenials takes any code starting AccessDenied, case-sensitively', () => {
    const file = 'invoke/InvokeModel-AccessDenied.json';
    expect(matching(withDetail(file, { errorCode: 'AccessDeniedException' }))).toEqual(['invokeDenials']);
    expect(matching(withDetail(file, { errorCode: 'accessdenied' }))).toEqual([]);
    expect(matching(withDetail(file, { errorCode: 'ResourceNotFoundException' }))).toEqual([]);
  });
});

/** Published real CloudTrail records, vendored with their provenance (test/fixtures/cloudtrail/SOURCES.md). */
const REAL = join(ROOT, 'test', 'fixtures', 'cloudtrail');
const REAL_EXPECTED: Record<string, readonly RuleKey[]> = {
  'agreement-marketplace/AcceptAgreementRequest-awsdocs.json': ['modelAccess'],
  'bedrock/Converse-ResourceNotFoundException-legacy-PARTIAL.json': [],
  'bedrock/Converse-elastic.json': ['invokeFirstUse'],
  'bedrock/CreateFoundationModelAgreement.json': ['modelAccess'],
  'bedrock/DeleteModelInvocationLoggingConfiguration.json': ['bedrockConfig'],
  'bedrock/GetFoundationModelAvailability-IAMUser-MozillaUA.json': [],
  'bedrock/GetFoundationModelAvailability.json': [],
  'bedrock/InvokeModel-AccessDenied.json': ['invokeDenials'],
  'bedrock/InvokeModel-ValidationException.json': [],
  'bedrock/InvokeModel-awsdocs.json': ['invokeFirstUse'],
  'bedrock/InvokeModel-stratus.json': ['invokeFirstUse'],
  'bedrock/InvokeModel-sumologic.json': ['invokeFirstUse'],
  'bedrock/ListFoundationModelAgreementOffers.json': [],
  'bedrock/PutFoundationModelEntitlement.json': ['modelAccess'],
  'bedrock/PutUseCaseForModelAccess.json': ['modelAccess'],
  'eventbridge/AWSAPICallViaCloudTrail-iam-DetachRolePolicy.json': ['iamChanges'],
  'eventbridge/AWSAPICallViaCloudTrail-iam-PutRolePolicy-terraform.json': ['iamChanges'],
  'eventbridge/AWSAPICallViaCloudTrail-s3-CreateBucket-Root-awsdocs.json': [],
  'eventbridge/AWSConsoleSignInViaCloudTrail-signin-ConsoleLogin-Root-awsdocs.json': [],
  'iam/AddUserToGroup-awsdocs.json': ['iamChanges'],
  'iam/AttachGroupPolicy-elastic.json': ['iamChanges'],
  'iam/AttachRolePolicy-IdentityCenter-invokedBy-sso.json': ['iamChanges'],
  'iam/AttachRolePolicy-elastic.json': ['iamChanges'],
  'iam/AttachRolePolicy-stratus-iam-create-backdoor-role.json': ['iamChanges'],
  'iam/AttachUserPolicy-AWSCompromisedKeyQuarantineV2.json': ['iamChanges'],
  'iam/AttachUserPolicy-elastic.json': ['iamChanges'],
  'iam/AttachUserPolicy-stratus-iam-create-admin-user.json': ['iamChanges'],
  'iam/CreateAccessKey-LimitExceededException.json': [],
  'iam/CreateAccessKey-stratus-iam-backdoor-user.json': [],
  'iam/CreateAccessKey-stratus-iam-create-admin-user.json': [],
  'iam/CreatePolicy-elastic.json': [],
  'iam/CreatePolicyVersion-privesc-IAMUser-cli.json': ['iamChanges'],
  'iam/CreatePolicyVersion-setAsDefault-console.json': ['iamChanges'],
  'iam/CreateRole-IdentityCenter-invokedBy-sso.json': ['iamChanges'],
  'iam/CreateRole-awsdocs.json': ['iamChanges'],
  'iam/CreateRole-stratus-iam-create-backdoor-role.json': ['iamChanges'],
  'iam/DeleteRolePolicy-console.json': ['iamChanges'],
  'iam/DetachRolePolicy-AWSServiceRoleForSSO.json': ['iamChanges'],
  'iam/DetachRolePolicy-console-mfa.json': ['iamChanges'],
  'iam/PutRolePolicy-console.json': ['iamChanges'],
  'iam/PutRolePolicy-terraform-AssumedRole.json': ['iamChanges'],
  'iam/PutUserPolicy-AWSCompromisedKeyQuarantineV3.json': ['iamChanges'],
  'iam/PutUserPolicy-console-DenyAll.json': ['iamChanges'],
  'iam/SetDefaultPolicyVersion-cli.json': ['iamChanges'],
  'iam/TagRole-AssumedRole-ECS.json': ['iamChanges'],
  'iam/UpdateAssumeRolePolicy-elastic.json': ['iamChanges'],
  'iam/UpdateAssumeRolePolicy-stratus-iam-backdoor-role.json': ['iamChanges'],
  'organizations/AttachPolicy-PolicyTypeNotEnabledException.json': [],
  'organizations/AttachPolicy-SCP-Root-console.json': ['scpChanges'],
  'organizations/CreatePolicy-SCP-Root-console.json': ['scpChanges'],
  'organizations/DetachPolicy-SCP-Root-console.json': ['scpChanges'],
  'organizations/UpdatePolicy-SCP-Root-console.json': ['scpChanges'],
  's3/ListBuckets-AwsVpceEvent-NetworkActivity-extra.json': [],
  'signin/UserAuthentication-IdentityCenterUser-extra.json': [],
  'sts/AssumeRole-AWSService-extra.json': [],
  'wrappers/lookup-events-SetDefaultPolicyVersion.json': ['iamChanges'],
};

/**
 * What EventBridge would deliver for a published sample: envelopes as they are; a bare record wrapped the way
 * CloudTrail-via-EventBridge does (source `aws.<service>`); a LookupEvents answer unwrapped first.
 */
function asDelivered(value: unknown): unknown {
  const v = value as Record<string, unknown>;
  if ('detail-type' in v) return v;
  const lookup = (v['Events'] as { CloudTrailEvent?: string }[] | undefined)?.[0]?.CloudTrailEvent;
  const record = (lookup === undefined ? v : JSON.parse(lookup)) as Record<string, unknown>;
  return {
    version: '0',
    id: '00000000-0000-4000-8000-000000000000',
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${String(record['eventSource']).replace(/\.amazonaws\.com$/, '')}`,
    account: record['recipientAccountId'],
    time: record['eventTime'],
    region: record['awsRegion'],
    resources: [],
    detail: record,
  };
}

describe('published real CloudTrail records (test/fixtures/cloudtrail)', () => {
  it.each(Object.entries(REAL_EXPECTED))('%s matches exactly %j', (file, expected) => {
    expect(matching(asDelivered(readJson(join(REAL, file))))).toEqual(expected);
  });
});
