import type { ContextValue } from '../iam/types.js';
import type { AccountInfo, PrincipalKind } from './types.js';

/** The role session name assumed when none is given: only `aws:userid` of a role reads it. */
export const DEFAULT_SESSION_NAME = 'bedrock-guard-explain';

interface PrincipalFacts {
  readonly kind: PrincipalKind;
  readonly arn: string;
  readonly name: string;
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The request-context keys AWS fills from the calling principal, lower-cased.
 * Roles are seen as their assumed-role sessions: `aws:PrincipalArn` is the
 * role ARN, `aws:PrincipalType` is `AssumedRole`, and there is no `aws:username`.
 */
export function principalContext(p: PrincipalFacts, account: AccountInfo): Map<string, ContextValue> {
  const ctx = new Map<string, ContextValue>([
    ['aws:principalarn', p.arn],
    ['aws:principalaccount', account.accountId],
    ['aws:principaltype', p.kind === 'user' ? 'User' : 'AssumedRole'],
    ['aws:userid', p.kind === 'user' ? p.id : `${p.id}:${DEFAULT_SESSION_NAME}`],
    ['aws:principalisawsservice', 'false'],
  ]);
  if (p.kind === 'user') ctx.set('aws:username', p.name);
  if (account.organizationId) ctx.set('aws:principalorgid', account.organizationId);
  for (const [key, value] of Object.entries(p.tags)) ctx.set(`aws:principaltag/${key.toLowerCase()}`, value);
  return ctx;
}

/** Whether a context key is filled from the principal (so decisions may differ between principals). */
export function isPrincipalKey(key: string): boolean {
  return key.startsWith('aws:principal') || key === 'aws:username' || key === 'aws:userid';
}
