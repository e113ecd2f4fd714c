import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyFile } from '../../../shared/core/policy-file/parse.js';
import { RULE_IDS, FEATURES } from '../../../shared/core/policy-file/types.js';

const DOC = readFileSync('docs/policy-file.md', 'utf8');

describe('docs/policy-file.md', () => {
  it('holds a complete example that validates without issues', () => {
    const example = /## A complete example\n+```yaml\n([\s\S]*?)```/.exec(DOC)?.[1];
    expect(example).toBeDefined();
    const { policy, issues } = parsePolicyFile(example ?? '', 'docs/policy-file.md');
    expect(issues).toEqual([]);
    expect(policy?.teams).toHaveLength(2);
  });

  it('documents every rule and every feature', () => {
    for (const name of [...RULE_IDS, ...FEATURES]) expect(DOC).toContain(`| \`${name}\``);
  });
});
