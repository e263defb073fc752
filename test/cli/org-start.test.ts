import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { LocalOrgAdmin, type OrgStartLine } from '@onramp/local-org';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'onramp');
const dir = mkdtempSync(join(tmpdir(), 'onramp-cli-'));

function onramp(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: 'pipe' });
}

function exitOf(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, stderr, stdout })));
}

function firstLine(child: ChildProcessWithoutNullStreams, timeoutMs = 60_000): Promise<string> {
  return new Promise((done, fail) => {
    let buffer = '';
    const timer = setTimeout(() => fail(new Error(`no output within ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        done(buffer.slice(0, nl));
      }
    });
    child.on('exit', (code) => fail(new Error(`exited with ${code} before printing`)));
  });
}

describe('onramp org start', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line a real client can use, and stops cleanly on SIGTERM', async () => {
    const state = join(dir, 'org', 'state.json');
    const child = onramp([
      'org',
      'start',
      '--json',
      '--port',
      '0',
      '--no-https',
      '--state',
      state,
      '--connected-apps-allowed',
    ]);
    const exited = exitOf(child);
    const line = JSON.parse(await firstLine(child)) as OrgStartLine;
    try {
      assert.deepEqual(
        Object.keys(line).sort(),
        [
          'accessToken',
          'adminUrl',
          'consumerKey',
          'httpsUrl',
          'instanceUrl',
          'kind',
          'privateKeyPath',
          'username',
        ].sort(),
      );
      assert.equal(line.kind, 'production');
      assert.equal(line.adminUrl, `${line.instanceUrl}/_org`);
      assert.equal(line.httpsUrl, null);
      assert.equal(line.privateKeyPath, join(dir, 'org', 'bootstrap-key.pem'));
      assert.match(readFileSync(line.privateKeyPath, 'utf8'), /-----BEGIN (RSA )?PRIVATE KEY-----/);

      const conn = new Connection({ instanceUrl: line.instanceUrl, accessToken: line.accessToken, version: '62.0' });
      await conn.sobject('Account').create({ Name: 'From The CLI' });
      const info = await new LocalOrgAdmin(line.adminUrl).info();
      assert.equal(info.bootstrap?.consumerKey, line.consumerKey);
      assert.equal(info.settings.connectedAppCreationAllowed, true);
    } finally {
      child.kill('SIGTERM');
    }
    const result = await exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
    assert.ok(readFileSync(state, 'utf8').includes('From The CLI'), 'the state was flushed on shutdown');
  });

  it('prints a human banner without --json and applies --latency', async () => {
    const child = onramp(['org', 'start', '--port', '0', '--https-port', '0', '--latency', '300']);
    const exited = exitOf(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const first = await firstLine(child);
    assert.equal(first, 'onramp local org is running');
    while (!output.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 20));
    assert.match(output, /HTTPS URL\s+https:\/\/127\.0\.0\.1:\d+/);
    const instanceUrl = /instance URL\s+(\S+)/.exec(output)![1];
    const token = /access token\s+(\S+)/.exec(output)![1];
    assert.ok(
      existsSync(join(dir, '.onramp', 'local-org', 'bootstrap-key.pem')),
      'default key location under the working directory',
    );
    const faults = await new LocalOrgAdmin(instanceUrl).faults();
    assert.equal(faults.rules[0]?.latencyMs, 300);
    const started = Date.now();
    await new Connection({ instanceUrl, accessToken: token, version: '62.0' }).query('SELECT Id FROM Account LIMIT 1');
    assert.ok(Date.now() - started >= 250);
    child.kill('SIGINT');
    assert.equal((await exited).code, 0);
  });

  it('--sandbox hosts a sandbox of the production org in the same process', async () => {
    const child = onramp(['org', 'start', '--json', '--no-https', '--sandbox', 'uat']);
    const exited = exitOf(child);
    const line = JSON.parse(await firstLine(child)) as OrgStartLine;
    try {
      const [uat] = line.sandboxes ?? [];
      assert.equal(line.sandboxes?.length, 1);
      assert.equal(uat!.kind, 'sandbox');
      assert.equal(uat!.sandboxName, 'uat');
      assert.equal(uat!.username, `${line.username}.uat`);
      assert.notEqual(uat!.instanceUrl, line.instanceUrl);
      assert.equal(uat!.privateKeyPath, join(dir, '.onramp', 'local-org', 'bootstrap-key.uat.pem'));
      const query = (at: OrgStartLine) =>
        new Connection({ instanceUrl: at.instanceUrl, accessToken: at.accessToken, version: '62.0' }).query<{
          IsSandbox: boolean;
        }>('SELECT IsSandbox FROM Organization');
      assert.equal((await query(uat!)).records[0]!.IsSandbox, true);
      assert.equal((await query(line)).records[0]!.IsSandbox, false);
    } finally {
      child.kill('SIGTERM');
    }
    const result = await exited;
    assert.equal(result.code, 0, result.stderr);
  });

  it('exits 2 on bad usage and 1 when the org cannot start', async () => {
    for (const args of [
      ['--kind', 'sandbox'],
      ['--sandbox-name', 'uat'],
      ['--kind', 'sandbox', '--sandbox-name', 'qa', '--sandbox', 'uat'],
    ]) {
      const refused = await exitOf(onramp(['org', 'start', '--no-https', ...args]));
      assert.equal(refused.code, 2, args.join(' '));
      assert.match(refused.stderr, /sandbox/);
    }
    const badPort = await exitOf(onramp(['org', 'start', '--port', 'eighty']));
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /port/);
    assert.equal((await exitOf(onramp(['org', 'frobnicate']))).code, 2);
    assert.equal((await exitOf(onramp(['no-such-command']))).code, 2);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, 'not json');
    const failed = await exitOf(onramp(['org', 'start', '--port', '0', '--no-https', '--state', broken]));
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /cannot read the local org state file/);

    const failedJson = await exitOf(onramp(['org', 'start', '--port', '0', '--no-https', '--state', broken, '--json']));
    assert.equal(failedJson.code, 1);
    assert.match(JSON.parse(failedJson.stdout).error, /cannot read the local org state file/);
    assert.equal(failedJson.stderr, '');
  });

  it('exits 0 for --help', async () => {
    const help = await exitOf(onramp(['org', 'start', '--help']));
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--state <file>/);
  });
});
