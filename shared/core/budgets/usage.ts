import { modelIdOf, namedModelId } from '../bedrock/arns.js';
import { parseArn } from '../iam/arn.js';
import { findPrincipal } from '../explain/resolve-principal.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import type { UsageRecord } from './invocation-log.js';

/** What resolving a record needs from a snapshot: its principals and the catalogue. */
export type UsageCatalogue = Pick<
  Snapshot,
  'account' | 'principals' | 'principal' | 'inferenceProfiles' | 'provisionedModels'
>;

export interface ResolvedUsage {
  /** The user or role the call counts against; `undefined` for callers outside the snapshot (root, federated users, other accounts). */
  readonly principal: Principal | undefined;
  /** The foundation model the call used; `undefined` when the catalogue can't tell (a profile or provisioned model it doesn't hold, a custom model). */
  readonly modelId: string | undefined;
}

/**
 * Who called which model, in the policy file's terms: the caller's
 * assumed-role session is its role, and the model is the foundation model
 * behind whatever the call named.
 *
 * @example
 * resolveUsage(record, snapshot);
 * // caller arn:aws:sts::111122223333:assumed-role/AppBackend/s1, model us.anthropic.claude-3-haiku-20240307-v1:0
 * // → { principal: <role AppBackend>, modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }
 */
export function resolveUsage(
  record: Pick<UsageRecord, 'caller' | 'modelNamed'>,
  snapshot: UsageCatalogue,
): ResolvedUsage {
  return { principal: callerPrincipal(record.caller, snapshot), modelId: usedModelId(record.modelNamed, snapshot) };
}

/** The user or role a logged caller is (an assumed-role session is its role). */
export const callerPrincipal = (caller: string, snapshot: UsageCatalogue): Principal | undefined =>
  findPrincipal(snapshot, caller)?.principal;

/**
 * The foundation model behind what a call names: a model id or ARN and a
 * system inference profile id or ARN name it themselves; an application
 * inference profile and a provisioned model are looked up in the catalogue.
 */
export function usedModelId(
  named: string,
  catalogue: Pick<Snapshot, 'inferenceProfiles' | 'provisionedModels'>,
): string | undefined {
  const id = namedModelId(named);
  if (id !== undefined) return id;
  const arn = parseArn(named);
  if (arn?.service !== 'bedrock') return undefined;
  if (arn.resource.startsWith('application-inference-profile/')) {
    const profile = catalogue.inferenceProfiles.find((p) => p.arn === named);
    // An application profile copies one model (or one system profile): all its destinations are that model.
    const ids = new Set(profile?.modelArns.map(modelIdOf));
    const [only] = ids;
    return ids.size === 1 ? only : undefined;
  }
  if (arn.resource.startsWith('provisioned-model/')) {
    const provisioned = catalogue.provisionedModels.find((p) => p.arn === named);
    const id = provisioned && modelIdOf(provisioned.foundationModelArn ?? provisioned.modelArn);
    return id === undefined ? undefined : baseModelId(id);
  }
  return undefined;
}

/**
 * Provisioned throughput is bought for a context-length variant of a model
 * (`amazon.nova-lite-v1:0:300k`); the variant is the model, as routes.ts
 * treats it. A purely numeric last part (`:1`) is a version: another model.
 */
export function baseModelId(id: string): string {
  const variant = /^(.+:[^:]+):(?!\d+$)[^:]+$/.exec(id);
  return variant ? (variant[1] as string) : id;
}
