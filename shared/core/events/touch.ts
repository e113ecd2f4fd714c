import { parseArn } from '../iam/arn.js';
import { isGuardInlineName, isGuardPolicyArn } from '../plan/guard-owned.js';
import type { CloudTrailDetail, CloudTrailEnvelope, CloudTrailUserIdentity } from './cloudtrail-schema.js';
import { EventParseError, accountOf, isoTime } from './parse-event.js';

export type Concern = 'model-access' | 'invoke' | 'iam-change' | 'scp-change' | 'bedrock-config';

export interface PrincipalRef {
  readonly kind: 'role' | 'user';
  readonly name: string;
}

/** What one CloudTrail event touched: the principals, groups, policies and models to re-read and re-plan. */
export interface Touch {
  readonly concern: Concern;
  /** detail.eventID, else the envelope id. */
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  /** ISO-8601 (UTC) when the record's time reads as one; else as written. */
  readonly eventTime: string;
  /** detail.awsRegion ?? envelope region. */
  readonly region: string;
  /** recipientAccountId ?? envelope account. */
  readonly account: string;
  /**
   * The caller as IAM sees it: a role ARN for assumed-role sessions, user ARN,
   * root ARN; absent for services. From the session issuer when the record has
   * one (with the role's path); else derived from the `assumed-role` ARN, which
   * carries no path: compare roles by name.
   */
  readonly actor?: string;
  /** Users and roles whose permissions the event may have changed / who acted. */
  readonly principals: readonly PrincipalRef[];
  /** Groups whose policies changed (members are re-read). */
  readonly groups: readonly string[];
  /** Managed policy ARNs whose document changed (re-read + entities). */
  readonly changedPolicies: readonly string[];
  /** Model ids/ARNs the event names. */
  readonly models: readonly string[];
  /** SCPs may have changed: re-read them, plan the whole account. */
  readonly scps: boolean;
  /** Re-read service-specific credentials. */
  readonly serviceCredentials: boolean;
  /** Policy-file feature name the event used (bedrock-config). */
  readonly feature?: string;
  /** additionalEventData.inferenceRegion. */
  readonly inferenceRegion?: string;
  readonly error?: { readonly code: string; readonly message?: string };
  /** The guard-owned policy (ARN or inline name) the event wrote to. */
  readonly guardPolicy?: string;
}

const BEDROCK = 'bedrock.amazonaws.com';
const IAM = 'iam.amazonaws.com';

/** Every event the guard handles, by event source, with its concern. */
const CONCERNS: Readonly<Record<string, Readonly<Record<string, Concern>>>> = {
  [BEDROCK]: {
    PutFoundationModelEntitlement: 'model-access',
    CreateFoundationModelAgreement: 'model-access',
    DeleteFoundationModelAgreement: 'model-access',
    PutUseCaseForModelAccess: 'model-access',
    InvokeModel: 'invoke',
    InvokeModelWithResponseStream: 'invoke',
    Converse: 'invoke',
    ConverseStream: 'invoke',
    CreateModelInvocationJob: 'invoke',
    CreateModelImportJob: 'bedrock-config',
    PutModelInvocationLoggingConfiguration: 'bedrock-config',
    DeleteModelInvocationLoggingConfiguration: 'bedrock-config',
    CreateProvisionedModelThroughput: 'bedrock-config',
    CreateAgent: 'bedrock-config',
    CreateGuardrail: 'bedrock-config',
    CreateKnowledgeBase: 'bedrock-config',
  },
  'agreement-marketplace.amazonaws.com': {
    CreateAgreementRequest: 'model-access',
    AcceptAgreementRequest: 'model-access',
  },
  [IAM]: Object.fromEntries(
    [
      ...['Attach', 'Detach', 'Put', 'Delete'].flatMap((verb) =>
        ['Role', 'User', 'Group'].map((kind) => `${verb}${kind}Policy`),
      ),
      ...['Put', 'Delete'].flatMap((verb) => ['Role', 'User'].map((kind) => `${verb}${kind}PermissionsBoundary`)),
      ...['Tag', 'Untag'].flatMap((verb) => ['Role', 'User'].map((kind) => `${verb}${kind}`)),
      'CreateRole',
      'UpdateAssumeRolePolicy',
      'AddUserToGroup',
      'RemoveUserFromGroup',
      'CreatePolicyVersion',
      'SetDefaultPolicyVersion',
      'DeletePolicyVersion',
      'DeletePolicy',
      'CreateServiceSpecificCredential',
      'UpdateServiceSpecificCredential',
    ].map((name) => [name, 'iam-change' as const]),
  ),
  'organizations.amazonaws.com': {
    AttachPolicy: 'scp-change',
    DetachPolicy: 'scp-change',
    UpdatePolicy: 'scp-change',
    CreatePolicy: 'scp-change',
    DeletePolicy: 'scp-change',
    // Disabling the SCP type on a root removes every SCP at once.
    EnablePolicyType: 'scp-change',
    DisablePolicyType: 'scp-change',
  },
  // Agents and knowledge bases are the bedrock-agent API; its CloudTrail eventSource is not documented.
  'bedrock-agent.amazonaws.com': {
    CreateAgent: 'bedrock-config',
    CreateKnowledgeBase: 'bedrock-config',
  },
};

/** The concern of a CloudTrail event, or `undefined` when bedrock-guard doesn't handle it. */
export function concernOf(eventSource: string, eventName: string): Concern | undefined {
  return Object.hasOwn(CONCERNS, eventSource) && Object.hasOwn(CONCERNS[eventSource] ?? {}, eventName)
    ? CONCERNS[eventSource]?.[eventName]
    : undefined;
}

/** The policy-file feature a bedrock-config event uses. */
const FEATURES: Readonly<Record<string, string>> = {
  CreateModelImportJob: 'custom-model-import',
  CreateProvisionedModelThroughput: 'provisioned-throughput',
  CreateAgent: 'agents',
  CreateGuardrail: 'guardrails',
  CreateKnowledgeBase: 'knowledge-bases',
  PutModelInvocationLoggingConfiguration: 'invocation-logging',
  DeleteModelInvocationLoggingConfiguration: 'invocation-logging',
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A non-empty string, else undefined. */
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** What CloudTrail writes in place of a request field it does not log. */
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** The last path segment of an IAM name or ARN (`role/service-role/x` → `x`). */
const lastSegment = (value: string): string => value.slice(value.lastIndexOf('/') + 1);

/**
 * A user or role as IAM names it in a request field: a name (`x`), or an
 * ARN with or without a path (`arn:aws:iam::A:role/service-role/x`).
 */
function refOf(kind: PrincipalRef['kind'], value: unknown): PrincipalRef | undefined {
  const text = str(value);
  if (!text || text === HIDDEN) return undefined;
  if (!text.startsWith('arn:')) return { kind, name: lastSegment(text) };
  const arn = parseArn(text);
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith(`${kind}/`)) return undefined;
  const name = lastSegment(arn.resource);
  return name ? { kind, name } : undefined;
}

/** The user or role an IAM ARN names (not the root, not a policy). */
function principalOfArn(arn: string | undefined): PrincipalRef | undefined {
  const parts = arn === undefined ? undefined : parseArn(arn);
  if (!parts || parts.service !== 'iam') return undefined;
  const kind = parts.resource.split('/')[0];
  return kind === 'role' || kind === 'user' ? refOf(kind, arn) : undefined;
}

/** The partition for ARNs the record doesn't spell out, from the Region: `us-gov-*`, `cn-*`, else `aws`. */
const partitionOfRegion = (region: string): string =>
  region.startsWith('us-gov-') ? 'aws-us-gov' : region.startsWith('cn-') ? 'aws-cn' : 'aws';

/**
 * The caller as IAM sees it: the role behind an assumed-role (or the user
 * behind a federated) session, the IAM user, or the root; `undefined` for AWS
 * services, Identity Center users and identities without an ARN.
 */
export function actorOf(identity: CloudTrailUserIdentity | null | undefined, partition?: string): string | undefined {
  if (!identity) return undefined;
  const issuer = identity.sessionContext?.sessionIssuer;
  if (issuer && (issuer.type === 'Role' || issuer.type === 'IAMUser') && principalOfArn(str(issuer.arn))) {
    return str(issuer.arn);
  }
  const arn = str(identity.arn);
  const parts = arn === undefined ? undefined : parseArn(arn);
  if (arn && parts?.service === 'iam') {
    if (parts.resource === 'root' || principalOfArn(arn)) return arn;
    return undefined;
  }
  if (parts?.service === 'sts') {
    const [type, name] = parts.resource.split('/');
    if (type === 'assumed-role' && name) return `arn:${parts.partition}:iam::${parts.account}:role/${name}`;
    return undefined;
  }
  const account = str(identity.accountId);
  if (!arn && identity.type === 'Root' && account && partition) return `arn:${partition}:iam::${account}:root`;
  return undefined;
}

/** Model ids and ARNs a Bedrock request names. */
function modelsOf(params: Json): string[] {
  const out: unknown[] = [params.modelId, params.modelArn, params.modelIdentifier, params.foundationModel];
  if (Array.isArray(params.modelIds)) out.push(...(params.modelIds as unknown[]));
  const kb = params.knowledgeBaseConfiguration;
  const vector = isObject(kb) ? kb.vectorKnowledgeBaseConfiguration : undefined;
  if (isObject(vector)) out.push(vector.embeddingModelArn);
  return out.map(str).filter((m): m is string => m !== undefined && m !== HIDDEN);
}

/** Roles a Bedrock configuration request hands to the service. */
const serviceRolesOf = (params: Json): (PrincipalRef | undefined)[] =>
  [params.roleArn, params.agentResourceRoleArn, params.executionRoleArn].map((arn) => refOf('role', arn));

const unique = <T>(items: readonly (T | undefined)[], key: (item: T) => string): T[] => {
  const seen = new Map<string, T>();
  for (const item of items) if (item !== undefined && !seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
};

/**
 * What a CloudTrail event touched, for the handler to re-read and re-plan:
 * the principals, groups, managed policies and models it names, whether SCPs
 * or service-specific credentials may have changed, the feature it used, and
 * the guard-owned policy it wrote to (the runtime calls that tampering when
 * `actor` is not its own role). Never throws on an odd but valid record:
 * fields it cannot read give empty lists. Throws {@link EventParseError} for
 * an event no bedrock-guard rule subscribes to.
 *
 * `partition` is used only for ARNs the record does not spell out (a root
 * caller without an ARN); by default it follows the event's Region.
 */
export function touchOf(event: CloudTrailEnvelope, options: { partition?: string } = {}): Touch {
  const detail: CloudTrailDetail = event.detail;
  const { eventSource, eventName } = detail;
  const concern = concernOf(eventSource, eventName);
  if (!concern) {
    throw new EventParseError(`not an event bedrock-guard handles: ${eventSource} ${eventName}`, {
      issues: [{ path: 'detail.eventName', message: `${eventSource} ${eventName} is not handled` }],
      location: 'detail.eventName',
      hint: 'the guard handles Bedrock model access, invoke and configuration events, IAM permission changes and SCP changes; check the EventBridge rule that sent it',
    });
  }

  const region = detail.awsRegion || event.region;
  const partition = options.partition ?? partitionOfRegion(region);
  const actor = actorOf(detail.userIdentity, partition);
  const account = accountOf(detail) ?? event.account;
  // The caller is a principal to re-read only when it lives in this account (not a cross-account session).
  const actorAccount = actor === undefined ? undefined : parseArn(actor)?.account;
  const actorRef = !account || actorAccount === account ? principalOfArn(actor) : undefined;
  const params: Json = detail.requestParameters ?? {};
  const extra = isObject(detail.additionalEventData) ? detail.additionalEventData : {};

  const principals: (PrincipalRef | undefined)[] = [];
  const groups: (string | undefined)[] = [];
  const changedPolicies: (string | undefined)[] = [];
  const models: string[] = [];
  let feature: string | undefined;
  let serviceCredentials = false;
  let guardPolicy: string | undefined;

  switch (concern) {
    case 'iam-change': {
      const policyArn = str(params.policyArn);
      const policyName = str(params.policyName);
      if (eventName.includes('Role')) principals.push(refOf('role', params.roleName));
      if (eventName.includes('User')) principals.push(refOf('user', params.userName));
      if (eventName.includes('Group') && !eventName.includes('UserToGroup') && !eventName.includes('UserFromGroup')) {
        groups.push(str(params.groupName));
      }
      if (eventName.includes('ServiceSpecificCredential')) {
        serviceCredentials = true;
        // UserName defaults to the caller when the request leaves it out.
        principals.push(refOf('user', params.userName) ?? (actorRef?.kind === 'user' ? actorRef : undefined));
      }
      if (/^(CreatePolicyVersion|SetDefaultPolicyVersion|DeletePolicyVersion|DeletePolicy)$/.test(eventName)) {
        changedPolicies.push(policyArn);
      }
      if (policyArn && isGuardPolicyArn(policyArn)) guardPolicy = policyArn;
      else if (policyName && /^(Put|Delete)(Role|User|Group)Policy$/.test(eventName) && isGuardInlineName(policyName)) {
        guardPolicy = policyName;
      }
      break;
    }
    case 'scp-change':
      break;
    case 'invoke':
    case 'model-access':
      principals.push(actorRef);
      models.push(...modelsOf(params));
      break;
    case 'bedrock-config':
      feature = FEATURES[eventName];
      principals.push(actorRef, ...serviceRolesOf(params));
      models.push(...modelsOf(params));
      break;
  }

  const errorCode = str(detail.errorCode);
  const errorMessage = str(detail.errorMessage);
  const inferenceRegion = str(extra.inferenceRegion);
  const eventTime = isoTime(detail.eventTime) ?? isoTime(event.time) ?? (str(detail.eventTime) || event.time);

  return {
    concern,
    eventId: str(detail.eventID) ?? event.id,
    eventName,
    eventSource,
    eventTime,
    region,
    account,
    ...(actor === undefined ? {} : { actor }),
    principals: unique(principals, (p) => `${p.kind}/${p.name}`),
    groups: unique(groups, (g) => g),
    changedPolicies: unique(changedPolicies, (p) => p),
    models: unique(models, (m) => m),
    scps: concern === 'scp-change',
    serviceCredentials,
    ...(feature === undefined ? {} : { feature }),
    ...(inferenceRegion === undefined ? {} : { inferenceRegion }),
    ...(errorCode === undefined
      ? {}
      : { error: errorMessage ? { code: errorCode, message: errorMessage } : { code: errorCode } }),
    ...(guardPolicy === undefined ? {} : { guardPolicy }),
  };
}
