import * as z from 'zod';
import { SEVERITIES } from '../policy-file/types.js';
import { FINDINGS_DETAIL_TYPE, FINDINGS_SOURCE, type FindingsEvent } from './findings-event.js';

const finding = z.looseObject({
  rule: z.string().min(1),
  severity: z.enum(SEVERITIES),
  mode: z.enum(['enforce', 'alert']),
  status: z.enum(['open', 'contained']),
  message: z.string(),
});

/**
 * A findings bus entry as EventBridge delivers it to the notifier: the
 * envelope, and the `detail` fields routing and rendering rely on (the rest
 * passes through as published).
 */
export const FindingsEnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  source: z.literal(FINDINGS_SOURCE),
  'detail-type': z.literal(FINDINGS_DETAIL_TYPE),
  detail: z.looseObject({
    version: z.literal(1),
    account: z.string().min(1),
    partition: z.string().min(1),
    trigger: z.looseObject({ kind: z.enum(['event', 'manual', 'schedule']), id: z.string().min(1) }),
    principal: z.string().optional(),
    dryRun: z.boolean(),
    findings: z.array(finding),
    actions: z.array(z.looseObject({ type: z.string(), policyName: z.string(), result: z.string() })),
  }),
});

export type FindingsEnvelope = { readonly id: string; readonly detail: FindingsEvent };
