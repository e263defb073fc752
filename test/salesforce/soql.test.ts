import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from 'jsforce';
import { startLocalOrg, type RunningLocalOrg } from '@onramp/local-org';
import { soqlEscape, soqlLikeEscape, soqlLikeQuote, soqlQuote } from '../../src/salesforce/soql';

// onramp's quoting, read back by the org's SOQL endpoint as Salesforce would parse it: a value never
// changes the shape of a query, and the query matches exactly the rows holding the value.

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
  ") OR (Name LIKE '%",
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
  const alphabet = [
    "'",
    '\\',
    '%',
    '_',
    '"',
    '\n',
    '\r',
    '\t',
    '\u0000',
    'a',
    'Z',
    ' ',
    '\u00e9',
    '\ud83d',
    '\ude00',
    'u',
    '0',
    ')',
    '(',
    ':',
  ];
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = Math.floor(rnd() * 12);
    for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    yield s;
  }
}

// Each case is one query to the org over HTTP; a few hundred fuzzed values cover the character mixes.
const CASES = [...HOSTILE, ...fuzz(400)];

let running: RunningLocalOrg;
let conn: Connection;
before(async () => {
  running = await startLocalOrg({ httpsPort: null });
  conn = new Connection({ instanceUrl: running.instanceUrl, accessToken: running.adminAccessToken, version: '62.0' });
});
after(() => running.close());

const names = async (soql: string) => (await conn.query<{ Name: string }>(soql)).records.map((r) => r.Name);
// Account.Name holds 255 characters; the longer case is only queried.
const STORABLE = HOSTILE.filter((h) => h !== '' && h.length <= 255);

/** Accounts named after each value, plus decoys that a query broken by a value would also match. */
async function insertAccounts(values: string[]): Promise<void> {
  const results = await conn.sobject('Account').create(
    values.map((Name) => ({ Name })),
    { allOrNone: true },
  );
  assert.deepEqual(
    results.filter((r) => !r.success),
    [],
  );
}

describe('soqlQuote', () => {
  before(() => insertAccounts(['decoy', "o'brien", ...STORABLE]));

  it('is read back as one string comparison, never a change of the query', async () => {
    for (const value of CASES) {
      const found = await names(`SELECT Name FROM Account WHERE Name = ${soqlQuote(value)} AND Name != 'decoy'`);
      for (const name of found) assert.equal(name.toLowerCase(), value.toLowerCase(), JSON.stringify(value));
    }
  });

  it('finds exactly the row holding the value', async () => {
    for (const value of STORABLE) {
      const found = await names(`SELECT Name FROM Account WHERE Name = ${soqlQuote(value)}`);
      assert.ok(found.length >= 1, JSON.stringify(value));
      for (const name of found) assert.equal(name.toLowerCase(), value.toLowerCase(), JSON.stringify(value));
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
  const likeValues = ['100%', '100_', '1000', '10', '50% off_sale', 'big 50% off_sale', '50x offXsale'];
  before(() => insertAccounts(likeValues));

  it('matches the value literally, whatever % and _ it holds', async () => {
    for (const value of [...STORABLE, '100%', '100_', '1000', '10']) {
      const found = await names(`SELECT Name FROM Account WHERE Name LIKE ${soqlLikeQuote(value)}`);
      assert.ok(found.length >= 1, JSON.stringify(value));
      for (const name of found) assert.equal(name.toLowerCase(), value.toLowerCase(), JSON.stringify(value));
    }
  });

  it('never matches more than the value for fuzzed values', async () => {
    for (const value of CASES) {
      const found = await names(`SELECT Name FROM Account WHERE Name LIKE ${soqlLikeQuote(value)}`);
      for (const name of found) assert.equal(name.toLowerCase(), value.toLowerCase(), JSON.stringify(value));
    }
  });

  it('supports prefix, suffix and contains matches', async () => {
    const run = (pattern: string) =>
      names(`SELECT Name FROM Account WHERE Name LIKE ${pattern} AND Name LIKE '%sale' ORDER BY Name`);
    assert.deepStrictEqual(await run(soqlLikeQuote('50% off_')), []);
    assert.deepStrictEqual(await run(soqlLikeQuote('50% off_', 'prefix')), ['50% off_sale']);
    assert.deepStrictEqual(await run(soqlLikeQuote('off_sale', 'suffix')), ['50% off_sale', 'big 50% off_sale']);
    assert.deepStrictEqual(await run(soqlLikeQuote('% off', 'contains')), ['50% off_sale', 'big 50% off_sale']);
    assert.equal(soqlLikeEscape("a%b_c'"), "a\\%b\\_c\\'");
  });

  it('is rejected outside LIKE, as Salesforce rejects \\% and \\_ there', async () => {
    await assert.rejects(
      names(`SELECT Id FROM Account WHERE Name = ${soqlLikeQuote('50%')}`),
      /MALFORMED_QUERY|Illegal character sequence '\\%'/,
    );
  });
});
