import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');
type Version = [number, number, number];

const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text
    .replace(/^v/, '')
    .split('.')
    .map((n) => (/^\d+$/.test(n) ? Number(n) : 0));
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * Whether `version` satisfies an engines range, for the forms npm packages use (`>=20.3.0`, `^18 || >=20`,
 * `>= 0.4`, `14.x`, `*`). A form this does not know fails the test rather than pass silently.
 */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) => {
    const comparators = alternative
      .trim()
      .replace(/([<>=^~]+)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    return comparators.every((c) => {
      const m = /^(>=|<=|>|<|\^|~|=)?v?([\dx*.]+)$/.exec(c);
      if (!m) throw new Error(`unknown engines range ${JSON.stringify(range)}`);
      const [, op = '=', text] = m;
      const parts = text!.split('.');
      // `20`, `20.x` and `20.*` are all of 20: compare only the parts that are given.
      const given = parts.findIndex((part) => part === 'x' || part === '*');
      const wildcard = given >= 0 ? given : parts.length < 3 ? parts.length : -1;
      const bound = parse(text!);
      const cmp = compare(version, bound);
      if (wildcard === 0) return true;
      switch (op) {
        case '>=':
          return cmp >= 0;
        case '>':
          return cmp > 0;
        case '<=':
          return cmp <= 0;
        case '<':
          return cmp < 0;
        case '^':
          return cmp >= 0 && version[0] === bound[0];
        case '~':
          return cmp >= 0 && version[0] === bound[0] && version[1] === bound[1];
        default:
          return wildcard < 0 ? cmp === 0 : version.slice(0, wildcard).every((n, i) => n === bound[i]);
      }
    });
  });
}

/** package.json of every installed package, nested ones included. */
function installed(dir: string): Array<{ path: string; engines?: { node?: string } }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name.startsWith('.')) return [];
    if (name.startsWith('@')) return installed(join(dir, name));
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) return [];
    return [
      { path: manifest, ...JSON.parse(readFileSync(manifest, 'utf8')) },
      ...installed(join(dir, name, 'node_modules')),
    ];
  });
}

describe('package.json engines', () => {
  it('the oldest Node it admits satisfies every installed dependency and runs the worker launch (--env-file)', () => {
    const range = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
      .engines.node;
    const oldest = parse(/^>=\s*(\S+)$/.exec(range)?.[1] ?? '');
    assert.ok(oldest[0] > 0, `engines.node is a lower bound: ${range}`);
    const refused = installed(join(ROOT, 'node_modules'))
      .filter((p) => p.engines?.node && !satisfies(oldest, p.engines.node))
      .map((p) => `${p.path}: ${p.engines!.node}`);
    assert.deepEqual(refused, [], `node ${oldest.join('.')} is admitted by engines (${range}) but refused by`);
    // `node --env-file` (start:worker, the Dockerfile, src/worker-launch.ts) exists from Node 20.6.0.
    assert.ok(compare(oldest, [20, 6, 0]) >= 0, `engines admits ${oldest.join('.')}, which has no --env-file`);
  });
});
