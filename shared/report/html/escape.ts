/**
 * The two ways plan text enters the page: as HTML markup, and as JSON inside a
 * `<script>` element. Every plan string goes through one of them; names in a
 * snapshot are not trusted.
 */

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe to embed in `<script type="application/json">`: `<`, `>`, `&` and
 * the JS line separators are written as `\uXXXX` escapes, so no string can
 * close the element or open a comment.
 */
export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
