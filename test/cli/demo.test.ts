import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');

/** Every file name under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => name.split('/').at(-1)!);
}

describe('npm run demo', () => {
  // The demo's scratch directory goes under TMPDIR: a directory of the test's own shows what it leaves.
  const scratch = mkdtempSync(join(tmpdir(), 'onramp-demo-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('tells its story without SDK noise, never writes the secrets key to disk, and leaves nothing behind', async () => {
    // As `npm run demo` runs it (tsx).
    const demo = spawn(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'src', 'demo.ts')], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: scratch },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    demo.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The store lives from the first secret to the end of the demo: looking every 50 ms sees it.
    const seen = new Set<string>();
    const look = setInterval(() => {
      try {
        for (const name of filesUnder(scratch)) seen.add(name);
      } catch {
        // A directory vanished between listing and reading: the next look sees the rest.
      }
    }, 50);
    const code = await new Promise<number | null>((done) => demo.once('exit', done));
    clearInterval(look);

    assert.equal(code, 0, stderr);
    // The two security approvers the default policy asks for, signed by the dev signer as the server would.
    assert.match(stdout, /Approved by alice@acme\.example/);
    assert.match(stdout, /Approved by bob@acme\.example/);
    assert.match(stdout, /\nRunbook:\n/);
    assert.match(
      stdout,
      /Temporal UI: http:\/\/127\.0\.0\.1:\d+ \(payloads decoded through http:\/\/127\.0\.0\.1:\d+\)/,
    );
    assert.doesNotMatch(stdout + stderr, /webpack|modules by path|Worker state changed|\[INFO\]/);
    assert.equal(stderr, '', 'the worker logs only warnings, and there were none');
    assert.ok(seen.has('secrets.json'), `the store was seen while the demo ran: ${[...seen].join(', ')}`);
    assert.ok(!seen.has('secrets.key'), 'the secrets key never touches the disk');
    assert.deepEqual(
      readdirSync(scratch).filter((name) => name.startsWith('onramp-demo-')),
      [],
      'the demo removes its directory',
    );
  });
});
