import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  EncryptedFileSecretStore,
  SECRETS_KEY_ENV,
  createSecretsKeyFile,
} from '../../src/secrets/encrypted-file-store';
import { salesforceStep, secretStoreStep } from '../../src/activities/failures';
import { SecretStoreError } from '../../src/secrets/store';
import { fakePrivateKeyPem } from '../fixtures/pem';

const PEM = `${fakePrivateKeyPem(randomBytes(600).toString('base64'))}\n`;

const isCode = (code: SecretStoreError['code'], message: RegExp) => (e: unknown) =>
  e instanceof SecretStoreError && e.code === code && message.test(e.message);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'onramp-secrets-'));
}

const keys = new Map<string, string>();

/** A store on dir's file under that dir's own key (ONRAMP_SECRETS_KEY), unless `extra` says otherwise. */
function store(dir: string, extra: ConstructorParameters<typeof EncryptedFileSecretStore>[0] = {}) {
  if (!keys.has(dir)) keys.set(dir, randomBytes(32).toString('base64'));
  return new EncryptedFileSecretStore({
    path: join(dir, 'secrets.json'),
    env: { [SECRETS_KEY_ENV]: keys.get(dir) },
    ...extra,
  });
}

const STORE_MODULE = join(__dirname, '..', '..', 'src', 'secrets', 'encrypted-file-store.ts');

/** Runs `body` in another process, where `s` is a store on dir's file under `key` and `process.argv[2]` is `arg`. */
async function inAnotherProcess(dir: string, key: string, body: string, arg = ''): Promise<void> {
  const script = join(dir, `script-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(
    script,
    `import { EncryptedFileSecretStore } from ${JSON.stringify(STORE_MODULE)};
(async () => {
  const s = new EncryptedFileSecretStore({ path: ${JSON.stringify(join(dir, 'secrets.json'))}, env: { ONRAMP_SECRETS_KEY: ${JSON.stringify(key)} } });
  ${body}
})().catch((e) => { console.error(e); process.exit(1); });
`,
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, arg], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`process ${arg} failed: ${err}`))));
  });
}

/**
 * Runs `work` and counts the writes of the store file in `dir` as the kernel reports them: each write
 * creates a temp file under a fresh name.
 */
async function countWrites<T>(dir: string, work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const temps = new Set<string>();
  const marker = `marker-${randomBytes(4).toString('hex')}`;
  let markerSeen!: () => void;
  const seen = new Promise<void>((resolve) => (markerSeen = resolve));
  const watcher = watch(dir, (_event, file) => {
    if (file?.endsWith('.tmp')) temps.add(file);
    else if (file === marker) markerSeen();
  });
  try {
    const result = await work();
    // Events arrive in order: once the marker's has, so have those of every write before it.
    writeFileSync(join(dir, marker), '');
    await seen;
    return { result, writes: temps.size };
  } finally {
    watcher.close();
    rmSync(join(dir, marker), { force: true });
  }
}

describe('EncryptedFileSecretStore', () => {
  it('round-trips values and versions them', async () => {
    const s = store(tempDir());
    const v1 = await s.put('billing/private-key', PEM, { meta: { fingerprint: 'AB:CD' } });
    const v2 = await s.put('billing/private-key', 'second');
    assert.equal(v1, 'secret://onramp/billing/private-key@v1');
    assert.equal(v2, 'secret://onramp/billing/private-key@v2');
    assert.equal(await s.get(v1), PEM);
    assert.equal(await s.get(v2), 'second');
    const versions = await s.versions('billing/private-key');
    assert.deepEqual(
      versions.map((v) => [v.version, v.ref, v.meta]),
      [
        [1, v1, { fingerprint: 'AB:CD' }],
        [2, v2, {}],
      ],
    );
    assert.ok(!Number.isNaN(Date.parse(versions[0]!.createdAt)));
  });

  it('never writes plaintext to the file', async () => {
    const dir = tempDir();
    const s = store(dir);
    const secret = `consumer-secret-${randomBytes(16).toString('hex')}`;
    await s.put('billing/private-key', PEM);
    await s.put('billing/consumer-secret', secret);
    const raw = readFileSync(join(dir, 'secrets.json'), 'utf8');
    assert.ok(!raw.includes(secret));
    assert.ok(!raw.includes('PRIVATE KEY'));
    assert.ok(!raw.includes(PEM.split('\n')[1]!.slice(0, 40)));
    assert.ok(!raw.includes(Buffer.from(secret).toString('base64')));
    const file = JSON.parse(raw);
    const entry = file.secrets['billing/consumer-secret'].versions[0];
    assert.equal(entry.alg, 'aes-256-gcm');
    assert.equal(Buffer.from(entry.iv, 'base64').length, 12);
    assert.equal(entry.keyId, await s.keyId());
  });

  it('never makes a key: without one it refuses to store or verify, and writes nothing', async () => {
    const dir = tempDir();
    const keyless = store(dir, { env: {} });
    await assert.rejects(
      keyless.put('billing/consumer-secret', 'value'),
      isCode('missing-key', /no secrets key .*ONRAMP_SECRETS_KEY/),
    );
    await assert.rejects(keyless.verify(), isCode('missing-key', /only onramp dev creates one/));
    const absent = store(dir, { env: {}, keyPath: join(dir, 'secrets.key') });
    await assert.rejects(absent.verify(), isCode('missing-key', /secrets\.key does not exist/));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('uses a key file made by createSecretsKeyFile (0600, never replaced)', async () => {
    const dir = tempDir();
    const keyFile = join(dir, 'keys', 'secrets.key');
    await createSecretsKeyFile(keyFile);
    const key = readFileSync(keyFile, 'utf8');
    await createSecretsKeyFile(keyFile);
    assert.equal(readFileSync(keyFile, 'utf8'), key, 'an existing key is kept');
    assert.equal(Buffer.from(key.trim(), 'base64').length, 32);
    const ref = await store(dir, { env: {}, keyPath: keyFile }).put('billing/consumer-secret', 'value');
    if (process.platform !== 'win32') {
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'secrets.json')).mode & 0o777, 0o600);
    }
    assert.equal(await store(dir, { env: {}, keyPath: keyFile }).get(ref), 'value');
  });

  it('refuses a key file others can read', async () => {
    if (process.platform === 'win32') return;
    const dir = tempDir();
    const keyPath = join(dir, 'secrets.key');
    await createSecretsKeyFile(keyPath);
    await store(dir, { env: {}, keyPath }).put('billing/x', 'v');
    chmodSync(keyPath, 0o644);
    await assert.rejects(store(dir, { env: {}, keyPath }).put('billing/x', 'v'), /chmod 600/);
  });

  it('verifies that its key is the one that wrote the file', async () => {
    const dir = tempDir();
    await store(dir).put('billing/consumer-secret', 'value');
    await store(dir).verify();
    const other = store(dir, { env: { [SECRETS_KEY_ENV]: randomBytes(32).toString('base64') } });
    await assert.rejects(
      other.verify(),
      isCode('wrong-key', /is not the key that wrote .*billing\/consumer-secret has key id/),
    );
  });

  it('uses ONRAMP_SECRETS_KEY when set and fails clearly with the wrong key', async () => {
    const dir = tempDir();
    const keyA = randomBytes(32).toString('base64');
    const keyB = randomBytes(32).toString('base64');
    const a = store(dir, { env: { [SECRETS_KEY_ENV]: keyA } });
    const ref = await a.put('billing/consumer-secret', 'top secret');
    assert.equal(existsSync(join(dir, 'secrets.key')), false, 'no key file when the env provides the key');
    const b = store(dir, { env: { [SECRETS_KEY_ENV]: keyB } });
    await assert.rejects(b.get(ref), (e: unknown) => {
      assert.ok(e instanceof SecretStoreError);
      assert.equal(e.code, 'wrong-key');
      assert.match(e.message, /encrypted with key id [0-9a-f]{16} but the configured master key has id [0-9a-f]{16}/);
      assert.ok(!e.message.includes(keyA) && !e.message.includes(keyB));
      return true;
    });
    assert.equal(await store(dir, { env: { [SECRETS_KEY_ENV]: keyA } }).get(ref), 'top secret');
    await assert.rejects(store(dir, { env: { [SECRETS_KEY_ENV]: 'c2hvcnQ=' } }).get(ref), /must be 32 bytes/);
  });

  it('detects tampering and entries moved to another slot', async () => {
    const dir = tempDir();
    const s = store(dir);
    const r1 = await s.put('billing/consumer-secret', 'one');
    const r2 = await s.put('billing/consumer-secret', 'two');
    const path = join(dir, 'secrets.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    const [e1, e2] = file.secrets['billing/consumer-secret'].versions;
    // Swap ciphertexts between versions: GCM's additional data binds each to its name@version.
    [e1.ciphertext, e2.ciphertext, e1.iv, e2.iv, e1.tag, e2.tag] = [
      e2.ciphertext,
      e1.ciphertext,
      e2.iv,
      e1.iv,
      e2.tag,
      e1.tag,
    ];
    writeFileSync(path, JSON.stringify(file));
    await assert.rejects(s.get(r1), (e: unknown) => e instanceof SecretStoreError && e.code === 'corrupt');
    await assert.rejects(s.get(r2), (e: unknown) => e instanceof SecretStoreError && e.code === 'corrupt');
  });

  it('reads a file written indented, as earlier versions wrote it, and writes it back compact', async () => {
    const dir = tempDir();
    const s = store(dir);
    const ref = await s.put('billing/private-key', PEM);
    writeFileSync(s.path, `${JSON.stringify(JSON.parse(readFileSync(s.path, 'utf8')), null, 2)}\n`);
    assert.equal(await store(dir).get(ref), PEM);
    assert.equal(await s.put('billing/private-key', 'second'), 'secret://onramp/billing/private-key@v2');
    assert.deepEqual(readFileSync(s.path, 'utf8').split('\n').slice(1), [''], 'one line and its newline');
  });

  it('deletes single versions and whole secrets, idempotently, without reusing version numbers', async () => {
    const s = store(tempDir());
    const v1 = await s.put('billing/private-key', 'a');
    const v2 = await s.put('billing/private-key', 'b');
    await s.put('billing/consumer-secret', 'c');
    assert.equal(await s.deleteVersion(v1), true);
    assert.equal(await s.deleteVersion(v1), false);
    await assert.rejects(s.get(v1), (e: unknown) => e instanceof SecretStoreError && e.code === 'not-found');
    assert.equal(await s.get(v2), 'b');
    assert.deepEqual(await s.list('billing/'), ['billing/consumer-secret', 'billing/private-key']);
    assert.equal(await s.delete('billing/private-key'), 1);
    assert.equal(await s.delete('billing/private-key'), 0);
    assert.deepEqual(await s.list('billing/'), ['billing/consumer-secret']);
    assert.deepEqual(await s.versions('billing/private-key'), []);
    const v3 = await s.put('billing/private-key', 'd');
    assert.equal(v3, 'secret://onramp/billing/private-key@v3', 'a deleted ref must never point at a new value');
    await assert.rejects(s.get(v2), /not found/);
  });

  it('returns the existing ref for a repeated idempotency key', async () => {
    const s = store(tempDir());
    const first = await s.put('billing/private-key', 'attempt-1', { idempotencyKey: 'wf-1/activity-7' });
    const retry = await s.put('billing/private-key', 'attempt-2', { idempotencyKey: 'wf-1/activity-7' });
    assert.equal(retry, first);
    assert.equal(await s.get(retry), 'attempt-1');
    assert.equal((await s.versions('billing/private-key')).length, 1);
    const other = await s.put('billing/private-key', 'attempt-3', { idempotencyKey: 'wf-2/activity-7' });
    assert.notEqual(other, first);
    // Same key on another name is a different secret.
    const elsewhere = await s.put('billing/consumer-secret', 'x', { idempotencyKey: 'wf-1/activity-7' });
    assert.equal(elsewhere, 'secret://onramp/billing/consumer-secret@v1');
    // Once that version is deleted the key is forgotten.
    await s.deleteVersion(first);
    const again = await s.put('billing/private-key', 'attempt-4', { idempotencyKey: 'wf-1/activity-7' });
    assert.equal(again, 'secret://onramp/billing/private-key@v3');
    assert.ok(!readFileSync(s.path, 'utf8').includes('wf-1/activity-7'), 'idempotency keys are stored hashed');
  });

  it('serializes concurrent puts from one process without losing versions', async () => {
    const dir = tempDir();
    const a = store(dir);
    const b = store(dir);
    const refs = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).put(`billing/k${i % 3}`, `value-${i}`)),
    );
    assert.equal(new Set(refs).size, 30);
    for (const [i, ref] of refs.entries()) assert.equal(await a.get(ref), `value-${i}`);
    assert.equal((await a.versions('billing/k0')).length, 10);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock')),
      [],
      'no temp or lock files left behind',
    );
  });

  it('keeps every version when several processes write at once', async () => {
    const dir = tempDir();
    const key = randomBytes(32).toString('base64');
    const writer = `for (let i = 0; i < 8; i++) await s.put('billing/shared', process.argv[2] + '-' + i);`;
    await Promise.all(['p1', 'p2', 'p3'].map((id) => inAnotherProcess(dir, key, writer, id)));
    const s = store(dir, { env: { [SECRETS_KEY_ENV]: key } });
    const versions = await s.versions('billing/shared');
    assert.deepEqual(
      versions.map((v) => v.version),
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
    const values = await Promise.all(versions.map((v) => s.get(v.ref)));
    assert.equal(new Set(values).size, 24);
  });

  it('stores the puts that queue up during a write together, keeping every version', async () => {
    const dir = tempDir();
    const s = store(dir);
    const waves = 5;
    const perWave = 20;
    const { result: refs, writes } = await countWrites(dir, async () => {
      const puts: Array<Promise<string>> = [];
      for (let w = 0; w < waves; w++) {
        for (let i = 0; i < perWave; i++) puts.push(s.put(`billing/k${i % 4}`, `value-${w}-${i}`));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return Promise.all(puts);
    });
    // A wave's puts arrive in one turn of the event loop, so each wave starts one write at most (a write per put: 100).
    assert.ok(writes >= 1 && writes <= waves, `${writes} writes for ${waves * perWave} puts`);
    for (let k = 0; k < 4; k++) {
      const versions = await s.versions(`billing/k${k}`);
      assert.deepEqual(
        versions.map((v) => v.version),
        Array.from({ length: (waves * perWave) / 4 }, (_, i) => i + 1),
      );
    }
    assert.equal(new Set(refs).size, waves * perWave);
    for (const [n, ref] of refs.entries())
      assert.equal(await s.get(ref), `value-${Math.floor(n / perWave)}-${n % perWave}`);
  });

  it("sees another process's writes on its next read and write, though it holds the file parsed", async () => {
    const dir = tempDir();
    const key = randomBytes(32).toString('base64');
    const s = store(dir, { env: { [SECRETS_KEY_ENV]: key } });
    const v1 = await s.put('billing/shared', 'value-1');
    assert.deepEqual(await s.list(), ['billing/shared']);
    assert.equal(await s.get(v1), 'value-1');
    const size = statSync(s.path).size;

    await inAnotherProcess(
      dir,
      key,
      `await s.deleteVersion(${JSON.stringify(v1)}); await s.put('billing/shared', 'value-2');`,
    );
    assert.equal(statSync(s.path).size, size, 'the same size: a size check alone would miss the change');
    await assert.rejects(s.get(v1), isCode('not-found', /billing\/shared@v1 not found/));
    assert.equal(await s.get('secret://onramp/billing/shared@v2'), 'value-2');
    assert.deepEqual(
      (await s.versions('billing/shared')).map((v) => v.version),
      [2],
    );

    // Its next write reads under the lock what the other process wrote, and keeps it.
    await inAnotherProcess(dir, key, `await s.put('billing/added', 'value-3');`);
    assert.equal(await s.put('billing/shared', 'value-4'), 'secret://onramp/billing/shared@v3');
    assert.deepEqual(await s.list(), ['billing/added', 'billing/shared']);
    assert.equal(await s.get('secret://onramp/billing/added@v1'), 'value-3');
  });

  it('stores the rest of a group when one of its changes fails, leaving that entry as it was', async () => {
    const dir = tempDir();
    const s = store(dir);
    await s.put('billing/ok', 'ok-1');
    const broken1 = await s.put('billing/broken', 'broken-1');
    // A hand edit leaves one entry malformed.
    const edited = JSON.parse(readFileSync(s.path, 'utf8'));
    edited.secrets['billing/broken'].nextVersion = '2';
    writeFileSync(s.path, JSON.stringify(edited));

    const { result: outcomes, writes } = await countWrites(dir, () =>
      Promise.allSettled([
        s.put('billing/ok', 'ok-2'),
        s.put('billing/broken', 'broken-2'),
        s.put('billing/new', 'new-1'),
        s.put('billing/ok', 'ok-3'),
      ]),
    );
    assert.equal(writes, 1, 'the four puts were one group');
    const [ok2, broken2, new1, ok3] = outcomes;
    assert.deepEqual(
      [ok2, new1, ok3],
      [
        { status: 'fulfilled', value: 'secret://onramp/billing/ok@v2' },
        { status: 'fulfilled', value: 'secret://onramp/billing/new@v1' },
        { status: 'fulfilled', value: 'secret://onramp/billing/ok@v3' },
      ],
    );
    assert.equal(broken2!.status, 'rejected');
    assert.ok(
      isCode('corrupt', /holds a malformed entry for billing\/broken$/)((broken2 as PromiseRejectedResult).reason),
    );
    const stored = JSON.parse(readFileSync(s.path, 'utf8'));
    assert.deepEqual(stored.secrets['billing/broken'], edited.secrets['billing/broken']);
    assert.deepEqual(
      await Promise.all(['billing/ok@v2', 'billing/ok@v3', 'billing/new@v1'].map((r) => s.get(`secret://onramp/${r}`))),
      ['ok-2', 'ok-3', 'new-1'],
    );
    assert.equal(await s.get(broken1), 'broken-1');
  });

  it('takes over a stale lock left by a crashed process and times out on a live one', async () => {
    const dir = tempDir();
    const s = store(dir, { lockTimeoutMs: 200 });
    await s.put('billing/a', '1');
    const lock = join(dir, 'secrets.json.lock');
    writeFileSync(lock, '99999 live');
    await assert.rejects(s.put('billing/a', '2'), /timed out waiting for the lock/);
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(lock, old, old);
    assert.equal(await s.put('billing/a', '3'), 'secret://onramp/billing/a@v2');
  });

  it('reports a directory where its file belongs as a bad path, from which deleting is a no-op', async () => {
    const dir = tempDir();
    const s = store(dir);
    mkdirSync(s.path);
    await assert.rejects(
      s.put('billing/consumer-secret', 'v'),
      isCode('bad-path', /cannot read .*secrets\.json: EISDIR/),
    );
    await assert.rejects(s.list(), isCode('bad-path', /EISDIR/));
    assert.equal(await s.delete('billing/consumer-secret'), 0);
    assert.equal(await s.deleteVersion('secret://onramp/billing/consumer-secret@v1'), false);
    assert.deepEqual(readdirSync(s.path), [], 'nothing written into the directory');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock')),
      [],
      'no temp or lock files left behind',
    );
  });

  it('reports a regular file where its directory belongs as a bad path, with or without a key file', async () => {
    const dir = join(tempDir(), 'store');
    writeFileSync(dir, 'not a directory');
    const keyFileOnly = store(dir, { env: {}, keyPath: join(dir, 'secrets.key') });
    await assert.rejects(keyFileOnly.put('billing/private-key', PEM), isCode('bad-path', /secrets\.key: ENOTDIR/));
    const keyed = store(dir, { env: { [SECRETS_KEY_ENV]: randomBytes(32).toString('base64') } });
    await assert.rejects(keyed.put('billing/private-key', PEM), isCode('bad-path', /store is a file, not a directory/));
    assert.equal(await keyed.delete('billing/private-key'), 0);
  });

  it('becomes a typed activity failure, retryable only for io', async () => {
    const failure = async (error: Error) => {
      const e = await secretStoreStep('store the consumer secret', () => Promise.reject(error)).catch(
        (e: unknown) => e,
      );
      return e instanceof ApplicationFailure ? [e.message, e.type, e.nonRetryable, e.details] : e;
    };
    assert.deepEqual(await failure(new SecretStoreError('/x/secrets.json is a file, not a directory', 'bad-path')), [
      'store the consumer secret: /x/secrets.json is a file, not a directory',
      'SecretStoreError',
      true,
      [{ code: 'bad-path' }],
    ]);
    assert.deepEqual(await failure(new SecretStoreError('timed out waiting for the lock', 'io')), [
      'store the consumer secret: timed out waiting for the lock',
      'SecretStoreTransientError',
      false,
      [{ code: 'io' }],
    ]);
    const other = new TypeError('secret value must be a string');
    assert.equal(await failure(other), other, 'not a store error: left to the activity');
    // A store call inside a Salesforce step (a rotation reads the store between org calls) is still a store failure.
    const locked = new SecretStoreError('timed out waiting for the lock', 'io');
    const inStep = await salesforceStep('stage new OAuth credentials', () => Promise.reject(locked)).catch(
      (e: unknown) => e,
    );
    assert.ok(inStep instanceof ApplicationFailure);
    assert.deepEqual([inStep.type, inStep.nonRetryable], ['SecretStoreTransientError', false]);
  });

  it('refuses bad names, refs and a corrupt file clearly', async () => {
    const dir = tempDir();
    const s = store(dir);
    await assert.rejects(s.put('Billing/Key', 'x'), /invalid secret name/);
    await assert.rejects(s.get('billing/key'), /invalid secret reference/);
    writeFileSync(join(dir, 'secrets.json'), '{not json');
    await assert.rejects(s.list(), (e: unknown) => e instanceof SecretStoreError && e.code === 'corrupt');
  });
});
