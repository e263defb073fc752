import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// Every workflow the worker caches evaluates its own copy of each module of the bundle it reaches (the SDK's
// reusable V8 context keeps one module cache per workflow). zod's schemas and locales cost about a megabyte
// per copy: reached from workflow code, 143 cached registries ran the workflow thread out of its heap.

const ROOT = resolve(__dirname, '..', '..');

/** Module specifiers a file loads at run time: imports and re-exports that are not type-only. */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause?.isTypeOnly ||
        (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) out.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      out.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile());
}

describe('the workflow bundle', () => {
  it('reaches no zod: workflow code imports the spec vocabulary, not the schema', () => {
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(file)) {
        if (spec === 'zod' || spec.startsWith('zod/')) reached.push(`${relative(ROOT, file)} imports ${spec}`);
        const target = spec.startsWith('.') ? resolveRelative(file, spec) : undefined;
        if (target) visit(target);
      }
    };
    visit(join(ROOT, 'src', 'workflows', 'index.ts'));
    assert.ok(seen.size > 20, `the walk follows the workflows' imports (${seen.size} files)`);
    assert.deepEqual(reached, []);
  });
});
