import { beforeAll, describe, expect, it } from 'vitest';
import { bedrockRoutes, type Route } from '../../../shared/core/bedrock/routes.js';
import { decideRoutes } from '../../../shared/core/bedrock/decide.js';
import {
  budgetDeny,
  budgetDenyExpiry,
  budgetDenyName,
  budgetIdOfDenyName,
  isBudgetDenyName,
} from '../../../shared/core/budgets/budget-deny.js';
import { budgetIds } from '../../../shared/core/budgets/budgets.js';
import { budgetWindow } from '../../../shared/core/budgets/window.js';
import { contextFrom, LayeredContext, requestContext } from '../../../shared/core/iam/context.js';
import { evaluate, type PolicySet } from '../../../shared/core/iam/evaluate.js';
import { compilePolicy } from '../../../shared/core/iam/policy.js';
import type { DenyDocument } from '../../../shared/core/plan/deny-document.js';
import { documentSize, guardPolicyName, isGuardInlineName } from '../../../shared/core/plan/guard-owned.js';
import { globMatcher } from '../../../shared/core/policy-file/glob.js';
import { parsePolicyFile } from '../../../shared/core/policy-file/parse.js';
import type { Budget, PolicyFile } from '../../../shared/core/policy-file/types.js';
import { principalContext } from '../../../shared/core/snapshot/principal-context.js';
import type { Principal, Snapshot } from '../../../shared/core/snapshot/types.js';
import { readSnapshotFolder } from '../../../shared/snapshot/read-folder.js';
import { BedrockGuardError } from '../../../shared/errors.js';
import { DEMO_DIR, fixtureDir } from '../../support/snapshot-fixtures.js';

const END = '2025-11-19T00:00:00Z';
const BEFORE = [new Date('2025-11-18T00:00:00Z'), new Date('2025-11-18T23:59:59Z')];
const AFTER = [new Date(END), new Date('2025-11-19T00:00:01Z'), new Date('2025-12-25T12:00:00Z')];

function policyOf(text: string): PolicyFile {
  const { policy, issues } = parsePolicyFile(text, 'x.yaml');
  if (!policy) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return policy;
}

/** A premium set with a model on every kind of route of the demo catalogue. */
const POLICY = policyOf(`
version: 1
regions: [us-east-1, us-east-2, us-west-2]
models:
  standard: [amazon.nova-micro-v1:0, amazon.nova-lite-v1:0, anthropic.claude-3-haiku-20240307-v1:0]
  premium:
    - 'anthropic.claude-3-opus-*'        # us. profiles
    - deepseek.r1-v1:0                   # us. profiles
    - amazon.nova-pro-v1:0               # an application profile
    - anthropic.claude-sonnet-4-20250514-v1:0  # a global profile
teams:
  - name: data-science
    principals: { tags: { team: data-science } }
    models: [standard, premium]
  - name: playground
    principals: 'arn:aws:iam::*:role/Playground'
    models: [premium]
budgets:
  - { team: data-science, models: [premium], window: 1d, max: { invocations: 100 } }
  - { team: playground, models: [premium], window: 1d, max: { invocations: 100 } }
`);
const BUDGET = POLICY.budgets[0] as Budget;
const PREMIUM = (POLICY.models.premium ?? []).map(globMatcher);
const isPremium = (modelId: string) => PREMIUM.some((m) => m(modelId));

const allowAll = compilePolicy(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  { layer: 'identity', kind: 'managed', name: 'AllowAll', id: 'arn:aws:iam::aws:policy/AllowAll' },
  'AllowAll',
);
const compiledDeny = (document: DenyDocument, owner: string) =>
  compilePolicy(document, { layer: 'identity', kind: 'inline', name: budgetDenyName('b'), id: owner }, 'budget deny');

/** Invoke-family routes: every route but batch, which budgets neither meter nor deny. */
const metered = (route: Route) => route.kind !== 'batch';

describe('budgetDeny', () => {
  let demo: Snapshot;
  let deny: DenyDocument;
  const principal = (name: string): Principal => {
    const p = demo.principals.find((x) => x.name === name);
    if (!p) throw new Error(name);
    return p;
  };
  const modelIds = () => [...new Set(demo.foundationModels.map((m) => m.modelId))].sort();

  /** Every route of `modelId` in `region` for `who`, decided under `set` at `now`. */
  const decisions = (
    snapshot: Snapshot,
    set: PolicySet,
    who: Principal,
    modelId: string,
    region: string,
    now: Date,
  ) => {
    const facts = principalContext(who, snapshot.account);
    const routes = bedrockRoutes(snapshot, { modelId, region, principalKind: who.kind });
    return decideRoutes(routes, (check) =>
      evaluate(set, {
        action: check.action,
        resource: check.resource,
        context: new LayeredContext([facts, requestContext(check.resource, now), contextFrom(check.context)]),
      }),
    );
  };

  beforeAll(async () => {
    demo = await readSnapshotFolder(DEMO_DIR);
    deny = budgetDeny(POLICY, BUDGET, END);
  });

  it('denies the invoke actions on the models and their system profiles, until the window ends', () => {
    const until = { DateLessThan: { 'aws:CurrentTime': END } };
    expect(deny).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'BedrockGuardBudget',
          Effect: 'Deny',
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          Resource: [
            'arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0',
            'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-opus-*',
            'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0',
            'arn:aws:bedrock:*::foundation-model/deepseek.r1-v1:0',
            'arn:aws:bedrock:*:*:inference-profile/*.amazon.nova-pro-v1:0',
            'arn:aws:bedrock:*:*:inference-profile/*.anthropic.claude-3-opus-*',
            'arn:aws:bedrock:*:*:inference-profile/*.anthropic.claude-sonnet-4-20250514-v1:0',
            'arn:aws:bedrock:*:*:inference-profile/*.deepseek.r1-v1:0',
          ],
          Condition: until,
        },
        {
          Sid: 'BedrockGuardBudgetMantle',
          Effect: 'Deny',
          Action: 'bedrock-mantle:CreateInference',
          Resource: '*',
          Condition: {
            StringLike: {
              'bedrock-mantle:Model': [
                'amazon.nova-pro-v1:0',
                'anthropic.claude-3-opus-*',
                'anthropic.claude-sonnet-4-20250514-v1:0',
                'deepseek.r1-v1:0',
              ],
            },
            ...until,
          },
        },
      ],
    });
  });

  it('is small enough for an IAM user’s inline budget, and compiles', () => {
    expect(documentSize(deny)).toBeLessThan(2048);
    expect(() => compiledDeny(deny, 'x')).not.toThrow();
  });

  it('denies every metered route of a budget model before the window ends — directly, through system, global and application profiles, mantle and API keys', () => {
    const set: PolicySet = { identity: [allowAll, compiledDeny(deny, 'x')], boundary: undefined, scps: [] };
    const who = principal('DataScience');
    const kinds = new Set<string>();
    for (const modelId of modelIds().filter(isPremium)) {
      for (const region of ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1']) {
        for (const now of BEFORE) {
          for (const d of decisions(demo, set, who, modelId, region, now)) {
            const what = `${modelId} ${region} ${d.route.id} at ${now.toISOString()}`;
            if (!metered(d.route)) {
              expect(d.allowed, what).toBe(true);
              continue;
            }
            kinds.add(d.route.kind);
            expect(d.allowed, what).toBe(false);
            expect(d.failing?.result.decision, what).toBe('ExplicitlyDenied');
            expect(d.failing?.result.statements[0]?.sid, what).toMatch(/^BedrockGuardBudget/);
          }
        }
      }
    }
    expect([...kinds].sort()).toEqual(
      [
        'api-key',
        'application-profile',
        'async',
        'cross-region-profile',
        'global-profile',
        'invoke',
        'invoke-stream',
        'mantle',
        'mantle-api-key',
      ].sort(),
    );
  });

  it('lifts itself when the window ends: nothing is denied from the end on', () => {
    const set: PolicySet = { identity: [allowAll, compiledDeny(deny, 'x')], boundary: undefined, scps: [] };
    const who = principal('DataScience');
    for (const modelId of modelIds().filter(isPremium)) {
      for (const now of AFTER) {
        for (const d of decisions(demo, set, who, modelId, 'us-east-1', now)) {
          expect(d.allowed, `${modelId} ${d.route.id} at ${now.toISOString()}`).toBe(true);
        }
      }
    }
  });

  it('never denies another model, on any route, before or after the end', () => {
    const set: PolicySet = { identity: [allowAll, compiledDeny(deny, 'x')], boundary: undefined, scps: [] };
    const who = principal('DataScience');
    const others = modelIds().filter((id) => !isPremium(id));
    expect(others).toEqual(
      expect.arrayContaining(['amazon.nova-micro-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0']),
    );
    for (const modelId of others) {
      for (const region of ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1']) {
        for (const now of [...BEFORE, ...AFTER]) {
          for (const d of decisions(demo, set, who, modelId, region, now)) {
            expect(d.allowed, `${modelId} ${region} ${d.route.id} at ${now.toISOString()}`).toBe(true);
          }
        }
      }
    }
  });

  it("on a real principal: takes away the budget models' access before the end and changes nothing else", () => {
    const who = principal('Playground');
    const own = who.policies;
    const withDeny: PolicySet = { ...own, identity: [...own.identity, compiledDeny(deny, who.arn)] };
    const allowedRoutes = (set: PolicySet, modelId: string, region: string, now: Date) =>
      decisions(demo, set, who, modelId, region, now)
        .filter((d) => d.allowed)
        .map((d) => d.route.id);
    let reachable = 0;
    for (const modelId of modelIds()) {
      for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
        for (const now of [...BEFORE, ...AFTER]) {
          const without = allowedRoutes(own, modelId, region, now);
          const withIt = allowedRoutes(withDeny, modelId, region, now);
          const what = `${modelId} ${region} at ${now.toISOString()}`;
          if (isPremium(modelId) && now.getTime() < Date.parse(END)) {
            reachable += without.length;
            const batchOnly = decisions(demo, own, who, modelId, region, now)
              .filter((d) => d.allowed && !metered(d.route))
              .map((d) => d.route.id);
            expect(withIt, what).toEqual(batchOnly);
          } else {
            expect(withIt, what).toEqual(without);
          }
        }
      }
    }
    // The Playground can reach premium models without the deny: the test is not vacuous.
    expect(reachable).toBeGreaterThan(0);
  });

  it('also denies the provisioned models of the budget models it is told of', async () => {
    const cli = await readSnapshotFolder(fixtureDir('cli-objects'));
    const policy = policyOf(`
version: 1
regions: [us-east-1]
models:
  lite: [amazon.nova-lite-v1:0]
  micro: [amazon.nova-micro-v1:0]
teams:
  - { name: all, principals: 'arn:aws:iam::*:role/*', models: [lite, micro] }
budgets:
  - { team: all, models: [lite], window: month, max: { outputTokens: 1000 } }
  - { team: all, models: [micro], window: month, max: { outputTokens: 1000 } }
`);
    const lite = budgetDeny(policy, policy.budgets[0] as Budget, END, { provisionedModels: cli.provisionedModels });
    expect(lite.Statement.at(-1)).toEqual({
      Sid: 'BedrockGuardBudgetProvisioned',
      Effect: 'Deny',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/pq8r2s4t6v1w',
      Condition: { DateLessThan: { 'aws:CurrentTime': END } },
    });
    const micro = budgetDeny(policy, policy.budgets[1] as Budget, END, { provisionedModels: cli.provisionedModels });
    expect(micro.Statement.map((s) => s.Sid)).toEqual(['BedrockGuardBudget', 'BedrockGuardBudgetMantle']);

    const who = cli.principals.find((p) => p.kind === 'role' && !p.serviceLinked) as Principal;
    const set: PolicySet = { identity: [allowAll, compiledDeny(lite, who.arn)], boundary: undefined, scps: [] };
    const provisioned = (now: Date) =>
      decisions(cli, set, who, 'amazon.nova-lite-v1:0', 'us-east-1', now).filter((d) => d.route.kind === 'provisioned');
    expect(provisioned(BEFORE[0] as Date)).toHaveLength(2);
    for (const d of provisioned(BEFORE[0] as Date)) expect(d.allowed, d.route.id).toBe(false);
    for (const d of provisioned(AFTER[0] as Date)) expect(d.allowed, d.route.id).toBe(true);
  });

  it('leaves out the profile pattern of a glob that names no provider, so it cannot reach another model', () => {
    const policy = policyOf(`
version: 1
regions: [us-east-1]
models:
  odd: ['claude-3-haiku*', '*.r1-v1:0']
teams:
  - { name: all, principals: 'arn:aws:iam::*:role/*', models: [odd] }
budgets:
  - { team: all, models: [odd], window: 1d, max: { invocations: 1 } }
`);
    const document = budgetDeny(policy, policy.budgets[0] as Budget, END);
    expect(document.Statement[0]?.Resource).toEqual([
      'arn:aws:bedrock:*::foundation-model/*.r1-v1:0',
      'arn:aws:bedrock:*::foundation-model/claude-3-haiku*',
      'arn:aws:bedrock:*:*:inference-profile/*.*.r1-v1:0',
    ]);
    const set: PolicySet = { identity: [allowAll, compiledDeny(document, 'x')], boundary: undefined, scps: [] };
    for (const d of decisions(
      demo,
      set,
      principal('DataScience'),
      'anthropic.claude-3-haiku-20240307-v1:0',
      'us-east-1',
      BEFORE[0] as Date,
    )) {
      expect(d.allowed, d.route.id).toBe(true);
    }
    const r1 = decisions(demo, set, principal('DataScience'), 'deepseek.r1-v1:0', 'us-east-1', BEFORE[0] as Date);
    expect(r1.filter((d) => metered(d.route) && d.allowed).map((d) => d.route.id)).toEqual([]);
  });

  it('uses the file’s partition', () => {
    const gov = policyOf(`
version: 1
partition: aws-us-gov
regions: [us-gov-west-1]
models: { m: [amazon.nova-micro-v1:0] }
teams: [{ name: t, principals: 'arn:aws-us-gov:iam::*:role/*', models: [m] }]
budgets: [{ team: t, models: [m], window: 1d, max: { invocations: 1 } }]
`);
    expect(budgetDeny(gov, gov.budgets[0] as Budget, END).Statement[0]?.Resource).toEqual([
      'arn:aws-us-gov:bedrock:*::foundation-model/amazon.nova-micro-v1:0',
      'arn:aws-us-gov:bedrock:*:*:inference-profile/*.amazon.nova-micro-v1:0',
    ]);
  });

  it('refuses a budget that counts no model', () => {
    const policy = policyOf(`
version: 1
regions: [us-east-1]
models: { a: [amazon.nova-micro-v1:0], b: [amazon.nova-lite-v1:0] }
teams: [{ name: t, principals: 'arn:aws:iam::*:role/*', models: [a] }]
budgets: [{ team: t, models: [b], window: 1d, max: { invocations: 1 } }]
`);
    expect(() => budgetDeny(policy, policy.budgets[0] as Budget, END)).toThrow(BedrockGuardError);
  });
});

describe('budgetDenyExpiry', () => {
  const deny = budgetDeny(POLICY, BUDGET, END);

  it('reads the end back, also from the JSON IAM returns', () => {
    expect(budgetDenyExpiry(deny)).toBe(END);
    expect(budgetDenyExpiry(JSON.parse(JSON.stringify(deny)))).toBe(END);
  });

  it('round-trips with the window of a budget', () => {
    const { end } = budgetWindow({ unit: 'month', count: 1 }, new Date('2024-02-10T00:00:00Z'));
    expect(budgetDenyExpiry(budgetDeny(POLICY, BUDGET, end))).toBe('2024-03-01T00:00:00Z');
  });

  it('reads operator and key names in any case, a one-element list, and a lone statement', () => {
    const statement = {
      Effect: 'Deny',
      Action: 'bedrock:InvokeModel',
      Resource: '*',
      Condition: { datelessthan: { 'AWS:currenttime': [END] } },
    };
    expect(budgetDenyExpiry({ Version: '2012-10-17', Statement: statement })).toBe(END);
  });

  it('gives the latest end when statements differ', () => {
    const later = '2025-12-01T00:00:00Z';
    const doc = {
      ...deny,
      Statement: [
        deny.Statement[0],
        { ...deny.Statement[1], Condition: { DateLessThan: { 'aws:CurrentTime': later } } },
      ],
    };
    expect(budgetDenyExpiry(doc)).toBe(later);
  });

  it('is undefined when a statement no longer lifts itself, or for what is no deny document', () => {
    const [first, second] = deny.Statement;
    expect(budgetDenyExpiry({ ...deny, Statement: [first, { ...second, Condition: undefined }] })).toBeUndefined();
    expect(
      budgetDenyExpiry({
        ...deny,
        Statement: [{ ...first, Condition: { DateLessThan: { 'aws:CurrentTime': 'soon' } } }],
      }),
    ).toBeUndefined();
    expect(
      budgetDenyExpiry({ ...deny, Statement: [{ ...first, Condition: { DateLessThan: { 'aws:EpochTime': '1' } } }] }),
    ).toBeUndefined();
    for (const junk of [undefined, null, 'text', [], {}, { Statement: [] }])
      expect(budgetDenyExpiry(junk)).toBeUndefined();
  });
});

describe('budget deny names', () => {
  it('are guard-owned inline names, told apart from the per-principal deny', () => {
    const [id] = budgetIds(POLICY);
    const name = budgetDenyName(id as string);
    expect(name).toBe('bedrock-guard-budget-data-science.premium.1d');
    expect(isGuardInlineName(name)).toBe(true);
    expect(isBudgetDenyName(name)).toBe(true);
    expect(budgetIdOfDenyName(name)).toBe(id);
    const perPrincipal = guardPolicyName({ kind: 'role', name: 'Playground' });
    expect(isBudgetDenyName(perPrincipal)).toBe(false);
    expect(budgetIdOfDenyName(perPrincipal)).toBeUndefined();
    expect(name).toMatch(/^[\w+=,.@-]{1,128}$/);
  });
});
