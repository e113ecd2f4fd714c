import type { DesiredState } from '../desired/grants.js';
import { Explainer } from '../explain/explainer.js';
import { findPrincipal } from '../explain/resolve-principal.js';
import { evaluate } from '../iam/evaluate.js';
import { uniqueStatements } from '../iam/statement-refs.js';
import type { StatementRef } from '../iam/types.js';
import { namedModelId } from '../bedrock/arns.js';
import { budgetDenyExpiry, budgetIdOfDenyName } from '../budgets/budget-deny.js';
import { budgetIds } from '../budgets/budgets.js';
import { guardRuleOf, isGuardPolicyArn } from '../plan/guard-owned.js';
import type { PolicyFile } from '../policy-file/types.js';
import type { Principal, Snapshot } from '../snapshot/types.js';
import { describeMessage, readDenialMessage, type DenialMessage } from './denial-message.js';
import { type DeniedRequest, deniedRoute } from './denied-route.js';
import type { Diagnosis, PolicyChange } from './diagnosis.js';
import {
  type Blocker,
  blockersOf,
  changesFor,
  isGuardStatement,
  type JudgedCheck,
  profileExemptionOf,
  rawStatement,
  withChanges,
} from './policy-change.js';

export interface DiagnoseOptions {
  /** The policy file, for denials by the guard's own deny (the rule and its line). */
  readonly policy?: PolicyFile;
  readonly desired?: DesiredState;
  /** When the account first used the model: a third-party model's Marketplace subscription settles after it. */
  readonly firstUse?: string;
}

/** Causes a person decided on purpose: the diagnosis names them, and proposes no Allow around them. */
const UNFIXABLE: ReadonlySet<Diagnosis['cause']> = new Set(['guard-deny', 'scp-deny', 'explicit-deny']);

/** AWS: the automatic Marketplace subscription of a third-party model takes up to 15 minutes. */
const MARKETPLACE_SETTLING_MS = 15 * 60_000;

/**
 * Why was a Bedrock request denied, and what is the smallest change that
 * allows it? The request is replayed through the IAM evaluator on the route
 * it took (the profile and each destination Region it reaches, the Region-less
 * model of a global profile) on the account as captured. Model-access
 * denials (Marketplace, use-case form) are told apart from IAM's.
 */
export function diagnoseDenial(snapshot: Snapshot, request: DeniedRequest, options: DiagnoseOptions = {}): Diagnosis {
  const replayed = replay(snapshot, request, options);
  // AWS named the guard's own deny, which the captured account doesn't show yet (written since): AWS's word wins.
  const named = readDenialMessage(request.errorMessage).policyArn;
  if (named && isGuardPolicyArn(named) && replayed.cause !== 'guard-deny') {
    const principal = findPrincipal(snapshot, request.principal)?.principal;
    const rule = 'unapproved-model-access';
    const line = options.policy?.source.positionOf(['rules', rule])?.line;
    const file = options.policy?.source.file ?? 'the policy file';
    const who = principal ? `${principal.kind} ${principal.name}` : request.principal;
    return {
      cause: 'guard-deny',
      layer: 'guard',
      summary: `AWS names the guard's deny ${named.slice(named.lastIndexOf('/') + 1)}: by design, the policy file does not allow ${who} this. The captured account doesn't show that deny yet (it was written after the capture).`,
      fix: `Nothing to repair. To allow it, grant ${namedModelId(request.model) ?? request.model} to one of ${who}'s teams in ${file}; the guard then removes its deny.`,
      changes: [],
      byDesign: { rule, file, ...(line !== undefined ? { line } : {}) },
      ...(replayed.route ? { route: replayed.route } : {}),
      evidence: [],
      ...(replayed.awsSays ? { awsSays: replayed.awsSays } : {}),
    };
  }
  return replayed;
}

function replay(snapshot: Snapshot, request: DeniedRequest, options: DiagnoseOptions): Diagnosis {
  const message = readDenialMessage(request.errorMessage);
  const awsSays = describeMessage(message);
  const said = awsSays ? { awsSays } : {};
  const principal = findPrincipal(snapshot, request.principal)?.principal;
  const fromMessage = modelAccessDiagnosis(snapshot, request, message, principal);
  if (fromMessage) return { ...fromMessage, ...said };

  if (!principal) {
    return {
      cause: 'unknown-principal',
      summary: `${request.principal} is not a user or role of account ${snapshot.account.accountId} as captured.`,
      fix: 'If the caller is in another account, diagnose it there; if it is new, capture the account again.',
      changes: [],
      evidence: [],
      ...said,
    };
  }
  const { modelId, route } = deniedRoute(snapshot, request, principal.kind, message);
  if (!route) {
    return {
      cause: 'not-reproduced',
      summary: `${request.model} is not in the captured catalogue of ${request.region}, and AWS's message names no resource to replay.`,
      fix: 'Capture the account again (`bedrock-guard snapshot`) so the catalogue knows the profile or model.',
      changes: [],
      evidence: [],
      ...said,
    };
  }
  // Decided at the event's time: conditions on aws:CurrentTime see the moment of the call.
  const explainer = new Explainer(snapshot, new Date(request.time));
  const judged = route.checks.map((check) => {
    const { request: req, result } = explainer.explain({
      principal: request.principal,
      action: check.action,
      resource: check.resource,
      context: check.context,
    });
    return { check, request: req, result };
  });
  const failing = judged.filter((j) => !j.check.advisory && j.result.decision !== 'Allowed');
  const at = { route: route.id };
  if (failing.length === 0) {
    return { ...notReproduced(snapshot, request, principal, modelId, judged, message, options), ...at, ...said };
  }
  // The check AWS named first (the destination Region it routed to), then the others.
  const named = failing.find((j) => j.check.action === message.action && j.check.resource === message.resource);
  const inRegion = failing.find(
    (j) => request.inferenceRegion && j.check.context['aws:requestedregion'] === request.inferenceRegion,
  );
  const primary = named ?? inRegion ?? (failing[0] as (typeof failing)[number]);
  const set = principal.policies;
  const blockers = [primary, ...failing.filter((j) => j !== primary)].flatMap((j) => blockersOf(set, j));
  const proposed = changesFor(set, blockers, { principal, partition: snapshot.account.partition });
  const first = blockers[0] as Blocker;
  const story = explainBlocker(first, { principal, request, modelId, options, set, changes: proposed });
  const evidence = uniqueStatements(blockers.flatMap((b) => b.statements));
  const failingCheck = {
    action: primary.check.action,
    resource: primary.check.resource,
    purpose: primary.check.purpose,
  };
  const { byDesign } = story;
  // What the policy file denies by design, and a Deny someone wrote on purpose, are not for Allows to work around.
  const changes = UNFIXABLE.has(story.cause) ? [] : proposed;
  const verified = changes.length > 0 ? replayAllows(set, changes, judged) : undefined;
  const unlike = byDesign ? undefined : notInPolicyFile(principal, modelId, request, options);
  const fix = [
    ...(story.fix ? [story.fix] : []),
    ...(changes.length > 0
      ? [story.fix ? `Also: ${lowerFirst(describeChanges(changes))}` : describeChanges(changes)]
      : []),
    ...(message.modelAccess === 'no-access' ? [MODEL_ACCESS_FIX] : []),
    ...(byDesign ? [] : [advisoryNote(judged, principal)].filter((n) => n !== undefined)),
    ...(unlike && changes.length > 0 ? [unlike] : []),
  ];
  const others = byDesign ? [] : otherLayers(blockers, first, principal);
  // AWS answered "no access to the model", yet IAM would refuse too: both need fixing.
  const lead =
    message.modelAccess === 'no-access'
      ? `AWS answered that the account has no access to ${modelId ?? request.model}; replayed, IAM denies it as well. `
      : '';
  return {
    cause: story.cause,
    ...(story.layer ? { layer: story.layer } : {}),
    summary: `${lead}${story.summary}${others}`,
    fix: fix.length > 0 ? fix.join(' ') : 'No policy edit can allow it.',
    changes,
    ...(verified !== undefined ? { verified } : {}),
    ...(byDesign ? { byDesign } : {}),
    ...at,
    failing: failingCheck,
    evidence,
    ...said,
  };
}

interface Story {
  readonly cause: Diagnosis['cause'];
  readonly layer?: Diagnosis['layer'];
  readonly summary: string;
  readonly fix?: string;
  readonly byDesign?: Diagnosis['byDesign'];
}

interface StoryContext {
  readonly principal: Principal;
  readonly request: DeniedRequest;
  readonly modelId: string | undefined;
  readonly options: DiagnoseOptions;
  readonly set: Principal['policies'];
  readonly changes: readonly PolicyChange[];
}

/** The first blocker in AWS's evaluation order, told as the cause. */
function explainBlocker(b: Blocker, ctx: StoryContext): Story {
  const { check } = b.judged;
  const on = `${check.action} on ${check.resource} (${check.purpose})`;
  const who = `${ctx.principal.kind} ${ctx.principal.name}`;
  if (b.kind === 'deny') {
    const deny = b.statements[0] as StatementRef;
    const statement = `${deny.policy.name}${deny.sid ? ` statement ${deny.sid}` : ` statement #${deny.index}`}`;
    if (isGuardStatement(deny)) return guardDenial(deny, statement, on, ctx);
    if (b.layer === 'scp') {
      const where = deny.policy.target ? ` attached to ${deny.policy.target}` : '';
      // changesFor rewrites an SCP statement only to add the inference-profile exemption to a Region deny.
      if (ctx.changes.some((c) => c.kind === 'replace-statement' && c.policyId === deny.policy.id)) {
        const exempted = profileExemptionOf(rawStatement(ctx.set, deny) ?? {});
        const profile = /inference-profile\/(.+)$/.exec(check.context['bedrock:inferenceprofilearn'] ?? '')?.[1];
        const region = check.context['aws:requestedregion'];
        const to = region === 'unspecified' ? 'the Region-less model (aws:RequestedRegion "unspecified")' : region;
        return {
          cause: 'scp-region-without-profile-exemption',
          layer: 'scp',
          summary: `SCP ${statement} (${deny.policy.id})${where} denies requests outside its Regions, and the inference profile sent this one to ${to}: it denies ${on}. ${
            exempted.length > 0
              ? `Its exemption for inference profiles (${exempted.join(', ')}) does not cover ${profile ?? 'this profile'}.`
              : 'The SCP has no exemption for calls made through inference profiles.'
          }`,
        };
      }
      const region = regionDenied(ctx.set, deny, check);
      return {
        cause: 'scp-deny',
        layer: 'scp',
        summary: region
          ? `SCP ${statement} (${deny.policy.id})${where} denies requests outside its Regions, and ${region} is not one of them: it denies ${on}.`
          : `SCP ${statement} (${deny.policy.id})${where} explicitly denies ${on}.`,
        fix: region
          ? `This is the organisation's decision: call the model in a Region the SCP allows${'bedrock:inferenceprofilearn' in check.context ? '' : ' (or through an inference profile, if the SCP exempts them)'}, or ask its administrators to add ${region}.`
          : `This is the organisation's decision: ask its administrators for an exception in SCP ${deny.policy.name}, or use an allowed Region or model.`,
      };
    }
    return {
      cause: 'explicit-deny',
      layer: b.layer,
      summary: `${statement} (${b.layer === 'boundary' ? 'the permissions boundary' : 'an identity policy'} of ${who}) explicitly denies ${on}.`,
      fix: `Narrow that Deny (its Resource or Condition) if ${who} is meant to make this call; no Allow can override it.`,
    };
  }
  if (b.layer === 'scp') {
    return {
      cause: 'scp-no-allow',
      layer: 'scp',
      summary: `No SCP attached to ${b.target ?? 'a level of the organisation'} allows ${on}.`,
    };
  }
  if (b.layer === 'boundary') {
    return {
      cause: 'boundary-no-allow',
      layer: 'boundary',
      summary: `The permissions boundary ${ctx.set.boundary?.source.name ?? ''} of ${who} does not allow ${on}.`,
    };
  }
  const region = check.context['aws:requestedregion'];
  if (/inference-profile\//.test(check.resource)) {
    return {
      cause: 'missing-inference-profile',
      layer: 'identity',
      summary: `No identity policy of ${who} allows ${check.action} on the inference profile ${check.resource} itself.`,
    };
  }
  if (region === 'unspecified') {
    return {
      cause: 'global-needs-unspecified',
      layer: 'identity',
      summary: `A global inference profile is authorised on the Region-less model ${check.resource} with aws:RequestedRegion = "unspecified", and no identity policy of ${who} allows that (a Region condition listing named Regions never matches "unspecified").`,
    };
  }
  if ('bedrock:inferenceprofilearn' in check.context && region !== ctx.request.region) {
    return {
      cause: 'missing-destination-region',
      layer: 'identity',
      summary: `The inference profile routed the request to ${region}, and no identity policy of ${who} allows ${check.action} on the model there (${check.resource}). Every destination Region's model ARN must be allowed.`,
    };
  }
  return { cause: 'no-identity-allow', layer: 'identity', summary: `No identity policy of ${who} allows ${on}.` };
}

/** The Region a Region-deny statement refused (it tests aws:RequestedRegion), else undefined. */
function regionDenied(
  set: Principal['policies'],
  deny: StatementRef,
  check: { context: Readonly<Record<string, string>> },
) {
  const raw = rawStatement(set, deny);
  return raw &&
    JSON.stringify(raw.Condition ?? {})
      .toLowerCase()
      .includes('aws:requestedregion')
    ? check.context['aws:requestedregion']
    : undefined;
}

/** A guard deny blocked it: the policy file's decision, with the rule and where the file says so. */
function guardDenial(deny: StatementRef, statement: string, on: string, ctx: StoryContext): Story {
  const rule = guardRuleOf(deny.sid);
  if (rule === 'budget-exceeded') return budgetDenial(deny, statement, on, ctx);
  const policy = ctx.options.policy;
  const line = policy?.source.positionOf(['rules', rule])?.line;
  const file = policy?.source.file ?? 'the policy file';
  const teams = ctx.options.desired?.grantsFor(ctx.principal).teams ?? [];
  const model = ctx.modelId ?? ctx.request.model;
  const member = teams.length > 0 ? `its teams (${teams.join(', ')})` : 'a team it belongs to';
  return {
    cause: 'guard-deny',
    layer: 'guard',
    summary: `The guard's deny ${statement} blocks ${on}: by design, the policy file does not allow ${ctx.principal.kind} ${ctx.principal.name} this (rule ${rule}).`,
    fix:
      rule === 'unapproved-model-access'
        ? `Nothing to repair. To allow it, grant ${model} to one of ${member} in ${file}; the guard then removes its deny.`
        : `Nothing to repair. To allow it, change rule ${rule} or the teams in ${file}; the guard then removes its deny.`,
    byDesign: { rule, file, ...(line !== undefined ? { line } : {}) },
  };
}

/**
 * A budget deny blocked it: the principal spent a budget of the policy file,
 * and the deny lifts itself at the window's end (the end its statement
 * carries). The file line is the budget's, found by the id the deny's name
 * carries; the file's `budgets` when the budget is no longer in it.
 */
function budgetDenial(deny: StatementRef, statement: string, on: string, ctx: StoryContext): Story {
  const rule = 'budget-exceeded';
  const policy = ctx.options.policy;
  const id = budgetIdOfDenyName(deny.policy.name);
  const index = policy && id !== undefined ? budgetIds(policy).indexOf(id) : -1;
  const budget = index >= 0 ? policy?.budgets[index] : undefined;
  const line = (budget?.position ?? policy?.source.positionOf(['budgets']))?.line;
  const file = policy?.source.file ?? 'the policy file';
  const raw = rawStatement(ctx.set, deny);
  const end = raw ? budgetDenyExpiry({ Statement: raw }) : undefined;
  const which = id === undefined ? 'a budget' : `budget ${id}${budget ? ` (team ${budget.team})` : ''}`;
  return {
    cause: 'guard-deny',
    layer: 'guard',
    summary: `The guard's budget deny ${statement} blocks ${on}: by design, ${ctx.principal.kind} ${ctx.principal.name} has spent ${which} of the policy file (rule ${rule}).`,
    fix: end
      ? `Nothing to repair: the budget is spent until ${end}; it lifts itself then.`
      : `Nothing to repair while the budget is spent; but this deny no longer carries its end (it was edited), so it does not lift itself: delete ${deny.policy.name} once the budget should allow again.`,
    byDesign: { rule, file, ...(line !== undefined ? { line } : {}) },
  };
}

/**
 * When the policy file doesn't grant the principal the model there either, the
 * denial agrees with it: opening IAM alone would be undone by the guard (or
 * reported), so the file comes first.
 */
function notInPolicyFile(
  principal: Principal,
  modelId: string | undefined,
  request: DeniedRequest,
  options: DiagnoseOptions,
): string | undefined {
  const { desired, policy } = options;
  if (!desired || modelId === undefined) return undefined;
  const grants = desired.grantsFor(principal);
  const feature = request.eventName === 'CreateModelInvocationJob' ? 'batch' : 'invoke';
  if (grants.exemptReason || grants.allows(feature, modelId, request.region)) return undefined;
  const teams = grants.teams.length > 0 ? ` (its teams: ${grants.teams.join(', ')})` : '';
  return `Note: ${policy?.source.file ?? 'the policy file'} does not grant ${modelId} to ${principal.kind} ${principal.name} in ${request.region} for ${feature}${teams} either, so this denial agrees with it; grant it there first, or the guard reports (or contains) the access these changes open.`;
}

/** When IAM allows it: Marketplace settling, model access, a missing GetInferenceProfile, or not reproduced. */
function notReproduced(
  snapshot: Snapshot,
  request: DeniedRequest,
  principal: Principal,
  modelId: string | undefined,
  judged: readonly (JudgedCheck & { result: { decision: string } })[],
  message: DenialMessage,
  options: DiagnoseOptions,
): Omit<Diagnosis, 'route'> {
  const model = modelId ?? request.model;
  const firstUse = options.firstUse ? Date.parse(options.firstUse) : NaN;
  const sinceFirstUse = Date.parse(request.time) - firstUse;
  if (thirdParty(snapshot, model) && sinceFirstUse >= 0 && sinceFirstUse <= MARKETPLACE_SETTLING_MS) {
    return marketplaceSettling(model, Math.round(sinceFirstUse / 60_000));
  }
  if (message.modelAccess === 'no-access') {
    const offered = snapshot.foundationModels.some((m) => m.region === request.region && m.modelId === model);
    const inCatalogue = snapshot.foundationModels.some((m) => m.region === request.region);
    return {
      cause: 'model-access',
      summary:
        inCatalogue && !offered
          ? `${model} is not offered in ${request.region} (per the captured catalogue); IAM allows the call.`
          : `IAM allows the call; the account has no access to ${model} in ${request.region}.`,
      fix:
        inCatalogue && !offered
          ? `Call it in a Region that offers it, or through an inference profile of ${request.region}.`
          : thirdParty(snapshot, model)
            ? MODEL_ACCESS_FIX.replace(/^Then make/, 'Make')
            : 'Check the model access page of the Bedrock console for this Region.',
      changes: [],
      evidence: [],
    };
  }
  const get = judged.find((j) => j.check.advisory && j.result.decision !== 'Allowed');
  // The profile read can't be why an invoke AWS names was refused.
  if (get && (message.action === undefined || message.action === get.check.action)) {
    // Every layer that blocks the read: a boundary without it needs the Allow as much as the identity policies.
    const set = principal.policies;
    const blockers = blockersOf(set, get);
    const changes = changesFor(set, blockers, { principal, partition: snapshot.account.partition }).map((c) =>
      c.kind === 'add-statement' ? { ...c, statement: { ...c.statement, Sid: 'AllowGetInferenceProfile' } } : c,
    );
    const deny = blockers.find((b) => b.kind === 'deny')?.statements[0];
    const denied = deny ? ` (${deny.policy.name} denies it; no Allow overrides that)` : '';
    return {
      cause: 'missing-get-inference-profile',
      layer: blockers[0]?.layer ?? 'identity',
      summary: `Every check of the invoke passes, but ${get.check.action} on ${get.check.resource} is denied${denied}; consoles and SDK helpers read the profile before they call it.`,
      fix: describeChanges(changes),
      changes,
      verified: changes.length > 0 && evaluate(withChanges(set, changes), get.request).decision === 'Allowed',
      failing: { action: get.check.action, resource: get.check.resource, purpose: get.check.purpose },
      evidence: uniqueStatements(blockers.flatMap((b) => b.statements)),
    };
  }
  const unseen =
    message.layer === 'scp' && !snapshot.scpsPresent
      ? ' AWS names a service control policy, and the SCPs could not be read from this account: deploy with orgRole (or run from the management account) so the guard can replay them.'
      : message.layer && ['session', 'resource', 'vpc-endpoint', 'rcp'].includes(message.layer)
        ? ` AWS answered "${describeMessage(message) ?? 'a policy decided'}", and the guard does not capture that kind of policy.`
        : ' The permissions may have changed since the event, or a policy the guard does not capture (a session policy, a VPC endpoint policy) decided.';
  return {
    cause: 'not-reproduced',
    summary: `Replaying the request on the account as captured allows it.${unseen}`,
    fix: 'Capture the account again and retry the call; if it is still denied, compare the session policy and endpoint policies with what AWS names.',
    changes: [],
    evidence: [],
  };
}

/** Bedrock's own model-access answers, read from the message: no IAM replay can explain them. */
function modelAccessDiagnosis(
  snapshot: Snapshot,
  request: DeniedRequest,
  message: DenialMessage,
  principal: Principal | undefined,
): Diagnosis | undefined {
  const model = request.model;
  const who = principal ? `${principal.kind} ${principal.name}` : request.principal;
  switch (message.modelAccess) {
    case 'marketplace-pending':
      return marketplaceSettling(model, undefined);
    case 'marketplace-permissions':
      return {
        cause: 'model-access',
        layer: 'identity',
        summary: `The first call of ${model} subscribes the account through AWS Marketplace, and the caller may not subscribe.`,
        fix: `Let the first caller (or an administrator, once) subscribe: allow aws-marketplace:Subscribe, aws-marketplace:Unsubscribe and aws-marketplace:ViewSubscriptions, then retry after a few minutes.`,
        changes: [
          {
            layer: 'identity',
            kind: 'add-statement',
            target: `the identity policies of ${who}`,
            statement: {
              Sid: 'AllowBedrockMarketplaceSubscription',
              Effect: 'Allow',
              Action: ['aws-marketplace:Subscribe', 'aws-marketplace:Unsubscribe', 'aws-marketplace:ViewSubscriptions'],
              Resource: '*',
            },
          },
        ],
        evidence: [],
      };
    case 'use-case-form':
      return {
        cause: 'model-access',
        summary: `The use-case form for ${model}'s provider has not been submitted for account ${snapshot.account.accountId}.`,
        fix: "Submit the provider's use-case details once (Bedrock console, or PutUseCaseForModelAccess), then retry.",
        changes: [],
        evidence: [],
      };
    default:
      return undefined;
  }
}

function marketplaceSettling(model: string, minutes: number | undefined): Diagnosis {
  return {
    cause: 'marketplace-settling',
    summary: `${model} is a third-party model${minutes !== undefined ? ` first used in this account ${minutes} minute${minutes === 1 ? '' : 's'} before the denial` : ''}: its automatic AWS Marketplace subscription is still being set up, which takes up to 15 minutes. IAM is not the cause.`,
    fix: 'Retry in a few minutes; if it still fails after 15 minutes, check the caller may subscribe (aws-marketplace:Subscribe, ViewSubscriptions) and the account has a valid payment method.',
    changes: [],
    evidence: [],
  };
}

/** Models not sold by Amazon are subscribed to through AWS Marketplace on first use. */
export function thirdParty(snapshot: Pick<Snapshot, 'foundationModels'>, modelId: string): boolean {
  const provider = snapshot.foundationModels.find((m) => m.modelId === modelId)?.providerName?.toLowerCase();
  const vendor = provider?.split(/\s/)[0] ?? modelId.slice(0, modelId.indexOf('.'));
  return !SOLD_BY_AWS.has(vendor);
}

/** Providers whose serverless models Bedrock sells itself, with no AWS Marketplace product (PRODUCT.md). */
const SOLD_BY_AWS = new Set(['amazon', 'deepseek', 'mistral', 'meta', 'qwen']);

/** Whether every deciding check is allowed once the changes are made. */
function replayAllows(
  set: Principal['policies'],
  changes: readonly PolicyChange[],
  judged: readonly JudgedCheck[],
): boolean {
  if (changes.length === 0) return false;
  const changed = withChanges(set, changes);
  return judged.filter((j) => !j.check.advisory).every((j) => evaluate(changed, j.request).decision === 'Allowed');
}

/** Blockers in other layers than the first: "Also: no identity policy of role X allows it." */
function otherLayers(blockers: readonly Blocker[], first: Blocker, principal: Principal): string {
  const seen = new Set([`${first.layer}|${first.kind}`]);
  const out: string[] = [];
  for (const b of blockers) {
    const key = `${b.layer}|${b.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      b.kind === 'deny'
        ? `${(b.statements[0] as StatementRef).policy.name} (${b.layer === 'scp' ? 'an SCP' : b.layer === 'boundary' ? 'the permissions boundary' : 'an identity policy'}) denies it too.`
        : b.layer === 'identity'
          ? `No identity policy of ${principal.kind} ${principal.name} allows it either.`
          : b.layer === 'boundary'
            ? 'The permissions boundary does not allow it either.'
            : `No SCP attached to ${b.target ?? 'a level'} allows it either.`,
    );
  }
  return out.map((sentence) => ` ${sentence}`).join('');
}

/** The advisory GetInferenceProfile, denied beside the real causes: worth adding with them. */
function advisoryNote(judged: readonly (JudgedCheck & { result: { decision: string } })[], principal: Principal) {
  const get = judged.find((j) => j.check.advisory && j.result.decision !== 'Allowed');
  return get
    ? `Also allow ${get.check.action} on ${get.check.resource} for ${principal.kind} ${principal.name}: consoles and SDK helpers read the profile first.`
    : undefined;
}

/** The changes in words: what to edit, one sentence each. */
export function describeChanges(changes: readonly PolicyChange[]): string {
  if (changes.length === 0) return 'No policy edit can allow it.';
  return changes
    .map((c) =>
      c.kind === 'replace-statement'
        ? c.layer === 'scp'
          ? `In ${c.target}, exempt calls made through inference profiles (ArnNotLike bedrock:InferenceProfileArn), as AWS documents.`
          : `Replace ${c.target} as shown.`
        : `Add statement ${String(c.statement.Sid)} to ${c.target}.`,
    )
    .join(' ');
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

const MODEL_ACCESS_FIX =
  'Then make sure the account has access to the model: a third-party model is subscribed through AWS Marketplace on its first call (aws-marketplace:Subscribe and ViewSubscriptions for the caller, a valid payment method; the use-case form for Anthropic models).';
