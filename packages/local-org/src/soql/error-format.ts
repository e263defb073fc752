import { SfError } from '../errors';

/**
 * Salesforce prefixes every query error with the offending line (a window of it), a caret line and
 * `ERROR at Row:r:Column:c`. Observed in real responses:
 * - semantic errors (unknown type/field, wrong value type) report a 1-based column and put the caret
 *   under the token;
 * - syntax errors (lexer and parser: "unexpected token", "no viable alternative", invalid string
 *   literal) report the parser's 0-based column, so the caret is drawn one character to the left of the
 *   token. We reproduce that quirk because clients and people compare these strings.
 * - long lines are cut to the tokens within 30 characters either side of the caret.
 */
const WINDOW = 30;

export type ErrorStage = 'syntax' | 'semantic';

export function queryError(
  errorCode: string,
  text: string,
  offset: number,
  sentence: string,
  stage: ErrorStage,
): SfError {
  return new SfError(errorCode, `${locate(text, offset, stage)}${sentence}`);
}

export function locate(text: string, offset: number, stage: ErrorStage): string {
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEndRaw = text.indexOf('\n', at);
  const lineEnd = lineEndRaw === -1 ? text.length : lineEndRaw;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const row = countNewlines(text, lineStart) + 1;
  const inLine = at - lineStart;
  const column = stage === 'syntax' ? inLine : inLine + 1;
  const caret = Math.max(0, column - 1);
  const [from, to] = windowOf(line, caret);
  return `\n${line.slice(from, to)}\n${' '.repeat(caret - from)}^\nERROR at Row:${row}:Column:${column}\n`;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Token spans of a line, good enough to cut the window where Salesforce does (never inside a token). */
function spans(line: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z0-9_.]/.test(c)) {
      while (i < line.length && /[A-Za-z0-9_.:+-]/.test(line[i]!)) {
        // Dates and datetimes (2024-01-01T00:00:00+0000) are one token; a '-' elsewhere ends the word.
        if ((line[i] === '-' || line[i] === '+' || line[i] === ':') && !/^\d/.test(line.slice(start))) break;
        i++;
      }
    } else if (c === "'") {
      i++;
      while (i < line.length && line[i] !== "'") i += line[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, line.length);
    } else {
      i++;
    }
    out.push([start, i]);
  }
  return out;
}

function windowOf(line: string, caret: number): [number, number] {
  const lo = caret - WINDOW;
  const hi = caret + WINDOW;
  const tokens = spans(line);
  let from = 0;
  if (lo > 0) {
    const first = tokens.find(([, e]) => e > lo);
    from = first ? Math.min(first[0], caret) : caret;
  }
  let to = line.length;
  if (hi < line.length) {
    let last: [number, number] | undefined;
    for (const t of tokens) if (t[0] <= hi) last = t;
    to = last ? Math.max(last[1], caret + 1) : line.length;
  }
  return [from, Math.min(to, line.length)];
}
