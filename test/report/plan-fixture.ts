import type { StatementRef } from '../../shared/core/iam/types.js';
import type { CellState, MatrixRow, Plan, PlanAction } from '../../shared/core/plan/types.js';
import type { Finding } from '../../shared/core/reconcile/types.js';

/** Hand-built plans for the report tests: no snapshot, no reconcile, just the contract's shapes. */

export const ACCOUNT = '111122223333';
const arn = (path: string) => `arn:aws:iam::${ACCOUNT}:${path}`;

export const PRINCIPALS = {
  app: arn('role/AppBackend'),
  science: arn('role/service-role/DataScience'),
  alice: arn('user/alice'),
  admin: arn('role/BreakGlassAdmin'),
  ci: arn('user/ci-bot'),
  legacy: arn('role/LegacyBatch'),
} as const;

export const MODELS = [
  'amazon.nova-micro-v1:0',
  'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'meta.llama3-70b-instruct-v1:0',
  'cohere.command-r-v1:0',
] as const;

const FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess';

function statement(name: string, id: string, index: number, sid?: string, kind: 'managed' | 'inline' = 'managed') {
  return { policy: { layer: 'identity', name, id, kind }, index, sid, effect: 'Allow' } satisfies StatementRef;
}

/** A finding with the fields most tests do not care about filled in. */
export function finding(over: Partial<Finding> & Pick<Finding, 'rule' | 'principal'>): Finding {
  return {
    severity: 'high',
    mode: 'enforce',
    status: 'open',
    principalKind: over.principal.includes(':user/') ? 'user' : 'role',
    resources: [],
    message: `${over.rule} on ${over.principal}`,
    evidence: [],
    remediation: 'Remove the grant.',
    ...over,
  };
}

function row(principal: string, teams: string[], cells: CellState[], exempt = false): MatrixRow {
  return {
    principal,
    principalKind: principal.includes(':user/') ? 'user' : 'role',
    teams,
    exempt,
    cells,
  };
}

/** Six principals, four models, findings of six rules in all three statuses, actions of every type. */
export function planFixture(over: Partial<Plan> = {}): Plan {
  const findings: Finding[] = [
    finding({
      rule: 'unapproved-model-access',
      principal: PRINCIPALS.app,
      model: MODELS[1],
      region: 'us-east-1',
      route: 'invoke',
      resources: [`arn:aws:bedrock:us-east-1::foundation-model/${MODELS[1]}`],
      message: 'AppBackend can invoke anthropic.claude-3-5-sonnet-20240620-v1:0, which team app is not granted',
      evidence: [statement('AppBedrockAccess', arn('policy/AppBedrockAccess'), 0, 'InvokeAll')],
      remediation: 'Narrow AppBedrockAccess Statement[0] to the approved models, or grant the model to team app.',
      position: { line: 12, col: 5 },
    }),
    finding({
      rule: 'full-access-managed-policy',
      severity: 'critical',
      principal: PRINCIPALS.alice,
      resources: [FULL_ACCESS],
      message: 'alice has AmazonBedrockFullAccess attached',
      evidence: [statement('AmazonBedrockFullAccess', FULL_ACCESS, 0, 'BedrockAll')],
      remediation: 'Detach AmazonBedrockFullAccess and attach a scoped policy.',
    }),
    finding({
      rule: 'unapproved-model-access',
      mode: 'alert',
      principal: PRINCIPALS.alice,
      model: MODELS[2],
      region: 'eu-west-1',
      route: `cross-region-profile:eu.${MODELS[2]}`,
      message: 'alice can invoke meta.llama3-70b-instruct-v1:0 through the eu cross-Region profile',
      evidence: [statement('AmazonBedrockFullAccess', FULL_ACCESS, 0, 'BedrockAll')],
    }),
    finding({
      rule: 'long-term-api-keys',
      severity: 'medium',
      mode: 'alert',
      principal: PRINCIPALS.alice,
      route: 'long-term-api-keys',
      message: 'alice can create long-term Bedrock API keys',
      evidence: [statement('alice-inline', PRINCIPALS.alice, 2, undefined, 'inline')],
      remediation: 'Deny iam:CreateServiceSpecificCredential for bedrock.amazonaws.com.',
    }),
    finding({
      rule: 'unapproved-model-access',
      status: 'contained',
      principal: PRINCIPALS.ci,
      model: MODELS[2],
      region: 'us-east-1',
      route: 'invoke',
      message: 'ci-bot can invoke meta.llama3-70b-instruct-v1:0; the guard deny blocks it',
      evidence: [statement('CiDeploy', arn('policy/CiDeploy'), 3, 'Bedrock')],
    }),
    finding({
      rule: 'unapproved-model-access',
      status: 'exempt',
      principal: PRINCIPALS.admin,
      model: MODELS[3],
      region: 'us-east-1',
      route: 'invoke',
      message: 'BreakGlassAdmin can invoke cohere.command-r-v1:0',
      exemptReason: 'matches exempt glob arn:aws:iam::*:role/BreakGlass*',
      evidence: [statement('AdministratorAccess', 'arn:aws:iam::aws:policy/AdministratorAccess', 0)],
    }),
    finding({
      rule: 'cross-region-profile-gaps',
      severity: 'low',
      mode: 'alert',
      principal: PRINCIPALS.science,
      model: MODELS[3],
      region: 'us-west-2',
      route: 'cross-region-profile:us.cohere.command-r-v1:0',
      message: 'DataScience is granted cohere.command-r-v1:0 but the profile route is denied in us-west-2',
      remediation: 'Allow bedrock:InvokeModel on the destination Regions of the profile.',
      position: { line: 20, col: 3 },
    }),
    finding({
      rule: 'deny-exceeds-quota',
      severity: 'medium',
      principal: PRINCIPALS.science,
      message: 'The deny for DataScience would be 6,400 characters, over the 6,144 quota',
      remediation: 'Split the team or narrow the grants so the deny fits.',
    }),
  ];
  const actions: PlanAction[] = [
    {
      type: 'remove-deny',
      principal: PRINCIPALS.legacy,
      principalKind: 'role',
      mechanism: 'managed',
      policyName: 'bedrock-guard-deny-role-LegacyBatch',
      policyArn: arn('policy/bedrock-guard/bedrock-guard-deny-role-LegacyBatch'),
      reason: 'LegacyBatch no longer has excess access',
    },
    {
      type: 'put-deny',
      change: 'create',
      principal: PRINCIPALS.app,
      principalKind: 'role',
      mechanism: 'managed',
      policyName: 'bedrock-guard-deny-role-AppBackend',
      policyArn: arn('policy/bedrock-guard/bedrock-guard-deny-role-AppBackend'),
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'BedrockGuardUnapprovedModels',
            Effect: 'Deny',
            Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
            NotResource: [`arn:aws:bedrock:*::foundation-model/${MODELS[0]}`],
          },
        ],
      },
      size: 1234,
      quota: 6144,
      rules: ['unapproved-model-access'],
    },
    {
      type: 'alert',
      principal: PRINCIPALS.alice,
      principalKind: 'user',
      rule: 'long-term-api-keys',
      severity: 'medium',
      findings: 1,
    },
    {
      type: 'put-deny',
      change: 'update',
      principal: PRINCIPALS.ci,
      principalKind: 'user',
      mechanism: 'inline',
      policyName: 'bedrock-guard-deny-user-ci-bot',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }] },
      size: 5900,
      quota: 6144,
      rules: ['unapproved-model-access', 'unapproved-feature'],
    },
    {
      type: 'alert',
      principal: PRINCIPALS.science,
      principalKind: 'role',
      rule: 'cross-region-profile-gaps',
      severity: 'low',
      findings: 2,
    },
  ];
  return {
    account: ACCOUNT,
    partition: 'aws',
    generatedAt: '2025-06-01T12:00:00.000Z',
    policyFile: 'bedrock-guard.yaml',
    findings,
    actions,
    matrix: {
      models: MODELS,
      regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      rows: [
        row(PRINCIPALS.app, ['app'], ['approved', 'contained', 'none', 'none']),
        row(PRINCIPALS.science, ['research', 'ml'], ['approved', 'approved', 'none', 'denied']),
        row(PRINCIPALS.alice, [], ['excess', 'excess', 'excess', 'excess']),
        row(PRINCIPALS.admin, ['platform'], ['excess', 'excess', 'excess', 'excess'], true),
        row(PRINCIPALS.ci, ['app'], ['approved', 'none', 'contained', 'none']),
        row(PRINCIPALS.legacy, ['batch'], ['approved', 'none', 'none', 'none']),
      ],
    },
    warnings: [
      'SCPs were not readable (AccessDenied on organizations:ListPolicies); decisions ignore them',
      'Model cohere.command-r-v1:0 is not in the catalogue for eu-west-1',
    ],
    selfCheck: { passed: true, problems: [] },
    drift: true,
    ...over,
  };
}

/** Strings that break out of markup if any reaches the page unescaped. */
export const HOSTILE = {
  principal: `arn:aws:iam::${ACCOUNT}:role/x"onmouseover="window.__pwned=1"<script>window.__pwned=2</script>`,
  message: `<img src=x onerror="window.__pwned=3"></script><script>window.__pwned=4</script>"onmouseover=alert(1)`,
  team: `<b onclick="window.__pwned=5">team</b>'&`,
} as const;

/** The fixture with hostile strings in a principal, a team, a model, a message, an action and a warning. */
export function hostilePlan(): Plan {
  const base = planFixture();
  const [first, ...rest] = base.findings;
  if (!first) throw new Error('fixture has findings');
  return {
    ...base,
    policyFile: `</title><script>window.__pwned=6</script>`,
    findings: [
      { ...first, principal: HOSTILE.principal, message: HOSTILE.message, remediation: HOSTILE.message },
      ...rest,
    ],
    actions: [
      ...base.actions,
      {
        type: 'remove-deny',
        principal: HOSTILE.principal,
        principalKind: 'role',
        mechanism: 'inline',
        policyName: HOSTILE.team,
        reason: HOSTILE.message,
      },
    ],
    matrix: {
      ...base.matrix,
      models: [...base.matrix.models.slice(0, 3), `<script>window.__pwned=7</script>`],
      rows: [row(HOSTILE.principal, [HOSTILE.team], ['excess', 'none', 'none', 'approved']), ...base.matrix.rows],
    },
    warnings: [HOSTILE.message],
    selfCheck: { passed: false, problems: [HOSTILE.message] },
  };
}

const STATES: readonly CellState[] = ['approved', 'excess', 'contained', 'denied', 'none'];

/** A plan the size of a large account: `rows` principals × `models` models, one finding per excess cell. */
export function largePlan(rows: number, models: number): Plan {
  const modelIds = Array.from({ length: models }, (_, j) => `vendor${j % 7}.model-${j}-v1:0`);
  const matrixRows: MatrixRow[] = [];
  const findings: Finding[] = [];
  for (let i = 0; i < rows; i++) {
    const principal = arn(i % 5 === 0 ? `user/user-${i}` : `role/team-${i % 40}/Role${i}`);
    // Deterministic mix, mostly `none`, some rows with excess.
    const cells = modelIds.map((_, j): CellState => {
      const h = (i * 31 + j * 17) % 97;
      const s = h < 70 ? 'none' : (STATES[h % 4] ?? 'none');
      return s === 'excess' && i % 4 !== 0 ? 'approved' : s;
    });
    matrixRows.push(row(principal, [`team-${i % 40}`], cells, i % 211 === 0));
    cells.forEach((c, j) => {
      if (c === 'excess' && findings.length < 5000) {
        findings.push(finding({ rule: 'unapproved-model-access', principal, model: modelIds[j], region: 'us-east-1' }));
      }
    });
  }
  return planFixture({ matrix: { models: modelIds, regions: ['us-east-1'], rows: matrixRows }, findings });
}

/**
 * Findings as the reconcile writes them for real accounts: one folding a model's routes in three
 * Regions (`regions`, `routes`, `route` the kinds joined), one about one route in one Region, and
 * a feature finding with neither model nor Region.
 */
export const FOLDED: readonly [Finding, Finding, Finding] = [
  finding({
    rule: 'unapproved-model-access',
    principal: arn('role/ContractorRole'),
    model: 'amazon.nova-pro-v1:0',
    regions: ['us-east-1', 'us-east-2', 'us-west-2'],
    route: 'invoke, invoke-stream, async, cross-region-profile',
    routes: [
      'invoke@us-east-1',
      'invoke-stream@us-east-1',
      'async@us-east-1',
      'cross-region-profile:us.amazon.nova-pro-v1:0@us-east-1',
      'cross-region-profile-stream:us.amazon.nova-pro-v1:0@us-east-1',
      'cross-region-profile:us.amazon.nova-pro-v1:0@us-east-2',
      'cross-region-profile-stream:us.amazon.nova-pro-v1:0@us-east-2',
      'cross-region-profile:us.amazon.nova-pro-v1:0@us-west-2',
    ],
    message:
      'can use amazon.nova-pro-v1:0 in us-east-1, us-east-2, us-west-2 through invoke, invoke-stream, async, cross-region-profile',
    evidence: [statement('contractor-bedrock', arn('role/ContractorRole'), 0, 'InvokeAnyModel', 'inline')],
  }),
  finding({
    rule: 'cross-region-profile-gaps',
    severity: 'medium',
    mode: 'alert',
    principal: PRINCIPALS.app,
    model: 'amazon.nova-micro-v1:0',
    region: 'us-east-1',
    route: 'cross-region-profile:us.amazon.nova-micro-v1:0',
    message: 'is granted amazon.nova-micro-v1:0, but the us profile fails in us-east-2',
  }),
  finding({
    rule: 'unapproved-feature',
    severity: 'medium',
    status: 'exempt',
    principal: PRINCIPALS.admin,
    route: 'agents',
    message: 'may use agents (agents) in us-east-1, us-east-2, which no team of the principal grants',
    exemptReason: 'listed under exempt in the policy file',
    evidence: [statement('AdministratorAccess', 'arn:aws:iam::aws:policy/AdministratorAccess', 0)],
  }),
];

/** The fixture with only the three findings of `FOLDED`. */
export function foldedPlan(): Plan {
  return planFixture({ findings: [...FOLDED] });
}
