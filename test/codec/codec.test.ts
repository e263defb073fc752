import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../src/codec/encryption-codec';
import {
  CodecKeyError,
  formatKeyList,
  KeyRing,
  loadKeyRing,
  newCodecKey,
  parseKeyList,
  rotateKeyFile,
} from '../../src/codec/key-ring';
import {
  buildCodecServer,
  CodecServerConfigError,
  startCodecServer,
  type RunningCodecServer,
} from '../../src/codec/server';

const spec = {
  integration: 'billing',
  privateKeyRef: 'secret://onramp/billing/private-key@v1',
  objects: ['Invoice__c'],
};
const plain = (): Payload => defaultPayloadConverter.toPayload(spec);
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

describe('payload codec', () => {
  test('encrypts the whole payload under the active key and decodes it back', async () => {
    const ring = new KeyRing([newCodecKey()]);
    const codec = new EncryptionCodec(ring);
    const [encoded] = await codec.encode([plain()]);
    assert.equal(text(encoded!.metadata![METADATA_ENCODING_KEY]), ENCRYPTED_ENCODING);
    assert.equal(text(encoded!.metadata![KEY_ID_METADATA]), ring.active.id);
    assert.equal(
      Object.keys(encoded!.metadata!).length,
      2,
      'the original metadata (json/plain) is inside the ciphertext',
    );
    assert.doesNotMatch(Buffer.from(encoded!.data!).toString('latin1'), /billing|secret:\/\/|Invoice__c|json\/plain/);
    const [again] = await codec.encode([plain()]);
    assert.notDeepEqual(again!.data, encoded!.data, 'a fresh IV per payload');
    const [decoded] = await codec.decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), spec);
  });

  test('rotation: a ring with a new active key still decodes payloads written under the old one', async () => {
    const old = newCodecKey();
    const [written] = await new EncryptionCodec(new KeyRing([old])).encode([plain()]);
    const rotated = new KeyRing([newCodecKey(), old]);
    const codec = new EncryptionCodec(rotated);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codec.decode([written!]))[0]!), spec);
    const [fresh] = await codec.encode([plain()]);
    assert.equal(text(fresh!.metadata![KEY_ID_METADATA]), rotated.active.id);
    // Retiring the old key too early is reported with the key's id, not as garbage.
    await assert.rejects(
      new EncryptionCodec(new KeyRing([rotated.active])).decode([written!]),
      (e: unknown) => e instanceof PayloadDecryptionError && e.message.includes(old.id),
    );
  });

  test('a tampered payload or a payload relabelled with another key id does not decode', async () => {
    const a = newCodecKey();
    const b = { ...newCodecKey(), key: a.key };
    const codec = new EncryptionCodec(new KeyRing([a, b]));
    const [encoded] = await codec.encode([plain()]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[flipped.length - 20]! ^= 1;
    await assert.rejects(codec.decode([{ ...encoded!, data: flipped }]), PayloadDecryptionError);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from(b.id) } };
    await assert.rejects(codec.decode([relabelled]), PayloadDecryptionError);
  });

  test('payloads written before the codec was on pass through', async () => {
    const codec = new EncryptionCodec(new KeyRing([newCodecKey()]));
    assert.deepEqual(await codec.decode([plain()]), [plain()]);
  });
});

describe('codec key ring', () => {
  test('ONRAMP_CODEC_KEYS: id:base64 list, first active; bad entries are named', () => {
    const [k1, k2] = [newCodecKey(), newCodecKey()];
    const ring = loadKeyRing({ keys: formatKeyList([k1, k2]) });
    assert.deepEqual(ring.ids, [k1.id, k2.id]);
    assert.equal(ring.active.id, k1.id);
    assert.throws(() => parseKeyList('nokey'), /id:base64key/);
    assert.throws(
      () => loadKeyRing({ keys: 'k1:c2hvcnQ=' }),
      (e: unknown) => e instanceof CodecKeyError && /k1 must be 32 bytes/.test(e.message),
    );
    assert.throws(() => loadKeyRing({ keys: formatKeyList([k1, k1]) }), /listed twice/);
    assert.throws(() => loadKeyRing({ keys: formatKeyList([{ ...k1, id: 'bad id' }]) }), /key id "bad id"/);
  });

  test('key file: created 0600 on first use, stable, rotated by adding a key, refused when group-readable', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'onramp-codec-')), 'nested', 'codec-keys.json');
    const first = loadKeyRing({ keyFile: file });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadKeyRing({ keyFile: file }).ids, first.ids);
    const [written] = await new EncryptionCodec(first).encode([plain()]);

    const newId = rotateKeyFile(file);
    const rotated = loadKeyRing({ keyFile: file });
    assert.deepEqual(rotated.ids, [newId, ...first.ids]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(
      defaultPayloadConverter.fromPayload((await new EncryptionCodec(rotated).decode([written!]))[0]!),
      spec,
    );

    chmodSync(file, 0o644);
    assert.throws(() => loadKeyRing({ keyFile: file }), /readable by group or others/);
  });
});

describe('codec server', () => {
  const token = 'a'.repeat(16) + 'codec-server-test-token';
  const ring = new KeyRing([newCodecKey()]);
  let server: RunningCodecServer;
  before(async () => {
    server = await startCodecServer({ ring, token, corsOrigins: ['http://localhost:8233'] });
  });
  after(() => server?.close());

  const call = (path: string, init: { token?: string; body?: unknown; origin?: string; method?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.method === 'OPTIONS' ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.origin ? { origin: init.origin } : {}),
      },
      body: init.method === 'OPTIONS' ? undefined : JSON.stringify(init.body ?? { payloads: [] }),
    });
  const asJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });

  test('refuses to be built without a real token', () => {
    assert.throws(() => buildCodecServer({ ring, token: '', corsOrigins: [] }), CodecServerConfigError);
    assert.throws(() => buildCodecServer({ ring, token: 'short', corsOrigins: [] }), /at least 32 characters/);
  });

  test('refuses requests without the bearer token or with a wrong one', async () => {
    const [encoded] = await new EncryptionCodec(ring).encode([plain()]);
    for (const presented of [undefined, 'wrong-token', token.slice(0, -1)]) {
      const response = await call('/decode', { token: presented, body: { payloads: [asJson(encoded!)] } });
      assert.equal(response.status, 401);
      assert.doesNotMatch(await response.text(), /billing|Invoice/);
    }
    assert.equal((await call('/encode', { body: { payloads: [asJson(plain())] } })).status, 401);
  });

  test('decodes and encodes for an authorized caller', async () => {
    const [encoded] = await new EncryptionCodec(ring).encode([plain()]);
    const decoded = (await (await call('/decode', { token, body: { payloads: [asJson(encoded!)] } })).json()) as {
      payloads: Array<{ data: string }>;
    };
    assert.deepEqual(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString('utf8')), spec);
    const reencoded = (await (await call('/encode', { token, body: { payloads: [asJson(plain())] } })).json()) as {
      payloads: Array<{ metadata: Record<string, string> }>;
    };
    assert.equal(Buffer.from(reencoded.payloads[0]!.metadata.encoding!, 'base64').toString(), ENCRYPTED_ENCODING);
    assert.equal((await call('/decode', { token, body: { nope: 1 } })).status, 400);
  });

  test('CORS: the Temporal UI origin may call with x-namespace and authorization; other origins get no grant', async () => {
    const preflight = await call('/decode', { method: 'OPTIONS', origin: 'http://localhost:8233' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-namespace/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const foreign = await call('/decode', { method: 'OPTIONS', origin: 'https://evil.example' });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const unauthorizedFromUi = await call('/decode', { origin: 'http://localhost:8233' });
    assert.equal(unauthorizedFromUi.status, 401);
  });
});
