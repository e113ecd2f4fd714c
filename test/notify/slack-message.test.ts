import { describe, expect, it } from 'vitest';
import type { StatementRef } from '../../shared/core/iam/types.js';
import type { Alert } from '../../shared/core/notify/alert.js';
import {
  escapeSlack,
  SLACK_LIMITS,
  slackMessages,
  type SlackBlock,
  type SlackMessage,
} from '../../shared/core/notify/slack-message.js';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app-backend`;
const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';

const FULL_ACCESS: StatementRef = {
  policy: {
    layer: 'identity',
    name: 'AmazonBedrockFullAccess',
    id: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
    kind: 'managed',
  },
  index: 0,
  sid: 'BedrockAll',
  effect: 'Allow',
};

const REGION_SCP: StatementRef = {
  policy: { layer: 'scp', name: 'RegionGuard', id: 'p-1234abcd', kind: 'scp', target: 'ou-ab12-cdef3456' },
  index: 1,
  sid: 'DenyOutsideApprovedRegions',
  effect: 'Deny',
};

/** A successful invoke of a model no team of the caller is granted (the `unapproved-model-invoked` event finding). */
function invoked(overrides: Partial<Alert> = {}, finding: Partial<Alert['finding']> = {}): Alert {
  return {
    account: ACCOUNT,
    partition: 'aws',
    trigger: {
      kind: 'event',
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      eventName: 'InvokeModel',
      eventSource: 'bedrock.amazonaws.com',
      actor: `arn:aws:sts::${ACCOUNT}:assumed-role/app-backend/i-0abc`,
      region: 'us-east-1',
    },
    principal: ROLE,
    owner: 'U024BE7LH',
    teams: ['apps'],
    dryRun: false,
    finding: {
      rule: 'unapproved-model-invoked',
      severity: 'high',
      mode: 'alert',
      status: 'open',
      principal: ROLE,
      model: OPUS,
      region: 'us-east-1',
      message: `${ROLE} invoked ${OPUS}, which the policy file does not grant it (InvokeModel in us-east-1)`,
      remediation:
        'Grant the model to one of its teams, or let the guard contain it (rule unapproved-model-access: enforce).',
      ...finding,
    },
    actions: [],
    repeats: 0,
    ...overrides,
  };
}

/** An invoke through a US profile that an SCP stopped in us-west-2, with the diagnosis. */
const denied: Alert = invoked(
  { owner: 'platform-team@example.com', teams: ['apps', 'data-science'] },
  {
    rule: 'invoke-denied',
    severity: 'low',
    model: 'us.amazon.nova-micro-v1:0',
    inferenceRegion: 'us-west-2',
    message: `${ROLE} was denied InvokeModel in us-east-1 on amazon.nova-micro-v1:0`,
    remediation: undefined,
    detail:
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/app-backend/i-0abc is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-micro-v1:0 with an explicit deny in a service control policy',
    diagnosis: {
      cause: 'scp-region-without-profile-exemption',
      layer: 'scp',
      summary: 'SCP RegionGuard denies every Region but us-east-1, and the US profile routed the request to us-west-2.',
      fix: 'Exempt inference-profile calls from the Region deny with an ArnNotLike condition on bedrock:InferenceProfileArn.',
      changes: [
        {
          layer: 'scp',
          kind: 'replace-statement',
          target: 'SCP RegionGuard (p-1234abcd)',
          policyId: 'p-1234abcd',
          scpTarget: 'ou-ab12-cdef3456',
          index: 1,
          statement: {
            Sid: 'DenyOutsideApprovedRegions',
            Effect: 'Deny',
            NotAction: ['iam:*', 'sts:*'],
            Resource: '*',
            Condition: {
              StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] },
              ArnNotLike: { 'bedrock:InferenceProfileArn': 'arn:aws:bedrock:*:*:inference-profile/us.*' },
            },
          },
        },
      ],
      verified: true,
      evidence: [REGION_SCP],
    },
  },
);

/** A route finding the guard contained with a deny, written to the ledger. */
const contained: Alert = invoked(
  { owner: undefined, trigger: { kind: 'schedule', id: 'reconcile-2024-06-01T00:00:00Z' } },
  {
    rule: 'unapproved-model-access',
    severity: 'medium',
    mode: 'enforce',
    status: 'contained',
    region: undefined,
    regions: ['us-east-1', 'us-west-2'],
    route: 'invoke, invoke-stream, batch',
    message: `can use ${OPUS} in us-east-1, us-west-2 through invoke, invoke-stream, batch; no team of the principal grants it`,
    remediation: `Narrow the granting statements to approved models, or grant ${OPUS} to one of the principal's teams in the policy file. In enforce mode the guard's deny policy blocks it meanwhile.`,
    evidence: [FULL_ACCESS],
  },
);
const containedWithActions: Alert = {
  ...contained,
  actions: [
    {
      type: 'put-deny',
      policyName: 'bedrock-guard-deny-app-backend',
      result: 'applied',
      ledgerId: '01HZX3Q4J5K6M7N8P9R0S1T2V3',
    },
    {
      type: 'remove-deny',
      policyName: 'bedrock-guard-deny-app-backend-2',
      result: 'failed',
      detail: 'NoSuchEntity: the policy was already gone',
      ledgerId: '01HZX3Q4J5K6M7N8P9R0S1T2V4',
    },
  ],
};

/** Every text Slack reads from a message: the fallback, headers, sections, fields, context. */
function texts(message: SlackMessage): string[] {
  return [message.text, ...message.blocks.flatMap(blockTexts)];
}

function blockTexts(block: SlackBlock): string[] {
  switch (block.type) {
    case 'header':
      return [block.text.text];
    case 'section':
      return [block.text.text, ...(block.fields ?? []).map((f) => f.text)];
    case 'context':
      return block.elements.map((e) => e.text);
    case 'divider':
      return [];
  }
}

function expectWithinLimits(messages: readonly SlackMessage[]): void {
  for (const m of messages) {
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(m.blocks.length).toBeGreaterThan(0);
    for (const b of m.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (b.type === 'section') {
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect((b.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
        for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
      if (b.type === 'context') {
        expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
        for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      }
    }
  }
}

describe('slackMessages rendering', () => {
  it('renders an unapproved-model-invoked alert', () => {
    expect(slackMessages([invoked()])).toMatchSnapshot();
  });

  it('renders an invoke-denied alert with its diagnosis and the policy change', () => {
    expect(slackMessages([denied])).toMatchSnapshot();
  });

  it('renders a contained finding with the actions and their ledger entries', () => {
    expect(slackMessages([containedWithActions])).toMatchSnapshot();
  });

  it('renders a dry run: what the guard would do', () => {
    const dry: Alert = {
      ...containedWithActions,
      dryRun: true,
      finding: { ...containedWithActions.finding, status: 'open' },
      actions: [{ type: 'put-deny', policyName: 'bedrock-guard-deny-app-backend', result: 'planned' }],
    };
    expect(slackMessages([dry])).toMatchSnapshot();
  });

  it('renders repeats held back since the last message', () => {
    expect(slackMessages([invoked({ repeats: 4 })])).toMatchSnapshot();
  });

  it('puts the alerts of one event in one message, a divider between them', () => {
    const [message, ...rest] = slackMessages([invoked(), denied, containedWithActions]);
    expect(rest).toEqual([]);
    expect(message?.blocks.filter((b) => b.type === 'header')).toHaveLength(3);
    expect(message?.blocks.filter((b) => b.type === 'divider')).toHaveLength(2);
    expect(message?.text).toBe(`bedrock-guard HIGH unapproved-model-invoked (open): ${ROLE} and 2 more`);
  });

  it('renders nothing for no alerts', () => {
    expect(slackMessages([])).toEqual([]);
  });

  it('mentions the owner only when the tag is a Slack member id', () => {
    const owner = (o: string | undefined) =>
      texts(slackMessages([invoked({ owner: o })])[0] as SlackMessage).find((t) => t.startsWith('*Principal*'));
    expect(owner('U024BE7LH')).toContain('owner <@U024BE7LH>');
    expect(owner('W0123ABCD')).toContain('owner <@W0123ABCD>');
    expect(owner('u024be7lh')).toContain('owner `u024be7lh`');
    expect(owner('U024BE7LH>|x')).toContain('owner `U024BE7LH&gt;|x`');
    expect(owner(undefined)).not.toContain('owner');
  });

  it('lists ten statements, then counts the rest', () => {
    const evidence = Array.from({ length: 13 }, (_, i) => ({ ...FULL_ACCESS, index: i }));
    const text = texts(slackMessages([invoked({}, { evidence })])[0] as SlackMessage).find((t) =>
      t.startsWith('*Evidence*'),
    );
    expect(text?.split('\n')).toHaveLength(1 + 10 + 1);
    expect(text).toContain('and 3 more');
    expect(text).toContain('• `AmazonBedrockFullAccess` (identity, managed) statement #9 `BedrockAll`: Allow');
  });
});

describe('slackMessages escaping', () => {
  const HOSTILE = [
    '<!channel>',
    '<!here>',
    '<!subteam^S123|@security>',
    '<https://evil.example|click>',
    '<@U999EVIL>',
    '<#C123|general>',
    '@here',
    '*bold* _it_ ~s~',
    '`tick`',
    '```block```',
    '&lt;!channel&gt;',
  ].join(' ');

  const hostile: Alert = invoked(
    {
      principal: `arn:aws:iam::${ACCOUNT}:role/${HOSTILE}`,
      owner: `${HOSTILE} U024BE7LH`,
      teams: [HOSTILE],
      trigger: {
        kind: 'event',
        id: HOSTILE,
        eventName: HOSTILE,
        eventSource: HOSTILE,
        actor: `arn:aws:sts::${ACCOUNT}:assumed-role/${HOSTILE}`,
        region: HOSTILE,
      },
      actions: [{ type: 'put-deny', policyName: HOSTILE, result: 'failed', detail: HOSTILE, ledgerId: HOSTILE }],
    },
    {
      rule: HOSTILE,
      model: HOSTILE,
      route: HOSTILE,
      regions: [HOSTILE],
      inferenceRegion: HOSTILE,
      message: `arn:aws:iam::${ACCOUNT}:role/x${HOSTILE} invoked ${HOSTILE}`,
      detail: `AccessDeniedException: ${HOSTILE}`,
      remediation: HOSTILE,
      evidence: [{ ...FULL_ACCESS, sid: HOSTILE, policy: { ...FULL_ACCESS.policy, name: HOSTILE } }],
      diagnosis: {
        cause: 'explicit-deny',
        summary: HOSTILE,
        fix: HOSTILE,
        byDesign: { rule: HOSTILE, file: HOSTILE, line: 3 },
        changes: [{ layer: 'identity', kind: 'add-statement', target: HOSTILE, statement: { Sid: HOSTILE } }],
        evidence: [],
      },
    },
  );

  it('escapes &, < and > in every text of every block', () => {
    const all = slackMessages([hostile]).flatMap(texts);
    expect(all.length).toBeGreaterThan(10);
    for (const text of all) {
      expect(text).not.toContain('<!');
      expect(text).not.toContain('<http');
      expect(text).not.toContain('<@');
      expect(text).not.toContain('<');
    }
    // Their own entities stay text: `&lt;` typed in a tag shows as `&lt;`, never as `<`.
    expect(all.join('\n')).toContain('&amp;lt;!channel&amp;gt;');
  });

  it('spells no mention but the owner one it builds from a member id', () => {
    const all = slackMessages([{ ...hostile, owner: 'U024BE7LH' }]).flatMap(texts);
    expect(all.join('\n')).toContain('owner <@U024BE7LH>');
    for (const text of all) {
      expect(text).not.toContain('<!');
      expect(text).not.toContain('<http');
      expect(text.replaceAll('<@U024BE7LH>', '')).not.toContain('<');
    }
  });

  it('keeps backticks from closing code spans and fences', () => {
    for (const text of slackMessages([hostile]).flatMap(texts)) {
      // Every ``` is one of ours: an opening and a closing fence per block.
      expect((text.match(/```/g) ?? []).length % 2, text).toBe(0);
      // Inline spans hold no backtick of their own: the backticks outside fences pair up.
      const outside = text.replace(/```[\s\S]*?```/g, '');
      expect((outside.match(/`/g) ?? []).length % 2, text).toBe(0);
    }
    const detail = slackMessages([hostile])
      .flatMap(texts)
      .find((t) => t.startsWith('*AWS said*'));
    expect(detail).toContain('\u200B`\u200B\u200B`\u200B\u200B`\u200B');
  });

  it('never asks Slack to link names', () => {
    for (const m of slackMessages([hostile])) expect(Object.keys(m)).toEqual(['text', 'blocks']);
    const mrkdwn = slackMessages([hostile])
      .flatMap((m) => m.blocks)
      .flatMap((b) => (b.type === 'section' ? [b.text, ...(b.fields ?? [])] : b.type === 'context' ? b.elements : []));
    expect(mrkdwn.every((t) => t.verbatim)).toBe(true);
  });

  it('escapes with one function: & first, then < and >', () => {
    expect(escapeSlack('<!here> & <@U1|x> &lt;')).toBe('&lt;!here&gt; &amp; &lt;@U1|x&gt; &amp;lt;');
  });
});

describe('slackMessages limits', () => {
  it('splits 60 alerts over messages of at most 50 blocks, never cutting an alert apart', () => {
    const alerts = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0 ? denied : i % 3 === 1 ? containedWithActions : invoked({ repeats: i }),
    );
    const messages = slackMessages(alerts);
    expect(messages.length).toBeGreaterThan(1);
    expectWithinLimits(messages);
    expect(messages.flatMap((m) => m.blocks).filter((b) => b.type === 'header')).toHaveLength(60);
    for (const m of messages) {
      expect(m.blocks[0]?.type).toBe('header');
      expect(m.blocks.at(-1)?.type).toBe('context');
    }
  });

  it('cuts a 10,000-character message, error and fix with an ellipsis, within the limits', () => {
    const long = `${'x'.repeat(3_000)} ${'<&>'.repeat(2_000)} ${ROLE} ${'y'.repeat(1_000)}`;
    expect(long.length).toBeGreaterThanOrEqual(10_000);
    const big: Alert = invoked(
      { principal: `arn:aws:iam::${ACCOUNT}:role/${'p'.repeat(3_000)}`, owner: 'o'.repeat(3_000), teams: [long] },
      {
        message: long,
        detail: long,
        remediation: long,
        model: long,
        route: long,
        regions: Array.from({ length: 500 }, () => 'us-east-1'),
        evidence: Array.from({ length: 10 }, (_, i) => ({
          ...FULL_ACCESS,
          index: i,
          sid: long,
          policy: { ...FULL_ACCESS.policy, name: long },
        })),
        diagnosis: {
          cause: 'explicit-deny',
          summary: long,
          fix: long,
          byDesign: { rule: long, file: long },
          changes: Array.from({ length: 5 }, () => ({
            layer: 'identity' as const,
            kind: 'add-statement' as const,
            target: long,
            statement: { Sid: long },
          })),
          evidence: [],
        },
      },
    );
    const messages = slackMessages([big]);
    expectWithinLimits(messages);
    const all = messages.flatMap(texts);
    expect(all.find((t) => !t.startsWith('*') && t.includes('xxx'))).toMatch(/…$/);
    for (const text of all) {
      // No entity cut in half, no lone surrogate.
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      // No fence or code span cut open.
      expect((text.match(/```/g) ?? []).length % 2, text).toBe(0);
      expect((text.replace(/```[\s\S]*?```/g, '').match(/`/g) ?? []).length % 2, text).toBe(0);
    }
    expect(all.join('\n')).toContain('and 2 more changes');
  });

  it('keeps the header within 150 characters', () => {
    const [message] = slackMessages([invoked({}, { rule: 'r'.repeat(400) })]);
    const header = message?.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(150);
  });
});
