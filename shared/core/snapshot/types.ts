import type { PolicySet } from '../iam/evaluate.js';

/** `account.json`: which account and Regions the snapshot describes. */
export interface AccountInfo {
  readonly accountId: string;
  /** `aws`, `aws-us-gov` or `aws-cn`. */
  readonly partition: string;
  readonly regions: readonly string[];
  /** Optional: fills `aws:PrincipalOrgID`. */
  readonly organizationId?: string;
}

export type PrincipalKind = 'user' | 'role';

/** A user or role with everything that decides its requests. */
export interface Principal {
  readonly kind: PrincipalKind;
  readonly arn: string;
  readonly name: string;
  /** `AIDA…` / `AROA…` unique id. */
  readonly id: string;
  readonly path: string;
  /** Tags as written (key case kept). */
  readonly tags: Readonly<Record<string, string>>;
  /** Group names (users only). */
  readonly groups: readonly string[];
  /** Service-linked roles (`/aws-service-role/`) are exempt from SCPs and never enforced upon. */
  readonly serviceLinked: boolean;
  readonly managedPolicyArns: readonly string[];
  readonly inlinePolicyNames: readonly string[];
  readonly boundaryArn: string | undefined;
  /** Decoded trust policy (roles only). */
  readonly trustPolicy: unknown;
  readonly policies: PolicySet;
  /**
   * Principals with equal keys get equal decisions for every request: the
   * same policies and the same values for every principal fact those
   * policies read. Used to evaluate each distinct principal once.
   */
  readonly decisionKey: string;
}

export interface ManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly defaultVersionId: string | undefined;
  /** The default version's document, decoded. */
  readonly document: unknown;
  /** Users, groups and roles it is attached to, when the capture says (`AttachmentCount`). */
  readonly attachmentCount: number | undefined;
}

export interface FoundationModel {
  readonly region: string;
  readonly modelId: string;
  readonly modelArn: string;
  readonly providerName: string | undefined;
  readonly modelName: string | undefined;
  readonly inferenceTypes: readonly string[];
}

export interface InferenceProfile {
  /** The Region the profile is called in (its source Region). */
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly name: string | undefined;
  readonly type: 'SYSTEM_DEFINED' | 'APPLICATION';
  /** Model ARNs the profile routes to: one per destination Region (Region-less for global profiles). */
  readonly modelArns: readonly string[];
}

/** Provisioned throughput (optional `provisioned-models.json`). */
export interface ProvisionedModel {
  readonly region: string;
  readonly arn: string;
  readonly name: string | undefined;
  readonly modelArn: string;
  readonly foundationModelArn: string | undefined;
}

/** A long-term Bedrock API key: an IAM service-specific credential of a user (optional `service-credentials.json`). */
export interface ApiKey {
  readonly userName: string;
  /** `ACCA…` */
  readonly id: string;
  readonly service: string;
  /** `Active`, `Inactive` or `Expired`. */
  readonly status: string;
  readonly created: string | undefined;
  readonly expires: string | undefined;
  readonly alias: string | undefined;
}

/** The observed state of one account: PRODUCT.md §3.1 in memory. */
export interface Snapshot {
  readonly account: AccountInfo;
  readonly principals: readonly Principal[];
  principal(arn: string): Principal | undefined;
  readonly managedPolicies: ReadonlyMap<string, ManagedPolicy>;
  readonly scpsPresent: boolean;
  readonly foundationModels: readonly FoundationModel[];
  readonly inferenceProfiles: readonly InferenceProfile[];
  readonly provisionedModels: readonly ProvisionedModel[];
  readonly apiKeys: readonly ApiKey[];
}
