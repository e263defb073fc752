import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { REDACTED, createLogger, redactDeep, scrubSecrets, wantsPretty } from '../src/logger';
import { PRIVATE_KEY_FOOTER, PRIVATE_KEY_HEADER, PRIVATE_KEY_MARKER } from './fixtures/pem';

const PEM = [
  PRIVATE_KEY_HEADER,
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  PRIVATE_KEY_FOOTER,
].join('\n');
const RSA_PEM = PEM.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY');
const SESSION = '00D5g000004XyZaEAK!AQ4AQFk2Tk7lq9x.1_Uvsq3jQeSQ6kGVJEz4v8pgVW6Xb0vuY0K3gVNOnDQkVb2a';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIzTVZHOSJ9.c2lnbmF0dXJlLWJ5dGVz';
const SECRET_VALUES = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
  'AQ4AQFk2Tk7lq9x',
  'cs-1234567890',
  'hunter2',
  'rt-abcdef',
  'eyJpc3MiOiIzTVZHOSJ9',
  'opaque-token-xyz',
];

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, destination };
}

function assertClean(text: string) {
  for (const s of SECRET_VALUES) assert.ok(!text.includes(s), `leaked ${s} in ${text}`);
  assert.doesNotMatch(text, PRIVATE_KEY_MARKER);
}

describe('scrubSecrets', () => {
  it('replaces PEM private keys, session ids, JWTs, bearer tokens and secret parameters', () => {
    const text = [
      `deploy failed: ${PEM}`,
      `also ${RSA_PEM} trailing`,
      `INVALID_SESSION_ID for ${SESSION} at /services/data`,
      `assertion ${JWT}`,
      'Authorization: Bearer opaque-token-xyz',
      'body grant_type=client_credentials&client_id=abc&client_secret=cs-1234567890',
      '{"access_token":"00Dxx","refresh_token":"rt-abcdef","password":"hunter2"}',
    ].join('\n');
    const out = scrubSecrets(text);
    assertClean(out);
    assert.match(out, /\[REDACTED PRIVATE KEY\] trailing/);
    assert.match(out, /\[REDACTED SESSION ID\] at \/services\/data/);
    assert.match(out, /Bearer \[REDACTED\]/);
    assert.match(out, /client_id=abc&client_secret=\[REDACTED\]/);
    assert.match(out, /grant_type=client_credentials/);
  });

  it('censors secrets in XML elements, key=value text and JSON under any spelling of a secret key', () => {
    const text = [
      '<met:globalOauth><consumerKey>3MVG9abc</consumerKey><consumerSecret>cs-1234567890</consumerSecret></met:globalOauth>',
      '<met:consumerSecret xsi:type="xsd:string">hunter2</met:consumerSecret>',
      'redeploying with consumerSecret=cs-1234567890 and apiKey=opaque-token-xyz; count=3',
      '{"consumer_secret":"cs-1234567890","DeleteToken":"rt-abcdef","token":"opaque-token-xyz","name":"Onramp_Billing"}',
      '{"secret": "hunter2", "ConsumerSecret":"cs-1234567890"}',
    ].join('\n');
    const out = scrubSecrets(text);
    assertClean(out);
    assert.match(out, /<consumerKey>3MVG9abc<\/consumerKey><consumerSecret>\[REDACTED\]<\/consumerSecret>/);
    assert.match(out, /<met:consumerSecret xsi:type="xsd:string">\[REDACTED\]<\/met:consumerSecret>/);
    assert.match(out, /consumerSecret=\[REDACTED\] and apiKey=\[REDACTED\]; count=3/);
    assert.match(out, /"DeleteToken":"\[REDACTED\]",.*"name":"Onramp_Billing"/);
  });

  it('cuts a truncated PEM to the end rather than leaking its body', () => {
    const out = scrubSecrets(`oops ${PEM.split('\n').slice(0, 2).join('\n')}`);
    assert.equal(out, 'oops [REDACTED PRIVATE KEY]');
  });

  it('leaves ordinary text, certificates and secret refs alone', () => {
    const text = 'stored secret://onramp/billing/private-key@v1; -----BEGIN CERTIFICATE----- abc; user 005000000000001';
    assert.equal(scrubSecrets(text), text);
  });
});

describe('redactDeep', () => {
  it('censors secret keys at any depth without touching the input', () => {
    const input = { a: { b: { c: { privateKeyPem: 'x', keep: 1 } } }, list: [{ Authorization: 'y' }] };
    const out = redactDeep(input) as any;
    assert.equal(out.a.b.c.privateKeyPem, REDACTED);
    assert.equal(out.a.b.c.keep, 1);
    assert.equal(out.list[0].Authorization, REDACTED);
    assert.equal(input.a.b.c.privateKeyPem, 'x');
  });

  it('censors keys named secret, token, apiKey and DeleteToken, in any case or spelling', () => {
    const input = {
      secret: 'hunter2',
      token: 'opaque-token-xyz',
      apiKey: 'cs-1234567890',
      rows: [{ DeleteToken: 'rt-abcdef' }],
      consumer_secret: 'x',
    };
    const out = redactDeep(input) as any;
    assert.deepEqual(out, {
      secret: REDACTED,
      token: REDACTED,
      apiKey: REDACTED,
      rows: [{ DeleteToken: REDACTED }],
      consumer_secret: REDACTED,
    });
    const refs = {
      consumerSecretRef: 'secret://onramp/billing/consumer-secret@v1',
      tokenRevoked: true,
      tokenUserId: '005x',
    };
    assert.equal(redactDeep(refs), refs, 'references and facts about tokens are not secrets');
  });

  it('returns the same object when nothing is secret and survives cycles', () => {
    const input: any = { a: 1, b: { c: 'plain' } };
    input.self = input;
    assert.equal(redactDeep(input), input);
  });
});

describe('createLogger', () => {
  it('writes JSON lines without secrets', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination, level: 'debug' });
    log.info(
      {
        privateKey: PEM,
        privateKeyPem: PEM,
        consumerSecret: 'cs-1234567890',
        clientSecret: 'cs-1234567890',
        client_secret: 'cs-1234567890',
        accessToken: SESSION,
        access_token: SESSION,
        assertion: JWT,
        password: 'hunter2',
        authorization: 'Bearer opaque-token-xyz',
        sessionId: SESSION,
        refresh_token: 'rt-abcdef',
        headers: { authorization: 'Bearer opaque-token-xyz' },
        app: { consumerSecret: 'cs-1234567890', privateKeyPem: PEM, name: 'Onramp_Billing' },
        deep: { nested: { again: { client_secret: 'cs-1234567890', note: `token ${SESSION}` } } },
        ref: 'secret://onramp/billing/private-key@v1',
      },
      'created app',
    );
    const err = new Error(`Metadata deploy failed: certificate ${PEM} rejected; session ${SESSION}`);
    log.error({ err }, 'step failed');
    log.error(err);
    log.warn(`retrying with assertion ${JWT} and Bearer opaque-token-xyz`);
    log.debug('login %s', `client_secret=cs-1234567890`);

    assert.equal(lines.length, 5);
    const all = lines.join('\n');
    assertClean(all);
    const first = JSON.parse(lines[0]!);
    assert.equal(first.name, 'test');
    assert.equal(first.msg, 'created app');
    assert.equal(first.consumerSecret, REDACTED);
    assert.equal(first.headers.authorization, REDACTED);
    assert.equal(first.app.consumerSecret, REDACTED);
    assert.equal(first.app.name, 'Onramp_Billing');
    assert.equal(first.deep.nested.again.client_secret, REDACTED);
    assert.equal(first.ref, 'secret://onramp/billing/private-key@v1', 'references are not secrets');
    const second = JSON.parse(lines[1]!);
    assert.match(second.err.message, /certificate \[REDACTED PRIVATE KEY\] rejected; session \[REDACTED SESSION ID\]/);
    assert.equal(second.err.type, 'Error');
    assert.ok(typeof second.err.stack === 'string' && !PRIVATE_KEY_MARKER.test(second.err.stack));
    const third = JSON.parse(lines[2]!);
    assert.match(third.msg, /Metadata deploy failed: certificate \[REDACTED PRIVATE KEY\]/);
    assert.equal(third.err.type, 'Error');
    assert.match(JSON.parse(lines[3]!).msg, /assertion \[REDACTED JWT\] and Bearer \[REDACTED\]/);
  });

  it('respects the level', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination, level: 'warn' });
    log.info('hidden');
    log.warn('shown');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).msg),
      ['shown'],
    );
  });

  it('chooses pretty output for a TTY unless ONRAMP_LOG_FORMAT=json', () => {
    assert.equal(wantsPretty({ env: {} }, true), true);
    assert.equal(wantsPretty({ env: {} }, false), false);
    assert.equal(wantsPretty({ env: { ONRAMP_LOG_FORMAT: 'json' } }, true), false);
    assert.equal(wantsPretty({ env: { ONRAMP_LOG_FORMAT: 'pretty' } }, false), true);
    assert.equal(wantsPretty({ pretty: false, env: { ONRAMP_LOG_FORMAT: 'pretty' } }, true), false);
  });
});
