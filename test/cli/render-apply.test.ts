import { describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../../shared/apply/apply-actions.js';
import { renderDryRun, renderOutcomes } from '../../shared/cli/render-apply.js';
import { styleFor, type Style } from '../../shared/cli/style.js';
import type { PutDenyAction, RemoveDenyAction } from '../../shared/core/plan/types.js';

const ACCOUNT = '111122223333';
const plain = styleFor({ isTTY: false });

const put = (name: string, change: 'create' | 'update', rules: PutDenyAction['rules']): PutDenyAction => ({
  type: 'put-deny',
  change,
  principal: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  principalKind: 'role',
  mechanism: 'managed',
  policyName: `bedrock-guard-deny-role-${name}`,
  policyArn: `arn:aws:iam::${ACCOUNT}:policy/bedrock-guard/bedrock-guard-deny-role-${name}`,
  policy: {},
  size: 2,
  quota: 6144,
  rules,
});
const removal: RemoveDenyAction = {
  type: 'remove-deny',
  principal: `arn:aws:iam::${ACCOUNT}:user/carol`,
  principalKind: 'user',
  mechanism: 'inline',
  policyName: 'bedrock-guard-deny-user-carol',
  reason: 'the principal is exempt (listed under exempt in the policy file)',
};

describe('renderDryRun', () => {
  it('says how many changes and that nothing was written, then one aligned line per action', () => {
    const text = renderDryRun([
      put('App', 'create', ['unapproved-model-access']),
      put('Batch', 'update', ['unapproved-model-access', 'unapproved-feature']),
      removal,
    ]);
    expect(text.split('\n')).toEqual([
      'Dry run: 3 change(s), nothing written.',
      '  would create   role/App                         managed bedrock-guard-deny-role-App (unapproved-model-access)',
      '  would update   role/Batch                       managed bedrock-guard-deny-role-Batch (unapproved-model-access, unapproved-feature)',
      '  would remove   user/carol                       inline bedrock-guard-deny-user-carol (the principal is exempt (listed under exempt in the policy file))',
    ]);
  });

  it('shows a role path in the principal, without the account', () => {
    const pathed = {
      ...put('App', 'create', ['unapproved-model-access']),
      principal: `arn:aws:iam::${ACCOUNT}:role/teams/ml/App`,
    };
    expect(renderDryRun([pathed])).toContain('  would create   role/teams/ml/App ');
    expect(renderDryRun([pathed])).not.toContain(ACCOUNT);
  });

  it('says so when there is nothing to change', () => {
    expect(renderDryRun([])).toBe('Dry run: 0 change(s), nothing written.');
  });
});

describe('renderOutcomes', () => {
  const outcomes: ActionOutcome[] = [
    {
      action: put('App', 'create', ['unapproved-model-access']),
      result: 'applied',
      detail: 'created and attached',
      ledger: 'recorded',
      ledgerId: 'a1',
    },
    {
      action: put('Admin', 'create', ['unapproved-model-access']),
      result: 'skipped',
      detail: 'exempt: listed under exempt in the policy file',
      ledger: 'duplicate',
      ledgerId: 'a2',
    },
    {
      action: removal,
      result: 'failed',
      detail: 'NoSuchEntityException: The user with name carol cannot be found.',
      ledger: 'unrecorded',
      ledgerError: 'ConditionalCheckFailedException',
      ledgerId: 'a3',
    },
  ];

  it('writes one aligned line per outcome: result, action, principal, policy and detail', () => {
    expect(renderOutcomes(outcomes, plain).split('\n')).toEqual([
      '  applied  put-deny     role/App                         managed bedrock-guard-deny-role-App: created and attached',
      '  skipped  put-deny     role/Admin                       managed bedrock-guard-deny-role-Admin: exempt: listed under exempt in the policy file',
      '  failed   remove-deny  user/carol                       inline bedrock-guard-deny-user-carol: NoSuchEntityException: The user with name carol cannot be found. [not in the ledger: ConditionalCheckFailedException]',
    ]);
  });

  it('flags only outcomes the ledger did not record', () => {
    const lines = renderOutcomes(outcomes, plain).split('\n');
    expect(lines.map((l) => l.includes('[not in the ledger'))).toEqual([false, false, true]);
  });

  it('colours the result by outcome, and the ledger warning red', () => {
    const tag =
      (name: string) =>
      (s: string): string =>
        `<${name}>${s}</${name}>`;
    const tagged: Style = { green: tag('g'), red: tag('r'), yellow: tag('y'), dim: tag('d'), bold: tag('b') };
    const lines = renderOutcomes(outcomes, tagged).split('\n');
    expect(lines[0]).toMatch(/^ {2}<g>applied <\/g> put-deny/);
    expect(lines[1]).toMatch(/^ {2}<y>skipped <\/y> put-deny/);
    expect(lines[2]).toMatch(/^ {2}<r>failed {2}<\/r> remove-deny/);
    expect(lines[2]).toMatch(/<r> \[not in the ledger: ConditionalCheckFailedException\]<\/r>$/);
  });

  it('writes nothing for no outcomes', () => {
    expect(renderOutcomes([], plain)).toBe('');
  });
});
