import { PolicyGrammarError, SnapshotError } from '../../errors.js';
import type { PolicySet, ScpLevel } from '../iam/evaluate.js';
import { type CompiledPolicy, compilePolicy, decodePolicyDocument } from '../iam/policy.js';
import type { PolicySource } from '../iam/types.js';
import { parseApiKeys } from './api-keys.js';
import { parseCatalogue } from './catalogue.js';
import { SNAPSHOT_FILES, type SnapshotFiles } from './files.js';
import { isPrincipalKey, principalContext } from './principal-context.js';
import { JsonReader } from './read-json.js';
import type { AccountInfo, ManagedPolicy, Principal, PrincipalKind, Snapshot } from './types.js';

const ACCOUNT_ID = /^\d{12}$/;
/** The lists of `get-account-authorization-details`; the CLI may leave an empty one out, but never all. */
const IAM_LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'];
const PARTITIONS = new Set([
  'aws',
  'aws-us-gov',
  'aws-cn',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
]);

function readAccount(raw: unknown): AccountInfo {
  const r = new JsonReader(SNAPSHOT_FILES.account, '$', raw).object();
  const accountId = r.get('accountId').string();
  if (!ACCOUNT_ID.test(accountId)) {
    r.get('accountId').fail(
      `"${accountId}" is not a 12-digit account id`,
      'Write the id as a string of 12 digits, leading zeros kept, as `aws sts get-caller-identity --query Account --output text` prints it.',
    );
  }
  const partition = r.has('partition') ? r.get('partition').string() : 'aws';
  if (!PARTITIONS.has(partition)) {
    r.get('partition').fail(`unknown partition "${partition}"`, `Use one of ${[...PARTITIONS].join(', ')}.`);
  }
  const regions = r
    .get('regions')
    .list()
    .map((x) => x.string());
  if (regions.length === 0) r.get('regions').fail('list at least one Region', 'e.g. "regions": ["us-east-1"]');
  const organizationId = r.has('organizationId') ? r.get('organizationId').string() : undefined;
  return organizationId ? { accountId, partition, regions, organizationId } : { accountId, partition, regions };
}

/**
 * Shares compiled policies between principals: AWS managed policies are
 * compiled once per snapshot, and identical inline documents once too.
 */
class PolicyCompiler {
  private readonly byText = new Map<string, { id: string; policy: CompiledPolicy }>();

  compile(document: unknown, source: PolicySource, where: string): { id: string; policy: CompiledPolicy } {
    const decoded = withHint(() => decodePolicyDocument(document, where));
    const text = `${source.layer}\n${JSON.stringify(decoded)}`;
    let shared = this.byText.get(text);
    if (!shared) {
      shared = { id: `doc${this.byText.size}`, policy: withHint(() => compilePolicy(decoded, source, where)) };
      this.byText.set(text, shared);
    }
    const policy = shared.policy.source === source ? shared.policy : { ...shared.policy, source };
    return { id: shared.id, policy };
  }
}

const GRAMMAR_HINT =
  'bedrock-guard evaluates only documents it understands exactly, so it stops here rather than guess. ' +
  'If IAM holds this document as captured, please report it; otherwise re-capture the file.';

/** Policy grammar errors inside a snapshot get a hint when the compiler gave none. */
function withHint<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof PolicyGrammarError && error.hint === undefined) {
      throw new PolicyGrammarError(error.message, { location: error.location, hint: GRAMMAR_HINT, cause: error });
    }
    throw error;
  }
}

/** Managed policies by ARN, and where each one's default document sits in iam.json (for error locations). */
function readManagedPolicies(iam: JsonReader): { policies: Map<string, ManagedPolicy>; where: Map<string, string> } {
  const out = new Map<string, ManagedPolicy>();
  const where = new Map<string, string>();
  for (const p of iam.get('Policies').list()) {
    const arn = p.get('Arn').string();
    const defaultVersionId = p.get('DefaultVersionId').optionalString();
    const versions = p.get('PolicyVersionList').list();
    const chosen =
      versions.find((v) => v.get('IsDefaultVersion').value === true) ??
      versions.find((v) => defaultVersionId !== undefined && v.get('VersionId').value === defaultVersionId) ??
      p
        .get('PolicyVersionList')
        .fail(
          `managed policy ${arn} has no default version in PolicyVersionList`,
          'Capture with `aws iam get-account-authorization-details`, which includes the default version of every policy.',
        );
    const name = p.get('PolicyName').optionalString() ?? arn.slice(arn.lastIndexOf('/') + 1);
    const location = `${chosen.file} ${chosen.path}.Document`;
    out.set(arn, {
      arn,
      name,
      path: p.get('Path').optionalString() ?? '/',
      defaultVersionId,
      document: withHint(() => decodePolicyDocument(chosen.get('Document').value, location)),
      attachmentCount: optionalNumber(p.get('AttachmentCount').value),
    });
    where.set(arn, location);
  }
  return { policies: out, where };
}

interface Group {
  readonly arn: string;
  readonly name: string;
  readonly inline: { id: string; policy: CompiledPolicy }[];
  /** The `PolicyArn` of each attached managed policy, read lazily so errors name its JSON path. */
  readonly managedArns: JsonReader[];
}

class IamReader {
  readonly compiler = new PolicyCompiler();
  private readonly managedRefs = new Map<string, { id: string; policy: CompiledPolicy }>();

  constructor(
    private readonly iam: JsonReader,
    readonly managed: Map<string, ManagedPolicy>,
    private readonly managedWhere: Map<string, string>,
  ) {}

  managedPolicy(arnReader: JsonReader, layer: 'identity' | 'boundary'): { id: string; policy: CompiledPolicy } {
    const arn = arnReader.string();
    const key = `${layer} ${arn}`;
    const cached = this.managedRefs.get(key);
    if (cached) return cached;
    const mp = this.managed.get(arn);
    if (!mp) {
      arnReader.fail(
        `${layer === 'boundary' ? 'permissions boundary' : 'attached policy'} ${arn} is not in Policies`,
        'Capture iam.json with `aws iam get-account-authorization-details` (no --filter), so that every attached policy, AWS managed ones included, is listed.',
      );
    }
    const source: PolicySource = { layer, name: mp.name, id: arn, kind: 'managed' };
    const compiled = this.compiler.compile(mp.document, source, this.managedWhere.get(arn) ?? SNAPSHOT_FILES.iam);
    const ref = { id: arn, policy: compiled.policy };
    this.managedRefs.set(key, ref);
    return ref;
  }

  inlinePolicies(owner: JsonReader, listKey: string, ownerArn: string): { id: string; policy: CompiledPolicy }[] {
    return owner
      .get(listKey)
      .list()
      .map((p) => {
        const name = p.get('PolicyName').string();
        const source: PolicySource = { layer: 'identity', name, id: ownerArn, kind: 'inline' };
        return this.compiler.compile(p.get('PolicyDocument').value, source, `${p.file} ${p.path}.PolicyDocument`);
      });
  }

  groups(): Map<string, Group> {
    const out = new Map<string, Group>();
    for (const g of this.iam.get('GroupDetailList').list()) {
      const arn = g.get('Arn').string();
      const name = g.get('GroupName').string();
      out.set(name, {
        arn,
        name,
        inline: this.inlinePolicies(g, 'GroupPolicyList', arn),
        managedArns: g
          .get('AttachedManagedPolicies')
          .list()
          .map((m) => m.get('PolicyArn')),
      });
    }
    return out;
  }
}

function readScps(raw: unknown, compiler: PolicyCompiler): ScpLevel[] {
  if (raw === undefined) return [];
  const r = new JsonReader(SNAPSHOT_FILES.scps, '$', raw).object();
  // Without `levels` the file would read as "no SCPs": a silent allow. Absent file means no SCPs; a present one must say which.
  if (!r.has('levels')) r.get('levels').fail('scps.json has no "levels"');
  return r
    .get('levels')
    .list()
    .map((level) => {
      const target = level.get('target').string();
      const policies = level
        .get('policies')
        .list()
        .map((p) => {
          const id = p.get('Id').optionalString() ?? p.get('Name').string();
          const name = p.get('Name').optionalString() ?? id;
          const source: PolicySource = { layer: 'scp', name, id, kind: 'scp', target };
          return compiler.compile(p.get('Content').value, source, `${p.file} ${p.path}.Content`).policy;
        });
      if (policies.length === 0) {
        level
          .get('policies')
          .fail(
            `no SCP at ${target}: every request would be denied there`,
            'List the policies attached at this level (at least FullAWSAccess), as `aws organizations list-policies-for-target` shows.',
          );
      }
      return { target, policies };
    });
}

/**
 * Build the in-memory snapshot from parsed file contents. Pure: the folder
 * reader and the live capture both feed it. Every error names the file, the
 * JSON path and what to do; nothing is guessed.
 */
export function buildSnapshot(files: SnapshotFiles): Snapshot {
  if (files.account === undefined) {
    throw new SnapshotError(`${SNAPSHOT_FILES.account} is missing`, {
      hint: 'Write {"accountId": "111122223333", "partition": "aws", "regions": ["us-east-1"]}.',
    });
  }
  if (files.iam === undefined) {
    throw new SnapshotError(`${SNAPSHOT_FILES.iam} is missing`, {
      hint: 'Write it with `aws iam get-account-authorization-details > iam.json`.',
    });
  }
  const account = readAccount(files.account);
  const iam = new JsonReader(SNAPSHOT_FILES.iam, '$', files.iam).object();
  if (!IAM_LISTS.some((key) => iam.has(key))) {
    iam.fail(
      `iam.json has none of ${IAM_LISTS.join(', ')}`,
      'Capture it with `aws iam get-account-authorization-details --output json > iam.json`; other IAM commands (list-roles, get-role) leave principals out.',
    );
  }
  if (iam.get('IsTruncated').value === true) {
    iam
      .get('IsTruncated')
      .fail(
        'iam.json is one page of a longer answer: principals and policies on later pages would be missing',
        'Let the AWS CLI paginate (no --max-items, or --no-paginate off), or merge every page into one iam.json.',
      );
  }
  const managed = readManagedPolicies(iam);
  const reader = new IamReader(iam, managed.policies, managed.where);
  const groups = reader.groups();
  const scps = readScps(files.scps, reader.compiler);

  const principals: Principal[] = [];
  const readPrincipal = (entry: JsonReader, kind: PrincipalKind) => {
    const arn = entry.get('Arn').string();
    const name = entry.get(kind === 'user' ? 'UserName' : 'RoleName').string();
    const id = entry.get(kind === 'user' ? 'UserId' : 'RoleId').string();
    const path = entry.get('Path').optionalString() ?? '/';
    const listKey = kind === 'user' ? 'UserPolicyList' : 'RolePolicyList';
    const inline = reader.inlinePolicies(entry, listKey, arn);
    const managed = entry
      .get('AttachedManagedPolicies')
      .list()
      .map((m) => reader.managedPolicy(m.get('PolicyArn'), 'identity'));
    const identity: { id: string; policy: CompiledPolicy }[] = [...inline, ...managed];
    const groupNames =
      kind === 'user'
        ? entry
            .get('GroupList')
            .list()
            .map((g) => g.string())
        : [];
    groupNames.forEach((groupName, i) => {
      const group =
        groups.get(groupName) ??
        new JsonReader(entry.file, `${entry.path}.GroupList[${i}]`, groupName).fail(
          `group ${groupName} is not in GroupDetailList`,
          'Capture iam.json unfiltered so that groups and their members come together.',
        );
      identity.push(...group.inline);
      for (const ga of group.managedArns) identity.push(reader.managedPolicy(ga, 'identity'));
    });
    const boundaryReader = entry.get('PermissionsBoundary');
    const boundary = boundaryReader.has('PermissionsBoundaryArn')
      ? reader.managedPolicy(boundaryReader.get('PermissionsBoundaryArn'), 'boundary')
      : undefined;
    const serviceLinked = kind === 'role' && path.startsWith('/aws-service-role/');
    const tags = entry.get('Tags').tags();
    // SCPs never restrict service-linked roles.
    const policies: PolicySet = {
      identity: identity.map((x) => x.policy),
      boundary: boundary?.policy,
      scps: serviceLinked ? [] : scps,
    };
    const reads = new Set<string>();
    for (const p of [
      ...policies.identity,
      ...(boundary ? [boundary.policy] : []),
      ...policies.scps.flatMap((l) => l.policies),
    ]) {
      for (const key of p.reads) if (isPrincipalKey(key)) reads.add(key);
    }
    const facts = principalContext({ kind, arn, name, id, tags }, account);
    const personal = [...reads].sort().map((k) => `${k}=${JSON.stringify(facts.get(k) ?? null)}`);
    const decisionKey = [
      kind,
      ...identity.map((x) => x.id).sort(),
      `boundary:${boundary?.id ?? '-'}`,
      `scp:${serviceLinked ? 'exempt' : 'applies'}`,
      ...personal,
    ].join('|');
    const trust = kind === 'role' ? entry.get('AssumeRolePolicyDocument').value : undefined;
    principals.push({
      kind,
      arn,
      name,
      id,
      path,
      tags,
      groups: groupNames,
      serviceLinked,
      managedPolicyArns: managed.map((m) => m.id),
      inlinePolicyNames: inline.map((p) => p.policy.source.name),
      boundaryArn: boundary?.id,
      trustPolicy:
        trust === undefined
          ? undefined
          : decodePolicyDocument(trust, `${entry.file} ${entry.path}.AssumeRolePolicyDocument`),
      policies,
      decisionKey,
    });
  };
  for (const u of iam.get('UserDetailList').list()) readPrincipal(u, 'user');
  for (const r of iam.get('RoleDetailList').list()) readPrincipal(r, 'role');

  const byArn = new Map(principals.map((p) => [p.arn, p]));
  const catalogue = parseCatalogue(files, account);
  return {
    account,
    principals,
    principal: (arn) => byArn.get(arn),
    managedPolicies: reader.managed,
    scpsPresent: scps.length > 0,
    ...catalogue,
    apiKeys: parseApiKeys(files),
  };
}

const optionalNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
