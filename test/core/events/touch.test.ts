import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventParseError, parseGuardEvent } from '../../../shared/core/events/parse-event.js';
import { type Touch, concernOf, touchOf } from '../../../shared/core/events/touch.js';
import { guardPolicyArn, guardPolicyName } from '../../../shared/core/plan/guard-owned.js';

const SAMPLES = fileURLToPath(new URL('../../fixtures/cloudtrail/', import.meta.url));

const sample = (name: string): unknown => JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as unknown;
const touchOfSample = (name: string, partition?: string): Touch =>
  touchOf(parseGuardEvent(sample(name)), partition ? { partition } : {});

const ACCOUNT = '111122223333';
const alice = { kind: 'user', name: 'alice' } as const;

/** A CloudTrail record as IAM would log it from the IAM user alice; fields override. */
function record(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'alice',
    },
    eventTime: '2026-11-22T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.31.0',
    responseElements: null,
    requestID: 'req-1',
    eventID: 'evt-1',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...fields,
  };
}

const touch = (fields: Record<string, unknown>, partition?: string): Touch =>
  touchOf(parseGuardEvent(record(fields)), partition ? { partition } : {});

/** An assumed-role session of `role`; with the session issuer (carrying the role path) unless `issuer` is false. */
function assumedRole(role: string, options: { path?: string; partition?: string; issuer?: boolean } = {}) {
  const { path = '/', partition = 'aws', issuer = true } = options;
  return {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:session',
    arn: `arn:${partition}:sts::${ACCOUNT}:assumed-role/${role}/session`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: {
      ...(issuer
        ? {
            sessionIssuer: {
              type: 'Role',
              principalId: 'AROAEXAMPLE',
              arn: `arn:${partition}:iam::${ACCOUNT}:role${path}${role}`,
              accountId: ACCOUNT,
              userName: role,
            },
          }
        : {}),
      attributes: { creationDate: '2026-11-22T09:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

describe('touchOf on the real samples', () => {
  const cases: [file: string, expected: Partial<Touch>][] = [
    [
      'iam/AttachRolePolicy-elastic.json',
      {
        concern: 'iam-change',
        eventId: '57ce487a-26dc-4ed7-a79a-38730c5b1d4b',
        eventTime: '2024-10-15T08:28:01Z',
        actor: 'arn:aws:iam::000000000:user/test@elastic.co',
        principals: [{ kind: 'role', name: 'cloudtrail-role' }],
        groups: [],
        changedPolicies: [],
        models: [],
        scps: false,
        serviceCredentials: false,
      },
    ],
    [
      'iam/AttachUserPolicy-elastic.json',
      {
        actor: 'arn:aws:iam::000000000:role/ec2-instance-role',
        principals: [{ kind: 'user', name: 'pwncloud-backdoor-user' }],
      },
    ],
    ['iam/AttachGroupPolicy-elastic.json', { principals: [], groups: ['TestGroupPolicy'] }],
    [
      'iam/AddUserToGroup-awsdocs.json',
      { principals: [{ kind: 'user', name: 'Bob' }], groups: [], account: '123456789012' },
    ],
    [
      'iam/CreatePolicyVersion-setAsDefault-console.json',
      { principals: [], changedPolicies: ['arn:aws:iam::014824332634:policy/Dome9CloudBots'] },
    ],
    [
      // The author's malformed ARN is kept as written: the reader will find no such policy.
      'iam/CreatePolicyVersion-privesc-IAMUser-cli.json',
      { changedPolicies: ['arn:aws:iam:xx:policy/qa-testing-P'], actor: 'arn:aws:iam::xx:user/QA-a' },
    ],
    [
      'iam/SetDefaultPolicyVersion-cli.json',
      { changedPolicies: ['arn:aws:iam::123456789012:policy/cg-raynor-policy-cgidwg95rcdjvv'] },
    ],
    [
      'wrappers/lookup-events-SetDefaultPolicyVersion.json',
      { changedPolicies: ['arn:aws:iam::123456789012:policy/cg-raynor-policy-cgidwg95rcdjvv'] },
    ],
    [
      'iam/CreateRole-IdentityCenter-invokedBy-sso.json',
      {
        actor: 'arn:aws:iam::<MANAGEMENT_ACCT_ID>:root',
        principals: [{ kind: 'role', name: 'AWSReservedSSO_AdministratorAccess-test_c194f596bcea55cc' }],
      },
    ],
    [
      // A service-linked role session: the issuer ARN keeps the role path.
      'iam/DetachRolePolicy-AWSServiceRoleForSSO.json',
      {
        actor: 'arn:aws:iam::<MANAGEMENT_ACCT_ID>:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO',
        principals: [{ kind: 'role', name: 'AWSReservedSSO_AdministratorAccess-test_c194f596bcea55cc' }],
      },
    ],
    ['iam/DeleteRolePolicy-console.json', { principals: [{ kind: 'role', name: 'practicum_test_role_inline' }] }],
    [
      'iam/PutUserPolicy-console-DenyAll.json',
      { actor: 'arn:aws:iam::123456789012:role/a-role', principals: [{ kind: 'user', name: 'test-user' }] },
    ],
    ['iam/TagRole-AssumedRole-ECS.json', { principals: [{ kind: 'role', name: 'test_detect_role' }] }],
    [
      'iam/UpdateAssumeRolePolicy-stratus-iam-backdoor-role.json',
      { principals: [{ kind: 'role', name: 'stratus-red-team-backdoor-r-role' }] },
    ],
    [
      'eventbridge/AWSAPICallViaCloudTrail-iam-DetachRolePolicy.json',
      { eventId: 'ae57b68d-c752-4cb2-a2cf-ccaa83d99979', principals: [{ kind: 'role', name: 'practicum_test_role1' }] },
    ],
    [
      'eventbridge/AWSAPICallViaCloudTrail-iam-PutRolePolicy-terraform.json',
      {
        actor: 'arn:aws:iam::873370528721:role/AdministratorAccess',
        principals: [{ kind: 'role', name: 'passbolt-Prod-notification-us-east-1' }],
      },
    ],
    [
      'organizations/AttachPolicy-SCP-Root-console.json',
      { concern: 'scp-change', scps: true, principals: [], actor: 'arn:aws:iam::<MANAGEMENT_ACCT_ID>:root' },
    ],
    ['organizations/CreatePolicy-SCP-Root-console.json', { concern: 'scp-change', scps: true }],
    ['organizations/DetachPolicy-SCP-Root-console.json', { concern: 'scp-change', scps: true }],
    ['organizations/UpdatePolicy-SCP-Root-console.json', { concern: 'scp-change', scps: true }],
    [
      'organizations/AttachPolicy-PolicyTypeNotEnabledException.json',
      {
        scps: true,
        error: {
          code: 'PolicyTypeNotEnabledException',
          message: 'The given policy type ServiceControlPolicy is not enabled on the current view',
        },
      },
    ],
    [
      'bedrock/InvokeModel-AccessDenied.json',
      {
        concern: 'invoke',
        eventTime: '2024-07-08T17:06:49Z',
        region: 'eu-west-3',
        account: '1234567890',
        actor: 'arn:aws:iam::1234567890:user/administrator',
        principals: [{ kind: 'user', name: 'administrator' }],
        models: ['anthropic.claude-3-sonnet-20240229-v1:0'],
        error: { code: 'AccessDenied', message: "You don't have access to the model with the specified model ID." },
      },
    ],
    [
      // Every identity field redacted: no actor, no principal, but the model and the error.
      'bedrock/InvokeModel-ValidationException.json',
      {
        principals: [],
        models: ['anthropic.claude-v2'],
        eventTime: '[REDACTED]',
        error: { code: 'ValidationException', message: 'max_tokens_to_sample: range: 1..1,000,000' },
      },
    ],
    [
      'bedrock/InvokeModel-stratus.json',
      {
        actor: 'arn:aws:iam::494659789341:role/test-role',
        principals: [{ kind: 'role', name: 'test-role' }],
        models: ['anthropic.claude-3-sonnet-20240229-v1:0'],
      },
    ],
    [
      'bedrock/Converse-elastic.json',
      {
        concern: 'invoke',
        actor: 'arn:aws:iam::00000000000:role/private-ec2-instance-role',
        principals: [{ kind: 'role', name: 'private-ec2-instance-role' }],
        models: ['anthropic.claude-3-5-sonnet-20240620-v1:0'],
      },
    ],
    [
      'bedrock/Converse-ResourceNotFoundException-legacy-PARTIAL.json',
      { principals: [], account: '', models: ['anthropic.claude-3-5-sonnet-20240620-v1:0'] },
    ],
    [
      'bedrock/CreateFoundationModelAgreement.json',
      {
        concern: 'model-access',
        principals: [{ kind: 'role', name: 'test-role' }],
        models: ['anthropic.claude-3-sonnet-20240229-v1:0'],
      },
    ],
    [
      'bedrock/PutFoundationModelEntitlement.json',
      { concern: 'model-access', models: ['anthropic.claude-3-sonnet-20240229-v1:0'] },
    ],
    // requestParameters null: the model is not logged.
    ['bedrock/PutUseCaseForModelAccess.json', { concern: 'model-access', models: [] }],
    [
      // userIdentity type Unknown, with an IAM user ARN.
      'agreement-marketplace/AcceptAgreementRequest-awsdocs.json',
      {
        concern: 'model-access',
        actor: 'arn:aws:iam::123456789010:user/CloudTrailTestUser',
        principals: [{ kind: 'user', name: 'CloudTrailTestUser' }],
        models: [],
      },
    ],
    [
      // An Identity Center permission-set session: the role lives under /aws-reserved/sso.amazonaws.com/<region>/.
      'bedrock/DeleteModelInvocationLoggingConfiguration.json',
      {
        concern: 'bedrock-config',
        feature: 'invocation-logging',
        eventTime: '2025-01-21T17:49:47Z',
        actor: 'arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin',
        principals: [{ kind: 'role', name: 'DevAdmin' }],
      },
    ],
  ];

  it.each(cases)('%s', (file, expected) => {
    expect(touchOfSample(file)).toMatchObject(expected);
  });

  it.each([
    'bedrock/GetFoundationModelAvailability.json',
    'bedrock/ListFoundationModelAgreementOffers.json',
    'iam/CreateAccessKey-stratus-iam-backdoor-user.json',
    'iam/CreatePolicy-elastic.json',
    'eventbridge/AWSAPICallViaCloudTrail-s3-CreateBucket-Root-awsdocs.json',
    'eventbridge/AWSConsoleSignInViaCloudTrail-signin-ConsoleLogin-Root-awsdocs.json',
    'sts/AssumeRole-AWSService-extra.json',
    'signin/UserAuthentication-IdentityCenterUser-extra.json',
    's3/ListBuckets-AwsVpceEvent-NetworkActivity-extra.json',
  ])('%s is not an event the guard handles: a clear error', (file) => {
    const event = parseGuardEvent(sample(file));
    expect(() => touchOf(event)).toThrow(EventParseError);
    expect(() => touchOf(event)).toThrow(
      `not an event bedrock-guard handles: ${event.detail.eventSource} ${event.detail.eventName}`,
    );
  });

  it('has no actor for an Identity Center user (empty ARN) or an AWS service', () => {
    for (const file of [
      'signin/UserAuthentication-IdentityCenterUser-extra.json',
      'sts/AssumeRole-AWSService-extra.json',
    ]) {
      const { detail } = parseGuardEvent(sample(file));
      const event = parseGuardEvent({ ...detail, eventSource: 'bedrock.amazonaws.com', eventName: 'InvokeModel' });
      const result = touchOf(event);
      expect(result.actor, file).toBeUndefined();
      expect(result.principals, file).toEqual([]);
    }
  });
});

describe('touchOf: IAM changes', () => {
  it.each([
    ['AttachRolePolicy', { roleName: 'app', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }],
    ['DetachRolePolicy', { roleName: 'app', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }],
    ['PutRolePolicy', { roleName: 'app', policyName: 'p', policyDocument: '{}' }],
    ['DeleteRolePolicy', { roleName: 'app', policyName: 'p' }],
    ['PutRolePermissionsBoundary', { roleName: 'app', permissionsBoundary: 'arn:aws:iam::aws:policy/X' }],
    ['DeleteRolePermissionsBoundary', { roleName: 'app' }],
    ['CreateRole', { roleName: 'app', path: '/service-role/', assumeRolePolicyDocument: '{}' }],
    ['UpdateAssumeRolePolicy', { roleName: 'app', policyDocument: '{}' }],
    ['TagRole', { roleName: 'app', tags: [{ key: 'team', value: 'ml' }] }],
    ['UntagRole', { roleName: 'app', tagKeys: ['team'] }],
  ])('%s touches the role', (eventName, requestParameters) => {
    expect(touch({ eventName, requestParameters })).toMatchObject({
      concern: 'iam-change',
      principals: [{ kind: 'role', name: 'app' }],
      groups: [],
      changedPolicies: [],
    });
  });

  it.each([
    ['AttachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }],
    ['DetachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }],
    ['PutUserPolicy', { userName: 'bob', policyName: 'p', policyDocument: '{}' }],
    ['DeleteUserPolicy', { userName: 'bob', policyName: 'p' }],
    ['PutUserPermissionsBoundary', { userName: 'bob', permissionsBoundary: 'arn:aws:iam::aws:policy/X' }],
    ['DeleteUserPermissionsBoundary', { userName: 'bob' }],
    ['TagUser', { userName: 'bob', tags: [{ key: 'team', value: 'ml' }] }],
    ['UntagUser', { userName: 'bob', tagKeys: ['team'] }],
    ['AddUserToGroup', { userName: 'bob', groupName: 'admins' }],
    ['RemoveUserFromGroup', { userName: 'bob', groupName: 'admins' }],
  ])('%s touches the user (not the group)', (eventName, requestParameters) => {
    expect(touch({ eventName, requestParameters })).toMatchObject({
      principals: [{ kind: 'user', name: 'bob' }],
      groups: [],
      serviceCredentials: false,
    });
  });

  it.each([
    ['AttachGroupPolicy', { groupName: 'admins', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }],
    ['DetachGroupPolicy', { groupName: 'admins', policyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }],
    ['PutGroupPolicy', { groupName: 'admins', policyName: 'p', policyDocument: '{}' }],
    ['DeleteGroupPolicy', { groupName: 'admins', policyName: 'p' }],
  ])('%s touches the group', (eventName, requestParameters) => {
    expect(touch({ eventName, requestParameters })).toMatchObject({ principals: [], groups: ['admins'] });
  });

  it.each([
    ['CreatePolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/team/p`, setAsDefault: true }],
    ['SetDefaultPolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/team/p`, versionId: 'v2' }],
    ['DeletePolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/team/p`, versionId: 'v1' }],
    ['DeletePolicy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/team/p` }],
  ])('%s changes the managed policy document', (eventName, requestParameters) => {
    expect(touch({ eventName, requestParameters })).toMatchObject({
      principals: [],
      changedPolicies: [`arn:aws:iam::${ACCOUNT}:policy/team/p`],
    });
  });

  it('CreateServiceSpecificCredential (a Bedrock API key) touches the user and its credentials', () => {
    const created = touch({
      eventName: 'CreateServiceSpecificCredential',
      requestParameters: { userName: 'bob', serviceName: 'bedrock.amazonaws.com', credentialAgeDays: 30 },
    });
    expect(created).toMatchObject({ principals: [{ kind: 'user', name: 'bob' }], serviceCredentials: true });
    // Without a user name the key is the caller's own.
    const own = touch({
      eventName: 'CreateServiceSpecificCredential',
      requestParameters: { serviceName: 'bedrock.amazonaws.com' },
    });
    expect(own.principals).toEqual([alice]);
  });

  it('reads role names given as ARNs with a path', () => {
    expect(
      touch({
        eventName: 'AttachRolePolicy',
        requestParameters: { roleName: `arn:aws:iam::${ACCOUNT}:role/service-role/x` },
      }).principals,
    ).toEqual([{ kind: 'role', name: 'x' }]);
  });

  it('never throws on odd but valid records: null, absent or strange requestParameters give empty lists', () => {
    for (const requestParameters of [null, undefined, {}, { roleName: 7 }, { roleName: '' }, { policyArn: ['x'] }]) {
      const result = touch({ eventName: 'AttachRolePolicy', requestParameters });
      expect(result).toMatchObject({ concern: 'iam-change', principals: [], changedPolicies: [], groups: [] });
      expect(result.guardPolicy).toBeUndefined();
    }
  });
});

describe('touchOf: changes to guard-owned policies (tampering)', () => {
  const name = guardPolicyName({ kind: 'role', name: 'app' });
  const arn = guardPolicyArn('aws', ACCOUNT, name);

  it.each([
    ['DetachRolePolicy', { roleName: 'app', policyArn: arn }],
    ['AttachRolePolicy', { roleName: 'other', policyArn: arn }],
    ['CreatePolicyVersion', { policyArn: arn, policyDocument: '{}', setAsDefault: true }],
    ['SetDefaultPolicyVersion', { policyArn: arn, versionId: 'v1' }],
    ['DeletePolicy', { policyArn: arn }],
  ])('%s on the guard managed policy names it', (eventName, requestParameters) => {
    const result = touch({ eventName, requestParameters, userIdentity: assumedRole('Admin') });
    expect(result.guardPolicy).toBe(arn);
    expect(result.actor).toBe(`arn:aws:iam::${ACCOUNT}:role/Admin`);
  });

  it.each([
    ['DeleteRolePolicy', { roleName: 'app', policyName: name }],
    ['PutRolePolicy', { roleName: 'app', policyName: name, policyDocument: '{"Statement":[]}' }],
    ['DeleteUserPolicy', { userName: 'bob', policyName: guardPolicyName({ kind: 'user', name: 'bob' }) }],
  ])('%s on a guard inline policy names it', (eventName, requestParameters) => {
    expect(touch({ eventName, requestParameters }).guardPolicy).toBe(requestParameters.policyName);
  });

  it('is no tampering when the policy is not the guard one', () => {
    const other = touch({
      eventName: 'DetachRolePolicy',
      requestParameters: { roleName: 'app', policyArn: `arn:aws:iam::${ACCOUNT}:policy/bedrock-guard-deny-role-app` },
    });
    expect(other.guardPolicy).toBeUndefined(); // a look-alike name outside the /bedrock-guard/ path
    expect(
      touch({ eventName: 'PutRolePolicy', requestParameters: { roleName: 'app', policyName: 'mine' } }).guardPolicy,
    ).toBe(undefined);
  });

  it('recognizes guard policies in GovCloud', () => {
    const gov = guardPolicyArn('aws-us-gov', ACCOUNT, name);
    const result = touch({
      eventName: 'DetachRolePolicy',
      awsRegion: 'us-gov-west-1',
      requestParameters: { roleName: 'app', policyArn: gov },
      userIdentity: assumedRole('Admin', { partition: 'aws-us-gov', issuer: false }),
    });
    expect(result).toMatchObject({ guardPolicy: gov, actor: `arn:aws-us-gov:iam::${ACCOUNT}:role/Admin` });
  });
});

describe('touchOf: the actor', () => {
  it('is the role with its path from the session issuer', () => {
    const result = touch({ eventName: 'TagRole', userIdentity: assumedRole('deployer', { path: '/ci/tools/' }) });
    expect(result.actor).toBe(`arn:aws:iam::${ACCOUNT}:role/ci/tools/deployer`);
  });

  it('is derived from the assumed-role ARN (without the path it cannot know) when there is no issuer', () => {
    const result = touch({
      eventSource: 'bedrock.amazonaws.com',
      eventName: 'InvokeModel',
      requestParameters: { modelId: 'amazon.nova-lite-v1:0' },
      userIdentity: assumedRole('deployer', { path: '/ci/', issuer: false }),
    });
    expect(result.actor).toBe(`arn:aws:iam::${ACCOUNT}:role/deployer`);
    expect(result.principals).toEqual([{ kind: 'role', name: 'deployer' }]);
  });

  it('is derived in the GovCloud and China partitions too', () => {
    const gov = touch({
      eventName: 'TagRole',
      userIdentity: assumedRole('r', { partition: 'aws-us-gov', issuer: false }),
    });
    expect(gov.actor).toBe(`arn:aws-us-gov:iam::${ACCOUNT}:role/r`);
    const cn = touch({ eventName: 'TagRole', userIdentity: assumedRole('r', { partition: 'aws-cn' }) });
    expect(cn.actor).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/r`);
  });

  it('is the user behind a federated-user session', () => {
    const result = touch({
      eventName: 'TagRole',
      userIdentity: {
        type: 'FederatedUser',
        arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/ops/bob`, userName: 'bob' },
        },
      },
    });
    expect(result.actor).toBe(`arn:aws:iam::${ACCOUNT}:user/ops/bob`);
  });

  it('is the root, with the partition of the Region or the option when the record has no ARN', () => {
    const root = { type: 'Root', principalId: ACCOUNT, accountId: ACCOUNT };
    expect(touch({ eventName: 'TagRole', userIdentity: root }).actor).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    expect(touch({ eventName: 'TagRole', awsRegion: 'us-gov-east-1', userIdentity: root }).actor).toBe(
      `arn:aws-us-gov:iam::${ACCOUNT}:root`,
    );
    expect(touch({ eventName: 'TagRole', userIdentity: root }, 'aws-cn').actor).toBe(`arn:aws-cn:iam::${ACCOUNT}:root`);
  });

  it('is no principal to re-read when the session comes from another account', () => {
    const other = assumedRole('ci');
    const result = touch({
      eventSource: 'bedrock.amazonaws.com',
      eventName: 'InvokeModel',
      requestParameters: { modelId: 'amazon.nova-lite-v1:0' },
      recipientAccountId: '999988887777',
      userIdentity: other,
    });
    expect(result.actor).toBe(`arn:aws:iam::${ACCOUNT}:role/ci`);
    expect(result.principals).toEqual([]);
  });

  it('is absent for services, web identities and missing identities', () => {
    const service = { type: 'AWSService', invokedBy: 'sso.amazonaws.com' };
    const web = {
      type: 'WebIdentityUser',
      principalId: 'accounts.google.com:1234',
      userName: '1234',
      identityProvider: 'accounts.google.com',
    };
    for (const userIdentity of [service, web, null, undefined, { type: 'IAMUser', arn: '' }]) {
      expect(touch({ eventName: 'TagRole', userIdentity }).actor).toBeUndefined();
    }
  });
});

describe('touchOf: Bedrock events', () => {
  const bedrock = (eventName: string, requestParameters: unknown, more: Record<string, unknown> = {}) =>
    touch({ eventSource: 'bedrock.amazonaws.com', eventName, requestParameters, ...more });

  it.each([
    ['InvokeModel', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['InvokeModelWithResponseStream', 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0'],
    ['Converse', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['ConverseStream', `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.amazon.nova-lite-v1:0`],
    ['InvokeModel', `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/abc123`],
    ['CreateModelInvocationJob', 'anthropic.claude-3-haiku-20240307-v1:0'],
  ])('%s of %s is an invoke by the caller', (eventName, modelId) => {
    expect(bedrock(eventName, { modelId })).toMatchObject({
      concern: 'invoke',
      actor: `arn:aws:iam::${ACCOUNT}:user/alice`,
      principals: [alice],
      models: [modelId],
    });
  });

  it('reads the inference Region and an AccessDenied error', () => {
    const result = bedrock(
      'Converse',
      { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' },
      {
        errorCode: 'AccessDeniedException',
        errorMessage: 'User is not authorized to perform: bedrock:InvokeModel',
        additionalEventData: { inferenceRegion: 'us-west-2' },
        userIdentity: assumedRole('app', { path: '/service-role/' }),
      },
    );
    expect(result).toMatchObject({
      inferenceRegion: 'us-west-2',
      error: { code: 'AccessDeniedException', message: 'User is not authorized to perform: bedrock:InvokeModel' },
      principals: [{ kind: 'role', name: 'app' }],
    });
    const bare = bedrock('InvokeModel', { modelId: 'm' }, { errorCode: 'AccessDenied' });
    expect(bare.error).toEqual({ code: 'AccessDenied' });
    expect(bedrock('InvokeModel', { modelId: 'm' }).error).toBeUndefined();
  });

  it('skips request fields CloudTrail hides', () => {
    expect(bedrock('InvokeModel', { modelId: 'HIDDEN_DUE_TO_SECURITY_REASONS' }).models).toEqual([]);
  });

  it.each([
    [
      'PutFoundationModelEntitlement',
      { modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
      ['anthropic.claude-3-5-haiku-20241022-v1:0'],
    ],
    ['CreateFoundationModelAgreement', { modelId: 'm1', offerToken: 't' }, ['m1']],
    ['DeleteFoundationModelAgreement', { modelId: 'm1' }, ['m1']],
    ['PutUseCaseForModelAccess', null, []],
    ['PutFoundationModelEntitlement', { modelIds: ['m1', 'm2', 'm1'] }, ['m1', 'm2']],
  ])('%s is model access to %j', (eventName, requestParameters, models) => {
    expect(bedrock(eventName, requestParameters)).toMatchObject({
      concern: 'model-access',
      principals: [alice],
      models,
    });
  });

  it.each(['CreateAgreementRequest', 'AcceptAgreementRequest'])('marketplace %s is model access', (eventName) => {
    const result = touch({
      eventSource: 'agreement-marketplace.amazonaws.com',
      eventName,
      requestParameters: { agreementRequestId: 'ar-1' },
    });
    expect(result).toMatchObject({ concern: 'model-access', principals: [alice], models: [] });
  });

  it('CreateModelImportJob: the custom-model-import feature, the caller and the job role (seed 003)', () => {
    const result = bedrock('CreateModelImportJob', {
      jobName: 'import-1',
      importedModelName: 'llama-ft',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/BedrockImportRole`,
      modelDataSource: { s3DataSource: { s3Uri: 's3://other-account-bucket/model/' } },
    });
    expect(result).toMatchObject({
      concern: 'bedrock-config',
      feature: 'custom-model-import',
      principals: [alice, { kind: 'role', name: 'BedrockImportRole' }],
      models: [],
    });
  });

  it('CreateAgent: the agents feature, its resource role and its model', () => {
    const result = bedrock('CreateAgent', {
      agentName: 'helper',
      foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
      agentResourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AmazonBedrockExecutionRoleForAgents_x`,
      instruction: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    expect(result).toMatchObject({
      feature: 'agents',
      principals: [alice, { kind: 'role', name: 'AmazonBedrockExecutionRoleForAgents_x' }],
      models: ['anthropic.claude-3-haiku-20240307-v1:0'],
    });
  });

  it('CreateKnowledgeBase: the knowledge-bases feature, its role and embedding model', () => {
    const embed = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0';
    const result = bedrock('CreateKnowledgeBase', {
      name: 'kb',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/kb-role`,
      knowledgeBaseConfiguration: { type: 'VECTOR', vectorKnowledgeBaseConfiguration: { embeddingModelArn: embed } },
    });
    expect(result).toMatchObject({
      feature: 'knowledge-bases',
      principals: [alice, { kind: 'role', name: 'kb-role' }],
      models: [embed],
    });
  });

  it.each([
    [
      'CreateProvisionedModelThroughput',
      { modelId: 'amazon.nova-pro-v1:0', modelUnits: 1 },
      'provisioned-throughput',
      ['amazon.nova-pro-v1:0'],
    ],
    ['CreateGuardrail', { name: 'g', blockedInputMessaging: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, 'guardrails', []],
    [
      'PutModelInvocationLoggingConfiguration',
      { loggingConfig: { textDataDeliveryEnabled: true } },
      'invocation-logging',
      [],
    ],
    ['DeleteModelInvocationLoggingConfiguration', null, 'invocation-logging', []],
  ])('%s uses the %s feature', (eventName, requestParameters, feature, models) => {
    expect(bedrock(eventName, requestParameters)).toMatchObject({
      concern: 'bedrock-config',
      feature,
      principals: [alice],
      models,
    });
  });

  it('deduplicates: the caller and the service role being one role', () => {
    const result = bedrock(
      'CreateModelImportJob',
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/ml/importer` },
      { userIdentity: assumedRole('importer', { path: '/ml/' }) },
    );
    expect(result.principals).toEqual([{ kind: 'role', name: 'importer' }]);
  });
});

describe('touchOf: ids, times and places', () => {
  it('takes the event id from detail.eventID, else the envelope id', () => {
    const envelope = sample('eventbridge/AWSAPICallViaCloudTrail-iam-DetachRolePolicy.json') as {
      detail: Record<string, unknown>;
    };
    const { eventID: _, ...detail } = envelope.detail;
    const result = touchOf(parseGuardEvent({ ...envelope, detail }));
    expect(result.eventId).toBe('9a98d033-189f-b69e-fab5-96c6599c7bd4');
    expect(touchOf(parseGuardEvent(envelope)).eventId).toBe('ae57b68d-c752-4cb2-a2cf-ccaa83d99979');
  });

  it('gives the region of the record and the account it was delivered to', () => {
    const result = touch({
      eventSource: 'bedrock.amazonaws.com',
      eventName: 'InvokeModel',
      awsRegion: 'eu-central-1',
      recipientAccountId: '444455556666',
    });
    expect(result).toMatchObject({ region: 'eu-central-1', account: '444455556666' });
  });

  it('takes the envelope time when the record time is unreadable', () => {
    const envelope = sample('eventbridge/AWSAPICallViaCloudTrail-iam-DetachRolePolicy.json') as {
      detail: Record<string, unknown>;
    };
    const result = touchOf(parseGuardEvent({ ...envelope, detail: { ...envelope.detail, eventTime: '[REDACTED]' } }));
    expect(result.eventTime).toBe('2023-05-31T04:44:57Z');
  });

  it('writes only the optional fields it has', () => {
    const result = touch({ eventName: 'TagRole', requestParameters: { roleName: 'r' } });
    expect(Object.keys(result).sort()).toEqual(
      [
        'account',
        'actor',
        'changedPolicies',
        'concern',
        'eventId',
        'eventName',
        'eventSource',
        'eventTime',
        'groups',
        'models',
        'principals',
        'region',
        'scps',
        'serviceCredentials',
      ].sort(),
    );
  });
});

describe('concernOf', () => {
  it.each([
    ['bedrock.amazonaws.com', 'InvokeModel', 'invoke'],
    ['bedrock.amazonaws.com', 'CreateModelInvocationJob', 'invoke'],
    ['bedrock.amazonaws.com', 'PutUseCaseForModelAccess', 'model-access'],
    ['agreement-marketplace.amazonaws.com', 'CreateAgreementRequest', 'model-access'],
    ['iam.amazonaws.com', 'PutGroupPolicy', 'iam-change'],
    ['iam.amazonaws.com', 'CreateServiceSpecificCredential', 'iam-change'],
    ['organizations.amazonaws.com', 'UpdatePolicy', 'scp-change'],
    ['organizations.amazonaws.com', 'DisablePolicyType', 'scp-change'],
    ['bedrock-agent.amazonaws.com', 'CreateAgent', 'bedrock-config'],
    ['bedrock-agent.amazonaws.com', 'CreateGuardrail', undefined],
    ['bedrock.amazonaws.com', 'CreateGuardrail', 'bedrock-config'],
    ['iam.amazonaws.com', 'GetRole', undefined],
    ['iam.amazonaws.com', 'CreatePolicy', undefined],
    ['organizations.amazonaws.com', 'CreateOrganizationalUnit', undefined],
    ['bedrock.amazonaws.com', 'ListFoundationModels', undefined],
    ['iam.amazonaws.com', 'InvokeModel', undefined],
    ['iam.amazonaws.com', 'toString', undefined],
    ['constructor', 'name', undefined],
  ])('%s %s → %s', (source, name, concern) => {
    expect(concernOf(source, name)).toBe(concern);
  });

  it('is the error touchOf throws for the rest, naming the event', () => {
    const error = (() => {
      try {
        return touch({ eventName: 'GetRole', requestParameters: { roleName: 'r' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EventParseError);
    expect((error as EventParseError).message).toBe('not an event bedrock-guard handles: iam.amazonaws.com GetRole');
    expect((error as EventParseError).hint).toContain('EventBridge rule');
  });
});

describe('touchOf on the events/ samples', () => {
  /** Samples of events the guard does not handle, and inputs for reconcile, live in these folders. */
  const NOT_TOUCHES = new Set(['other', 'malformed', 'schedule', 'manual']);
  const root = 'events';
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return walk(path);
        return name.endsWith('.json') ? [path] : [];
      });
  const files = walk(root).filter((path) => !NOT_TOUCHES.has(relative(root, path).split(sep)[0] ?? ''));

  const rejected = walk(root).filter((path) =>
    ['malformed', 'schedule', 'manual'].includes(relative(root, path).split(sep)[0] ?? ''),
  );

  it.each(rejected)('%s: parseGuardEvent rejects it with a clear error', (file) => {
    expect(() => parseGuardEvent(JSON.parse(readFileSync(file, 'utf8')))).toThrow(EventParseError);
  });

  it.each(files)('%s: touchOf reads it', (file) => {
    const result = touchOf(parseGuardEvent(JSON.parse(readFileSync(file, 'utf8'))));
    const folder = relative(root, file).split(sep)[0];
    expect(result.eventId).not.toBe('');
    // Samples of tampering with a guard-owned policy are named so.
    if (/-guard-/.test(file)) expect(result.guardPolicy).toMatch(/bedrock-guard/);
    // events/<concern>/… when the folder is named after a concern.
    if (['model-access', 'invoke', 'iam-change', 'scp-change', 'bedrock-config'].includes(folder ?? '')) {
      expect(result.concern).toBe(folder);
    }
  });
});
