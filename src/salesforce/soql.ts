/**
 * Quoting of values placed in SOQL. onramp builds every query through these, so a value can never change
 * the shape of a query (`' OR Name != '` stays a string) and `parseSoql` reads back exactly the value.
 */

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case "'":
      return "\\'";
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      // Other control characters and lone surrogates (which would break URL encoding) as \uXXXX.
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

// Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /[\\'\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes a value for use between single quotes (no quotes added). */
export function soqlEscape(value: string): string {
  return value.replace(NEEDS_ESCAPE, escapeChar);
}

/** A single-quoted SOQL string literal standing for exactly `value`. */
export function soqlQuote(value: string): string {
  return `'${soqlEscape(value)}'`;
}

/** Escapes a value for a LIKE pattern so that `%` and `_` in it match only themselves (no quotes added). */
export function soqlLikeEscape(value: string): string {
  return soqlEscape(value).replace(/[%_]/g, (c) => `\\${c}`);
}

export type LikeMatch = 'exact' | 'prefix' | 'suffix' | 'contains';

/**
 * A single-quoted LIKE pattern that matches `value` literally: exactly (default), as a prefix
 * (`value%`), as a suffix (`%value`) or anywhere (`%value%`).
 */
export function soqlLikeQuote(value: string, match: LikeMatch = 'exact'): string {
  const body = soqlLikeEscape(value);
  const before = match === 'suffix' || match === 'contains' ? '%' : '';
  const after = match === 'prefix' || match === 'contains' ? '%' : '';
  return `'${before}${body}${after}'`;
}
