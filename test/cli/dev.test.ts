import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { findFreePort } from '../../src/temporal/dev-server';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'onramp');
const cwd = mkdtempSync(join(tmpdir(), 'onramp-dev-'));

/** The environment of a user who has configured nothing: the commands must find the dev stack on their own. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(ONRAMP_|TEMPORAL_)/.test(key) && key !== 'ONRAMP_TEMPORAL_CLI') delete env[key];
  return env;
}

function onramp(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: bareEnv(), stdio: 'pipe' });
}

interface Output {
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcessWithoutNullStreams): Output {
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
  return output;
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));

/** Pids of the processes whose command line mentions `text` (the temporal dev server names its db file). */
function processesMentioning(text: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('onramp dev', () => {
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('serves the embedded stack other commands find, and leaves nothing running after SIGTERM', async () => {
    const [port, uiPort] = [await findFreePort(), await findFreePort()];
    const dev = onramp(['dev', '--fresh', '--port', String(port), '--ui-port', String(uiPort)]);
    const output = collect(dev);
    const devExit = exited(dev);
    try {
      await new Promise<void>((ready, fail) => {
        dev.stdout.on('data', () => output.stdout.includes('Press Ctrl-C to stop.') && ready());
        dev.once('exit', (code) => fail(new Error(`onramp dev exited with ${code} before it was ready:\n${output.stderr}`)));
      });
      assert.match(output.stdout, new RegExp(`Temporal UI\\s+http://127\\.0\\.0\\.1:${uiPort}`));
      assert.match(output.stdout, new RegExp(`Temporal\\s+127\\.0\\.0\\.1:${port}`));
      assert.match(output.stdout, /Local org\s+http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(existsSync(join(cwd, '.onramp', 'dev-config.yaml')));
      const servers = processesMentioning(join(cwd, '.onramp', 'temporal.db'));
      assert.equal(servers.length, 1, 'one temporal dev server with its state under .onramp/');

      // A second org started in the same directory must not take over the running one's bootstrap key.
      const second = onramp(['org', 'start', '--json']);
      const secondOutput = collect(second);
      const started = new Promise<string>((done) => second.stdout.once('data', () => done('started')));
      const outcome = await Promise.race([exited(second), started]);
      if (outcome === 'started') second.kill('SIGTERM');
      assert.equal(outcome, 1, `a second org started on the running one's files: ${secondOutput.stdout}`);
      assert.match(secondOutput.stderr, /bootstrap-key\.pem belongs to the local org running as process \d+/);
      assert.equal(secondOutput.stdout, '', 'nothing a script would take for a started org');

      const plan = onramp(['plan', join(ROOT, 'examples', 'billing.yaml')]);
      const planOutput = collect(plan);
      assert.equal(await exited(plan), 0, planOutput.stderr);
      assert.match(planOutput.stdout, /onramp plan for integration "billing"/);
      assert.match(planOutput.stdout, /billing\.integration@integrations\.local-org\.example/, 'planned against the dev stack\'s org');

      dev.kill('SIGTERM');
      assert.equal(await devExit, 0, output.stderr);
      assert.deepEqual(processesMentioning(join(cwd, '.onramp', 'temporal.db')), [], 'the temporal dev server is gone');
      assert.throws(() => process.kill(servers[0]!, 0), { code: 'ESRCH' });
    } finally {
      if (dev.exitCode === null) {
        // Only on a failed run: SIGKILL skips onramp's own cleanup, so the server is killed here too.
        dev.kill('SIGKILL');
        for (const pid of processesMentioning(join(cwd, '.onramp', 'temporal.db'))) process.kill(pid, 'SIGKILL');
      }
    }
  });
});
