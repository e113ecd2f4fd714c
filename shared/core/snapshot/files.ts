/** The snapshot folder's files (PRODUCT.md §3.1). */
export const SNAPSHOT_FILES = {
  account: 'account.json',
  iam: 'iam.json',
  scps: 'scps.json',
  foundationModels: 'foundation-models.json',
  inferenceProfiles: 'inference-profiles.json',
  provisionedModels: 'provisioned-models.json',
  serviceCredentials: 'service-credentials.json',
} as const;

export type SnapshotFileKey = keyof typeof SNAPSHOT_FILES;

/** Parsed file contents; optional files are `undefined` when absent. */
export interface SnapshotFiles {
  readonly account: unknown;
  readonly iam: unknown;
  readonly scps?: unknown;
  readonly foundationModels?: unknown;
  readonly inferenceProfiles?: unknown;
  readonly provisionedModels?: unknown;
  readonly serviceCredentials?: unknown;
}

export const REQUIRED_FILES: readonly SnapshotFileKey[] = ['account', 'iam'];
