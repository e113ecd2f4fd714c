// Writes docs/rules.md from the rule registry (`npm run docs`); a test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { rulesMarkdown } from '../shared/core/reconcile/rules-doc.js';

const RULES_DOC = 'docs/rules.md';

const options = (await resolveConfig(RULES_DOC)) ?? {};
writeFileSync(RULES_DOC, await format(rulesMarkdown(), { ...options, parser: 'markdown' }));
console.log(`wrote ${RULES_DOC}`);
