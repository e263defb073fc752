import { queryError } from './error-format';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: including the quotes). */
  text: string;
  offset: number;
  /** Decoded value of a string literal (LIKE-only escapes decoded to the plain character); operator with <> as !=. */
  value?: string;
  /** Anchored regular expression source of a string literal used as a LIKE pattern. */
  likeRegex?: string;
  /** First `\%` or `\_` in a string literal: legal only in LIKE patterns. */
  likeOnlyEscape?: string;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  // Salesforce's table calls \b "bell"; the platform is Java, where \b is backspace.
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

const DATE = /^\d{4}-\d{2}-\d{2}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/i;

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function regexEscape(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/**
 * Splits SOQL into tokens. Relationship paths (`PermissionSet.Profile.Name`) are one token, as in
 * Salesforce's lexer; errors are MALFORMED_QUERY in the parser's wording and position.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (offset: number, sentence: string) => queryError('MALFORMED_QUERY', text, offset, sentence, 'syntax');
  const lineCol = (offset: number) => {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    let line = 1;
    for (let k = 0; k < lineStart; k++) if (text.charCodeAt(k) === 10) line++;
    return `line ${line}:${offset - lineStart}`;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      for (;;) {
        while (i < text.length && isIdentPart(text[i]!)) i++;
        if (text[i] === '.' && i + 1 < text.length && isIdentStart(text[i + 1]!)) {
          i++;
          continue;
        }
        break;
      }
      tokens.push({ kind: 'ident', text: text.slice(start, i), offset: start });
      continue;
    }
    if (isDigit(c) || ((c === '-' || c === '+') && isDigit(text[i + 1])) || (c === '.' && isDigit(text[i + 1]))) {
      const rest = text.slice(i);
      const dt = DATETIME.exec(rest);
      if (dt) {
        i += dt[0].length;
        tokens.push({ kind: 'datetime', text: dt[0], offset: start });
        continue;
      }
      const d = DATE.exec(rest);
      if (d && !/^[T\d]/i.test(rest.slice(d[0].length, d[0].length + 1))) {
        i += d[0].length;
        tokens.push({ kind: 'date', text: d[0], offset: start });
        continue;
      }
      const n = /^[+-]?(\d+(\.\d*)?|\.\d+)/.exec(rest)!;
      i += n[0].length;
      tokens.push({ kind: 'number', text: n[0], offset: start });
      continue;
    }
    if (c === "'") {
      i++;
      let value = '';
      let regex = '';
      let likeOnlyEscape: string | undefined;
      for (;;) {
        if (i >= text.length) {
          throw fail(text.length, `${lineCol(text.length)} mismatched character '<EOF>' expecting '''`);
        }
        const ch = text[i]!;
        if (ch === "'") {
          i++;
          break;
        }
        if (ch === '\\') {
          const next = text[i + 1];
          if (next === undefined) {
            throw fail(text.length, `${lineCol(text.length)} mismatched character '<EOF>' expecting '''`);
          }
          let decoded: string | undefined = SIMPLE_ESCAPES[next];
          let width = 2;
          if (next === 'u') {
            const hex = text.slice(i + 2, i + 6);
            if (/^[0-9a-fA-F]{4}$/.test(hex)) {
              decoded = String.fromCharCode(parseInt(hex, 16));
              width = 6;
            }
          }
          if (next === '%' || next === '_') {
            likeOnlyEscape ??= `\\${next}`;
            value += next;
            regex += regexEscape(next);
            i += 2;
            continue;
          }
          if (decoded === undefined) {
            const end = findStringEnd(text, i);
            const raw = text.slice(start, end);
            const bad = next === 'u' ? text.slice(i, Math.min(i + 6, end - 1)) : `\\${next}`;
            throw fail(start, `Invalid string literal ${raw}. Illegal character sequence '${bad}' in string literal.`);
          }
          value += decoded;
          regex += regexEscape(decoded);
          i += width;
          continue;
        }
        value += ch;
        regex += ch === '%' ? '.*' : ch === '_' ? '.' : regexEscape(ch);
        i++;
      }
      tokens.push({
        kind: 'string',
        text: text.slice(start, i),
        offset: start,
        value,
        likeRegex: `^${regex}$`,
        likeOnlyEscape,
      });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      i += 2;
      tokens.push({ kind: 'op', text: two, value: two === '<>' ? '!=' : two, offset: start });
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      i++;
      tokens.push({ kind: 'op', text: c, value: c, offset: start });
      continue;
    }
    if (c === ',' || c === '(' || c === ')' || c === ':') {
      i++;
      tokens.push({ kind: 'punct', text: c, offset: start });
      continue;
    }
    throw fail(start, `${lineCol(start)} no viable alternative at character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', offset: text.length });
  return tokens;
}

/** End (exclusive) of a string literal whose escape is broken, to quote it whole in the message. */
function findStringEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === "'") return i + 1;
    else i++;
  }
  return text.length;
}
