import * as z from 'zod';

/**
 * Zod schemas of a CloudTrail record and of the EventBridge envelope around
 * it. Strict only where the guard depends on a field (`eventSource`,
 * `eventName`, `awsRegion`, the envelope's `detail-type` and `detail`);
 * lenient everywhere real CloudTrail is: every object keeps unknown keys,
 * `requestParameters` may be null or absent, `eventTime` may be any string
 * (Panther's `2025-01-21 17:49:47.000000000`, a 7-digit fraction, `[REDACTED]`),
 * old `eventVersion` 1.0 records have no `eventID`, booleans may be strings
 * (`"true"`), and `userIdentity.type` stays open (CloudTrail adds types).
 *
 * Plain zod, so the handlers can give them to the Powertools parser.
 */

/** A text field CloudTrail (or an export tool) may write as null. */
const text = z.string().nullish();

/** `"true"` in real CloudTrail, a JSON boolean in some exports. */
const flag = z.union([z.boolean(), z.string()]);

/** The `userIdentity.type` values CloudTrail documents; the schema accepts any string. */
export const USER_IDENTITY_TYPES = [
  'IAMUser',
  'AssumedRole',
  'Root',
  'AWSService',
  'AWSAccount',
  'FederatedUser',
  'IdentityCenterUser',
  'SAMLUser',
  'WebIdentityUser',
  'Unknown',
] as const;

export const SessionIssuerSchema = z.looseObject({
  /** `Role` for assumed roles, `IAMUser` for federated users; absent (`{}`) for IAM-user console sessions. */
  type: text,
  principalId: text,
  /** The role's ARN with its path (`arn:aws:iam::A:role/service-role/x`). */
  arn: text,
  accountId: text,
  userName: text,
});

export const SessionContextSchema = z.looseObject({
  sessionIssuer: SessionIssuerSchema.nullish(),
  attributes: z
    .looseObject({
      creationDate: text,
      mfaAuthenticated: flag.nullish(),
    })
    .nullish(),
  webIdFederationData: z.looseObject({}).nullish(),
});

export const UserIdentitySchema = z.looseObject({
  /** One of {@link USER_IDENTITY_TYPES} in practice; absent in some exports. */
  type: text,
  principalId: text,
  /** Empty for Identity Center users; `arn:aws:sts::A:assumed-role/NAME/session` for assumed roles. */
  arn: text,
  accountId: text,
  accessKeyId: text,
  userName: text,
  invokedBy: text,
  sessionContext: SessionContextSchema.nullish(),
});

/** A CloudTrail record (`detail` of an EventBridge "AWS API Call via CloudTrail" event). */
export const CloudTrailDetailSchema = z.looseObject({
  eventVersion: text,
  /** e.g. `iam.amazonaws.com`. */
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string(),
  /** Usually ISO-8601; kept as written (see the module comment). */
  eventTime: text,
  /** Absent on eventVersion 1.0 records. */
  eventID: text,
  eventType: text,
  requestID: text,
  recipientAccountId: text,
  userIdentity: UserIdentitySchema.nullish(),
  requestParameters: z.record(z.string(), z.unknown()).nullish(),
  responseElements: z.unknown().optional(),
  additionalEventData: z.record(z.string(), z.unknown()).nullish(),
  errorCode: text,
  errorMessage: text,
  readOnly: flag.nullish(),
  managementEvent: flag.nullish(),
});

/**
 * The EventBridge detail-types whose `detail` is a CloudTrail record. The
 * guard's rules only subscribe to the first; the others parse so that a
 * misrouted event gets a precise "not handled" error rather than a schema one.
 */
export const CLOUDTRAIL_DETAIL_TYPES = [
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Console Action via CloudTrail',
  'AWS Service Event via CloudTrail',
] as const;

/** An EventBridge event around a CloudTrail record. */
export const CloudTrailEnvelopeSchema = z.looseObject({
  /** `"0"`; absent in some AWS documentation samples. */
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.enum(CLOUDTRAIL_DETAIL_TYPES),
  /** `aws.<service>`, e.g. `aws.iam`. */
  source: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()).optional(),
  detail: CloudTrailDetailSchema,
});

export type CloudTrailDetail = z.infer<typeof CloudTrailDetailSchema>;
export type CloudTrailEnvelope = z.infer<typeof CloudTrailEnvelopeSchema>;
export type CloudTrailUserIdentity = z.infer<typeof UserIdentitySchema>;
