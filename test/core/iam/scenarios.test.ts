/**
 * Table-driven evaluator scenarios: every `scenarios/*.json` file becomes a
 * `describe`, each of its scenarios a nested `describe`, each case one test.
 *
 * File shape:
 * ```jsonc
 * {
 *   "description": "what this file covers",
 *   "scenarios": [{
 *     "description": "one policy set",
 *     "policies": {
 *       "identity": [doc, ...],                                // named identity[0], identity[1], ...
 *       "boundary": doc,                                       // optional; named boundary
 *       "scps": [{ "target": "r-root", "policies": [doc] }]    // root first; named scp:<target>[j]
 *     },
 *     "cases": [{
 *       "name": "why this case exists",
 *       "action": "bedrock:InvokeModel",
 *       "resource": "arn:aws:bedrock:us-east-1::foundation-model/x",
 *       "context": { "aws:PrincipalTag/team": "ds", "aws:TagKeys": ["a", "b"] },  // exactly the request context
 *       "expect": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied",
 *       "blockedBy": { "layer": "identity" | "boundary" | "scp", "target": "r-root" },  // required for denials
 *       "statements": ["identity[0].Statement[1]", "scp:r-root[0].Statement[0]"]      // optional, in order
 *     }]
 *   }]
 * }
 * ```
 * A policy document may be an object, a JSON string or a URL-encoded JSON
 * string, as `GetAccountAuthorizationDetails` returns them. The context is
 * taken literally (no derived `aws:RequestedRegion` or time), so an absent key
 * in a case is absent in the request.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contextFrom } from '../../../shared/core/iam/context.js';
import { evaluate, type PolicySet } from '../../../shared/core/iam/evaluate.js';
import { compilePolicy } from '../../../shared/core/iam/policy.js';
import {
  type ContextValue,
  DECISIONS,
  type Decision,
  type PolicyLayer,
  type PolicySource,
  type StatementRef,
} from '../../../shared/core/iam/types.js';

interface ScenarioCase {
  readonly name: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, ContextValue>;
  readonly expect: Decision;
  readonly blockedBy?: { readonly layer: PolicyLayer; readonly target?: string };
  readonly statements?: readonly string[];
}

interface Scenario {
  readonly description: string;
  readonly policies: {
    readonly identity?: readonly unknown[];
    readonly boundary?: unknown;
    readonly scps?: readonly { readonly target: string; readonly policies: readonly unknown[] }[];
  };
  readonly cases: readonly ScenarioCase[];
}

interface ScenarioFile {
  readonly description: string;
  readonly scenarios: readonly Scenario[];
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const CASE_KEYS = new Set(['name', 'action', 'resource', 'context', 'expect', 'blockedBy', 'statements']);
const SCENARIO_KEYS = new Set(['description', 'policies', 'cases']);
const POLICY_KEYS = new Set(['identity', 'boundary', 'scps']);

function checkKeys(value: object, allowed: Set<string>, where: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) throw new Error(`${where}: unknown key "${key}"`);
}

/** Catch typos in fixtures ("expcet") that would otherwise make a case silently check less. */
function checkCase(c: ScenarioCase, where: string): void {
  checkKeys(c, CASE_KEYS, where);
  if (!DECISIONS.includes(c.expect)) throw new Error(`${where}: expect must be one of ${DECISIONS.join(', ')}`);
  if (c.expect !== 'Allowed' && c.blockedBy === undefined) throw new Error(`${where}: a denial needs blockedBy`);
  if (c.expect === 'Allowed' && c.blockedBy !== undefined) throw new Error(`${where}: an allow has no blockedBy`);
}

function source(layer: PolicyLayer, name: string, target?: string): PolicySource {
  const kind = layer === 'scp' ? 'scp' : 'managed';
  return target === undefined ? { layer, name, id: name, kind } : { layer, name, id: name, kind, target };
}

function buildPolicySet(policies: Scenario['policies'], where: string): PolicySet {
  const identity = (policies.identity ?? []).map((doc, i) =>
    compilePolicy(doc, source('identity', `identity[${i}]`), `${where}.identity[${i}]`),
  );
  const boundary =
    policies.boundary === undefined
      ? undefined
      : compilePolicy(policies.boundary, source('boundary', 'boundary'), `${where}.boundary`);
  const scps = (policies.scps ?? []).map((level) => ({
    target: level.target,
    policies: level.policies.map((doc, j) =>
      compilePolicy(
        doc,
        source('scp', `scp:${level.target}[${j}]`, level.target),
        `${where}.scps.${level.target}[${j}]`,
      ),
    ),
  }));
  return { identity, boundary, scps };
}

const render = (s: StatementRef) => `${s.policy.name}.Statement[${s.index}]`;

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

it('finds the scenario files', () => {
  expect(files.length).toBeGreaterThan(0);
});

for (const file of files) {
  const spec = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as ScenarioFile;
  describe(`${file}: ${spec.description}`, () => {
    for (const scenario of spec.scenarios) {
      describe(scenario.description, () => {
        checkKeys(scenario, SCENARIO_KEYS, `${file} › ${scenario.description}`);
        checkKeys(scenario.policies, POLICY_KEYS, `${file} › ${scenario.description} › policies`);
        const set = buildPolicySet(scenario.policies, file);
        for (const c of scenario.cases) {
          it(c.name, () => {
            checkCase(c, `${file} › ${scenario.description} › ${c.name}`);
            const result = evaluate(set, {
              action: c.action,
              resource: c.resource,
              context: contextFrom(c.context ?? {}),
            });
            expect(result.decision).toBe(c.expect);
            expect(result.blockedBy).toEqual(c.blockedBy);
            if (c.statements) expect(result.statements.map(render)).toEqual(c.statements);
          });
        }
      });
    }
  });
}
