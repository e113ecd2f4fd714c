import type { Rule } from '../rule.js';
import { crossRegionProfileGaps } from './cross-region-profile-gaps.js';
import { customModelImportRole } from './custom-model-import-role.js';
import { fullAccessManagedPolicy } from './full-access-managed-policy.js';
import { longTermApiKeys } from './long-term-api-keys.js';
import { unapprovedFeature } from './unapproved-feature.js';
import { unapprovedModelAccess } from './unapproved-model-access.js';

/**
 * The built-in rules, in report order. `invocation-logging-disabled` is
 * accepted in policy files but needs the invocation-logging configuration,
 * which a snapshot folder does not hold; it is checked by the event service.
 */
export const RULES: readonly Rule[] = [
  unapprovedModelAccess,
  unapprovedFeature,
  longTermApiKeys,
  fullAccessManagedPolicy,
  crossRegionProfileGaps,
  customModelImportRole,
];
