import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_TABLE_SCHEMA } from '../../shared/aws/ledger.js';
import { FINDINGS_DETAIL_TYPE, FINDINGS_SOURCE } from '../../shared/core/events/findings-event.js';

/**
 * The deployable service as `npm run package` produces it: `osls package` (offline) renders serverless.yml
 * into a CloudFormation template and one zip per function, checked here for least privilege, the wiring
 * of the EventBridge rules (functions/event-rules.json), failure handling and the packages' contents.
 * The global setup has just built dist/functions/.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
interface Resource {
  Type: string;
  Properties: Obj;
  DependsOn?: string | string[];
  Condition?: string;
}
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json;
  Condition?: Obj;
}
interface EventRule {
  function: string;
  description: string;
  state: string;
  pattern: Obj;
}

const ACCOUNT = '111122223333';
/** The functions that may write guard-owned policies (the meter: budget denies). */
const ENFORCING = ['onIamChange', 'onScpChange', 'onBedrockConfig', 'reconcile', 'meter'];
const ALERTING = ['onModelAccess', 'onInvoke'];
/** The functions that handle CloudTrail events, the schedule and invocation logs (they read the account). */
const FUNCTIONS = [...ALERTING, ...ENFORCING];
/** Every function: those, and the notifier, which reads no account data. */
const ALL = [...FUNCTIONS, 'notify'];
const GUARD_POLICIES = `arn:aws:iam::${ACCOUNT}:policy/bedrock-guard/*`;
const INLINE_WRITES = new Set([
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:PutUserPolicy',
  'iam:DeleteUserPolicy',
]);

const rules = JSON.parse(readFileSync('functions/event-rules.json', 'utf8')) as Record<string, EventRule>;

let dir: string;
let template: { Resources: Record<string, Resource>; Conditions?: Obj; Parameters?: Obj };
let resources: Record<string, Resource>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bedrock-guard-package-'));
  const osls = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', SLS_TELEMETRY_DISABLED: '1' };
  delete env.AWS_PROFILE; // packaging needs no credentials; an unknown profile would stop it
  const r = spawnSync(process.execPath, [osls, 'package', '--package', dir], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`osls package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  template = JSON.parse(
    readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as typeof template;
  resources = template.Resources;
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const upperFirst = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
const functionId = (key: string) => `${upperFirst(key)}LambdaFunction`;
const ruleId = (key: string) => `${upperFirst(key)}Rule`;

/** The logical id that `{Ref}`, `{Fn::GetAtt: [id, …]}` or `{Fn::Sub: '${id.Arn}'}` points at. */
function target(value: Json | undefined): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const sub = value['Fn::Sub'];
  if (typeof sub === 'string') return /^\$\{(\w+)\.\w+\}$/.exec(sub)?.[1];
  return undefined;
}

/** A string or `Fn::Sub` string with the pseudo parameters of one Region of the `aws` partition filled in. */
function resolve(value: Json | undefined): string {
  const sub = value && typeof value === 'object' && !Array.isArray(value) ? value['Fn::Sub'] : value;
  if (typeof sub !== 'string') return JSON.stringify(value);
  return sub
    .replaceAll('${AWS::Partition}', 'aws')
    .replaceAll('${AWS::AccountId}', ACCOUNT)
    .replaceAll('${AWS::Region}', 'us-east-1');
}

/** IAM's wildcard matching (`*` any run, `?` one character), case-sensitive as ARNs are. */
const globMatches = (glob: string, value: string, flags = '') =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    flags,
  ).test(value);
const actionMatches = (pattern: string, action: string) => globMatches(pattern, action, 'i');

function roleOf(fn: string): string {
  const role = target(resources[functionId(fn)]?.Properties.Role);
  if (!role) throw new Error(`${fn} has no role of its own`);
  return role;
}

/** Every statement of a role's inline policies; a conditional policy (`Fn::If`) counts as present. */
function statementsOf(roleId: string): Statement[] {
  const role = resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  return list(role.Properties.Policies as Json[]).flatMap((p) => {
    let policy = p as Obj;
    const when = policy['Fn::If'];
    if (Array.isArray(when)) policy = when[1] as Obj;
    return list((policy.PolicyDocument as Obj).Statement as unknown as Statement | Statement[]);
  });
}

const isIamWrite = (action: string) => /^iam:/i.test(action) && !/^iam:(Get|List|Generate|Simulate)/i.test(action);
const allows = (statements: Statement[], action: string) =>
  statements.some((s) => s.Effect === 'Allow' && list(s.Action).some((a) => actionMatches(a, action)));

/** The AWS API operations a module calls: `new XCommand(…)` and `paginateX(…)` for imports of `@aws-sdk/client-<service>`. */
function operationsIn(file: string): { service: string; operation: string }[] {
  const text = readFileSync(file, 'utf8');
  const found: { service: string; operation: string }[] = [];
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g)) {
    const service = m[2] as string;
    for (const name of (m[1] as string).split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
      const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
      if (op) found.push({ service, operation: op });
    }
  }
  return found;
}

/** The names in a zip file's central directory. */
function zipEntries(file: string): string[] {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${file}: not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

// ------------------------------------------------------------------ tests

describe('service template (osls package)', () => {
  it('has the eight functions on nodejs22.x / arm64 with active tracing and a retained log group', () => {
    const fns = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(fns.map(([id]) => id).sort()).toEqual(ALL.map(functionId).sort());
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      const logGroup = resources[id.replace(/LambdaFunction$/, 'LogGroup')];
      expect(logGroup?.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
    expect(resources[functionId('reconcile')]?.Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it("keeps the functions' environment literal (osls invoke local needs no stack look-up)", () => {
    const ledger = resources.LedgerTable?.Properties.TableName;
    const idempotency = resources.IdempotencyTable?.Properties.TableName;
    const bus = resources.FindingsBus?.Properties.Name;
    for (const fn of ALL) {
      const vars = (resources[functionId(fn)]?.Properties.Environment as Obj).Variables as Obj;
      for (const [name, value] of Object.entries(vars)) expect(typeof value, `${fn} ${name}`).toBe('string');
      expect(vars).toMatchObject({
        BEDROCK_GUARD_POLICY: 'bedrock-guard.yaml',
        BEDROCK_GUARD_LEDGER_TABLE: ledger,
        BEDROCK_GUARD_IDEMPOTENCY_TABLE: idempotency,
        BEDROCK_GUARD_BUS: bus,
        POWERTOOLS_SERVICE_NAME: 'bedrock-guard',
      });
      expect(vars).not.toHaveProperty('BEDROCK_GUARD_SNAPSHOT');
      // Alerting functions run with enforcement off (their roles couldn't write anyway); the notifier plans nothing.
      if (fn !== 'notify') expect(vars.BEDROCK_GUARD_ENFORCE === 'false', fn).toBe(ALERTING.includes(fn));
      // The planner leaves the guard's own roles alone: their names start with the prefix it is given.
      const prefix = vars.BEDROCK_GUARD_ROLE_PREFIX as string;
      expect(resolve(resources[roleOf(fn)]?.Properties.RoleName).startsWith(prefix), fn).toBe(true);
    }
  });

  it('declares the ledger as `bedrock-guard ledger init` does, and the idempotency table with its TTL', () => {
    const ledger = resources.LedgerTable?.Properties;
    expect(ledger).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: LEDGER_TABLE_SCHEMA.AttributeDefinitions,
      KeySchema: LEDGER_TABLE_SCHEMA.KeySchema,
      GlobalSecondaryIndexes: LEDGER_TABLE_SCHEMA.GlobalSecondaryIndexes,
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(resources.IdempotencyTable?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(resources.FindingsBus?.Type).toBe('AWS::Events::EventBus');
  });

  it('gives each function a role of its own', () => {
    const roles = ALL.map(roleOf);
    expect(new Set(roles).size).toBe(ALL.length);
    for (const role of roles) expect(resources[role]?.Type).toBe('AWS::IAM::Role');
    expect(resources).not.toHaveProperty('IamRoleLambdaExecution');
  });

  it('lets no role write to IAM but the enforcing ones, and those only guard-owned policies', () => {
    for (const fn of ALL) {
      const statements = statementsOf(roleOf(fn));
      for (const s of statements.filter((st) => st.Effect === 'Allow')) {
        expect(s.NotAction, `${fn} ${s.Sid}: Allow with NotAction`).toBeUndefined();
        const writes = list(s.Action).filter(isIamWrite);
        if (!ENFORCING.includes(fn)) {
          expect(writes, `${fn} may write to IAM`).toEqual([]);
          continue;
        }
        const resourcesOf = list(s.Resource as Json | Json[]).map(resolve);
        const onGuardPolicies = resourcesOf.length > 0 && resourcesOf.every((r) => r === GUARD_POLICIES);
        const policyArn = (s.Condition?.ArnLike as Obj | undefined)?.['iam:PolicyARN'];
        const conditioned = policyArn !== undefined && resolve(policyArn) === GUARD_POLICIES;
        for (const action of writes) {
          expect(action, `${fn} ${s.Sid}`).not.toContain('*');
          const inline = INLINE_WRITES.has(action);
          expect(onGuardPolicies || conditioned || inline, `${fn} ${s.Sid} ${action} is not scoped`).toBe(true);
          if (conditioned || inline) {
            for (const r of resourcesOf) expect(r, `${fn} ${s.Sid}`).toMatch(/^arn:aws:iam::\d{12}:(role|user)\/\*$/);
          }
        }
      }
      expect(statements.flatMap((s) => list(s.Action))).not.toContain('iam:PassRole');
      expect(statements.flatMap((s) => list(s.Action))).not.toContain('*');
    }
  });

  it("denies the enforcing roles every IAM write on the guard's own roles and on service-linked roles", () => {
    const roleArns = ALL.map(
      (fn) => `arn:aws:iam::${ACCOUNT}:role/${resolve(resources[roleOf(fn)]?.Properties.RoleName)}`,
    );
    const serviceRole = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForAmazonBedrock`;
    const probes = ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'];
    probes.push('iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRole', 'iam:TagRole');
    for (const fn of ENFORCING) {
      const denies = statementsOf(roleOf(fn)).filter((s) => s.Effect === 'Deny');
      const denied = (action: string, arn: string) =>
        denies.some(
          (s) =>
            !s.Condition &&
            (s.Action
              ? list(s.Action).some((a) => actionMatches(a, action))
              : !list(s.NotAction).some((a) => actionMatches(a, action))) &&
            list(s.Resource as Json | Json[]).some((r) => globMatches(resolve(r), arn)),
        );
      for (const arn of [...roleArns, serviceRole]) {
        for (const action of probes) expect(denied(action, arn), `${fn}: ${action} on ${arn}`).toBe(true);
        expect(denied('iam:GetRole', arn), `${fn} may still read ${arn}`).toBe(false);
      }
    }
  });

  it('allows every AWS call the adapters make: reads to every role, IAM writes to the enforcing roles', () => {
    const files = readdirSync('shared/aws')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('shared', 'aws', f));
    const ops = files.flatMap((file) => operationsIn(file).map((op) => ({ ...op, file })));
    const governed = ops.filter(
      (op) => ['iam', 'organizations', 'bedrock'].includes(op.service) || op.operation === 'GetCallerIdentity',
    );
    expect(governed.length).toBeGreaterThan(30);
    for (const { service, operation, file } of governed) {
      const action = `${service}:${operation}`;
      const write = isIamWrite(action);
      if (write) expect(file, `${action} outside the writer`).toBe(join('shared', 'aws', 'iam-writer.ts'));
      for (const fn of write ? ENFORCING : FUNCTIONS) {
        expect(allows(statementsOf(roleOf(fn)), action), `${fn} may not ${action} (${file})`).toBe(true);
      }
    }
    for (const fn of ENFORCING) expect(allows(statementsOf(roleOf(fn)), 'iam:TagPolicy'), fn).toBe(true);
  });

  it("lets every role use the guard's tables, publish to the findings bus only and send to the DLQ", () => {
    for (const fn of FUNCTIONS) {
      const statements = statementsOf(roleOf(fn));
      const on = (action: string) =>
        statements
          .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
          .flatMap((s) => list(s.Resource as Json | Json[]));
      expect(on('dynamodb:PutItem').map(target)).toEqual(expect.arrayContaining(['LedgerTable', 'IdempotencyTable']));
      expect(on('dynamodb:Query').map(target)).toContain('LedgerTable');
      expect(on('events:PutEvents').map(target), fn).toEqual(['FindingsBus']);
      expect(on('sqs:SendMessage').map(target), fn).toEqual(['DeadLetterQueue']);
      expect(on('logs:PutLogEvents').map(target), fn).toEqual([functionId(fn).replace(/LambdaFunction$/, 'LogGroup')]);
    }
  });

  it('declares every rule of functions/event-rules.json with its exact pattern and state, targeting its function', () => {
    const declared = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern && !r.Properties.EventBusName)
      .map(([id]) => id)
      // S3's events for the invocation log bucket, not CloudTrail's (below).
      .filter((id) => id !== 'InvocationLogObjectsRule');
    expect(declared.sort()).toEqual(Object.keys(rules).map(ruleId).sort());
    for (const [key, rule] of Object.entries(rules)) {
      expect(FUNCTIONS, key).toContain(rule.function);
      const props = resources[ruleId(key)]?.Properties as Obj;
      expect(props.EventPattern, key).toEqual(rule.pattern);
      expect(props.State, key).toBe(rule.state);
      expect(props.Description, key).toBe(rule.description);
      expect(props.EventBusName ?? 'default', key).toBe('default');
      const targets = props.Targets as Obj[];
      expect(targets, key).toHaveLength(1);
      const [t] = targets as [Obj];
      expect(target(t.Arn), key).toBe(functionId(rule.function));
      expect((t.RetryPolicy as Obj).MaximumRetryAttempts, key).toBeGreaterThan(0);
      expect(target((t.DeadLetterConfig as Obj).Arn), key).toBe('DeadLetterQueue');

      const permissions = Object.values(resources).filter(
        (r) => r.Type === 'AWS::Lambda::Permission' && target(r.Properties.SourceArn) === ruleId(key),
      );
      expect(permissions, key).toHaveLength(1);
      expect(permissions[0]?.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
      });
      expect(target(permissions[0]?.Properties.FunctionName), key).toBe(functionId(rule.function));
    }
  });

  it("subscribes the notifier to the guard's findings bus, and gives it only what delivery needs", () => {
    const rule = resources.FindingsRule?.Properties as Obj;
    expect(target(rule.EventBusName)).toBe('FindingsBus');
    expect(rule.EventPattern).toEqual({ source: [FINDINGS_SOURCE], 'detail-type': [FINDINGS_DETAIL_TYPE] });
    const [t] = rule.Targets as [Obj];
    expect(target(t.Arn)).toBe(functionId('notify'));
    expect(target((t.DeadLetterConfig as Obj).Arn)).toBe('DeadLetterQueue');
    const permission = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Permission' && target(r.Properties.SourceArn) === 'FindingsRule',
    );
    expect(target(permission?.Properties.FunctionName)).toBe(functionId('notify'));

    const statements = statementsOf(roleOf('notify')).filter((s) => s.Effect === 'Allow');
    const actions = statements.flatMap((s) => list(s.Action)).sort();
    expect(actions).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sns:Publish',
        'sqs:SendMessage',
        'ssm:GetParameter',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    const on = (action: string) =>
      statements
        .filter((s) => list(s.Action).includes(action))
        .flatMap((s) => list(s.Resource as Json | Json[]).map(resolve));
    expect(on('sns:Publish')).toEqual([`arn:aws:sns:*:${ACCOUNT}:bedrock-guard-*`]);
    expect(on('ssm:GetParameter')).toEqual([`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/bedrock-guard/*`]);
    expect(on('secretsmanager:GetSecretValue')).toEqual([
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:bedrock-guard/*`,
    ]);
    const decrypt = statements.find((s) => list(s.Action).includes('kms:Decrypt'));
    expect(JSON.stringify(decrypt?.Condition)).toContain('kms:ViaService');
    // Every SDK call of the notifier's adapters is allowed.
    for (const file of ['secret-reader.ts', 'sns-publisher.ts', 'alert-dedupe.ts']) {
      for (const { service, operation } of operationsIn(join('shared', 'aws', file))) {
        const action = `${{ 'secrets-manager': 'secretsmanager' }[service] ?? service}:${operation}`;
        expect(allows(statements, action), `notify may not ${action} (${file})`).toBe(true);
      }
    }
  });

  it('feeds the meter invocation logs from the log group and the bucket named, only when named', () => {
    const subscription = resources.InvocationLogSubscription;
    expect(subscription?.Condition).toBe('HasLogGroup');
    expect(target(subscription?.Properties.DestinationArn)).toBe(functionId('meter'));
    const logsPermission = resources.InvocationLogPermission?.Properties as Obj;
    expect(logsPermission.Principal).toBe('logs.amazonaws.com');
    expect(resolve(logsPermission.SourceArn)).toContain(':log-group:');
    const objects = resources.InvocationLogObjectsRule;
    expect(objects?.Condition).toBe('HasLogBucket');
    expect((objects?.Properties.EventPattern as Obj)['detail-type']).toEqual(['Object Created']);
    const [t] = objects?.Properties.Targets as [Obj];
    expect(target(t.Arn)).toBe(functionId('meter'));
    expect(target((t.DeadLetterConfig as Obj).Arn)).toBe('DeadLetterQueue');
    // The meter counts in its own table, and reads log objects of that bucket only.
    const statements = statementsOf(roleOf('meter'));
    const usage = statements.find((s) => s.Sid === 'UsageCounters');
    expect(target(usage?.Resource as Json)).toBe('UsageTable');
    expect(list(usage?.Action)).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:BatchGetItem']));
    expect(resources.UsageTable?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('receives read-only invoke events: the invoke rules take all CloudTrail management events', () => {
    const invokeRules = Object.entries(rules).filter(([, r]) => r.function === 'onInvoke');
    expect(invokeRules.map(([key]) => key).sort()).toEqual(['invokeDenials', 'invokeFirstUse']);
    for (const [key] of invokeRules) {
      expect(resources[ruleId(key)]?.Properties.State, key).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    }
  });

  it('runs reconcile on a schedule, with the Scheduled Event itself as input (a real run, named by its id)', () => {
    const schedules = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression,
    );
    expect(schedules).toHaveLength(1);
    const props = schedules[0]?.Properties as Obj;
    expect(props.ScheduleExpression).toMatch(/^(rate|cron)\(/);
    const [t] = props.Targets as [Obj];
    expect(target(t.Arn)).toBe(functionId('reconcile'));
    expect(t.Input ?? t.InputPath ?? t.InputTransformer).toBeUndefined();
  });

  it('sends failed async invocations and undeliverable events to an encrypted DLQ, with an alarm on it', () => {
    for (const fn of ALL) {
      const config = Object.values(resources).find(
        (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && target(r.Properties.FunctionName) === functionId(fn),
      );
      expect(config, fn).toBeDefined();
      const destination = ((config?.Properties.DestinationConfig as Obj).OnFailure as Obj).Destination;
      expect(target(destination), fn).toBe('DeadLetterQueue');
      expect(config?.Properties.MaximumRetryAttempts, fn).toBe(2);
    }
    expect(resources.DeadLetterQueue?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    const queuePolicy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::SQS::QueuePolicy' &&
        list(r.Properties.Queues as Json[]).some((q) => target(q) === 'DeadLetterQueue'),
    );
    const fromRules = list((queuePolicy?.Properties.PolicyDocument as Obj).Statement as unknown as Statement[]).find(
      (s) => s.Effect === 'Allow' && JSON.stringify((s as unknown as Obj).Principal).includes('events.amazonaws.com'),
    );
    // The invocation log bucket's rule exists only with the bucket named: `!If [HasLogBucket, its ARN, …]`.
    const conditional = (arn: Json) => ((arn as Obj)['Fn::If'] as Json[] | undefined)?.[1] ?? arn;
    const sources = ((fromRules?.Condition?.ArnEquals as Obj)['aws:SourceArn'] as Json[]).map(conditional).map(target);
    expect(sources.sort()).toEqual(
      [...Object.keys(rules).map(ruleId), 'FindingsRule', 'InvocationLogObjectsRule'].sort(),
    );

    const alarm = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const [dimension] = alarm?.Properties.Dimensions as [Obj];
    expect(target(dimension.Value)).toBe('DeadLetterQueue');
  });

  it('writes no partition into an ARN (GovCloud and China deploy the same template)', () => {
    expect(JSON.stringify(template)).not.toMatch(/"arn:aws[-:]/);
  });

  it('packages each function with only its bundle folder, the ESM package.json and the policy file', () => {
    for (const fn of ALL) {
      const handler = resources[functionId(fn)]?.Properties.Handler as string;
      expect(handler, fn).toMatch(/^dist\/functions\/[\w-]+\/index\.handler$/);
      // The folder scripts/build.js wrote: index.js and its chunks, the lazy ones too (loaded on demand).
      const folder = handler.replace(/\/index\.handler$/, '');
      const bundle = readdirSync(folder).map((f) => `${folder}/${f}`);
      expect(bundle, fn).toContain(`${folder}/index.js`);
      expect(zipEntries(join(dir, `${fn}.zip`)).sort(), fn).toEqual(
        ['bedrock-guard.yaml', 'dist/functions/package.json', ...bundle].sort(),
      );
    }
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const mustLint = Boolean(process.env.CI);
  it.runIf(cfnLint.status === 0 || mustLint)(
    'passes cfn-lint (required in CI)',
    () => {
      const r = spawnSync('cfn-lint', ['--', join(dir, 'cloudformation-template-update-stack.json')], {
        encoding: 'utf8',
      });
      expect(r.error, 'cfn-lint is not on PATH').toBeUndefined();
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
    },
    120_000,
  );
});
