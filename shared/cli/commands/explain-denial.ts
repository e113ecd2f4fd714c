import { access } from 'node:fs/promises';
import { DesiredState } from '../../core/desired/grants.js';
import { diagnoseDenial } from '../../core/diagnose/diagnose-denial.js';
import { type DeniedRequest, deniedRequestOf } from '../../core/diagnose/denied-route.js';
import type { CloudTrailEnvelope } from '../../core/events/cloudtrail-schema.js';
import { isDenial } from '../../core/events/event-findings.js';
import { concernOf, touchOf } from '../../core/events/touch.js';
import type { PolicyFile } from '../../core/policy-file/types.js';
import { UsageError } from '../../errors.js';
import { readPolicyFile } from '../../policy-file/read.js';
import { parseOptions } from '../args.js';
import type { Io } from '../io.js';
import { loadAccount } from '../live-account.js';
import { readEvent } from '../read-event.js';
import { renderDiagnosis } from '../render-diagnosis.js';
import { styleFor } from '../style.js';
import { parseWhen } from '../when.js';

const OPTIONS = {
  policy: { type: 'string' },
  snapshot: { type: 'string' },
  'first-use': { type: 'string' },
  'org-role': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const DEFAULT_POLICY = 'bedrock-guard.yaml';

const DENIAL_HINT =
  'explain-denial takes an InvokeModel, InvokeModelWithResponseStream, Converse, ConverseStream or CreateModelInvocationJob event with errorCode AccessDenied or AccessDeniedException, e.g. events/invoke/Converse-AccessDeniedException.json';

/**
 * `bedrock-guard explain-denial EVENT.json`: why AWS refused a Bedrock invoke,
 * and the smallest policy change that lets it through. The request is replayed
 * on the account (`--snapshot`, else captured live) on the route it took; a
 * guard deny is traced to the rule and line of the policy file.
 */
export async function explainDenialCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'explain-denial');
  const [file, ...extra] = positionals;
  if (file === undefined) {
    throw new UsageError('explain-denial: EVENT.json is required', {
      hint: 'e.g. bedrock-guard explain-denial events/invoke/Converse-AccessDeniedException.json --snapshot examples/demo/snapshot',
    });
  }
  if (extra.length > 0) throw new UsageError(`explain-denial: unexpected argument "${extra[0]}"`);
  const firstUse =
    values['first-use'] === undefined ? undefined : parseWhen(values['first-use'], '--first-use', new Date());
  const event = await readEvent(file, io.stdin ?? process.stdin);
  const request = deniedRequest(event, file);
  const policy = await policyFile(values.policy);

  const { denied } = request;
  // The Regions whose catalogue the replay reads: where the call was made, and where a profile sent it.
  const regions = [...new Set([denied.region, ...(denied.inferenceRegion ? [denied.inferenceRegion] : [])])];
  const stderr = io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (values.snapshot === undefined && stderr.isTTY === true) {
    stderr.write(`bedrock-guard: capturing the account live (${regions.join(', ')})…\n`);
  }
  const account = await loadAccount({
    regions,
    identify: false,
    ...(values.snapshot !== undefined ? { snapshotDir: values.snapshot } : {}),
    ...(values['org-role'] ? { orgRoleArn: values['org-role'] } : {}),
  });
  for (const line of account.warnings) stderr.write(`bedrock-guard: warning: ${line}\n`);
  const { snapshot } = account;
  if (request.account && request.account !== snapshot.account.accountId) {
    throw new UsageError(
      `the event is from account ${request.account}, but the ${values.snapshot === undefined ? 'credentials are for' : 'snapshot is of'} account ${snapshot.account.accountId}`,
      {
        location: values.snapshot ?? file,
        hint: 'Diagnose a denial against the account the call was made in.',
      },
    );
  }
  if (policy && policy.partition !== snapshot.account.partition) {
    throw new UsageError(
      `the policy file is for partition ${policy.partition}, but the account is in ${snapshot.account.partition}`,
      { location: policy.source.file, hint: 'Set partition: in the policy file to match the account.' },
    );
  }

  const diagnosis = diagnoseDenial(snapshot, denied, {
    ...(policy ? { policy, desired: new DesiredState(policy) } : {}),
    ...(firstUse ? { firstUse: firstUse.toISOString() } : {}),
  });
  io.stdout.write(
    values.json
      ? `${JSON.stringify({ request: denied, diagnosis }, null, 2)}\n`
      : `${renderDiagnosis(denied, diagnosis, styleFor(io.stdout), event.detail.userIdentity?.arn ?? undefined)}\n`,
  );
  return 0;
}

interface EventRequest {
  readonly denied: DeniedRequest;
  /** The account the call was made in (recipientAccountId, else the envelope's). */
  readonly account: string;
}

/** The denied Bedrock invoke the event records, or a UsageError saying what the event is instead. */
function deniedRequest(event: CloudTrailEnvelope, file: string): EventRequest {
  const { eventSource, eventName } = event.detail;
  const what = `${eventSource} ${eventName}`;
  const refuse = (why: string) => new UsageError(`${what} ${why}`, { location: file, hint: DENIAL_HINT });
  if (concernOf(eventSource, eventName) !== 'invoke') throw refuse('is not a denied Bedrock invoke');
  const touch = touchOf(event);
  if (!touch.error) throw refuse('succeeded: it is not a denied Bedrock invoke');
  if (!isDenial(touch)) throw refuse(`failed with ${touch.error.code}, not an access denial`);
  const denied = deniedRequestOf(touch);
  if (!denied) throw refuse(touch.actor ? 'names no model (requestParameters.modelId)' : 'names no caller');
  return { denied, account: touch.account };
}

/** `--policy FILE`, else `./bedrock-guard.yaml` when there is one; the diagnosis goes on without. */
async function policyFile(path: string | undefined): Promise<PolicyFile | undefined> {
  if (path === undefined) {
    const exists = await access(DEFAULT_POLICY).then(
      () => true,
      () => false,
    );
    if (!exists) return undefined;
  }
  return (await readPolicyFile(path ?? DEFAULT_POLICY)).policy;
}
