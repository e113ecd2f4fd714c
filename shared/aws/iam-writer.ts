import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  type Policy,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { canonicalJson } from '../core/canonical-json.js';
import { GUARD_PATH, GUARD_TAG, isGuardInlineName } from '../core/plan/guard-owned.js';
import type { PrincipalKind } from '../core/snapshot/types.js';
import { decodeDocument } from './cli-json.js';
import { isAwsError } from './sdk-output.js';

/** The principal a guard deny is written to. */
export interface DenyTarget {
  readonly kind: PrincipalKind;
  readonly name: string;
}

/** What a write found and did. `before` is the guard document that was there (undefined: none). */
export interface WriteResult {
  readonly before: unknown;
  readonly detail: string;
}

/** A policy the guard was asked to change but does not own: nothing is written. */
export class NotGuardOwnedError extends Error {
  override readonly name = 'NotGuardOwnedError';
}

const MAX_VERSIONS = 5; // IAM keeps at most five versions of a managed policy.
const DESCRIPTION = 'Written by bedrock-guard: denies Bedrock access the policy file does not grant. Do not edit.';

/**
 * The only code that writes to IAM. Every write is to a guard-owned policy
 * (managed: path `/bedrock-guard/` and tag `managed-by=bedrock-guard`;
 * inline: the `bedrock-guard-` name prefix), checked again here against AWS
 * before anything changes. Each step is safe to repeat: a retry after a lost
 * response, or a second `apply`, converges on the same state.
 */
export class IamDenyWriter {
  constructor(private readonly iam: IAMClient) {}

  /**
   * `change` is the plan's expectation: for a new policy, creating first
   * saves a read. A create that finds the policy there (a retry after a lost
   * answer, or a race) goes on as an update, and so does an expected update.
   */
  async putManaged(
    target: DenyTarget,
    policyName: string,
    policyArn: string,
    document: unknown,
    change: 'create' | 'update' = 'update',
  ): Promise<WriteResult> {
    const text = JSON.stringify(document);
    let before: unknown;
    let detail = 'created';
    let policy: Policy | undefined;
    let created = change === 'create' && (await this.create(policyName, text));
    if (!created) {
      policy = await this.ownedPolicy(policyArn);
      if (!policy) created = await this.create(policyName, text);
      if (!policy && !created) policy = await this.ownedPolicy(policyArn);
      if (!policy && !created) throw new Error(`${policyArn} could neither be created nor read`);
    }
    if (policy) {
      before = await this.defaultDocument(policy);
      if (canonicalJson(before) === canonicalJson(document)) {
        detail = 'document unchanged';
      } else {
        await this.makeRoomForVersion(policyArn);
        await this.iam.send(
          new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: text, SetAsDefault: true }),
        );
        detail = 'new default version (previous kept for rollback)';
      }
    }
    // Attaching an attached policy is a no-op in IAM, so this step needs no check.
    await (target.kind === 'role'
      ? this.iam.send(new AttachRolePolicyCommand({ RoleName: target.name, PolicyArn: policyArn }))
      : this.iam.send(new AttachUserPolicyCommand({ UserName: target.name, PolicyArn: policyArn })));
    return { before, detail: `${detail}, attached` };
  }

  async putInline(target: DenyTarget, policyName: string, document: unknown): Promise<WriteResult> {
    assertInlineName(policyName);
    const before = await this.inlineDocument(target, policyName);
    if (before !== undefined && canonicalJson(before) === canonicalJson(document)) {
      return { before, detail: 'document unchanged' };
    }
    const input = { PolicyName: policyName, PolicyDocument: JSON.stringify(document) };
    await (target.kind === 'role'
      ? this.iam.send(new PutRolePolicyCommand({ RoleName: target.name, ...input }))
      : this.iam.send(new PutUserPolicyCommand({ UserName: target.name, ...input })));
    return { before, detail: before === undefined ? 'put' : 'replaced' };
  }

  /** Detaches the policy from the principal, and deletes it once nothing else has it attached. */
  async removeManaged(target: DenyTarget, policyArn: string): Promise<WriteResult> {
    const policy = await this.ownedPolicy(policyArn);
    if (!policy) return { before: undefined, detail: 'already gone' };
    const before = await this.defaultDocument(policy);
    const detached = await ignoreMissing(() =>
      target.kind === 'role'
        ? this.iam.send(new DetachRolePolicyCommand({ RoleName: target.name, PolicyArn: policyArn }))
        : this.iam.send(new DetachUserPolicyCommand({ UserName: target.name, PolicyArn: policyArn })),
    );
    const {
      PolicyGroups = [],
      PolicyRoles = [],
      PolicyUsers = [],
    } = await this.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn }));
    if (PolicyGroups.length + PolicyRoles.length + PolicyUsers.length > 0) {
      return { before, detail: 'detached; kept, other principals still have it attached' };
    }
    const { Versions = [] } = await this.iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }));
    for (const v of Versions) {
      if (!v.IsDefaultVersion && v.VersionId) {
        await ignoreMissing(() =>
          this.iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: v.VersionId })),
        );
      }
    }
    await ignoreMissing(() => this.iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })));
    return { before, detail: detached ? 'detached and deleted' : 'deleted' };
  }

  async removeInline(target: DenyTarget, policyName: string): Promise<WriteResult> {
    assertInlineName(policyName);
    const before = await this.inlineDocument(target, policyName);
    if (before === undefined) return { before, detail: 'already gone' };
    await ignoreMissing(() =>
      target.kind === 'role'
        ? this.iam.send(new DeleteRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }))
        : this.iam.send(new DeleteUserPolicyCommand({ UserName: target.name, PolicyName: policyName })),
    );
    return { before, detail: 'deleted' };
  }

  /** The managed policy if it exists; a policy at this ARN that the guard doesn't own stops everything. */
  private async ownedPolicy(policyArn: string): Promise<Policy | undefined> {
    let policy: Policy | undefined;
    try {
      policy = (await this.iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy;
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntity')) return undefined;
      throw error;
    }
    const tagged = policy?.Tags?.some((t) => t.Key === GUARD_TAG.key && t.Value === GUARD_TAG.value);
    if (policy?.Path !== GUARD_PATH || !tagged) {
      throw new NotGuardOwnedError(
        `${policyArn} exists but is not the guard's (it needs path ${GUARD_PATH} and tag ${GUARD_TAG.key}=${GUARD_TAG.value}); it was left as it is`,
      );
    }
    return policy;
  }

  /** True when this call created the policy; false when it already existed. */
  private async create(policyName: string, text: string): Promise<boolean> {
    try {
      await this.iam.send(
        new CreatePolicyCommand({
          PolicyName: policyName,
          Path: GUARD_PATH,
          PolicyDocument: text,
          Description: DESCRIPTION,
          Tags: [{ Key: GUARD_TAG.key, Value: GUARD_TAG.value }],
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'EntityAlreadyExists')) return false;
      throw error;
    }
  }

  private async defaultDocument(policy: Policy): Promise<unknown> {
    const { PolicyVersion } = await this.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: policy.DefaultVersionId }),
    );
    return decodeDocumentOf(PolicyVersion?.Document);
  }

  /** IAM refuses a sixth version: drop the oldest non-default one first. */
  private async makeRoomForVersion(policyArn: string): Promise<void> {
    const { Versions = [] } = await this.iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }));
    if (Versions.length < MAX_VERSIONS) return;
    const oldest = Versions.filter((v) => !v.IsDefaultVersion).sort(
      (a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0),
    )[0];
    if (oldest?.VersionId) {
      await ignoreMissing(() =>
        this.iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: oldest.VersionId })),
      );
    }
  }

  private async inlineDocument(target: DenyTarget, policyName: string): Promise<unknown> {
    try {
      const output = await (target.kind === 'role'
        ? this.iam.send(new GetRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }))
        : this.iam.send(new GetUserPolicyCommand({ UserName: target.name, PolicyName: policyName })));
      return decodeDocumentOf(output.PolicyDocument);
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntity')) return undefined;
      throw error;
    }
  }
}

function assertInlineName(policyName: string): void {
  if (!isGuardInlineName(policyName)) {
    throw new NotGuardOwnedError(
      `inline policy ${policyName} is not the guard's (no bedrock-guard- prefix); it was left as it is`,
    );
  }
}

/** Runs a delete or detach; true if it changed something, false if the thing was already gone. */
async function ignoreMissing(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return false;
    throw error;
  }
}

const decodeDocumentOf = (text: string | undefined): unknown => (text === undefined ? undefined : decodeDocument(text));
