// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings.
/**
 * fast-check generators for the differential test against iam-simulate:
 * Bedrock-flavoured identity policies, an optional permissions boundary,
 * optional SCP levels, and requests drawn from the same pools so that
 * statements and requests meet often.
 *
 * Shapes on which iam-simulate departs from AWS's documented logic are never
 * generated; each exclusion below names its entry in `departures.md` (D1… for
 * departures, E1… for shapes AWS leaves undefined, N1… for normalisations).
 */
import fc from 'fast-check';

export const ACCOUNT = '111122223333';

export type ContextRecord = Record<string, string | string[]>;

export interface StatementDoc {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDoc {
  Version?: string;
  Statement: StatementDoc[];
}

export interface RequestSpec {
  readonly action: string;
  /** A concrete ARN, or `*` for actions without resource types. */
  readonly resource: string;
  /** Every key the request carries (principal facts included); keys as AWS spells them. */
  readonly context: ContextRecord;
}

export interface Scenario {
  /** The principal of most requests; a request's own is its `aws:PrincipalArn`. */
  readonly principal: string;
  readonly identity: PolicyDoc[];
  readonly boundary: PolicyDoc | undefined;
  /** Root first, account last. */
  readonly scps: PolicyDoc[][];
  readonly requests: RequestSpec[];
}

// ---------------------------------------------------------------------------
// Pools

export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;
const MODELS = [
  'amazon.nova-micro-v1:0',
  'anthropic.claude-3-haiku-20240307-v1:0',
  'anthropic.claude-sonnet-4-20250514-v1:0',
  'meta.llama3-8b-instruct-v1:0',
  'deepseek.r1-v1:0',
] as const;
const PROFILES = [
  'us.anthropic.claude-3-haiku-20240307-v1:0',
  'eu.amazon.nova-micro-v1:0',
  'global.anthropic.claude-sonnet-4-20250514-v1:0',
] as const;
const APP_PROFILES = ['a1b2c3d4e5f6', 'data-science', 'ml'] as const;
const PROVISIONED = ['pt0123abcd', 'pt9876zyxw'] as const;
/** `ml*` is no valid IAM tag value; it checks that text substituted for a variable stays literal. */
const TEAMS = ['data-science', 'ml', 'Data-Science', 'ml*', 'platform'] as const;
const TAG_KEYS = ['team', 'cost-center', 'Project', 'env'] as const;
const TIMES = ['2025-06-01T00:00:00Z', '2026-01-01T12:00:00Z', '2026-03-01T08:30:00Z'] as const;
const IPS = ['10.1.2.3', '192.168.0.10', '203.0.113.7', '2001:db8::1'] as const;

const fm = (region: string, model: string) => `arn:aws:bedrock:${region}::foundation-model/${model}`;
const profile = (region: string, id: string) => `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${id}`;
const appProfile = (region: string, id: string) =>
  `arn:aws:bedrock:${region}:${ACCOUNT}:application-inference-profile/${id}`;
const provisioned = (region: string, id: string) => `arn:aws:bedrock:${region}:${ACCOUNT}:provisioned-model/${id}`;

export const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
export const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;

const region = fc.constantFrom(...REGIONS);
const model = fc.constantFrom(...MODELS);

const fmArn = fc.tuple(region, model).map(([r, m]) => fm(r, m));
/** Region-less foundation model ARN, evaluated for global cross-Region inference. */
const globalFmArn = model.map((m) => fm('', m));
const profileArn = fc.tuple(region, fc.constantFrom(...PROFILES)).map(([r, p]) => profile(r, p));
const appProfileArn = fc.tuple(region, fc.constantFrom(...APP_PROFILES)).map(([r, p]) => appProfile(r, p));
const provisionedArn = fc.tuple(region, fc.constantFrom(...PROVISIONED)).map(([r, p]) => provisioned(r, p));
const jobArn = region.map((r) => `arn:aws:bedrock:${r}:${ACCOUNT}:model-invocation-job/job-42`);
const projectArn = region.map((r) => `arn:aws:bedrock-mantle:${r}:${ACCOUNT}:project/default`);
const userArn = fc.constantFrom(USER, `arn:aws:iam::${ACCOUNT}:user/bob`);
const objectArn = fc.constantFrom('arn:aws:s3:::training-data/ml/a.jsonl', 'arn:aws:s3:::training-data/data-science/b');

/** Every action in the pool with the resources AWS authorizes it on. */
const ACTIONS: Record<string, fc.Arbitrary<string>> = {
  'bedrock:InvokeModel': fc.oneof(fmArn, globalFmArn, profileArn, appProfileArn, provisionedArn),
  'bedrock:InvokeModelWithResponseStream': fc.oneof(fmArn, globalFmArn, profileArn, appProfileArn),
  'bedrock:CreateModelInvocationJob': fc.oneof(fmArn, jobArn),
  'bedrock:GetInferenceProfile': fc.oneof(profileArn, appProfileArn),
  'bedrock:GetFoundationModel': fmArn,
  'bedrock:CallWithBearerToken': fc.constant('*'),
  'bedrock:ListFoundationModels': fc.constant('*'),
  'bedrock-mantle:CreateInference': projectArn,
  'bedrock-mantle:CallWithBearerToken': fc.constant('*'),
  'iam:CreateServiceSpecificCredential': userArn,
  's3:GetObject': objectArn,
};
export const ACTION_NAMES = Object.keys(ACTIONS);

// ---------------------------------------------------------------------------
// Requests

/** Facts about the principal: the same for every request of a scenario. */
export interface PrincipalFacts {
  readonly principal: string;
  readonly team: string | undefined;
  readonly home: string | undefined;
  readonly mfa: string | undefined;
}

export const principalFacts: fc.Arbitrary<PrincipalFacts> = fc.record({
  principal: fc.constantFrom(ROLE, USER),
  team: fc.option(fc.constantFrom(...TEAMS), { nil: undefined }),
  home: fc.option(region, { nil: undefined }),
  mfa: fc.option(fc.constantFrom('true', 'false'), { nil: undefined }),
});

function regionOf(resource: string): string | undefined {
  const parts = resource.split(':');
  if (parts.length < 6) return undefined;
  if (parts[2] === 'iam') return 'us-east-1';
  return parts[3] === '' ? (parts[2] === 'bedrock' ? 'unspecified' : undefined) : parts[3];
}

export const requestArb = (facts: PrincipalFacts): fc.Arbitrary<RequestSpec> =>
  fc.constantFrom(...ACTION_NAMES).chain((action) =>
    fc
      .record({
        resource: ACTIONS[action] as fc.Arbitrary<string>,
        otherRegion: region,
        oddRegion: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        time: fc.constantFrom(...TIMES),
        profileArn: fc.option(fc.oneof(profileArn, appProfileArn), { nil: undefined }),
        bearer: fc.option(fc.constantFrom('SHORT_TERM', 'LONG_TERM', 'short_term'), { nil: undefined }),
        sourceIp: fc.option(fc.constantFrom(...IPS), { nil: undefined }),
        // D5: an empty list counts as an absent key; the harness drops it for both sides.
        tagKeys: fc.option(fc.subarray([...TAG_KEYS]), { nil: undefined }),
        secure: fc.option(fc.constantFrom('true', 'false'), { nil: undefined }),
        serviceName: fc.option(fc.constantFrom('bedrock.amazonaws.com', 'codecommit.amazonaws.com'), {
          nil: undefined,
        }),
        ageDays: fc.option(fc.constantFrom('1', '30', '90', '400'), { nil: undefined }),
        model: fc.option(model, { nil: undefined }),
      })
      .map((r) => {
        const context: ContextRecord = {
          'aws:PrincipalArn': facts.principal,
          'aws:PrincipalAccount': ACCOUNT,
          'aws:CurrentTime': r.time,
          'aws:RequestedRegion': (r.oddRegion ? undefined : regionOf(r.resource)) ?? r.otherRegion,
        };
        if (facts.principal === USER) context['aws:username'] = 'alice';
        if (facts.team !== undefined) context['aws:PrincipalTag/team'] = facts.team;
        if (facts.home !== undefined) context['aws:PrincipalTag/home'] = facts.home;
        if (facts.mfa !== undefined) context['aws:MultiFactorAuthPresent'] = facts.mfa;
        if (r.profileArn !== undefined) context['bedrock:InferenceProfileArn'] = r.profileArn;
        if (r.bearer !== undefined) {
          context['bedrock:BearerTokenType'] = r.bearer;
          context['bedrock-mantle:BearerTokenType'] = r.bearer;
        }
        if (r.sourceIp !== undefined) context['aws:SourceIp'] = r.sourceIp;
        if (r.tagKeys !== undefined) context['aws:TagKeys'] = r.tagKeys;
        if (r.secure !== undefined) context['aws:SecureTransport'] = r.secure;
        if (r.serviceName !== undefined) context['iam:ServiceSpecificCredentialServiceName'] = r.serviceName;
        if (r.ageDays !== undefined) context['iam:ServiceSpecificCredentialAgeDays'] = r.ageDays;
        if (r.model !== undefined) context['bedrock-mantle:Model'] = r.model;
        return { action, resource: r.resource, context };
      }),
  );

/** The same request made by another principal: its principal facts replaced. */
function asPrincipal(request: RequestSpec, facts: PrincipalFacts): RequestSpec {
  const context: ContextRecord = { ...request.context, 'aws:PrincipalArn': facts.principal };
  const set = (key: string, value: string | undefined) => {
    if (value === undefined) delete context[key];
    else context[key] = value;
  };
  set('aws:username', facts.principal === USER ? 'alice' : undefined);
  set('aws:PrincipalTag/team', facts.team);
  set('aws:PrincipalTag/home', facts.home);
  set('aws:MultiFactorAuthPresent', facts.mfa);
  return { ...request, context };
}

// ---------------------------------------------------------------------------
// Policies

/** Action patterns: exact names (any case), `*`/`?` wildcards, whole services, and `*`. */
const actionPattern: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ACTION_NAMES) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ACTION_NAMES).map((a) => (a.length % 2 ? a.toLowerCase() : a.toUpperCase())),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'bedrock:Invoke*',
      'bedrock:InvokeModel*',
      'bedrock:*',
      '*',
      'bedrock:Get*',
      'bedrock:?nvokeModel',
      'bedrock:InvokeModel?*',
      'bedrock:*Bearer*',
      'bedrock:*Model*',
      'bedrock-mantle:*',
      'iam:Create*Credential',
      'iam:*',
      's3:Get*',
      'bedrock:List*',
    ),
  },
);

/**
 * Resource patterns. Wildcards go in the Region, account and resource-id
 * parts; the service and resource type stay literal (D3: iam-simulate takes
 * the resource type literally; E6), the first five parts stay lower-case (D1),
 * and every pattern has six parts unless it is a short ARN ending in `*` (D2:
 * iam-simulate never lets a part-ending `*` run past a colon).
 */
const resourcePattern = (variables: 'any' | 'defaulted'): fc.Arbitrary<string> => {
  const team = variables === 'any' ? '${aws:PrincipalTag/team}' : "${aws:PrincipalTag/team, 'ml'}";
  const user = variables === 'any' ? '${aws:username}' : "${aws:username, 'alice'}";
  const regionPart = fc.constantFrom('*', 'us-*', 'us-east-1', 'eu-west-1', '??-west-?', '');
  const accountPart = fc.constantFrom(ACCOUNT, '*', '');
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('*') },
    { weight: 6, arbitrary: fc.oneof(...Object.values(ACTIONS)).filter((r) => r !== '*') },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          regionPart,
          fc.constantFrom(
            'foundation-model/*',
            'foundation-model/anthropic.*',
            'foundation-model/amazon.nova-micro-v1:0',
            'foundation-model/Amazon.*',
            'foundation-model/*:0',
            'foundation-model/meta.llama3-?b-instruct-v1:0',
          ),
        )
        .map(([r, rest]) => `arn:aws:bedrock:${r}::${rest}`),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          regionPart,
          accountPart,
          fc.constantFrom(
            'inference-profile/*',
            'inference-profile/us.*',
            'inference-profile/global.*',
            'application-inference-profile/*',
            `application-inference-profile/${team}`,
            'provisioned-model/*',
            'provisioned-model/pt0123abcd',
            'model-invocation-job/*',
            '*',
          ),
        )
        .map(([r, a, rest]) => `arn:aws:bedrock:${r}:${a}:${rest}`),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'arn:aws:bedrock:*',
        'arn:aws:bedrock:us-*',
        'arn:aws:bedrock:us-east-1:*',
        'arn:*',
        `arn:aws:bedrock-mantle:*:${ACCOUNT}:project/*`,
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `arn:aws:iam::${ACCOUNT}:user/${user}`,
        `arn:aws:iam::*:user/*`,
        `arn:aws:s3:::training-data/${team}/*`,
        'arn:aws:s3:::training-data/*',
      ),
    },
  );
};

/** Short ARNs (fewer than six parts) in NotResource: D4. */
const isShortArn = (r: string) => r.startsWith('arn:') && r.split(':').length < 6;

type ConditionTriple = [operator: string, key: string, values: string | string[]];

const ifExists = (op: string) => fc.constantFrom(op, `${op}IfExists`);
const values = <T extends string>(arb: fc.Arbitrary<T>, max = 3): fc.Arbitrary<string | string[]> =>
  fc.oneof(arb, fc.uniqueArray(arb, { minLength: 1, maxLength: max }));

const POSITIVE_STRING = ['StringEquals', 'StringLike', 'StringEqualsIgnoreCase'];
const NEGATED_STRING = ['StringNotEquals', 'StringNotLike', 'StringNotEqualsIgnoreCase'];

/**
 * String conditions whose values may name policy variables. A negated
 * operator only gets variables with a default value (D6).
 */
function stringCondition(key: string, plain: readonly string[], variable: string, defaulted: string) {
  const tuple = (ops: string[], pool: string[]) =>
    fc.tuple(fc.constantFrom(...ops).chain(ifExists), fc.constant(key), values(fc.constantFrom(...pool))).map(
      // D11: the `${*}` escape only under the Like operators.
      ([op, k, v]): ConditionTriple => [op, k, op.includes('Like') ? v : unescapeStar(v)],
    );
  return fc.oneof(
    tuple(POSITIVE_STRING, [...plain, variable, defaulted]),
    tuple(NEGATED_STRING, [...plain, defaulted]),
  );
}

const unescapeStar = (v: string | string[]) =>
  Array.isArray(v) ? v.map((x) => x.replaceAll('${*}', '*')) : v.replaceAll('${*}', '*');

const PROFILE_PATTERNS = [
  'arn:aws:bedrock:*:*:inference-profile/global.*',
  'arn:aws:bedrock:*:*:inference-profile/us.*',
  `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0`,
  `arn:aws:bedrock:*:${ACCOUNT}:application-inference-profile/*`,
  'arn:aws:bedrock:*:*:*',
  'arn:aws:bedrock:us-*:*:inference-profile/*',
];
/** Fewer than six parts: never an ArnLike match, though a glob matches. E2: not under ArnNot*. */
const SHORT_PROFILE_PATTERNS = ['arn:aws:bedrock:*', 'arn:aws:bedrock:*:inference-profile/*'];

/** Numeric conditions only meet iam:CreateServiceSpecificCredential requests: listed twice in the pool below. */
const numericCondition: fc.Arbitrary<ConditionTriple> = fc.tuple(
  fc
    .constantFrom(
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
      'NumericEquals',
      'NumericNotEquals',
    )
    .chain(ifExists),
  fc.constant('iam:ServiceSpecificCredentialAgeDays'),
  values(fc.constantFrom('30', '90', '365')),
);

const rawConditionTriple: fc.Arbitrary<ConditionTriple> = fc.oneof(
  stringCondition(
    'aws:RequestedRegion',
    [...REGIONS, 'unspecified', 'us-*', 'US-EAST-1', '*-west-?'],
    '${aws:PrincipalTag/home}',
    "${aws:PrincipalTag/home, 'us-east-1'}",
  ),
  stringCondition(
    'aws:PrincipalTag/team',
    [...TEAMS, 'data-*', 'ML', 'ml${*}'],
    '${aws:username}',
    "${aws:username, 'ml'}",
  ),
  stringCondition(
    'bedrock:BearerTokenType',
    ['SHORT_TERM', 'LONG_TERM', '*_TERM'],
    '${aws:PrincipalTag/team}',
    "${aws:PrincipalTag/token, 'SHORT_TERM'}",
  ),
  stringCondition(
    'bedrock:InferenceProfileArn',
    [...PROFILE_PATTERNS, ...SHORT_PROFILE_PATTERNS],
    `arn:aws:bedrock:*:${ACCOUNT}:application-inference-profile/\${aws:PrincipalTag/team}`,
    `arn:aws:bedrock:*:${ACCOUNT}:application-inference-profile/\${aws:PrincipalTag/team, 'ml'}`,
  ),
  fc.tuple(
    fc.constantFrom('ArnLike', 'ArnEquals').chain(ifExists),
    fc.constant('bedrock:InferenceProfileArn'),
    values(fc.constantFrom(...PROFILE_PATTERNS, ...SHORT_PROFILE_PATTERNS)),
  ),
  fc.tuple(
    fc.constantFrom('ArnNotLike', 'ArnNotEquals').chain(ifExists),
    fc.constant('bedrock:InferenceProfileArn'),
    values(fc.constantFrom(...PROFILE_PATTERNS)),
  ),
  fc.tuple(
    fc.constantFrom('ArnLike', 'ArnEquals').chain(ifExists),
    fc.constant('aws:PrincipalArn'),
    values(
      fc.constantFrom(
        `arn:aws:iam::${ACCOUNT}:role/*`,
        `arn:aws:iam::*:user/\${aws:username}`,
        `arn:aws:iam::${ACCOUNT}:*`,
        ROLE,
      ),
    ),
  ),
  fc.tuple(
    fc.constantFrom('ArnNotLike', 'ArnNotEquals').chain(ifExists),
    fc.constant('aws:PrincipalArn'),
    values(fc.constantFrom(`arn:aws:iam::${ACCOUNT}:role/*`, `arn:aws:iam::*:user/\${aws:username, 'alice'}`, USER)),
  ),
  fc.tuple(
    fc
      .constantFrom(
        'DateLessThan',
        'DateLessThanEquals',
        'DateGreaterThan',
        'DateGreaterThanEquals',
        'DateEquals',
        'DateNotEquals',
      )
      .chain(ifExists),
    fc.constant('aws:CurrentTime'),
    // D7: epoch-seconds values are never generated.
    values(fc.constantFrom(...TIMES, '2025-12-31T23:59:59Z', '2026-02-01T00:00:00Z')),
  ),
  fc.tuple(
    fc.constantFrom('IpAddress', 'NotIpAddress').chain(ifExists),
    fc.constant('aws:SourceIp'),
    // D10: no /0 blocks.
    values(
      fc.constantFrom(
        '10.0.0.0/8',
        '192.168.0.0/16',
        '203.0.113.7/32',
        '2001:db8::/32',
        '0.0.0.0/1',
        '128.0.0.0/1',
        '::/1',
        '8000::/1',
      ),
    ),
  ),
  // E1: set operators only on the multivalued aws:TagKeys, and aws:TagKeys only under set operators.
  fc.tuple(
    fc
      .tuple(
        fc.constantFrom('ForAnyValue:', 'ForAllValues:'),
        fc.constantFrom(...POSITIVE_STRING, ...NEGATED_STRING),
        fc.constantFrom('', 'IfExists'),
      )
      // D9: no IfExists under ForAnyValue.
      .map(([set, op, suffix]) => `${set}${op}${set === 'ForAnyValue:' ? '' : suffix}`),
    fc.constant('aws:TagKeys'),
    values(fc.constantFrom(...TAG_KEYS, 'project', 't*', 'cost-*'), 3),
  ),
  fc.tuple(
    fc.constant('Null'),
    fc.constantFrom(
      'aws:TagKeys',
      'aws:PrincipalTag/team',
      'bedrock:InferenceProfileArn',
      'aws:SourceIp',
      'aws:username',
      'bedrock:BearerTokenType',
    ),
    fc.constantFrom('true', 'false'),
  ),
  fc.tuple(
    fc.constantFrom('Bool', 'BoolIfExists'),
    fc.constantFrom('aws:SecureTransport', 'aws:MultiFactorAuthPresent'),
    fc.constantFrom('true', 'false', 'True', 'FALSE'),
  ),
  numericCondition,
  numericCondition,
  stringCondition(
    'iam:ServiceSpecificCredentialServiceName',
    ['bedrock.amazonaws.com', '*.amazonaws.com'],
    '${aws:PrincipalTag/service}',
    "${aws:PrincipalTag/service, 'bedrock.amazonaws.com'}",
  ),
);

/** Condition key names are case-insensitive: sometimes spell them in another case. */
const conditionTriple: fc.Arbitrary<ConditionTriple> = fc
  .tuple(rawConditionTriple, fc.integer({ min: 0, max: 9 }))
  .map(([[op, key, vals], n]) => [op, n === 0 ? key.toUpperCase() : n === 1 ? key.toLowerCase() : key, vals]);

function conditionBlock(triples: ConditionTriple[]): StatementDoc['Condition'] {
  const block: Record<string, Record<string, string | string[]>> = {};
  for (const [op, key, vals] of triples) {
    const forOp = block[op] ?? {};
    forOp[key] = vals;
    block[op] = forOp;
  }
  return block;
}

const list = <T>(arb: fc.Arbitrary<T>, max: number) =>
  fc.oneof(
    arb,
    fc.uniqueArray(arb, { minLength: 1, maxLength: max }).map((xs) => xs as T | T[]),
  );

/** Wide Allow resources, so that enough requests get through every layer. */
const broadResource = fc.constantFrom(
  '*',
  'arn:aws:bedrock:*',
  'arn:aws:bedrock:*::foundation-model/*',
  'arn:aws:bedrock:*:*:*',
  `arn:aws:bedrock:*:${ACCOUNT}:*`,
  'arn:*',
);

/** The actions and resources of a scenario's requests, so that statements name them often. */
interface Focus {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly requests: readonly RequestSpec[];
}

/** The ABAC form of a resource: the part named after the principal becomes a policy variable. */
function perPrincipal(resource: string): string {
  return resource
    .replace(/(application-inference-profile\/)[^/]+$/, '$1${aws:PrincipalTag/team}')
    .replace(/^(arn:aws:s3:::training-data\/)[^/]+\/.*$/, '$1${aws:PrincipalTag/team}/*')
    .replace(/(:user\/)[^/]+$/, '$1${aws:username}');
}

/** An Allow aimed at one of the scenario's requests: its action (or a pattern) on its resource. */
const targetedAllow = (focus: Focus): fc.Arbitrary<StatementDoc> =>
  fc
    .record({
      request: fc.constantFrom(...focus.requests),
      actionPattern,
      ownAction: fc.boolean(),
      abac: fc.boolean(),
      conditions: fc.oneof(
        fc.constant<ConditionTriple[]>([]),
        fc.array(conditionTriple, { minLength: 1, maxLength: 2 }),
      ),
    })
    .map(({ request, actionPattern, ownAction, abac, conditions }) => {
      const out: StatementDoc = {
        Effect: 'Allow',
        Action: ownAction ? request.action : [request.action, actionPattern],
        Resource: abac ? perPrincipal(request.resource) : request.resource,
      };
      if (conditions.length > 0) out.Condition = conditionBlock(conditions);
      return out;
    });

const statement = (allowWeight: number, focus: Focus): fc.Arbitrary<StatementDoc> =>
  fc
    .oneof(
      { weight: allowWeight, arbitrary: fc.constant<'Allow'>('Allow') },
      { weight: 10 - allowWeight, arbitrary: fc.constant<'Deny'>('Deny') },
    )
    .chain((effect) =>
      fc.record({
        effect: fc.constant(effect),
        notAction: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
        actions: list(fc.oneof(actionPattern, fc.constantFrom(...focus.actions)), 3),
        notResource: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
        resources:
          effect === 'Allow'
            ? fc.oneof(
                { weight: 2, arbitrary: broadResource },
                { weight: 2, arbitrary: fc.constantFrom(...focus.resources) },
                { weight: 3, arbitrary: list(resourcePattern('any'), 3) },
              )
            : list(fc.oneof(resourcePattern('any'), fc.constantFrom(...focus.resources)), 3),
        // D4/D6: NotResource only with full ARNs and defaulted variables.
        notResources: list(
          resourcePattern('defaulted').filter((r) => !isShortArn(r)),
          3,
        ),
        // Guardrail denies are mostly conditional.
        conditions: fc.oneof(
          { weight: effect === 'Allow' ? 3 : 1, arbitrary: fc.constant<ConditionTriple[]>([]) },
          { weight: 3, arbitrary: fc.array(conditionTriple, { minLength: 1, maxLength: 3 }) },
        ),
        sid: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: undefined }),
      }),
    )
    .map((s) => {
      const out: StatementDoc = { Effect: s.effect };
      if (s.sid !== undefined) out.Sid = s.sid;
      if (s.notAction) out.NotAction = s.actions;
      else out.Action = s.actions;
      if (s.notResource) out.NotResource = s.notResources;
      else out.Resource = s.resources;
      if (s.conditions.length > 0) out.Condition = conditionBlock(s.conditions);
      return out;
    });

const anyStatement = (allowWeight: number, focus: Focus) =>
  fc.oneof({ weight: 3, arbitrary: statement(allowWeight, focus) }, { weight: 2, arbitrary: targetedAllow(focus) });

/**
 * A policy; `Version` is sometimes left out, but only when the policy names
 * no variables (D8: iam-simulate substitutes variables regardless of Version).
 */
const policy = (allowWeight: number, maxStatements: number, focus: Focus): fc.Arbitrary<PolicyDoc> =>
  fc
    .tuple(
      fc.array(anyStatement(allowWeight, focus), { minLength: 1, maxLength: maxStatements }),
      fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    )
    .map(([Statement, omitVersion]) =>
      omitVersion && !JSON.stringify(Statement).includes('${') ? { Statement } : { Version: '2012-10-17', Statement },
    );

const FULL_ACCESS: PolicyDoc = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** An SCP level: usually FullAWSAccess plus guardrails, sometimes only narrower allows. */
const scpLevel = (focus: Focus): fc.Arbitrary<PolicyDoc[]> =>
  fc
    .tuple(fc.integer({ min: 0, max: 9 }), fc.array(policy(4, 2, focus), { minLength: 1, maxLength: 2 }))
    .map(([n, policies]) => (n < 8 ? [FULL_ACCESS, ...policies] : policies));

/**
 * A principal, its requests, then policies that often name those requests'
 * actions and resources (besides the general pools), so that a fair share of
 * requests pass every layer.
 */
export const scenarioArb = (requestsPerScenario = 5): fc.Arbitrary<Scenario> =>
  principalFacts.chain((facts) =>
    fc
      .tuple(
        fc.array(requestArb(facts), { minLength: 1, maxLength: requestsPerScenario }),
        principalFacts,
        fc.integer({ min: 0, max: 9 }),
      )
      // Sometimes another principal repeats a request against the same compiled policies, as
      // principals with identical documents do in a snapshot: memos must not leak principal facts.
      .map(([requests, other, n]) =>
        n < 3 ? [...requests, ...requests.slice(0, 2).map((r) => asPrincipal(r, other))] : requests,
      )
      .chain((requests) => {
        const resources = requests.map((r) => r.resource).filter((r) => r !== '*');
        const focus: Focus = {
          actions: requests.map((r) => r.action),
          resources: resources.length ? resources : ['*'],
          requests,
        };
        return fc.record({
          principal: fc.constant(facts.principal),
          identity: fc.array(policy(8, 4, focus), { minLength: 1, maxLength: 3 }),
          boundary: fc.option(policy(8, 3, focus), { nil: undefined, freq: 3 }),
          scps: fc.oneof(fc.constant<PolicyDoc[][]>([]), fc.array(scpLevel(focus), { minLength: 1, maxLength: 3 })),
          requests: fc.constant(requests),
        });
      }),
  );
