import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { findFreePort } from '../../src/temporal/dev-server';
import { eventually } from './helpers';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'onramp');
const cwd = mkdtempSync(join(tmpdir(), 'onramp-dev-'));

/** The environment of a user who has configured nothing: the commands must find the dev stack on their own. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(ONRAMP_|TEMPORAL_)/.test(key) && key !== 'ONRAMP_TEMPORAL_CLI') delete env[key];
  // `onramp login` keeps its tokens in the user's config directory: this test's own.
  env.XDG_CONFIG_HOME = join(cwd, 'user-config');
  return env;
}

function onramp(args: string[], where = cwd): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd: where, env: bareEnv(), stdio: 'pipe' });
}

/** Runs `onramp ARGS...` to its end. */
async function run(args: string[], where = cwd): Promise<Output & { code: number | null }> {
  const child = onramp(args, where);
  const output = collect(child);
  return { code: await exited(child), ...output };
}

/** A value of the process's command line (`/proc/PID/cmdline`): what the dev server was really started with. */
function argumentOf(pid: number, flag: string): string | undefined {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

/** The Temporal UI's codec endpoint answers: POST `payloads` to `/decode` (or `/encode`). */
async function codecCall(
  url: string,
  payloads: unknown[],
): Promise<{ status: number; body: { payloads?: Array<{ metadata: Record<string, string>; data: string }> } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payloads }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

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
  new Promise<number | null>((done) =>
    child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code)),
  );

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
    const dev = onramp(['dev', '--fresh', '--port', String(port), '--ui-port', String(uiPort), '--server-port', '0']);
    const output = collect(dev);
    const devExit = exited(dev);
    try {
      await new Promise<void>((ready, fail) => {
        dev.stdout.on('data', () => output.stdout.includes('Press Ctrl-C to stop.') && ready());
        dev.once('exit', (code) =>
          fail(new Error(`onramp dev exited with ${code} before it was ready:\n${output.stderr}`)),
        );
      });
      assert.match(output.stdout, new RegExp(`Temporal UI\\s+http://127\\.0\\.0\\.1:${uiPort}`));
      assert.match(output.stdout, new RegExp(`Temporal\\s+127\\.0\\.0\\.1:${port}`));
      assert.match(output.stdout, /Local org\s+http:\/\/127\.0\.0\.1:\d+/);
      const consoleUrl = /Console\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)?.[1];
      assert.deepEqual(await (await fetch(`${consoleUrl}/healthz`)).json(), { ok: true }, 'the console is served');
      assert.ok(existsSync(join(cwd, '.onramp', 'dev-config.yaml')));
      const servers = processesMentioning(join(cwd, '.onramp', 'temporal.db'));
      assert.equal(servers.length, 1, 'one temporal dev server with its state under .onramp/');
      assert.equal(statSync(join(cwd, '.onramp')).mode & 0o777, 0o700);
      assert.equal(statSync(join(cwd, '.onramp', 'temporal.db')).mode & 0o777, 0o600);

      // A second org started in the same directory must not take over the running one's bootstrap key.
      const second = onramp(['org', 'start', '--json']);
      const secondOutput = collect(second);
      const stillRunning = new Promise<string>((done) => setTimeout(() => done('still running'), 60_000).unref());
      const outcome = await Promise.race([exited(second), stillRunning]);
      if (outcome === 'still running') second.kill('SIGTERM');
      assert.equal(outcome, 1, `a second org started on the running one's files: ${secondOutput.stdout}`);
      // With --json the refusal is the one JSON line a script reads, never a started org's line.
      const refusal = JSON.parse(secondOutput.stdout) as { ok: boolean; exitCode: number; error: string };
      assert.deepEqual({ ok: refusal.ok, exitCode: refusal.exitCode }, { ok: false, exitCode: 1 });
      assert.match(refusal.error, /bootstrap-key\.pem belongs to the local org running as process \d+/);
      assert.equal(secondOutput.stderr, '');

      // A real sign-in at the embedded provider as the seeded requester; the token is kept owner-only.
      const login = await run(['login', '--person', 'jdoe@acme.example']);
      assert.equal(login.code, 0, login.stderr);
      const credentials = join(cwd, 'user-config', 'onramp', 'credentials.json');
      assert.equal(
        login.stdout.trim(),
        `Signed in to ${consoleUrl} as jdoe@acme.example (requester); token saved in ${credentials}.`,
      );
      assert.equal(statSync(credentials).mode & 0o777, 0o600);
      // In the sandbox dev runs beside production: a production onboarding needs the spec verified there first.
      const plan = onramp(['plan', join(ROOT, 'examples', 'billing.yaml'), '--org', 'uat']);
      const planOutput = collect(plan);
      assert.equal(await exited(plan), 0, planOutput.stderr);
      assert.match(planOutput.stdout, /onramp plan for integration "billing"/);

      // From a subdirectory: where to run, not a schema error.
      mkdirSync(join(cwd, 'specs'), { recursive: true });
      const nested = await run(['status', 'billing'], join(cwd, 'specs'));
      assert.equal(nested.code, 2);
      assert.equal(
        nested.stderr.trim(),
        `onramp status: no onramp configuration in ${join(cwd, 'specs')}; run onramp from ${cwd}, or set ONRAMP_CONFIG=${join(cwd, '.onramp', 'dev-config.yaml')}`,
      );

      // The UI reads onramp's encrypted payloads through the codec server started with dev.
      const codecUrl = /Codec server\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)?.[1];
      assert.ok(codecUrl, output.stdout);
      const endpoint = argumentOf(servers[0]!, '--ui-codec-endpoint');
      assert.ok(
        endpoint?.startsWith(`${codecUrl}/ui/`),
        `the dev server was started with the codec endpoint: ${endpoint}`,
      );
      const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
        Codec: { Endpoint: string };
      };
      assert.equal(settings.Codec.Endpoint, endpoint, 'the UI is pointed at it');
      const onboarded = await run(['onboard', join(ROOT, 'examples', 'billing.yaml'), '--org', 'uat']);
      assert.equal(onboarded.code, 0, onboarded.stderr);
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      const history = await connection.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: 'onramp:onboard:billing@uat' },
      });
      await connection.close();
      const input = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const stored = {
        metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, base64(v)])),
        data: base64(input.data),
      };
      assert.doesNotMatch(Buffer.from(input.data!).toString('latin1'), /billing/, 'the server holds ciphertext');
      const decoded = await codecCall(`${endpoint}/decode`, [stored]);
      assert.equal(decoded.status, 200);
      assert.match(Buffer.from(decoded.body.payloads![0]!.data, 'base64').toString('utf8'), /"name":"billing"/);
      assert.equal(
        (await codecCall(`${codecUrl}/decode`, [stored])).status,
        401,
        'without the token the codec refuses',
      );
      assert.equal((await codecCall(`${codecUrl}/ui/${'0'.repeat(64)}/decode`, [stored])).status, 401);

      // A rejection is an outcome: one INFO line in the dev terminal, not a WARN with a stack.
      assert.equal((await run(['login', '--person', 'alice@acme.example'])).code, 0);
      const rejected = await run(['reject', 'billing', '--org', 'uat', '--comment', 'not now']);
      assert.equal(rejected.code, 0, rejected.stderr);
      await eventually(async () =>
        output.stderr.includes('workflow ended: onboarding of billing rejected by alice@acme.example')
          ? true
          : undefined,
      );
      assert.match(
        planOutput.stdout,
        /billing\.integration@integrations\.local-org\.example/,
        "planned against the dev stack's org",
      );

      dev.kill('SIGTERM');
      assert.equal(await devExit, 0, output.stderr);
      // One format on stderr (JSON lines, as it is not a terminal) besides dev's own lines; no SDK chatter.
      const lines = output.stderr.trim().split('\n');
      assert.deepEqual(
        lines.filter((line) => !line.startsWith('{') && !line.startsWith('onramp dev: ')),
        [],
        output.stderr,
      );
      const logged = lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown });
      assert.deepEqual(
        logged.filter((l) => l.level >= 40 || l.err !== undefined),
        [],
        'no warning, no stack',
      );
      assert.doesNotMatch(output.stderr, /webpack|modules by path|Worker state changed/);
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
