import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// The rooms of the code and their doors, checked on the import statements themselves (TypeScript's own
// pre-processor, so dynamic imports and re-exports count too).

const ROOT = resolve(__dirname, '..', '..');
const PACKAGE = join(ROOT, 'packages', 'local-org');
const PACKAGE_NAME = '@onramp/local-org';

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const importsOf = (file: string) =>
  ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
const isInside = (file: string, dir: string) => file === dir || file.startsWith(dir + sep);

/** The file a relative specifier names, as the module resolver would find it. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, join(base, 'index.ts')].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}

describe('the local org has one door', () => {
  const outside = ['src', 'test', 'bench', 'scripts'].flatMap((d) => sources(join(ROOT, d)));
  const inside = sources(PACKAGE);

  it('nothing outside the package imports its internals, only its entry point', () => {
    assert.ok(outside.length > 100 && inside.length > 50, 'the scan sees the tree');
    const violations = outside.flatMap((file) =>
      importsOf(file)
        .filter((spec) => {
          if (spec.startsWith(`${PACKAGE_NAME}/`) || spec.includes('packages/local-org')) return true;
          const target = spec.startsWith('.') ? resolveRelative(file, spec) : undefined;
          return target !== undefined && isInside(target, PACKAGE);
        })
        .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
    );
    assert.deepEqual(violations, []);
  });

  it('the package imports nothing from onramp', () => {
    const violations = inside.flatMap((file) =>
      importsOf(file)
        .filter((spec) =>
          spec.startsWith('.')
            ? !isInside(resolve(dirname(file), spec), PACKAGE)
            : spec === 'onramp' || spec.startsWith('@onramp/'),
        )
        .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
    );
    assert.deepEqual(violations, []);
  });

  it('the worker does not load it: nothing reachable from src/worker.ts imports the package', () => {
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec === PACKAGE_NAME || spec.startsWith(`${PACKAGE_NAME}/`))
          reached.push(`${relative(ROOT, file)} imports ${spec}`);
        const target = spec.startsWith('.') ? resolveRelative(file, spec) : undefined;
        if (target) visit(target);
      }
    };
    visit(join(ROOT, 'src', 'worker.ts'));
    assert.ok(seen.size > 30, `the walk follows the worker's imports (${seen.size} files)`);
    assert.deepEqual(reached, []);
  });
});
