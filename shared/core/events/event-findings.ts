import type { DesiredState, Grants } from '../desired/grants.js';
import { diagnoseDenial } from '../diagnose/diagnose-denial.js';
import { deniedRequestOf } from '../diagnose/denied-route.js';
import { isBudgetDenyName } from '../budgets/budget-deny.js';
import { guardPolicyOwner } from '../plan/guard-owned.js';
import { globMatcher } from '../policy-file/glob.js';
import type { PolicyFile, Severity } from '../policy-file/types.js';
import type { Snapshot } from '../snapshot/types.js';
import type { PublishedFinding } from './findings-event.js';
import type { Touch } from './touch.js';
import { namedModelId } from '../bedrock/arns.js';

export interface EventFindingContext {
  readonly policy: PolicyFile;
  readonly desired: DesiredState;
  /** The account as re-read for the event (the actor and the touched principals in it). */
  readonly snapshot: Snapshot;
  /** When the account first used the invoked model (a denial right after may be Marketplace settling). */
  readonly firstUse?: string;
}

/**
 * What only the event shows, beyond what planning the account finds: a
 * guard-owned policy changed by someone else, a model enabled that no team
 * is granted, a successful invoke of a model the caller isn't granted,
 * an invoke that was denied, invocation logging switched off.
 */
export function eventFindings(touch: Touch, context: EventFindingContext): PublishedFinding[] {
  const { policy, desired, snapshot } = context;
  const actor = touch.actor ? snapshot.principal(touch.actor) : undefined;
  const who = touch.actor ?? 'an AWS service';
  const where = `${touch.eventName} in ${touch.region}`;
  const out: PublishedFinding[] = [];
  const finding = (rule: string, severity: Severity, message: string, extra: Partial<PublishedFinding> = {}) =>
    out.push({ rule, severity, mode: 'alert', status: 'open', region: touch.region, message, ...extra });

  // The guard's own writes never get here (the service skips them): any other writer is tampering.
  if (touch.guardPolicy) {
    finding('guard-policy-tampered', 'high', `${who} changed the guard-owned policy ${touch.guardPolicy} (${where})`, {
      ...principalOf(touch, snapshot),
      // A budget deny is the meter's, written once per window: nothing writes it again before the window ends.
      remediation: isBudgetDenyName(touch.guardPolicy.slice(touch.guardPolicy.lastIndexOf('/') + 1))
        ? "This budget deny is not written again in this window: the principal can use the budget's models until it ends. Put it back, or raise the budget in the policy file; find out why someone changed it."
        : 'The guard writes its deny again; find out why someone changed it.',
    });
  }
  // Deleting an agreement takes access away: nothing to report.
  if (touch.concern === 'model-access' && touch.eventName !== 'DeleteFoundationModelAgreement') {
    const approved = policy.teams.flatMap((t) => t.models.flatMap((set) => policy.models[set] ?? [])).map(globMatcher);
    for (const model of touch.models) {
      const id = namedModelId(model);
      if (id === undefined || approved.some((m) => m(id))) continue;
      finding(
        'unapproved-model-enabled',
        'medium',
        `${who} enabled access to ${id}, which no team is granted (${where})`,
        {
          model: id,
          ...(actor ? { principal: actor.arn } : {}),
          remediation: 'Add the model to a team in the policy file, or remove its access in the Bedrock console.',
        },
      );
    }
  }
  if (touch.concern === 'invoke' && actor) {
    const id = touch.models[0] !== undefined ? namedModelId(touch.models[0]) : undefined;
    const model = id ?? touch.models[0];
    if (touch.error && isDenial(touch)) {
      const denied = deniedRequestOf(touch);
      const diagnosis =
        denied &&
        diagnoseDenial(snapshot, denied, {
          policy,
          desired,
          ...(context.firstUse ? { firstUse: context.firstUse } : {}),
        });
      finding('invoke-denied', 'low', `${actor.arn} was denied ${where}${model ? ` on ${model}` : ''}`, {
        principal: actor.arn,
        ...(model ? { model } : {}),
        detail: `${touch.error.code}${touch.error.message ? `: ${touch.error.message}` : ''}`,
        ...(touch.inferenceRegion ? { inferenceRegion: touch.inferenceRegion } : {}),
        ...(diagnosis ? { remediation: diagnosis.fix, diagnosis } : {}),
      });
    } else if (
      !touch.error &&
      id !== undefined &&
      unapproved(desired.grantsFor(actor), id, touch.inferenceRegion ?? touch.region)
    ) {
      finding(
        'unapproved-model-invoked',
        'high',
        `${actor.arn} invoked ${id}, which the policy file does not grant it (${where})`,
        {
          principal: actor.arn,
          model: id,
          remediation:
            'Grant the model to one of its teams, or let the guard contain it (rule unapproved-model-access: enforce).',
        },
      );
    }
  }
  const logging = policy.rules['invocation-logging-disabled'];
  if (touch.eventName === 'DeleteModelInvocationLoggingConfiguration' && logging.mode !== 'off') {
    finding(
      'invocation-logging-disabled',
      logging.severity ?? 'medium',
      `${who} turned off Bedrock model invocation logging (${where})`,
      {
        remediation:
          'Turn invocation logging back on (PutModelInvocationLoggingConfiguration) so model use stays auditable.',
      },
    );
  }
  return out;
}

/** An invoke refused for lack of permission (not throttled, not invalid): `AccessDenied`, `AccessDeniedException`. */
export const isDenial = (touch: Touch): boolean => touch.error?.code.startsWith('AccessDenied') === true;

/** Exempt principals (and the guard's own) are reported by the plan as exempt, never alerted on here. */
const unapproved = (grants: Grants, modelId: string, region: string) =>
  !grants.exemptReason && !grants.grantsModel(modelId, region);

/** The user or role the changed guard deny is for (else the one the event names), for findings about one principal. */
function principalOf(touch: Touch, snapshot: Snapshot): { principal?: string } {
  const ref = (touch.guardPolicy && guardPolicyOwner(touch.guardPolicy)) || touch.principals[0];
  const p = ref && snapshot.principals.find((x) => x.kind === ref.kind && x.name === ref.name);
  return p ? { principal: p.arn } : {};
}
