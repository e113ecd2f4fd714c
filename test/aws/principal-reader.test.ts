import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthorizationDetails } from '../../shared/aws/iam-reader.js';
import { rereadPrincipals } from '../../shared/aws/principal-reader.js';
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from '../support/moto.js';

/**
 * Reading principals again on the moto server, whole or by part: a part read
 * replaces just that part of the cached entry (what an IAM event changed),
 * and a principal the cache lacks is read whole.
 */
type Json = Record<string, unknown>;
let moto: MotoServer;
let iam: IAMClient;
let details: Json;

const doc = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const role = (d: Json, name: string) => ((d.RoleDetailList ?? []) as Json[]).find((r) => r.RoleName === name);

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: false });
  iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  const boundary = await iam.send(
    new CreatePolicyCommand({ PolicyName: 'Boundary', PolicyDocument: doc('bedrock:*') }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'App',
      AssumeRolePolicyDocument: doc('sts:AssumeRole'),
      PermissionsBoundary: boundary.Policy?.Arn,
      Tags: [{ Key: 'team', Value: 'a' }],
    }),
  );
  await iam.send(new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'one', PolicyDocument: doc('bedrock:Get*') }));
  details = await readAuthorizationDetails(iam);
}, 30_000);
afterAll(() => moto?.stop());

describe('rereadPrincipals by part', () => {
  it('replaces only the parts asked for, keeping the rest of the cached entry', async () => {
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'App' }));
    await iam.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'team', Value: 'b' }] }));
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'App', PolicyName: 'two', PolicyDocument: doc('bedrock:List*') }),
    );

    const record = role(
      await rereadPrincipals(iam, details, [{ kind: 'role', name: 'App', parts: new Set(['record']) }], []),
      'App',
    );
    expect(record?.PermissionsBoundary).toBeUndefined();
    expect(record?.Tags).toEqual([{ Key: 'team', Value: 'b' }]);
    expect((record?.RolePolicyList as Json[]).map((p) => p.PolicyName)).toEqual(['one']); // not asked: as cached

    const inline = role(
      await rereadPrincipals(iam, details, [{ kind: 'role', name: 'App', parts: new Set(['inline']) }], []),
      'App',
    );
    expect((inline?.RolePolicyList as Json[]).map((p) => p.PolicyName).sort()).toEqual(['one', 'two']);
    expect(inline?.PermissionsBoundary).toBeDefined(); // not asked: as cached

    const whole = role(await rereadPrincipals(iam, details, [{ kind: 'role', name: 'App' }], []), 'App');
    expect(whole?.PermissionsBoundary).toBeUndefined();
    expect((whole?.RolePolicyList as Json[]).length).toBe(2);
  });

  it('reads a principal the cache lacks whole, whatever the parts, and drops one that is gone', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'New', AssumeRolePolicyDocument: doc('sts:AssumeRole') }));
    const read = await rereadPrincipals(
      iam,
      details,
      [
        { kind: 'role', name: 'New', parts: new Set(['attached']) },
        { kind: 'role', name: 'Gone', parts: new Set(['record']) },
      ],
      [],
    );
    expect(role(read, 'New')).toMatchObject({ RoleName: 'New', RolePolicyList: [], AttachedManagedPolicies: [] });
    expect(role(read, 'Gone')).toBeUndefined();
  });
});
