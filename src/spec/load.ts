/**
 * Loading a spec file: YAML → schema → normalised spec, with every problem reported as
 * `{ path, message }` (plus line/column when the YAML can tell). Users never see a raw zod error or a
 * stack trace for a mistake in their file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { closestName } from './did-you-mean';
import { NameDerivationError } from './names';
import { resolveIntegration, type ResolvedIntegration } from './normalize';
import type { ValidationIssue } from './plan';
import { IntegrationSpecSchema, type IntegrationSpec } from './schema';

/** A path to a file, or `{ text }` for YAML already in memory. A bare string with a newline is text. */
export type SpecSource = string | { path: string } | { text: string; filename?: string };

export interface LoadSpecOptions {
  /** When given, the result also carries the resolved integration (derived username, API names, ...). */
  usernameSuffix?: string;
  /** The org it is resolved for (a reference: absent for the default org). */
  org?: string;
}

export type LoadSpecResult =
  | {
      ok: true;
      /** File name or `<text>`. */
      source: string;
      spec: IntegrationSpec;
      /** `sha256:<hex>` of the normalised spec; what approvers approved and the audit compares against. */
      fingerprint: string;
      resolved?: ResolvedIntegration;
      /** Non-fatal YAML warnings. */
      warnings: ValidationIssue[];
    }
  | { ok: false; source: string; errors: ValidationIssue[] };

/** `['access', 'objects', 2, 'name']` → `access.objects[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

interface ZodDefLike {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
}

function defOf(schema: unknown): ZodDefLike | undefined {
  return (schema as { _zod?: { def?: ZodDefLike } })?._zod?.def;
}

/** Walks the zod schema along a data path to list the keys allowed there (for "did you mean"). */
function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  let i = 0;
  for (let guard = 0; guard < 100 && current; guard++) {
    const def = defOf(current);
    if (!def) return [];
    if (def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') {
      current = def.innerType;
    } else if (def.type === 'pipe') {
      current = def.in;
    } else if (i >= path.length) {
      return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    } else if (def.type === 'object' && def.shape) {
      current = def.shape[String(path[i])];
      i++;
    } else if (def.type === 'array') {
      current = def.element;
      i++;
    } else {
      return [];
    }
  }
  return [];
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A schema rule names its own code through `params.code` (e.g. `approval-impossible`); others are `invalid`. */
function customCode(issue: z.core.$ZodIssue): string {
  const code = (issue as { params?: { code?: unknown } }).params?.code;
  return typeof code === 'string' ? code : 'invalid';
}

/** Turns zod issues into user-facing ValidationIssues, one per problem (unknown keys: one per key). */
export function formatZodIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: unknown = IntegrationSpecSchema,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const suggestion = closestName(key, known);
        out.push({
          path: formatPath([...path, key]),
          code: 'unknown-key',
          severity: 'error',
          source: 'schema',
          message: suggestion
            ? `unknown key "${key}"; did you mean "${suggestion}"?`
            : `unknown key "${key}"${known.length > 0 ? ` (allowed: ${known.join(', ')})` : ''}`,
        });
      }
      continue;
    }
    let message = issue.message;
    let code = issue.code === 'custom' ? customCode(issue) : issue.code.replace(/_/g, '-');
    // Custom messages ("must be an email address") read oddly for a key that is simply missing.
    if (
      (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
      'input' in issue &&
      issue.input === undefined
    ) {
      message = 'is required';
      code = 'required';
    } else if (issue.code === 'invalid_type') {
      if (/^Invalid input/.test(message)) {
        message = `must be ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}, got ${describeType(issue.input)}`;
      }
    }
    out.push({ path: formatPath(path), code, severity: 'error', source: 'schema', message });
  }
  return out;
}

function sourceName(source: SpecSource): string {
  if (typeof source === 'string') return source.includes('\n') ? '<text>' : source;
  return 'path' in source ? source.path : (source.filename ?? '<text>');
}

/** Canonical JSON (sorted keys) so the fingerprint does not depend on key order in the YAML file. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function specFingerprint(spec: IntegrationSpec): string {
  return `sha256:${createHash('sha256').update(canonicalJson(spec)).digest('hex')}`;
}

/** Finds the YAML node for a data path; for an unknown or missing key, the nearest node that exists. */
function nodeForPath(
  root: unknown,
  path: readonly PropertyKey[],
  preferKey: boolean,
): { node: YamlNode; exact: boolean } | undefined {
  let node = root as YamlNode | undefined;
  if (!node) return undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: YamlNode | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        // For an unknown key the key itself is what the user must fix; otherwise the value is.
        const last = i === path.length - 1;
        next = ((last && preferKey) || !pair.value ? pair.key : pair.value) as YamlNode;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg] as YamlNode | undefined;
    }
    if (!next) return { node, exact: false };
    node = next;
  }
  return { node, exact: true };
}

/** Parses YAML text into a normalised spec. Synchronous; loadSpec adds file reading. */
export function parseSpec(text: string, options: LoadSpecOptions & { filename?: string } = {}): LoadSpecResult {
  const source = options.filename ?? '<text>';
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  const errors: ValidationIssue[] = [];
  const docList = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for input without any document.
    return {
      ok: false,
      source,
      errors: [{ path: '', code: 'empty', severity: 'error', source: 'yaml', message: 'the file is empty' }],
    };
  }
  for (const doc of docList) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      errors.push({
        path: '',
        code: `yaml-${e.code.toLowerCase().replace(/_/g, '-')}`,
        severity: 'error',
        source: 'yaml',
        // The yaml package's pretty message already contains "at line L, column C" and a code excerpt.
        message: `malformed YAML: ${e.message}`,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
      });
    }
  }
  if (errors.length > 0) return { ok: false, source, errors };
  if (docList.length > 1) {
    const second = docList[1]!;
    const pos = second.range ? lineCounter.linePos(second.range[0]) : undefined;
    return {
      ok: false,
      source,
      errors: [
        {
          path: '',
          code: 'multiple-documents',
          severity: 'error',
          source: 'yaml',
          message: 'the file holds more than one YAML document; write one spec per file',
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        },
      ],
    };
  }
  const doc = docList[0];
  const warnings: ValidationIssue[] = (doc?.warnings ?? []).map((w) => ({
    path: '',
    code: `yaml-${w.code.toLowerCase().replace(/_/g, '-')}`,
    severity: 'warning' as const,
    source: 'yaml',
    message: w.message,
    ...(w.linePos?.[0] ? { line: w.linePos[0].line, column: w.linePos[0].col } : {}),
  }));
  const data: unknown = doc ? doc.toJS({ maxAliasCount: 50 }) : null;
  if (data === null || data === undefined) {
    return {
      ok: false,
      source,
      errors: [{ path: '', code: 'empty', severity: 'error', source: 'yaml', message: 'the file is empty' }],
    };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      source,
      errors: [
        {
          path: '',
          code: 'not-a-mapping',
          severity: 'error',
          source: 'yaml',
          message: `the spec must be a mapping of keys, got ${describeType(data)}`,
        },
      ],
    };
  }

  const parsed = IntegrationSpecSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error.issues);
    // Attach line/column from the YAML so editors and terminals can jump to the spot.
    for (const issue of issues) {
      const located = nodeForPath(doc?.contents, pathFromString(issue.path), issue.code === 'unknown-key');
      const range = located?.node.range;
      if (range) {
        const pos = lineCounter.linePos(range[0]);
        issue.line = pos.line;
        issue.column = pos.col;
      }
    }
    // Report in file order, which is how people read and fix them.
    issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
    return { ok: false, source, errors: issues };
  }

  const spec = parsed.data;
  let resolved: ResolvedIntegration | undefined;
  if (options.usernameSuffix !== undefined) {
    try {
      resolved = resolveIntegration(spec, { usernameSuffix: options.usernameSuffix, org: options.org });
    } catch (e) {
      if (e instanceof NameDerivationError) {
        return {
          ok: false,
          source,
          errors: [{ path: e.path, code: 'name-derivation', severity: 'error', source: 'schema', message: e.message }],
        };
      }
      throw e;
    }
  }
  return { ok: true, source, spec, fingerprint: specFingerprint(spec), ...(resolved ? { resolved } : {}), warnings };
}

/** Inverse of formatPath, for looking nodes up again. */
export function pathFromString(path: string): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  }
  return out;
}

/**
 * Loads and validates a spec. Never throws for a problem in the spec; throws only for programming errors.
 * A missing or unreadable file is reported as an error result, not an exception.
 */
export async function loadSpec(source: SpecSource, options: LoadSpecOptions = {}): Promise<LoadSpecResult> {
  const name = sourceName(source);
  let text: string;
  if (typeof source === 'string' && source.includes('\n')) {
    text = source;
  } else if (typeof source === 'object' && 'text' in source) {
    text = source.text;
  } else {
    const path = typeof source === 'string' ? source : source.path;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOENT'
          ? 'file not found'
          : err.code === 'EISDIR'
            ? 'is a directory'
            : (err.message ?? String(e));
      return {
        ok: false,
        source: name,
        errors: [
          { path: '', code: 'unreadable', severity: 'error', source: 'yaml', message: `cannot read ${path}: ${why}` },
        ],
      };
    }
  }
  return parseSpec(text, { ...options, filename: name });
}

/** `billing.yaml:12:5: error access.objects[2].name: ...` lines for a terminal. */
export function formatIssues(issues: readonly ValidationIssue[], source?: string): string {
  return issues
    .map((i) => {
      const where = [source, i.line, i.column].filter((x) => x !== undefined).join(':');
      const first = i.message.split('\n')[0];
      return `${where ? `${where}: ` : ''}${i.severity} ${i.path || '(file)'}: ${i.severity === 'error' && i.source === 'yaml' ? i.message : first} [${i.code}]`;
    })
    .join('\n');
}
