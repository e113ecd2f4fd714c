// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
/**
 * Differential test: our evaluator (`evaluate`, and `decide` of the access
 * matrix) against iam-simulate on generated
 * Bedrock-flavoured policies and requests, plus fixed cases for every place
 * where iam-simulate departs from AWS's documented logic (departures.md).
 *
 * DIFF_RUNS sets the number of scenarios (default 3000, about 5 requests
 * each); DIFF_SEED replays a reported failure.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../shared/core/iam/types.js';
import { ACCOUNT, type PolicyDoc, type RequestSpec, ROLE, scenarioArb, USER } from './arbitraries.js';
import { compare, compileSet, oracle, ours, type PolicyInputs, simulation } from './harness.js';

const RUNS = Number(process.env.DIFF_RUNS ?? 3000);
const SEED = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED);

describe('our evaluator agrees with iam-simulate', () => {
  it(`on ${RUNS} generated scenarios`, async () => {
    const seen: Record<Decision, number> = { Allowed: 0, ImplicitlyDenied: 0, ExplicitlyDenied: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArb(), async (scenario) => {
        for (const r of await compare(scenario)) {
          seen[r.ours]++;
          if (r.ours !== r.oracle || r.decided !== r.ours) {
            throw new Error(
              `evaluate ${r.ours}, decide ${r.decided}, iam-simulate ${r.oracle} for ${JSON.stringify(r.request)}`,
            );
          }
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    // The generator must keep every outcome common, or agreement means little.
    const total = seen.Allowed + seen.ImplicitlyDenied + seen.ExplicitlyDenied;
    for (const decision of Object.keys(seen) as Decision[]) expect(seen[decision] / total).toBeGreaterThan(0.05);
  }, 300_000);
});

// ---------------------------------------------------------------------------
// Departures: our answer follows AWS's documentation; iam-simulate's differs.

const FM = `arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0`;
const FM_EU = `arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0`;
const PROFILE = `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0`;
const APP_PROFILE = `arn:aws:bedrock:us-east-1:${ACCOUNT}:application-inference-profile/a1b2c3d4e5f6`;

const v = (...Statement: PolicyDoc['Statement']): PolicyDoc => ({ Version: '2012-10-17', Statement });
const ALLOW_ALL = { Effect: 'Allow', Action: '*', Resource: '*' } as const;
const invoke = (resource: string, context: RequestSpec['context'] = {}): RequestSpec => ({
  action: 'bedrock:InvokeModel',
  resource,
  context: { 'aws:RequestedRegion': 'us-east-1', ...context },
});

interface Departure {
  readonly id: string;
  readonly title: string;
  readonly policies: PolicyInputs;
  readonly principal?: string;
  readonly request: RequestSpec;
  /** Our answer, which follows AWS's documentation. */
  readonly ours: Decision;
  /** iam-simulate's answer; when it changes, revisit departures.md and the generator. */
  readonly oracle: Decision;
  /** Give iam-simulate the context as is (no N-normalisation), to show the raw departure. */
  readonly raw?: boolean;
}

const DEPARTURES: Departure[] = [
  {
    id: 'D1',
    title: 'upper-case Region in a Resource ARN does not match',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: 'arn:aws:bedrock:US-EAST-1::foundation-model/*',
        }),
      ],
    },
    request: invoke(FM),
    ours: 'ImplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D1',
    title: 'a Deny on a mis-cased service does not fire',
    policies: {
      identity: [
        v(ALLOW_ALL, { Effect: 'Deny', Action: 'bedrock:*', Resource: 'arn:aws:Bedrock:*::foundation-model/*' }),
      ],
    },
    request: invoke(FM),
    ours: 'Allowed',
    oracle: 'ExplicitlyDenied',
  },
  {
    id: 'D2',
    title: 'a segment-ending * before the fifth colon runs past colons',
    policies: {
      identity: [
        v({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:*:foundation-model/*' }),
      ],
    },
    request: invoke(FM),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D2',
    title: 'a five-part Deny covers inference profiles in every Region and account',
    policies: {
      identity: [
        v(ALLOW_ALL, { Effect: 'Deny', Action: 'bedrock:*', Resource: 'arn:aws:bedrock:*:inference-profile/*' }),
      ],
    },
    request: invoke(PROFILE),
    ours: 'ExplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D3',
    title: 'a wildcard inside the resource type matches',
    policies: {
      identity: [v({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:*::foundation-*/*' })],
    },
    request: invoke(FM),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D3',
    title: '*inference-profile covers application inference profiles',
    policies: {
      identity: [
        v({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:*:*:*inference-profile/*' }),
      ],
    },
    request: invoke(APP_PROFILE),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D4',
    title: 'NotResource with a short ARN applies to resources outside it',
    policies: {
      identity: [v({ Effect: 'Allow', Action: 'bedrock:InvokeModel', NotResource: 'arn:aws:bedrock:eu-*' })],
    },
    request: invoke(FM),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D4',
    title: 'a Deny with a short NotResource blocks other Regions',
    policies: {
      identity: [v(ALLOW_ALL, { Effect: 'Deny', Action: 'bedrock:*', NotResource: 'arn:aws:bedrock:us-*' })],
    },
    request: invoke(FM_EU, { 'aws:RequestedRegion': 'eu-west-1' }),
    ours: 'ExplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D5',
    title: 'an empty aws:TagKeys is null',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { Null: { 'aws:TagKeys': 'true' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:TagKeys': [] }),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
    raw: true,
  },
  {
    id: 'D6',
    title: 'StringNotEquals against an unset principal tag matches',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:RequestedRegion': '${aws:PrincipalTag/home}' } },
        }),
      ],
    },
    request: invoke(FM),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D6',
    title: '"deny all but your own user" denies a role, which has no aws:username',
    policies: {
      identity: [
        v(ALLOW_ALL, {
          Effect: 'Deny',
          Action: 'bedrock:*',
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/${aws:username}' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:PrincipalArn': ROLE }),
    ours: 'ExplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D6',
    title: 'NotResource with an unresolvable variable excludes nothing',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 's3:GetObject',
          NotResource: 'arn:aws:s3:::training-data/${aws:PrincipalTag/team}/*',
        }),
      ],
    },
    request: { action: 's3:GetObject', resource: 'arn:aws:s3:::training-data/ml/a.jsonl', context: {} },
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D7',
    title: 'an epoch-seconds date in the future is after an ISO aws:CurrentTime',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:CurrentTime': '1900000000' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:CurrentTime': '2026-01-01T12:00:00Z' }),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D7',
    title: 'a Deny from an epoch-seconds date in 2030 is not yet in force',
    policies: {
      identity: [
        v(ALLOW_ALL, {
          Effect: 'Deny',
          Action: 'bedrock:*',
          Resource: '*',
          Condition: { DateGreaterThan: { 'aws:CurrentTime': '1900000000' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:CurrentTime': '2026-01-01T12:00:00Z' }),
    ours: 'Allowed',
    oracle: 'ExplicitlyDenied',
  },
  {
    id: 'D8',
    title: 'without Version, ${aws:username} is literal text in Resource',
    policies: {
      identity: [
        {
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::training-data/${aws:username}/*' },
          ],
        },
      ],
    },
    principal: USER,
    request: {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::training-data/alice/a.jsonl',
      context: { 'aws:username': 'alice' },
    },
    ours: 'ImplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D8',
    title: 'without Version, a condition value ${…} is literal text',
    policies: {
      identity: [
        {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'bedrock:InvokeModel',
              Resource: '*',
              Condition: { StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } },
            },
          ],
        },
      ],
    },
    principal: USER,
    request: invoke(FM, { 'aws:username': 'ml', 'aws:PrincipalTag/team': 'ml' }),
    ours: 'ImplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D9',
    title: 'ForAnyValue:…IfExists is true when the key is absent',
    policies: {
      identity: [
        v(ALLOW_ALL, {
          Effect: 'Deny',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } },
        }),
      ],
    },
    request: invoke(FM),
    ours: 'ExplicitlyDenied',
    oracle: 'Allowed',
  },
  {
    id: 'D10',
    title: 'IpAddress 0.0.0.0/0 covers every IPv4 address',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:SourceIp': '10.1.2.3' }),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D10',
    title: 'NotIpAddress 0.0.0.0/0 never holds for an IPv4 address',
    policies: {
      identity: [
        v(ALLOW_ALL, {
          Effect: 'Deny',
          Action: 'bedrock:*',
          Resource: '*',
          Condition: { NotIpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:SourceIp': '10.1.2.3' }),
    ours: 'Allowed',
    oracle: 'ExplicitlyDenied',
  },
  {
    id: 'D11',
    title: '${*} in StringEquals stands for a literal *',
    policies: {
      identity: [
        v({
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml${*}' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:PrincipalTag/team': 'ml*' }),
    ours: 'Allowed',
    oracle: 'ImplicitlyDenied',
  },
  {
    id: 'D11',
    title: '${$} in StringNotEquals stands for a literal $',
    policies: {
      identity: [
        v(ALLOW_ALL, {
          Effect: 'Deny',
          Action: 'bedrock:InvokeModel',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'cost${$}' } },
        }),
      ],
    },
    request: invoke(FM, { 'aws:PrincipalTag/team': 'cost$' }),
    ours: 'Allowed',
    oracle: 'ExplicitlyDenied',
  },
];

async function rawOracle(d: Departure): Promise<Decision> {
  const sim = simulation(d.policies, d.principal ?? ROLE, d.request);
  sim.request.contextVariables = d.request.context;
  const result = await runSimulation(sim, {});
  if (result.resultType !== 'single') throw new Error(JSON.stringify(result));
  return result.overallResult;
}

describe('departures from AWS in iam-simulate (departures.md): we follow AWS', () => {
  it.each(DEPARTURES.map((d) => [`${d.id}: ${d.title}`, d] as const))('%s', async (_, d) => {
    const answer = d.raw
      ? { decision: await rawOracle(d), ignoredKeys: [] }
      : await oracle(d.policies, d.principal ?? ROLE, d.request);
    expect(ours(compileSet(d.policies), d.request, answer.ignoredKeys).decision).toBe(d.ours);
    expect(answer.decision, 'iam-simulate changed here: revisit departures.md and the generator').toBe(d.oracle);
  });

  it('lists every departure in departures.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('./departures.md', import.meta.url), 'utf8');
    for (const id of new Set(DEPARTURES.map((d) => d.id))) expect(doc).toContain(`## ${id}.`);
  });
});
