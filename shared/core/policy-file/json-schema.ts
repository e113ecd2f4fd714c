import * as z from 'zod';
import { policyFileSchema } from './schema.js';

/** Where the schema is published; `$id` names it, editors load it through the file's modeline. */
export const POLICY_FILE_SCHEMA_ID = 'urn:bedrock-guard:schema:policy-file:1';

/**
 * The JSON Schema of `bedrock-guard.yaml`, generated from the zod schema so the
 * two can't disagree. Draft-07: the draft yaml-language-server and most editors
 * support fully. It describes the input (defaults are optional fields) and
 * leaves the cross-field rules (names that resolve, Regions of the partition)
 * to `bedrock-guard validate`. `npm run schema` writes it to
 * `schema/bedrock-guard.schema.json`.
 */
export function policyFileJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(policyFileSchema, { target: 'draft-07', io: 'input' });
  return { $schema, $id: POLICY_FILE_SCHEMA_ID, ...rest };
}
