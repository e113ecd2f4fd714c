import type { RouteCheck } from '../bedrock/routes.js';
import { evaluate, type PolicySet, type ScpLevel } from '../iam/evaluate.js';
import { type CompiledPolicy, compilePolicy } from '../iam/policy.js';
import type { AuthorizationRequest, PolicyLayer, StatementRef } from '../iam/types.js';
import { isGuardInlineName, isGuardPolicyArn } from '../plan/guard-owned.js';
import type { Principal } from '../snapshot/types.js';
import type { PolicyChange } from './diagnosis.js';

/** A deciding check of the route, with the request the evaluator judged. */
export interface JudgedCheck {
  readonly check: RouteCheck;
  readonly request: AuthorizationRequest;
}

/** One thing that stops a request: a Deny, or a layer (an SCP level, the boundary, the identity policies) without an Allow. */
export interface Blocker {
  readonly layer: PolicyLayer;
  readonly kind: 'deny' | 'no-allow';
  /** For SCPs: the level. */
  readonly target?: string;
  /** The Deny statements (for `deny`). */
  readonly statements: readonly StatementRef[];
  readonly judged: JudgedCheck;
}

const allowsOnly = (p: CompiledPolicy): CompiledPolicy => ({
  ...p,
  statementsFor: (action) => p.statementsFor(action).filter((s) => s.effect === 'Allow'),
});

/** One layer on its own: its Denies that apply, and whether an Allow applies (Denies aside). */
function judgeLayer(policies: readonly CompiledPolicy[], request: AuthorizationRequest) {
  const alone = (list: readonly CompiledPolicy[]) =>
    evaluate({ identity: list, boundary: undefined, scps: [] }, request);
  const whole = alone(policies);
  const denies = whole.decision === 'ExplicitlyDenied' ? whole.statements : [];
  const allows = whole.decision === 'Allowed' || alone(policies.map(allowsOnly)).decision === 'Allowed';
  return { denies, allows };
}

/**
 * Everything that stops one request, layer by layer (each SCP level, the
 * boundary, the identity policies), not just the first one AWS's evaluation
 * meets: fixing only that one would leave the request denied.
 */
export function blockersOf(set: PolicySet, judged: JudgedCheck): Blocker[] {
  const out: Blocker[] = [];
  const add = (layer: PolicyLayer, policies: readonly CompiledPolicy[], target?: string) => {
    const { denies, allows } = judgeLayer(policies, judged.request);
    const at = target === undefined ? {} : { target };
    if (denies.length > 0) out.push({ layer, kind: 'deny', ...at, statements: denies, judged });
    if (!allows) out.push({ layer, kind: 'no-allow', ...at, statements: [], judged });
  };
  for (const level of set.scps) add('scp', level.policies, level.target);
  if (set.boundary) add('boundary', [set.boundary]);
  add('identity', set.identity);
  return out;
}

/** A Deny written by the guard itself: a managed policy under its path, or an inline policy with its prefix. */
export const isGuardStatement = (ref: StatementRef): boolean =>
  ref.policy.kind === 'inline' ? isGuardInlineName(ref.policy.name) : isGuardPolicyArn(ref.policy.id);

const REGION_KEY = 'aws:requestedregion';
const PROFILE_KEY = 'bedrock:inferenceprofilearn';

/** The raw statement a reference points to, in the principal's policy set. */
export function rawStatement(set: PolicySet, ref: StatementRef): Readonly<Record<string, unknown>> | undefined {
  const policies =
    ref.policy.layer === 'scp'
      ? set.scps.flatMap((l) => l.policies)
      : [...set.identity, ...(set.boundary ? [set.boundary] : [])];
  return policies.find((p) => p.source.id === ref.policy.id && p.source.name === ref.policy.name)?.statements[ref.index]
    ?.raw;
}

const conditionKeys = (statement: Readonly<Record<string, unknown>>): string[] =>
  Object.values((statement.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((block) =>
    Object.keys(block).map((k) => k.toLowerCase()),
  );

/** A Region deny (`aws:RequestedRegion` outside a list) met by a request a profile routed: seed 001's SCP. */
export function isRegionDenyOnProfileCall(statement: Readonly<Record<string, unknown>> | undefined, check: RouteCheck) {
  return statement !== undefined && conditionKeys(statement).includes(REGION_KEY) && PROFILE_KEY in check.context;
}

/** The profiles a Region deny already exempts (`ArnNotLike bedrock:InferenceProfileArn`), as written. */
export function profileExemptionOf(statement: Readonly<Record<string, unknown>>): string[] {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  const key = Object.keys(condition.ArnNotLike ?? {}).find((k) => k.toLowerCase() === PROFILE_KEY);
  const existing = key === undefined ? undefined : condition.ArnNotLike?.[key];
  return existing === undefined ? [] : Array.isArray(existing) ? (existing as string[]) : [existing as string];
}

/**
 * The Region deny with an exemption for calls made through inference
 * profiles: AWS's documented one (every profile), or, when the statement
 * already exempts some profiles on purpose, just the one the request used.
 */
function withProfileExemption(statement: Readonly<Record<string, unknown>>, partition: string, profile: string) {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  const arnNotLike = { ...(condition.ArnNotLike ?? {}) };
  const existing = profileExemptionOf(statement);
  const key = Object.keys(arnNotLike).find((k) => k.toLowerCase() === PROFILE_KEY) ?? 'bedrock:InferenceProfileArn';
  const added =
    existing.length > 0
      ? [profile.replace(/^arn:([^:]+):bedrock:[^:]*:[^:]*:/, 'arn:$1:bedrock:*:*:')]
      : [
          `arn:${partition}:bedrock:*:*:inference-profile/*`,
          `arn:${partition}:bedrock:*:*:application-inference-profile/*`,
        ];
  arnNotLike[key] = [...new Set([...existing, ...added])];
  return { ...statement, Condition: { ...condition, ArnNotLike: arnNotLike } };
}

const one = (list: readonly string[]): string | string[] => (list.length === 1 ? (list[0] as string) : [...list]);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * The Allow statements that cover `judged`: plain ones; those for models a
 * profile reaches, limited to that profile (`bedrock:InferenceProfileArn`);
 * and the Region-less model of a global profile, which AWS authorises with
 * `aws:RequestedRegion = unspecified`. Unscoped (for SCPs), plain ones only.
 * One action per statement: actions × resources in one statement would grant
 * pairs no check asked for (`bedrock:InvokeModel` on the `*` of an API key's
 * `CallWithBearerToken`).
 */
function allowStatements(judged: readonly JudgedCheck[], scoped = true): Record<string, unknown>[] {
  const groups = new Map<
    string,
    { sid: string; condition?: Record<string, unknown>; action: string; resources: string[] }
  >();
  for (const { check } of judged) {
    const profile = scoped ? check.context[PROFILE_KEY] : undefined;
    const global = check.context[REGION_KEY] === 'unspecified';
    const sid = profile ? (global ? 'AllowGlobalInferenceProfile' : 'AllowThroughInferenceProfile') : 'AllowBedrock';
    const condition = profile
      ? {
          ...(global ? { StringEquals: { 'aws:RequestedRegion': 'unspecified' } } : {}),
          StringLike: { 'bedrock:InferenceProfileArn': profile },
        }
      : undefined;
    const key = `${sid}|${profile ?? ''}|${check.action}`;
    let group = groups.get(key);
    if (!group) {
      groups.set(key, (group = { sid, ...(condition ? { condition } : {}), action: check.action, resources: [] }));
    }
    group.resources.push(check.resource);
  }
  const all = [...groups.values()];
  // Sids are unique within a policy: a second action of the same kind of statement is named after its action.
  const shared = (sid: string) => all.filter((g) => g.sid === sid).length > 1;
  return all.map((g) => ({
    Sid: shared(g.sid) ? `${g.sid}${g.action.slice(g.action.indexOf(':') + 1)}` : g.sid,
    Effect: 'Allow',
    Action: g.action,
    Resource: one(sorted(g.resources)),
    ...(g.condition ? { Condition: g.condition } : {}),
  }));
}

export interface ChangeContext {
  readonly principal: Principal;
  readonly partition: string;
}

/**
 * The smallest set of edits that removes every blocker a person may change:
 * an inference-profile exemption in a Region-deny SCP, an Allow where a
 * layer has none. Other Denies (the guard's, a customer's deliberate one)
 * get no edit: the diagnosis says whose decision they are.
 */
export function changesFor(set: PolicySet, blockers: readonly Blocker[], ctx: ChangeContext): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const who = `${ctx.principal.kind} ${ctx.principal.name}`;
  const replaced = new Set<string>();
  for (const b of blockers.filter((x) => x.kind === 'deny' && x.layer === 'scp')) {
    for (const ref of b.statements) {
      const raw = rawStatement(set, ref);
      const key = `${ref.policy.id}#${ref.index}`;
      if (!raw || replaced.has(key) || !isRegionDenyOnProfileCall(raw, b.judged.check)) continue;
      replaced.add(key);
      changes.push({
        layer: 'scp',
        kind: 'replace-statement',
        target: `SCP ${ref.policy.name} (${ref.policy.id}), statement ${ref.sid ?? `#${ref.index}`}`,
        policyId: ref.policy.id,
        ...(ref.policy.target ? { scpTarget: ref.policy.target } : {}),
        index: ref.index,
        statement: withProfileExemption(raw, ctx.partition, b.judged.check.context[PROFILE_KEY] as string),
      });
    }
  }
  const missing = (layer: PolicyLayer, target?: string) =>
    blockers.filter((b) => b.kind === 'no-allow' && b.layer === layer && b.target === target).map((b) => b.judged);
  for (const target of new Set(
    blockers.filter((b) => b.layer === 'scp' && b.kind === 'no-allow').map((b) => b.target),
  )) {
    for (const statement of allowStatements(missing('scp', target), false)) {
      changes.push({
        layer: 'scp',
        kind: 'add-statement',
        target: `an SCP attached to ${target}`,
        ...(target ? { scpTarget: target } : {}),
        statement,
      });
    }
  }
  const boundary = missing('boundary');
  if (boundary.length > 0 && set.boundary) {
    for (const statement of allowStatements(boundary)) {
      changes.push({
        layer: 'boundary',
        kind: 'add-statement',
        target: `the permissions boundary ${set.boundary.source.name} of ${who}`,
        policyId: set.boundary.source.id,
        statement,
      });
    }
  }
  for (const statement of allowStatements(missing('identity'))) {
    changes.push({ layer: 'identity', kind: 'add-statement', target: `the identity policies of ${who}`, statement });
  }
  return changes;
}

const SUGGESTED = 'bedrock-guard-suggested';

/** The policy set with the changes made, to replay the request on. */
export function withChanges(set: PolicySet, changes: readonly PolicyChange[]): PolicySet {
  const doc = (statements: readonly unknown[]) => ({ Version: '2012-10-17', Statement: statements });
  const raws = (p: CompiledPolicy) => p.statements.map((s) => s.raw);
  const adds = (layer: PolicyLayer, match: (c: PolicyChange) => boolean) =>
    changes.filter((c) => c.layer === layer && c.kind === 'add-statement' && match(c)).map((c) => c.statement);
  const scps: ScpLevel[] = set.scps.map((level) => {
    const policies = level.policies.map((p) => {
      const edits = changes.filter((c) => c.kind === 'replace-statement' && c.policyId === p.source.id);
      if (edits.length === 0) return p;
      const statements = raws(p).map((s, i) => edits.find((c) => c.index === i)?.statement ?? s);
      return compilePolicy(doc(statements), p.source, SUGGESTED);
    });
    const added = adds('scp', (c) => c.scpTarget === level.target);
    if (added.length > 0) {
      policies.push(
        compilePolicy(
          doc(added),
          { layer: 'scp', kind: 'scp', name: SUGGESTED, id: SUGGESTED, target: level.target },
          SUGGESTED,
        ),
      );
    }
    return { target: level.target, policies };
  });
  const boundaryAdds = adds('boundary', () => true);
  const boundary =
    set.boundary && boundaryAdds.length > 0
      ? compilePolicy(doc([...raws(set.boundary), ...boundaryAdds]), set.boundary.source, SUGGESTED)
      : set.boundary;
  const identityAdds = adds('identity', () => true);
  const identity =
    identityAdds.length > 0
      ? [
          ...set.identity,
          compilePolicy(
            doc(identityAdds),
            { layer: 'identity', kind: 'inline', name: SUGGESTED, id: SUGGESTED },
            SUGGESTED,
          ),
        ]
      : set.identity;
  return { identity, boundary, scps };
}
