/** The policy types AWS names in an authorization error message. */
export type MessageLayer = 'identity' | 'scp' | 'boundary' | 'session' | 'resource' | 'vpc-endpoint' | 'rcp';

/** What an `AccessDenied` message from Bedrock says, read back into fields. */
export interface DenialMessage {
  /** The action and resource AWS authorised when it refused. */
  readonly action?: string;
  readonly resource?: string;
  /** The policy type AWS blames, and whether a Deny (explicit) or a missing Allow. */
  readonly layer?: MessageLayer;
  readonly explicit?: boolean;
  /** Newer messages name the denying policy's ARN. */
  readonly policyArn?: string;
  /** Model access rather than IAM: Marketplace permissions missing, a subscription still settling, no access. */
  readonly modelAccess?: 'marketplace-permissions' | 'marketplace-pending' | 'use-case-form' | 'no-access';
}

const LAYERS: readonly [RegExp, MessageLayer][] = [
  [/identity-based polic/i, 'identity'],
  [/service control polic/i, 'scp'],
  [/resource control polic/i, 'rcp'],
  [/permissions boundar/i, 'boundary'],
  [/session polic/i, 'session'],
  [/VPC endpoint polic/i, 'vpc-endpoint'],
  [/resource-based polic/i, 'resource'],
];

const NOT_AUTHORIZED = /is not authorized to perform: (\S+) on resource: (\S+?)(?=\s|$)/;

/**
 * Read an AWS authorization message: `User: … is not authorized to perform:
 * bedrock:InvokeModel on resource: … because no identity-based policy allows
 * …` / `… with an explicit deny in a service control policy`, and Bedrock's
 * model-access messages (Marketplace, use-case form). Unknown text gives `{}`.
 */
export function readDenialMessage(message: string | undefined): DenialMessage {
  if (!message) return {};
  const access = modelAccessOf(message);
  if (access) return { modelAccess: access };
  const m = NOT_AUTHORIZED.exec(message);
  if (!m) return {};
  const rest = message.slice((m.index ?? 0) + m[0].length);
  const layer = LAYERS.find(([pattern]) => pattern.test(rest))?.[1];
  const explicit = /explicit deny/i.test(rest) ? true : /no .* allows/i.test(rest) ? false : undefined;
  const policyArn = /policy:? (arn:[^\s,]+:policy\/\S+?)[.,]?(?=\s|$)/.exec(rest)?.[1];
  return {
    action: m[1] as string,
    resource: (m[2] as string).replace(/[.,]$/, ''),
    ...(layer ? { layer } : {}),
    ...(explicit !== undefined ? { explicit } : {}),
    ...(policyArn ? { policyArn } : {}),
  };
}

function modelAccessOf(message: string): DenialMessage['modelAccess'] {
  if (/aws-marketplace:/i.test(message)) return 'marketplace-permissions';
  if (/marketplace/i.test(message) && /(being processed|still|try again|pending|in progress)/i.test(message))
    return 'marketplace-pending';
  if (/use case/i.test(message)) return 'use-case-form';
  if (/don't have access to the model|not authorized to access this model|access to the model/i.test(message))
    return 'no-access';
  return undefined;
}

/** How the message names the layer, for "AWS says …". */
export function describeMessage(m: DenialMessage): string | undefined {
  if (m.modelAccess) {
    return {
      'marketplace-permissions': 'the caller lacks the AWS Marketplace permissions to subscribe to the model',
      'marketplace-pending': 'the AWS Marketplace subscription for the model is still being processed',
      'use-case-form': "the model's use-case form has not been submitted for this account",
      'no-access': 'the account has no access to the model',
    }[m.modelAccess];
  }
  if (!m.layer) return undefined;
  const name = {
    identity: 'an identity-based policy',
    scp: 'a service control policy',
    rcp: 'a resource control policy',
    boundary: 'the permissions boundary',
    session: 'a session policy',
    'vpc-endpoint': 'a VPC endpoint policy',
    resource: 'a resource-based policy',
  }[m.layer];
  const policy = m.policyArn ? ` (${m.policyArn.slice(m.policyArn.lastIndexOf('/') + 1)})` : '';
  return m.explicit ? `an explicit deny in ${name}${policy}` : `no ${name.replace(/^(an?|the) /, '')} allows it`;
}
