type Json = Record<string, unknown>;

const DOCUMENT_KEYS = new Set(['PolicyDocument', 'Document', 'AssumeRolePolicyDocument']);

/**
 * An SDK response as the AWS CLI prints it, in one pass: policy documents
 * decoded (the API returns them URL-encoded), dates as ISO strings, absent
 * members left out. The snapshot folder holds exactly this.
 */
export function asCliJson<T>(value: T): T {
  if (value instanceof Date) return value.toISOString() as T;
  if (Array.isArray(value)) return value.map(asCliJson) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    if (v === undefined) continue;
    out[key] = typeof v === 'string' && DOCUMENT_KEYS.has(key) ? decodeDocument(v) : asCliJson(v);
  }
  return out as T;
}

/** A URL-encoded policy document as JSON; left as it is when it isn't one (the snapshot reader reports that). */
export function decodeDocument(text: string): unknown {
  try {
    return JSON.parse(decodeURIComponent(text));
  } catch {
    return text;
  }
}
