import { PolicyGrammarError } from '../../errors.js';
import { type CompiledCondition, compileCondition } from './condition.js';
import { compileResourceTokens, compileTokens, memoise, parseTemplate, type Template } from './pattern.js';
import type { AuthorizationRequest, Effect, PolicySource, RequestContext, StringTest } from './types.js';

export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** The statement as written, for rules that judge its shape (which condition keys it sets, a `*` resource). */
  readonly raw: Readonly<Record<string, unknown>>;
  /** True when the request's action is covered (Action) or not excluded (NotAction). */
  matchesAction(actionLower: string): boolean;
  matchesResource(resource: string, context: RequestContext): boolean;
  matchesConditions(context: RequestContext): boolean;
}

export interface CompiledPolicy {
  readonly source: PolicySource;
  readonly statements: readonly CompiledStatement[];
  /** Context keys read by conditions or variables (lower-case); tells which principal facts a decision depends on. */
  readonly reads: ReadonlySet<string>;
  /** The statements whose Action/NotAction covers `actionLower`, memoised per action. */
  statementsFor(actionLower: string): readonly CompiledStatement[];
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
  'NotPrincipal',
]);
/** Per-statement memo of resource answers; bounded so that a long batch of distinct ARNs can't grow it. */
const RESOURCE_MEMO_LIMIT = 4096;
const ACTION = /^([a-zA-Z0-9-]+:[a-zA-Z0-9*?]+|\*)$/;

function fail(message: string, where: string, hint?: string): never {
  throw new PolicyGrammarError(message, hint === undefined ? { location: where } : { location: where, hint });
}

function stringList(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) fail('must not be an empty list', where);
  return list.map((v, i) =>
    typeof v === 'string' ? v : fail(`expected a string, got ${JSON.stringify(v)}`, `${where}[${i}]`),
  );
}

function compileActions(raw: unknown, where: string): (actionLower: string) => boolean {
  const tests = stringList(raw, where).map((a, i) => {
    if (!ACTION.test(a)) {
      fail(
        `"${a}" is not an action`,
        `${where}[${i}]`,
        'Actions look like "bedrock:InvokeModel" or "bedrock:Invoke*".',
      );
    }
    return compileTokens(parseTemplate(a.toLowerCase(), false).resolve(new Map()) ?? []);
  });
  return (actionLower) => tests.some((t) => t(actionLower));
}

function compileResources(raw: unknown, where: string, variables: boolean) {
  const templates: Template[] = stringList(raw, where).map((r) => parseTemplate(r, variables));
  const fixed: (StringTest | undefined)[] = templates.map((t) =>
    t.hasVariables ? undefined : compileResourceTokens(t.resolve(new Map()) ?? []),
  );
  const dynamic = memoise(compileResourceTokens);
  const reads = templates.flatMap((t) => t.variableKeys);
  const test = (resource: string, context: RequestContext): boolean => {
    for (let i = 0; i < templates.length; i++) {
      const f = fixed[i];
      if (f) {
        if (f(resource)) return true;
        continue;
      }
      // A variable without a value and without a default matches nothing.
      const tokens = (templates[i] as Template).resolve(context);
      if (tokens && dynamic(tokens)(resource)) return true;
    }
    return false;
  };
  if (reads.length > 0) return { reads, test };
  // Without variables the answer depends on the resource alone: remember it, since
  // sweeps ask the same statement about the same few thousand ARNs many times.
  const seen = new Map<string, boolean>();
  return {
    reads,
    test(resource: string, context: RequestContext): boolean {
      let hit = seen.get(resource);
      if (hit === undefined) {
        hit = test(resource, context);
        if (seen.size >= RESOURCE_MEMO_LIMIT) seen.clear();
        seen.set(resource, hit);
      }
      return hit;
    },
  };
}

function compileStatement(
  raw: unknown,
  index: number,
  where: string,
  variables: boolean,
  layer: PolicySource['layer'],
) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('a statement must be an object', where);
  const s = raw as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!STATEMENT_KEYS.has(key)) {
      fail(`unknown statement element "${key}"`, `${where}.${key}`, `Elements are ${[...STATEMENT_KEYS].join(', ')}.`);
    }
  }
  if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
    fail(
      'identity-based policies, boundaries and SCPs cannot name a Principal',
      `${where}.${s.Principal !== undefined ? 'Principal' : 'NotPrincipal'}`,
      'Principal belongs in resource-based policies such as trust policies.',
    );
  }
  const effect = s.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') fail('Effect must be "Allow" or "Deny"', `${where}.Effect`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') fail('Sid must be a string', `${where}.Sid`);
  if ((s.Action === undefined) === (s.NotAction === undefined)) {
    fail('a statement needs exactly one of Action or NotAction', where);
  }
  const notAction = s.NotAction !== undefined;
  const actionTest = compileActions(
    notAction ? s.NotAction : s.Action,
    `${where}.${notAction ? 'NotAction' : 'Action'}`,
  );
  const hasResource = s.Resource !== undefined || s.NotResource !== undefined;
  if (s.Resource !== undefined && s.NotResource !== undefined) {
    fail('a statement takes Resource or NotResource, not both', where);
  }
  // SCPs may omit Resource (it then means "*"); identity policies and boundaries may not.
  if (!hasResource && layer !== 'scp') fail('a statement needs Resource or NotResource', where);
  const notResource = s.NotResource !== undefined;
  const resources = hasResource
    ? compileResources(
        notResource ? s.NotResource : s.Resource,
        `${where}.${notResource ? 'NotResource' : 'Resource'}`,
        variables,
      )
    : undefined;

  const conditions: CompiledCondition[] = [];
  if (s.Condition !== undefined) {
    if (typeof s.Condition !== 'object' || s.Condition === null || Array.isArray(s.Condition)) {
      fail('Condition must be an object of operators', `${where}.Condition`);
    }
    for (const [op, block] of Object.entries(s.Condition as Record<string, unknown>)) {
      if (typeof block !== 'object' || block === null || Array.isArray(block)) {
        fail(`"${op}" must map condition keys to values`, `${where}.Condition.${op}`);
      }
      for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
        conditions.push(compileCondition(op, key, values, variables, `${where}.Condition.${op}.${key}`));
      }
    }
  }
  const statement: CompiledStatement = {
    index,
    sid: s.Sid as string | undefined,
    effect,
    raw: s,
    matchesAction: notAction ? (a) => !actionTest(a) : actionTest,
    matchesResource: !resources
      ? () => true
      : notResource
        ? (r, c) => !resources.test(r, c)
        : (r, c) => resources.test(r, c),
    matchesConditions: (c) => {
      for (const cond of conditions) if (!cond.test(c)) return false;
      return true;
    },
  };
  return { statement, reads: [...(resources?.reads ?? []), ...conditions.flatMap((c) => c.reads)] };
}

/**
 * Decode a policy document as AWS APIs return it: an object, a JSON string, or
 * a URL-encoded JSON string (GetAccountAuthorizationDetails in some tools).
 */
export function decodePolicyDocument(raw: unknown, where: string): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trimStart().startsWith('{') ? raw : safeDecode(raw, where);
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`policy document is not valid JSON: ${(error as Error).message}`, where);
  }
}

function safeDecode(raw: string, where: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return fail('policy document is neither JSON nor URL-encoded JSON', where);
  }
}

/**
 * Compile a policy document once into fast matchers. Throws
 * `PolicyGrammarError` naming the JSON path for anything IAM would reject or
 * that we could not evaluate faithfully: never a guessed allow or deny.
 */
export function compilePolicy(document: unknown, source: PolicySource, where: string): CompiledPolicy {
  const doc = decodePolicyDocument(document, where);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail('a policy document must be a JSON object', where);
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (key !== 'Version' && key !== 'Statement' && key !== 'Id') {
      fail(`unknown policy element "${key}"`, `${where}.${key}`, 'A policy has Version, Id and Statement.');
    }
  }
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') {
    fail(`unknown Version "${String(d.Version)}"`, `${where}.Version`, 'Use "2012-10-17".');
  }
  // Policy variables exist only from Version 2012-10-17; before it `${…}` is literal text.
  const variables = d.Version === '2012-10-17';
  if (d.Statement === undefined) fail('a policy needs a Statement', where);
  const rawStatements = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  const reads = new Set<string>();
  const statements = rawStatements.map((s, i) => {
    const compiled = compileStatement(s, i, `${where}.Statement[${i}]`, variables, source.layer);
    for (const k of compiled.reads) reads.add(k);
    return compiled.statement;
  });
  const byAction = new Map<string, readonly CompiledStatement[]>();
  return {
    source,
    statements,
    reads,
    statementsFor(actionLower) {
      let list = byAction.get(actionLower);
      if (!list) {
        list = statements.filter((s) => s.matchesAction(actionLower));
        byAction.set(actionLower, list);
      }
      return list;
    },
  };
}

/** Whether a statement applies to a request (action already filtered by `statementsFor`). */
export function statementApplies(statement: CompiledStatement, request: AuthorizationRequest): boolean {
  return statement.matchesResource(request.resource, request.context) && statement.matchesConditions(request.context);
}
