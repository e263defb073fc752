import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldDef, SObjectDef } from '../../src/org/schema/types';
import { executeSoql, parseSoql, soqlEscape, soqlLikeEscape, soqlLikeQuote, soqlQuote, type QuerySource } from '../../src/org/soql';

const field = (name: string, type: FieldDef['type']): FieldDef => ({
  name,
  type,
  label: name,
  required: false,
  createable: true,
  updateable: true,
  permissionable: true,
});
const Account: SObjectDef = {
  name: 'Account',
  label: 'Account',
  labelPlural: 'Accounts',
  keyPrefix: '001',
  custom: false,
  setup: false,
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  fields: new Map([
    ['id', field('Id', 'id')],
    ['name', field('Name', 'string')],
  ]),
};

function sourceOf(names: string[]): QuerySource {
  const rows = names.map((Name, i) => ({ Id: `001Ab${String(i).padStart(10, '0')}AAA`, Name }));
  return {
    describe: (t) => (t.toLowerCase() === 'account' ? Account : undefined),
    canReadField: () => true,
    rows: () => rows,
    lookup: () => undefined,
    apiPath: '/services/data/v62.0',
  };
}
const NOW = { now: new Date('2024-01-01T00:00:00Z') };

const HOSTILE = [
  '',
  "'",
  "''",
  "\\'",
  '\\',
  '\\\\',
  "O'Brien",
  "' OR Name != '",
  "x' OR Id != null OR Name = 'x",
  "\\' OR Name != \\'",
  'trailing backslash\\',
  "'; DELETE FROM Account; --",
  '100% real_name',
  '%',
  '_',
  '\\%\\_',
  'line\nbreak',
  'cr\rlf\r\n',
  'tab\there',
  '\b\f\u0000\u0007\u001f\u007f',
  '"double" quotes',
  ':bind',
  'ünïcödé ñ 中文 日本語 😀 🏳️‍🌈',
  '\u2028\u2029',
  '\ud800 lone high',
  'lone low \udc00',
  '\udc00\ud800',
  ') OR (Name LIKE \'%',
  'SELECT Id FROM User',
  '\\u0041',
  'a'.repeat(300),
];

/** Deterministic pseudo-random strings mixing the characters that matter to SOQL. */
function* fuzz(count: number): Generator<string> {
  let seed = 0x2f6b1d3;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const alphabet = ["'", '\\', '%', '_', '"', '\n', '\r', '\t', '\u0000', 'a', 'Z', ' ', '\u00e9', '\ud83d', '\ude00', 'u', '0', ')', '(', ':'];
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = Math.floor(rnd() * 12);
    for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    yield s;
  }
}

const CASES = [...HOSTILE, ...fuzz(2000)];

describe('soqlQuote', () => {
  it('round-trips every value through parseSoql as one string comparison', () => {
    for (const value of CASES) {
      const soql = `SELECT Id FROM Account WHERE Name = ${soqlQuote(value)} AND Id != null`;
      const q = parseSoql(soql);
      assert.equal(q.where?.kind, 'and', JSON.stringify(value));
      const first = q.where.kind === 'and' ? q.where.operands[0] : undefined;
      assert.ok(first?.kind === 'compare' && first.value.kind === 'string', JSON.stringify(value));
      assert.equal(first.value.value, value, JSON.stringify(value));
    }
  });

  it('finds exactly the row holding the value', () => {
    const source = sourceOf(['decoy', "' OR Name != '", "o'brien", ...HOSTILE.filter((h) => h !== '')]);
    for (const value of HOSTILE.filter((h) => h !== '')) {
      const res = executeSoql(parseSoql(`SELECT Name FROM Account WHERE Name = ${soqlQuote(value)}`), source, NOW);
      assert.ok(res.totalSize >= 1, JSON.stringify(value));
      for (const r of res.records) assert.equal(String(r['Name']).toLowerCase(), value.toLowerCase(), JSON.stringify(value));
    }
  });

  it('produces URL-encodable text for any JavaScript string', () => {
    for (const value of CASES) assert.doesNotThrow(() => encodeURIComponent(soqlQuote(value)), JSON.stringify(value));
  });

  it('uses the short escapes Salesforce documents', () => {
    assert.equal(soqlQuote("O'Brien\\x\n\r\t"), "'O\\'Brien\\\\x\\n\\r\\t'");
    assert.equal(soqlEscape('\u0000'), '\\u0000');
    assert.equal(soqlQuote('100%_'), "'100%_'");
  });
});

describe('soqlLikeQuote', () => {
  it('matches the value literally, whatever % and _ it holds', () => {
    const values = [...HOSTILE.filter((h) => h !== ''), '100%', '100_', '1000', '10'];
    const source = sourceOf(values);
    for (const value of values) {
      const res = executeSoql(parseSoql(`SELECT Name FROM Account WHERE Name LIKE ${soqlLikeQuote(value)}`), source, NOW);
      assert.ok(res.totalSize >= 1, JSON.stringify(value));
      for (const r of res.records) assert.equal(String(r['Name']).toLowerCase(), value.toLowerCase(), JSON.stringify(value));
    }
  });

  it('round-trips through the LIKE pattern for fuzzed values', () => {
    for (const value of CASES) {
      const q = parseSoql(`SELECT Id FROM Account WHERE Name LIKE ${soqlLikeQuote(value)}`);
      assert.ok(q.where?.kind === 'like');
      assert.ok(new RegExp(q.where.pattern.regex, 'isu').test(value), JSON.stringify(value));
      assert.ok(!new RegExp(q.where.pattern.regex, 'isu').test(`${value}x`), JSON.stringify(value));
    }
  });

  it('supports prefix, suffix and contains matches', () => {
    const source = sourceOf(['50% off_sale', 'big 50% off_sale', '50x offXsale']);
    const run = (pattern: string) =>
      executeSoql(parseSoql(`SELECT Name FROM Account WHERE Name LIKE ${pattern} ORDER BY Name`), source, NOW).records.map((r) => r['Name']);
    assert.deepStrictEqual(run(soqlLikeQuote('50% off_')), []);
    assert.deepStrictEqual(run(soqlLikeQuote('50% off_', 'prefix')), ['50% off_sale']);
    assert.deepStrictEqual(run(soqlLikeQuote('off_sale', 'suffix')), ['50% off_sale', 'big 50% off_sale']);
    assert.deepStrictEqual(run(soqlLikeQuote('% off', 'contains')), ['50% off_sale', 'big 50% off_sale']);
    assert.equal(soqlLikeEscape("a%b_c'"), "a\\%b\\_c\\'");
  });

  it('is rejected outside LIKE, as Salesforce rejects \\% and \\_ there', () => {
    assert.throws(() => parseSoql(`SELECT Id FROM Account WHERE Name = ${soqlLikeQuote('50%')}`), /Illegal character sequence '\\%'/);
  });
});
