// Writes schema/bedrock-guard.schema.json from the zod schema (`npm run schema`); a test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { policyFileJsonSchema } from '../shared/core/policy-file/json-schema.js';

const SCHEMA_PATH = 'schema/bedrock-guard.schema.json';

const options = (await resolveConfig(SCHEMA_PATH)) ?? {};
writeFileSync(
  SCHEMA_PATH,
  await format(JSON.stringify(policyFileJsonSchema(), null, 2), { ...options, parser: 'json' }),
);
console.log(`wrote ${SCHEMA_PATH}`);
