import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../shared/core/text/did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('models', 'models')).toBe(0);
    expect(editDistance('modls', 'models')).toBe(1);
    expect(editDistance('modelss', 'models')).toBe(1);
    expect(editDistance('modals', 'models')).toBe(1);
    expect(editDistance('mdoels', 'models')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('didYouMean', () => {
  const FIELDS = ['version', 'partition', 'regions', 'mode', 'exempt', 'models', 'teams', 'budgets', 'rules', 'notify'];

  it('finds the closest candidate, ignoring case', () => {
    expect(didYouMean('modles', FIELDS)).toBe('models');
    expect(didYouMean('Regions', FIELDS)).toBe('regions');
    expect(didYouMean('budget', FIELDS)).toBe('budgets');
    expect(didYouMean('unapproved-model-acess', ['unapproved-model-access', 'unapproved-feature'])).toBe(
      'unapproved-model-access',
    );
  });

  it('prefers the nearer candidate, then the earlier one', () => {
    expect(didYouMean('team', ['teams', 'tea'])).toBe('teams');
    expect(didYouMean('ab', ['abc', 'abd'])).toBe('abc');
  });

  it('offers nothing when no candidate is close enough', () => {
    expect(didYouMean('colour', FIELDS)).toBeUndefined();
    expect(didYouMean('x', ['ab'])).toBeUndefined();
    expect(didYouMean('anything', [])).toBeUndefined();
  });

  it('allows more edits for longer inputs (a third of the length, at least 2)', () => {
    expect(didYouMean('invocation-loging-disabld', ['invocation-logging-disabled'])).toBe(
      'invocation-logging-disabled',
    );
    expect(didYouMean('abcdef', ['abcxyz'])).toBeUndefined();
  });
});
