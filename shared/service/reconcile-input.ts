import * as z from 'zod';
import type { ReconcileRequest } from './guard-service.js';

const Manual = z
  .strictObject({
    dryRun: z.boolean().optional(),
    principals: z.array(z.string().min(1)).optional(),
    maxChanges: z.number().int().nonnegative().optional(),
  })
  .transform((request) => ({ kind: 'manual' as const, request: request as ReconcileRequest }));

/** The schedule's EventBridge envelope; its id identifies the run in the ledger. */
const Scheduled = z
  .looseObject({ 'detail-type': z.literal('Scheduled Event'), id: z.string().min(1), source: z.string() })
  .transform((event) => ({ kind: 'schedule' as const, id: event.id, request: {} as ReconcileRequest }));

/** What `reconcile` accepts: a Scheduled Event, or `{dryRun?, principals?, maxChanges?}` from a manual invoke. */
export const ReconcileInputSchema = z.union([Scheduled, Manual]);
export type ReconcileInput = z.output<typeof ReconcileInputSchema>;
