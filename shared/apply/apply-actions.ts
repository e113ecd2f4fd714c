import {
  documentHash,
  entryId,
  type Ledger,
  type LedgerEntry,
  type LedgerResult,
  type Trigger,
} from '../ledger/entry.js';
import { BlastRadiusError, type DenyAction, refusal, type SafetyContext, writeOrder } from '../core/apply/safety.js';
import type { Principal } from '../core/snapshot/types.js';
import { groupBy } from '../core/group-by.js';
import type { IamDenyWriter, WriteResult } from '../aws/iam-writer.js';
import { mapLimit } from '../aws/sdk-output.js';

export interface ApplyOptions {
  readonly trigger: Trigger;
  /** Refuse, before the first write, a plan with more deny changes than this. */
  readonly maxChanges: number;
  readonly now?: () => Date;
  /** Principals written in parallel (each principal's own actions stay in order). */
  readonly concurrency?: number;
}

export interface ApplyParts extends SafetyContext {
  readonly writer: IamDenyWriter;
  readonly ledger: Ledger;
}

export interface ActionOutcome {
  readonly action: DenyAction;
  readonly result: LedgerResult;
  readonly detail: string;
  /** `duplicate`: the ledger already held this entry (a retried run); `unrecorded`: the ledger write failed. */
  readonly ledger: 'recorded' | 'duplicate' | 'unrecorded';
  /** The ledger entry's id (alerts name it). */
  readonly ledgerId: string;
  readonly ledgerError?: string;
}

/**
 * Carry out a plan's deny actions: each one checked again by the safety
 * rules, written through the guard's IAM writer, and recorded in the ledger
 * with the before and after document hashes — applied, skipped (and why) or
 * failed (and the error). One failure does not stop the others.
 */
export async function applyActions(
  actions: readonly DenyAction[],
  parts: ApplyParts,
  options: ApplyOptions,
): Promise<ActionOutcome[]> {
  const now = options.now ?? (() => new Date());
  if (actions.length > options.maxChanges) {
    const error = new BlastRadiusError(actions.length, options.maxChanges);
    await Promise.all(actions.map((a) => record(parts, options.trigger, now(), a, 'skipped', error.message)));
    throw error;
  }
  const ordered = writeOrder(actions);
  const byPrincipal = [...groupBy(ordered, (a) => a.principal).values()];
  const outcomes = await mapLimit(byPrincipal, options.concurrency ?? 4, async (own) => {
    const out: ActionOutcome[] = [];
    for (const action of own) out.push(await applyOne(action, parts, options.trigger, now));
    return out;
  });
  return outcomes.flat();
}

async function applyOne(action: DenyAction, parts: ApplyParts, trigger: Trigger, now: () => Date) {
  const refused = refusal(action, parts);
  if (refused) return record(parts, trigger, now(), action, 'skipped', refused);
  // A stray deny's principal may be gone: its kind and name come from the action then.
  const principal = parts.snapshot.principal(action.principal);
  const target = principal ?? {
    kind: action.principalKind,
    name: action.principal.slice(action.principal.lastIndexOf('/') + 1),
  };
  let written: WriteResult;
  try {
    written = await write(parts.writer, action, { kind: target.kind, name: target.name });
  } catch (error) {
    const reason = `${(error as Error).name}: ${(error as Error).message}`;
    return record(
      parts,
      trigger,
      now(),
      action,
      error instanceof Error && error.name === 'NotGuardOwnedError' ? 'skipped' : 'failed',
      reason,
    );
  }
  return record(parts, trigger, now(), action, 'applied', written.detail, written.before);
}

function write(writer: IamDenyWriter, action: DenyAction, target: { kind: Principal['kind']; name: string }) {
  if (action.type === 'put-deny') {
    return action.mechanism === 'managed'
      ? writer.putManaged(target, action.policyName, action.policyArn as string, action.policy, action.change)
      : writer.putInline(target, action.policyName, action.policy);
  }
  return action.mechanism === 'managed'
    ? writer.removeManaged(target, action.policyArn as string)
    : writer.removeInline(target, action.policyName);
}

async function record(
  parts: ApplyParts,
  trigger: Trigger,
  time: Date,
  action: DenyAction,
  result: LedgerResult,
  detail: string,
  before?: unknown,
): Promise<ActionOutcome> {
  const afterHash = action.type === 'put-deny' ? documentHash(action.policy) : undefined;
  const target = {
    action: action.type,
    principal: action.principal,
    mechanism: action.mechanism,
    policyName: action.policyName,
    result,
    ...(afterHash ? { afterHash } : {}),
  };
  const entry: LedgerEntry = {
    id: entryId(trigger, target),
    time: time.toISOString(),
    account: parts.snapshot.account.accountId,
    trigger,
    rules: action.type === 'put-deny' ? action.rules : [],
    ...target,
    ...(action.policyArn ? { policyArn: action.policyArn } : {}),
    ...(before !== undefined ? { beforeHash: documentHash(before) } : {}),
    reason: action.type === 'remove-deny' && result === 'applied' ? `${detail} (${action.reason})` : detail,
  };
  try {
    return { action, result, detail, ledger: await parts.ledger.record(entry), ledgerId: entry.id };
  } catch (error) {
    // The IAM change stands; the caller reports it as unaudited rather than losing the other outcomes.
    return { action, result, detail, ledger: 'unrecorded', ledgerError: (error as Error).message, ledgerId: entry.id };
  }
}
