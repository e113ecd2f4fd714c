import { modelIdOf } from '../bedrock/arns.js';
import { productOf } from '../desired/grants.js';
import type { Cohort } from '../reconcile/access.js';
import type { InferenceProfile } from '../snapshot/types.js';
import { type DenyStatement, one, sorted, type StatementHead } from './deny-document.js';

export interface ProfileDenyInput {
  readonly cohort: Cohort;
  readonly partition: string;
  readonly account: string;
  readonly profiles: readonly InferenceProfile[];
  readonly head: StatementHead;
}

/**
 * The allow-list form for inference profiles judges the model checks made
 * through a profile, which carry its ARN in bedrock:InferenceProfileArn:
 * system profiles of granted models in granted Regions, and application
 * profiles whose models are all granted, pass.
 */
export function profileAllowList(input: ProfileDenyInput): DenyStatement[] {
  const { partition, account, cohort, head } = input;
  const { grants } = cohort;
  const invoke = grants.grants.filter((g) => g.features.has('invoke'));
  const shape = invoke.length > 0 ? productOf(invoke) : undefined;
  const profile = (region: string, model: string) =>
    `arn:${partition}:bedrock:${region}:${account}:inference-profile/*.${model}`;
  const system = shape
    ? shape.models.map((m) => profile('*', m))
    : invoke.flatMap((g) => [...g.regions].flatMap((r) => g.models.map((m) => profile(r, m))));
  const application = input.profiles
    .filter((p) => p.type === 'APPLICATION')
    .filter((p) =>
      p.modelArns.every((arn) => {
        const id = modelIdOf(arn);
        return id !== undefined && grants.allows('invoke', id, p.region);
      }),
    )
    .map((p) => p.arn);
  const granted = sorted([...system, ...application]);
  const throughProfile = { Null: { 'bedrock:InferenceProfileArn': 'false' } };
  const statements: DenyStatement[] = [
    {
      ...head,
      Resource: `arn:${partition}:bedrock:*::foundation-model/*`,
      Condition:
        granted.length > 0
          ? { ...throughProfile, ArnNotLike: { 'bedrock:InferenceProfileArn': granted } }
          : throughProfile,
    },
  ];
  if (shape) {
    // Factored: the profile patterns name every Region, so calls from Regions the file doesn't grant are denied here.
    statements.push({
      ...head,
      Sid: `${head.Sid}Regions`,
      Resource: [
        `arn:${partition}:bedrock:*:${account}:application-inference-profile/*`,
        `arn:${partition}:bedrock:*:${account}:inference-profile/*`,
      ],
      Condition: { StringNotEquals: { 'aws:RequestedRegion': one(shape.regions) } },
    });
  }
  return statements;
}
