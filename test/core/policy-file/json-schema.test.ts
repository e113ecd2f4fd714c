import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyFileJsonSchema } from '../../../shared/core/policy-file/json-schema.js';
import { RULE_IDS } from '../../../shared/core/policy-file/types.js';

const COMMITTED = 'schema/bedrock-guard.schema.json';

type Json = Record<string, unknown>;

/** Every property of every object in the schema, with its JSON path. */
function properties(schema: unknown, path = '$'): [string, Json][] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Json;
  const own = Object.entries((node.properties as Record<string, Json> | undefined) ?? {}).map(
    ([key, value]): [string, Json] => [`${path}.${key}`, value],
  );
  const children = Object.entries(node).flatMap(([key, value]) =>
    Array.isArray(value)
      ? value.flatMap((v, i) => properties(v, `${path}.${key}[${i}]`))
      : properties(value, key === 'properties' ? path : `${path}.${key}`),
  );
  return [...own, ...children];
}

describe('the published JSON Schema', () => {
  it('is committed and up to date (run `npm run schema` after changing shared/core/policy-file/schema.ts)', () => {
    const committed: unknown = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    expect(committed, `${COMMITTED} is stale: run \`npm run schema\` and commit it`).toEqual(policyFileJsonSchema());
  });

  it('is draft-07 with an id and a title, strict about unknown keys, and documents every field', () => {
    const schema = policyFileJsonSchema();
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: expect.any(String),
      title: 'bedrock-guard policy file',
      additionalProperties: false,
      required: ['version', 'regions', 'models', 'teams'],
    });
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(40);
    expect(all.filter(([, p]) => typeof p.description !== 'string').map(([path]) => path)).toEqual([]);
  });

  it('lists every rule id under rules', () => {
    const rules = (policyFileJsonSchema().properties as Record<string, Json>).rules as Json;
    expect(Object.keys(rules.properties as Json)).toEqual([...RULE_IDS]);
  });
});
