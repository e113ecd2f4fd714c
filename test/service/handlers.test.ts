import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreatePolicyVersionCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { readAuthorizationDetails } from '../../shared/aws/iam-reader.js';
import { DynamoLedger } from '../../shared/aws/ledger.js';
import { guardPolicyArn, guardPolicyName } from '../../shared/core/plan/guard-owned.js';
import type { RunResult } from '../../shared/service/guard-service.js';
import { eventHandler, reconcileHandler } from '../../shared/service/lambda.js';
import { runMain } from '../cli/run-cli.js';
import type { SeededOrganization } from '../support/seed-account.js';
import { type LiveAws, seedAccount, startLiveAws } from '../aws/live-env.js';
import { assumedRole, createServiceAws, lambdaContext, sampleEvent, type ServiceAws } from './service-env.js';

/**
 * The Lambda handlers in their real middy + Powertools chains, on the moto
 * server: the demo account seeded into a member account (the guard runs as
 * an assumed role there), the ledger and idempotency tables and the findings
 * bus on moto too, with an SQS queue behind the bus to read what was
 * published. Only the Lambda context object is made by hand (lambdaContext).
 */
const DEMO = 'examples/demo';
const scratch = mkdtempSync(join(tmpdir(), 'bedrock-guard-service-'));
const POLICY = join(scratch, 'bedrock-guard.yaml');
writeFileSync(POLICY, readFileSync(join(DEMO, 'bedrock-guard.yaml'), 'utf8'));
const FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess';

let aws: LiveAws;
let org: SeededOrganization;
let svc: ServiceAws;
let iam: IAMClient;
let account: string;

beforeAll(async () => {
  aws = await startLiveAws();
  org = await seedAccount(aws, join(DEMO, 'snapshot'));
  account = org.memberAccount;
  svc = await createServiceAws({ prefix: 'bg-test', policy: POLICY, orgRoleArn: org.orgRoleArn });
  iam = new IAMClient({});
  // Metrics go to stdout as EMF: off, but for the test that reads them.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}, 90_000);
afterAll(async () => {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  await aws?.stop();
});
afterEach(() => vi.restoreAllMocks());

const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const attached = async (role: string) =>
  ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? []).map(
    (p) => p.PolicyArn,
  );
const guardDeny = (role: string) => guardPolicyArn('aws', account, guardPolicyName({ kind: 'role', name: role }));
const ledgerFor = async (triggerId: string) =>
  (
    await new DynamoLedger(new AwsClients().dynamodb(), svc.env.BEDROCK_GUARD_LEDGER_TABLE as string).list({
      since: new Date(Date.now() - 3_600_000),
    })
  ).filter((e) => e.trigger.id === triggerId);
/** IAM as GetAccountAuthorizationDetails shows it, without RoleLastUsed (moto sets it on every call as a role). */
const iamState = async () =>
  JSON.parse(
    JSON.stringify(await readAuthorizationDetails(new AwsClients().iam('aws')), (k, v: unknown) =>
      k === 'RoleLastUsed' ? undefined : v,
    ),
  );
const publishedFor = async (triggerId: string) => (await svc.published()).filter((e) => e.trigger.id === triggerId);

/** An IAM event from events/, as an administrator (not the guard) made it in the member account. */
const iamEvent = (file: string, eventID: string, requestParameters: Record<string, unknown>) =>
  sampleEvent(`events/iam-change/${file}.json`, account, { eventID, requestParameters });

const onIamChange = () => eventHandler('onIamChange', { env: svc.env });
const invoke = (handler: ReturnType<typeof eventHandler>, event: unknown) =>
  handler(event as never, lambdaContext('onIamChange')) as Promise<RunResult>;

describe('onIamChange', () => {
  it('handles the same event delivered three times (two containers) with one action, one ledger entry, one finding', async () => {
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'AppBackend', PolicyArn: FULL_ACCESS }));
    const event = iamEvent('AttachRolePolicy', 'evt-dup-1', { roleName: 'AppBackend', policyArn: FULL_ACCESS });
    const warm = onIamChange();
    const first = await invoke(warm, event);
    const again = await invoke(warm, event);
    const otherContainer = await invoke(onIamChange(), event);

    expect(first.actions).toEqual([
      expect.objectContaining({ type: 'put-deny', principal: roleArn('AppBackend'), result: 'applied' }),
    ]);
    expect(first.problems).toEqual([]);
    expect(first.scope).toBe(1);
    expect(again).toEqual(first);
    expect(otherContainer).toEqual(first);
    expect(await attached('AppBackend')).toContain(guardDeny('AppBackend'));
    expect(await ledgerFor('evt-dup-1')).toHaveLength(1);
    const published = await publishedFor('evt-dup-1');
    expect(published).toHaveLength(1);
    expect(published[0]?.principal).toBe(roleArn('AppBackend'));
    expect(published[0]?.actions).toEqual([expect.objectContaining({ type: 'put-deny', result: 'applied' })]);
    expect(published[0]?.findings.filter((f) => f.rule === 'unapproved-model-access').map((f) => f.status)).toContain(
      'contained',
    );
  });

  it('converges when attach and detach events arrive in reverse order (a warm container re-reads IAM)', async () => {
    const handler = onIamChange();
    await invoke(handler, iamEvent('TagRole', 'evt-ooo-0', { roleName: 'BatchJobs', tags: [] })); // warm: captured now
    const event = (name: string, id: string) => iamEvent(name, id, { roleName: 'BatchJobs', policyArn: FULL_ACCESS });
    const deliver = async (...events: Record<string, unknown>[]) => {
      const results = [];
      for (const e of events) results.push(await invoke(handler, e));
      return results.flatMap((r) => r.actions.map((a) => `${a.type} ${a.result}`));
    };

    // attach, detach, attach happen; their events arrive last first. IAM ends attached: one deny, put once.
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'BatchJobs', PolicyArn: FULL_ACCESS }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'BatchJobs', PolicyArn: FULL_ACCESS }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'BatchJobs', PolicyArn: FULL_ACCESS }));
    const first = await deliver(
      event('AttachRolePolicy', 'evt-ooo-3'),
      event('DetachRolePolicy', 'evt-ooo-2'),
      event('AttachRolePolicy', 'evt-ooo-1'),
    );
    expect(first).toEqual(['put-deny applied']);
    expect(await attached('BatchJobs')).toContain(guardDeny('BatchJobs'));

    // Then a detach; its event arrives before a late attach event. IAM ends detached: the deny is taken back, once.
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'BatchJobs', PolicyArn: FULL_ACCESS }));
    const second = await deliver(event('DetachRolePolicy', 'evt-ooo-5'), event('AttachRolePolicy', 'evt-ooo-4'));
    expect(second).toEqual(['remove-deny applied']);
    expect(await attached('BatchJobs')).not.toContain(guardDeny('BatchJobs'));
  });

  it('re-applies a guard deny someone else changed, and reports the tampering', async () => {
    const arn = guardDeny('AppBackend');
    const loose = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'bedrock:ListTagsForResource', Resource: '*' }],
    });
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: loose, SetAsDefault: true }));
    const result = await invoke(
      onIamChange(),
      iamEvent('CreatePolicyVersion', 'evt-tamper-1', { policyArn: arn, policyDocument: loose, setAsDefault: true }),
    );
    expect(result.actions).toEqual([
      expect.objectContaining({ type: 'put-deny', principal: roleArn('AppBackend'), result: 'applied' }),
    ]);
    const [published] = await publishedFor('evt-tamper-1');
    expect(published?.findings.map((f) => f.rule)).toContain('guard-policy-tampered');
  });

  it('contains the members of a group whose policies changed', async () => {
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'ml-engineers', PolicyArn: FULL_ACCESS }));
    const event = iamEvent('AttachGroupPolicy', 'evt-group-1', { groupName: 'ml-engineers', policyArn: FULL_ACCESS });
    const result = await invoke(onIamChange(), event);
    expect(result.actions).toEqual([
      expect.objectContaining({ type: 'put-deny', principal: `arn:aws:iam::${account}:user/alice`, result: 'applied' }),
    ]);
    expect(result.problems).toEqual([]);
  });

  it('ignores the guard’s own changes without reading anything', async () => {
    const event = iamEvent('AttachRolePolicy', 'evt-self-1', {
      roleName: 'AppBackend',
      policyArn: guardDeny('AppBackend'),
    });
    (event.detail as Record<string, unknown>).userIdentity = assumedRole(
      account,
      'OrganizationAccountAccessRole',
      'bedrock-guard',
    );
    const clients = new AwsClients();
    const handler = eventHandler('onIamChange', { env: svc.env, aws: clients });
    await invoke(handler, iamEvent('TagRole', 'evt-self-0', { roleName: 'Playground', tags: [] })); // warm up: capture
    const before = clients.stats.total;
    const result = await invoke(handler, event);
    expect(result.ignored).toBe("the guard's own change");
    // Only the idempotency record (in progress, then done).
    expect(clients.stats.total - before).toBe(2);
  });

  it('reads again only what a warm event changed: about three calls for an IAM event that needs nothing', async () => {
    const clients = new AwsClients();
    const handler = eventHandler('onIamChange', { env: svc.env, aws: clients });
    const calls = async (event: unknown) => {
      const before = new Map(clients.stats.byOperation());
      const result = await invoke(handler, event);
      const delta = clients.stats
        .byOperation()
        .map(([op, n]) => [op, n - (before.get(op) ?? 0)] as const)
        .filter(([, n]) => n > 0);
      return { result, calls: Object.fromEntries(delta) };
    };
    const cold = await calls(iamEvent('TagRole', 'evt-calls-0', { roleName: 'BatchJobs', tags: [] }));
    expect(cold.calls['IAM.GetAccountAuthorizationDetails']).toBe(1); // the capture; no re-read on top of it
    expect(cold.calls['IAM.GetRole']).toBeUndefined();

    const idempotency = { 'DynamoDB.PutItem': 1, 'DynamoDB.UpdateItem': 1 };
    const tag = await calls(iamEvent('TagRole', 'evt-calls-1', { roleName: 'BatchJobs', tags: [] }));
    expect(tag.calls).toEqual({ ...idempotency, 'IAM.GetRole': 1 });
    const readOnly = 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'BatchJobs', PolicyArn: readOnly }));
    const attach = await calls(
      iamEvent('AttachRolePolicy', 'evt-calls-2', { roleName: 'BatchJobs', policyArn: readOnly }),
    );
    expect(attach.calls).toEqual({ ...idempotency, 'IAM.ListAttachedRolePolicies': 1 });
    expect(attach.result.actions).toEqual([]);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'BatchJobs', PolicyArn: readOnly }));
  });

  it('publishes a principal’s open findings again only when they change', async () => {
    const handler = onIamChange();
    await invoke(handler, iamEvent('TagRole', 'evt-news-1', { roleName: 'AppBackend', tags: [] }));
    await invoke(handler, iamEvent('TagRole', 'evt-news-2', { roleName: 'AppBackend', tags: [] }));
    const [first] = await publishedFor('evt-news-1');
    expect(first?.findings.map((f) => f.status)).toContain('open'); // alerts (AmazonBedrockFullAccess is attached)
    expect(await publishedFor('evt-news-2')).toEqual([]);
  });

  it('ends with one deny, one ledger entry and one finding under IAM and DynamoDB throttling and 500s', async () => {
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Playground', PolicyArn: FULL_ACCESS }));
    const event = iamEvent('AttachRolePolicy', 'evt-faults-1', { roleName: 'Playground', policyArn: FULL_ACCESS });
    aws.proxy.setFaults({ throttleShare: 0.2, errorShare: 0.1 });
    try {
      const handler = onIamChange();
      const results = [await invoke(handler, event), await invoke(handler, event), await invoke(onIamChange(), event)];
      expect(results[0]?.actions).toEqual([
        expect.objectContaining({ type: 'put-deny', principal: roleArn('Playground'), result: 'applied' }),
      ]);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    } finally {
      aws.proxy.setFaults({ throttleShare: 0, errorShare: 0 });
    }
    expect(aws.proxy.counts.throttled + aws.proxy.counts.failed).toBeGreaterThan(0);
    expect(await attached('Playground')).toContain(guardDeny('Playground'));
    expect(await ledgerFor('evt-faults-1')).toHaveLength(1);
    expect(await publishedFor('evt-faults-1')).toHaveLength(1);
  });

  it('rejects a malformed or unknown event with a logged error, writing nothing', async () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const before = await iamState();
    const items = await svc.idempotencyItems();
    const malformed = JSON.parse(readFileSync('events/malformed/missing-eventName.json', 'utf8')) as unknown;
    const unknown = iamEvent('AttachRolePolicy', 'evt-unknown-1', { roleName: 'AppBackend' });
    (unknown.detail as Record<string, unknown>).eventName = 'GetRole';

    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const handler = eventHandler('onIamChange', { env: { ...svc.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    await expect(invoke(handler, malformed)).rejects.toThrow(/detail\.eventName/);
    await expect(invoke(handler, unknown)).rejects.toThrow(/GetRole/);
    vi.restoreAllMocks();

    const output = lines.join('').split('\n');
    const logged = output.filter((l) => l.includes('"level":"ERROR"'));
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/not an event this function handles.*detail\.eventName/);
    expect(logged[1]).toMatch(/GetRole/);
    expect(output.filter((l) => l.includes('"CloudWatchMetrics"') && l.includes('"Errors":1'))).toHaveLength(2);
    expect(await iamState()).toEqual(before);
    expect(await svc.idempotencyItems()).toBe(items);
  });
});

describe('onInvoke', () => {
  const invokeEvent = (file: string, eventID: string, role: string, modelId: string) => {
    const event = sampleEvent(`events/invoke/${file}.json`, account, { eventID });
    const detail = event.detail as Record<string, Record<string, unknown>>;
    detail.requestParameters = { ...detail.requestParameters, modelId };
    detail.userIdentity = assumedRole(account, role);
    return event;
  };
  const handler = () => eventHandler('onInvoke', { env: { ...svc.env, BEDROCK_GUARD_ENFORCE: 'false' } });

  it('reports the first successful invoke of an unapproved model once per window; approved models cost nothing', async () => {
    const h = handler();
    const first = await invoke(
      h,
      invokeEvent('InvokeModel', 'evt-inv-1', 'Playground', 'anthropic.claude-3-haiku-20240307-v1:0'),
    );
    const second = await invoke(
      h,
      invokeEvent('InvokeModel', 'evt-inv-2', 'Playground', 'anthropic.claude-3-haiku-20240307-v1:0'),
    );
    const approved = await invoke(h, invokeEvent('InvokeModel', 'evt-inv-3', 'Playground', 'deepseek.r1-v1:0'));
    expect(first.ignored).toBeUndefined();
    expect(second.ignored).toMatch(/already reported/);
    expect(approved.ignored).toMatch(/approved/);
    const [published] = await publishedFor('evt-inv-1');
    expect(published?.findings).toContainEqual(
      expect.objectContaining({ rule: 'unapproved-model-invoked', model: 'anthropic.claude-3-haiku-20240307-v1:0' }),
    );
    expect(await publishedFor('evt-inv-2')).toEqual([]);
  });

  it('reports a denied invoke with the caller’s findings, and never writes (no IAM permission)', async () => {
    const result = await invoke(
      handler(),
      invokeEvent('InvokeModel-AccessDenied', 'evt-deny-1', 'DataScience', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
    );
    expect(result.dryRun).toBe(true);
    expect(result.actions.every((a) => a.result === 'planned')).toBe(true);
    const [published] = await publishedFor('evt-deny-1');
    expect(published?.principal).toBe(roleArn('DataScience'));
    expect(published?.findings.map((f) => f.rule)).toContain('invoke-denied');
  });
});

describe('onModelAccess, onScpChange, onBedrockConfig', () => {
  const run = (fn: string, file: string, eventID: string, env: Record<string, string> = {}) =>
    eventHandler(fn, { env: { ...svc.env, ...env } })(
      sampleEvent(file, account, { eventID }) as never,
      lambdaContext(fn),
    ) as Promise<RunResult>;
  const findings = async (id: string) => (await publishedFor(id)).flatMap((e) => e.findings);

  it('onModelAccess reports a model enabled that no team is granted, with who can reach it', async () => {
    const result = await run('onModelAccess', 'events/model-access/PutFoundationModelEntitlement.json', 'evt-ma-1', {
      BEDROCK_GUARD_ENFORCE: 'false',
    });
    expect(result.scope).toBe('account');
    expect(result.dryRun).toBe(true);
    expect(await findings('evt-ma-1')).toContainEqual(
      expect.objectContaining({ rule: 'unapproved-model-enabled', model: 'anthropic.claude-sonnet-4-20250514-v1:0' }),
    );
  });

  it('onScpChange re-reads the SCPs and plans the whole account', async () => {
    const result = await run('onScpChange', 'events/scp-change/UpdatePolicy.json', 'evt-scp-1', {
      BEDROCK_GUARD_DRY_RUN: 'true',
    });
    expect(result.scope).toBe('account');
    expect(result.actions.map((a) => a.policyName).sort()).toEqual([
      'bedrock-guard-deny-role-ContractorRole',
      'bedrock-guard-deny-role-DataScience',
      'bedrock-guard-deny-user-bob',
    ]);
    expect(result.warnings).toEqual([]); // the SCPs were readable through the org role
  });

  it('onBedrockConfig plans the caller and the import job’s role (seed 003), and reports invocation logging turned off', async () => {
    const job = await run('onBedrockConfig', 'events/bedrock-config/CreateModelImportJob.json', 'evt-cmi-1', {
      BEDROCK_GUARD_DRY_RUN: 'true',
    });
    expect(job.scope).toBe(2); // the caller (DataScience) and the job's role (CMIExecutionRole)
    expect(job.actions).toEqual([expect.objectContaining({ principal: roleArn('DataScience'), result: 'planned' })]);
    await run('onBedrockConfig', 'events/bedrock-config/DeleteModelInvocationLoggingConfiguration.json', 'evt-log-1');
    expect((await findings('evt-log-1')).map((f) => f.rule)).toContain('invocation-logging-disabled');
  });
});

describe('reconcile', () => {
  const handler = () => reconcileHandler({ env: svc.env });
  const run = (input: unknown) =>
    handler()(input as never, lambdaContext('reconcile', 'req-manual-1')) as Promise<RunResult>;

  it('plans the whole account on a manual dry run, writing nothing', async () => {
    const before = await iamState();
    const result = await run({ dryRun: true });
    expect(result.scope).toBe('account');
    expect(result.actions.map((a) => `${a.result} ${a.policyName}`).sort()).toEqual([
      'planned bedrock-guard-deny-role-ContractorRole',
      'planned bedrock-guard-deny-role-DataScience',
      'planned bedrock-guard-deny-user-bob',
    ]);
    expect(await iamState()).toEqual(before);
  });

  it('refuses unknown principals and malformed input', async () => {
    await expect(run({ principals: ['NoSuchRole'] })).rejects.toThrow(/no such user or role.*NoSuchRole/);
    await expect(run({ dryRun: 'yes' })).rejects.toThrow();
  });

  it('refuses, before any write, more changes than maxChanges, and records the refusal', async () => {
    const before = await iamState();
    const result = await run({ maxChanges: 2 });
    expect(result.refused).toMatch(/3 .*2/);
    expect(result.actions.map((a) => a.result)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(await iamState()).toEqual(before);
    expect(await ledgerFor('manual-req-manual-1')).toHaveLength(3);
  });

  it('applies on the schedule, recorded under the schedule event', async () => {
    const scheduled = JSON.parse(readFileSync('events/schedule/reconcile-scheduled.json', 'utf8')) as { id: string };
    const result = await run(scheduled);
    expect(result.actions.filter((a) => a.result === 'applied')).toHaveLength(3);
    expect(result.problems).toEqual([]);
    expect(await ledgerFor(scheduled.id)).toHaveLength(3);
    const again = await run({ dryRun: true });
    expect(again.actions).toEqual([]);
  });
});

describe('bedrock-guard handle-event (live)', () => {
  it('runs an event through the same pipeline from the CLI: dry run, then applied', async () => {
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'ReadOnly', PolicyArn: FULL_ACCESS }));
    const file = join(scratch, 'attach-readonly.json');
    writeFileSync(
      file,
      JSON.stringify(iamEvent('AttachRolePolicy', 'evt-cli-1', { roleName: 'ReadOnly', policyArn: FULL_ACCESS })),
    );
    const args = [
      'handle-event',
      file,
      '--policy',
      POLICY,
      '--org-role',
      org.orgRoleArn,
      '--table',
      svc.env.BEDROCK_GUARD_LEDGER_TABLE as string,
    ];
    const dry = await runMain([...args, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as { result: RunResult; awsCalls: { total: number } };
    expect(planned.result.actions).toEqual([
      expect.objectContaining({ type: 'put-deny', principal: roleArn('ReadOnly'), result: 'planned' }),
    ]);
    expect(await attached('ReadOnly')).not.toContain(guardDeny('ReadOnly'));

    const applied = await runMain(args);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/applied +put-deny bedrock-guard-deny-role-ReadOnly/);
    expect(await attached('ReadOnly')).toContain(guardDeny('ReadOnly'));
    expect(await ledgerFor('evt-cli-1')).toHaveLength(1);
  });
});
