import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BinaryNotFoundError,
  resolveTemporalCli,
  resolveTestServer,
  TOOLS_BIN_DIR,
  type ResolveBinaryOptions,
} from '../../src/temporal/binaries';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'onramp-binaries-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let dirCounter = 0;
function dir(): string {
  const d = path.join(scratch, `d${dirCounter++}`);
  fs.mkdirSync(d);
  return d;
}

function file(directory: string, name: string, mode = 0o755): string {
  const p = path.join(directory, name);
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, mode);
  return p;
}

/** A world with nothing installed: empty PATH entries and an empty tools dir. */
function world(env: NodeJS.ProcessEnv = {}, toolsBinDir = dir()): ResolveBinaryOptions {
  return { env: { PATH: dir(), ...env }, toolsBinDir, platform: 'linux' };
}

describe('resolveTemporalCli', () => {
  it('falls back to the SDK download when nothing is installed', () => {
    assert.deepEqual(resolveTemporalCli(world()), { type: 'cached-download' });
  });

  it('uses .tools/bin when the binary is not on PATH', () => {
    const tools = dir();
    const installed = file(tools, 'temporal');
    assert.deepEqual(resolveTemporalCli(world({}, tools)), { type: 'existing-path', path: installed });
  });

  it('prefers PATH over .tools/bin, in PATH order', () => {
    const tools = dir();
    file(tools, 'temporal');
    const [first, second] = [dir(), dir()];
    const onPath = file(first, 'temporal');
    file(second, 'temporal');
    const opts = world({ PATH: [dir(), first, second].join(':') }, tools);
    assert.deepEqual(resolveTemporalCli(opts), { type: 'existing-path', path: onPath });
  });

  it('skips PATH entries that are not executable files', () => {
    const tools = dir();
    const installed = file(tools, 'temporal');
    const notExecutable = dir();
    file(notExecutable, 'temporal', 0o644);
    const isDirectory = dir();
    fs.mkdirSync(path.join(isDirectory, 'temporal'));
    const opts = world({ PATH: ['', notExecutable, isDirectory].join(':') }, tools);
    assert.deepEqual(resolveTemporalCli(opts), { type: 'existing-path', path: installed });
  });

  it('prefers ONRAMP_TEMPORAL_CLI over PATH and .tools/bin', () => {
    const tools = dir();
    file(tools, 'temporal');
    const onPath = dir();
    file(onPath, 'temporal');
    const chosen = file(dir(), 'my-temporal');
    const opts = world({ PATH: onPath, ONRAMP_TEMPORAL_CLI: chosen }, tools);
    assert.deepEqual(resolveTemporalCli(opts), { type: 'existing-path', path: chosen });
  });

  it('resolves a relative ONRAMP_TEMPORAL_CLI against the cwd', () => {
    const chosen = file(dir(), 'temporal');
    const relative = path.relative(process.cwd(), chosen);
    assert.deepEqual(resolveTemporalCli(world({ ONRAMP_TEMPORAL_CLI: relative })), {
      type: 'existing-path',
      path: chosen,
    });
  });

  it('treats an empty ONRAMP_TEMPORAL_CLI as unset', () => {
    assert.deepEqual(resolveTemporalCli(world({ ONRAMP_TEMPORAL_CLI: '' })), { type: 'cached-download' });
  });

  it('throws when ONRAMP_TEMPORAL_CLI names a missing or non-executable file instead of silently falling back', () => {
    const tools = dir();
    file(tools, 'temporal');
    const missing = path.join(scratch, 'nope', 'temporal');
    assert.throws(
      () => resolveTemporalCli(world({ ONRAMP_TEMPORAL_CLI: missing }, tools)),
      (err: unknown) => {
        assert.ok(err instanceof BinaryNotFoundError);
        assert.match(err.message, /ONRAMP_TEMPORAL_CLI=.*nope\/temporal is not an executable file/);
        return true;
      },
    );
    const plain = file(dir(), 'temporal', 0o644);
    assert.throws(() => resolveTemporalCli(world({ ONRAMP_TEMPORAL_CLI: plain }, tools)), BinaryNotFoundError);
  });

  it('finds .exe names on Windows', () => {
    const tools = dir();
    const installed = file(tools, 'temporal.exe');
    const opts: ResolveBinaryOptions = { env: { PATH: '' }, toolsBinDir: tools, platform: 'win32' };
    assert.deepEqual(resolveTemporalCli(opts), { type: 'existing-path', path: installed });
  });
});

describe('resolveTestServer', () => {
  it('follows the same order with its own variable and file name', () => {
    const tools = dir();
    assert.deepEqual(resolveTestServer(world({}, tools)), { type: 'cached-download' });

    file(tools, 'temporal'); // the CLI is not the test server
    const cli = file(dir(), 'temporal');
    assert.deepEqual(resolveTestServer(world({ ONRAMP_TEMPORAL_CLI: cli }, tools)), { type: 'cached-download' });

    const installed = file(tools, 'temporal-test-server');
    assert.deepEqual(resolveTestServer(world({}, tools)), { type: 'existing-path', path: installed });

    const onPath = dir();
    const fromPath = file(onPath, 'temporal-test-server');
    assert.deepEqual(resolveTestServer(world({ PATH: onPath }, tools)), { type: 'existing-path', path: fromPath });

    const chosen = file(dir(), 'ts-server');
    assert.deepEqual(resolveTestServer(world({ PATH: onPath, ONRAMP_TEMPORAL_TEST_SERVER: chosen }, tools)), {
      type: 'existing-path',
      path: chosen,
    });
  });
});

describe('this checkout', () => {
  it('resolves real binaries after `npm run tools`', () => {
    // pretest runs install-tools, so .tools/bin is populated unless an override or PATH binary wins.
    for (const resolved of [resolveTemporalCli(), resolveTestServer()]) {
      assert.equal(resolved.type, 'existing-path');
      if (resolved.type === 'existing-path') assert.ok(fs.statSync(resolved.path).isFile());
    }
    assert.ok(fs.existsSync(path.join(TOOLS_BIN_DIR, 'temporal')) || process.env.ONRAMP_TEMPORAL_CLI);
  });
});
