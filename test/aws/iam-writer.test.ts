import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IamDenyWriter, NotGuardOwnedError } from '../../shared/aws/iam-writer.js';
import { GUARD_PATH, guardPolicyArn } from '../../shared/core/plan/guard-owned.js';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

/** The guard's only IAM writer, call by call on the moto server. */
let moto: MotoServer;
let iam: IAMClient;
let writer: IamDenyWriter;

const NAME = 'bedrock-guard-deny-role-App';
const ARN = guardPolicyArn('aws', MOTO_ACCOUNT, NAME);
const APP = { kind: 'role', name: 'App' } as const;
const deny = (action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'BedrockGuard', Effect: 'Deny', Action: action, Resource: '*' }],
});
const attached = async () =>
  ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'App' }))).AttachedPolicies ?? []).map(
    (p) => p.PolicyArn,
  );
const versions = async () => (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: ARN }))).Versions ?? [];

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  writer = new IamDenyWriter(iam);
});
beforeEach(async () => {
  await moto.reset();
  await iam.send(new CreateRoleCommand({ RoleName: 'App', AssumeRolePolicyDocument: '{}' }));
});
afterAll(() => moto?.stop());

describe('IamDenyWriter.putManaged', () => {
  it('creates the policy under the guard path with the guard tag, and attaches it', async () => {
    const result = await writer.putManaged(APP, NAME, ARN, deny('bedrock:InvokeModel'), 'create');
    expect(result).toEqual({ before: undefined, detail: 'created, attached' });
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: ARN }));
    expect(Policy).toMatchObject({ Path: GUARD_PATH, Tags: [{ Key: 'managed-by', Value: 'bedrock-guard' }] });
    expect(await attached()).toEqual([ARN]);
  });

  it('goes on as an update when the policy it was to create is there (a retry after a lost answer)', async () => {
    await writer.putManaged(APP, NAME, ARN, deny('bedrock:InvokeModel'), 'create');
    const again = await writer.putManaged(APP, NAME, ARN, deny('bedrock:InvokeModel'), 'create');
    expect(again).toEqual({ before: deny('bedrock:InvokeModel'), detail: 'document unchanged, attached' });
    expect(await versions()).toHaveLength(1);
    expect(await attached()).toEqual([ARN]);
  });

  it('creates the policy when an expected update finds it gone', async () => {
    const result = await writer.putManaged(APP, NAME, ARN, deny('bedrock:InvokeModel'), 'update');
    expect(result.detail).toBe('created, attached');
  });

  it('updates by a new default version, keeping at most five (the oldest goes first)', async () => {
    await writer.putManaged(APP, NAME, ARN, deny('bedrock:Action0'), 'create');
    for (let i = 1; i <= 6; i++) {
      const result = await writer.putManaged(APP, NAME, ARN, deny(`bedrock:Action${i}`), 'update');
      expect(result).toEqual({
        before: deny(`bedrock:Action${i - 1}`),
        detail: 'new default version (previous kept for rollback), attached',
      });
    }
    const kept = await versions();
    expect(kept).toHaveLength(5);
    expect(kept.filter((v) => v.IsDefaultVersion)).toHaveLength(1);
  });

  it('refuses a policy at its name that is not the guard’s, and writes nothing', async () => {
    await iam.send(
      new CreatePolicyCommand({ PolicyName: NAME, Path: GUARD_PATH, PolicyDocument: JSON.stringify(deny('s3:*')) }),
    );
    await expect(writer.putManaged(APP, NAME, ARN, deny('bedrock:InvokeModel'), 'create')).rejects.toBeInstanceOf(
      NotGuardOwnedError,
    );
    expect(await attached()).toEqual([]);
    expect(await versions()).toHaveLength(1);
  });
});

describe('IamDenyWriter.removeManaged', () => {
  it('detaches and deletes the policy with its old versions', async () => {
    await writer.putManaged(APP, NAME, ARN, deny('bedrock:A'), 'create');
    await writer.putManaged(APP, NAME, ARN, deny('bedrock:B'), 'update');
    const result = await writer.removeManaged(APP, ARN);
    expect(result).toEqual({ before: deny('bedrock:B'), detail: 'detached and deleted' });
    expect(await attached()).toEqual([]);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: ARN }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('keeps the policy while someone else still has it attached', async () => {
    await writer.putManaged(APP, NAME, ARN, deny('bedrock:A'), 'create');
    await iam.send(new CreateUserCommand({ UserName: 'copy' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'copy', PolicyArn: ARN }));
    expect((await writer.removeManaged(APP, ARN)).detail).toBe(
      'detached; kept, other principals still have it attached',
    );
    expect(await attached()).toEqual([]);
  });

  it('is done when the policy is already gone', async () => {
    expect(await writer.removeManaged(APP, ARN)).toEqual({ before: undefined, detail: 'already gone' });
  });
});

describe('IamDenyWriter inline policies', () => {
  it('puts, leaves an equal document alone, replaces, and deletes', async () => {
    const inline = 'bedrock-guard-deny-role-App';
    expect((await writer.putInline(APP, inline, deny('bedrock:A'))).detail).toBe('put');
    expect((await writer.putInline(APP, inline, deny('bedrock:A'))).detail).toBe('document unchanged');
    expect(await writer.putInline(APP, inline, deny('bedrock:B'))).toEqual({
      before: deny('bedrock:A'),
      detail: 'replaced',
    });
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'App' }))).PolicyNames).toEqual([inline]);
    expect((await writer.removeInline(APP, inline)).detail).toBe('deleted');
    expect((await writer.removeInline(APP, inline)).detail).toBe('already gone');
  });

  it('refuses an inline policy without the guard prefix', async () => {
    await expect(writer.putInline(APP, 'customers-policy', deny('bedrock:A'))).rejects.toBeInstanceOf(
      NotGuardOwnedError,
    );
    await expect(writer.removeInline(APP, 'customers-policy')).rejects.toBeInstanceOf(NotGuardOwnedError);
  });
});
