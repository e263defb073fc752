import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LocalOrgAdmin, diffStates } from '@onramp/local-org';
import type { OnboardingStatus } from '../../src/shared/types';
import { ONBOARDING_STEPS } from '../../src/shared/steps';
import { HttpAgent } from '../helpers/console-stack';
import { findFreePort } from '../../src/temporal/dev-server';
import { eventually, onramp, onrampAs, start, useCliStack, withEnv } from './helpers';

const BILLING = readFileSync('examples/billing.yaml', 'utf8');

/** Runs `node ARGS` with `input` on its stdin and no token in its environment, as a person pastes one. */
function pasteInto(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ONRAMP_TOKEN: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the onramp command line against the onramp server on a running stack', () => {
  const cli = useCliStack();
  /** API tokens of the seeded people, each from a real sign-in at the embedded provider. */
  const { as } = cli;
  /** The billing example under another integration name, written to a file the CLI reads. */
  const specNamed = (name: string, edit: (yaml: string) => string = (y) => y) => {
    const file = join(cli.stack.workDir, `${name}.yaml`);
    writeFileSync(file, edit(BILLING.replace('name: billing', `name: ${name}`)));
    return file;
  };
  const status = async (name: string) =>
    JSON.parse((await onramp('status', name, '--json')).stdout) as OnboardingStatus;

  test('plan prints the plan and changes nothing in the org', async () => {
    const before = cli.stack.org.org.snapshot();
    const run = await onramp('plan', 'examples/billing.yaml');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /onramp plan for integration "billing"/);
    assert.match(run.stdout, /\+ createIntegrationUser "billing\.integration@integrations\.acme\.example"/);
    assert.match(
      run.stdout,
      /\nNothing was started\. `onramp onboard` asks for 2 approval\(s\)/,
      'a plan does not claim to wait',
    );
    assert.doesNotMatch(run.stdout, /Waiting for/);
    // onramp's own admin signing in is the only trace a plan leaves.
    const diff = diffStates(before, cli.stack.org.org.snapshot());
    assert.deepEqual([...diff.removed, ...diff.changed], []);
    assert.deepEqual(
      diff.added.filter((a) => a.type !== 'OauthToken' && a.type !== '_Session'),
      [],
    );

    const json = await onramp('plan', 'examples/billing.yaml', '--json');
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; plan: { integration: string; steps: unknown[] } };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.plan.integration, 'billing');
  });

  test('plan of an invalid spec names each field in error and exits 3', async () => {
    const orgError = specNamed('typo', (y) => y.replace('- name: Invoice__c', '- name: Invoce__c'));
    const run = await onramp('plan', orgError);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /error access\.objects\[1\]\.name: .*Invoce__c/);
    assert.equal(run.stdout, '');

    const schemaError = specNamed('bad', (y) => y.replace('owner: billing-team@acme.example', 'owner: billing team'));
    const json = await onramp('plan', schemaError, '--json');
    assert.equal(json.code, 3);
    const { ok, issues } = JSON.parse(json.stdout) as {
      ok: boolean;
      issues: Array<{ path: string; severity: string; line?: number }>;
    };
    assert.equal(ok, false);
    assert.deepEqual(
      issues.filter((i) => i.severity === 'error').map((i) => i.path),
      ['owner'],
    );
    assert.equal(issues[0]!.line, 9);

    assert.equal((await onramp('onboard', orgError)).code, 3, 'onboard refuses the same spec');
  });

  test('--version, a missing spec file (2), and errors as JSON with --json', async () => {
    const version = await onramp('--version');
    assert.deepEqual([version.code, version.stdout], [0, JSON.parse(readFileSync('package.json', 'utf8')).version]);

    const missing = await onramp('plan', 'examples/nosuch.yaml');
    assert.equal(missing.code, 2, 'a path that names no file is bad usage, not an invalid spec');
    assert.equal(missing.stderr, 'onramp plan: examples/nosuch.yaml: no such spec file');
    assert.equal((await onramp('onboard', 'examples/nosuch.yaml')).code, 2);

    const cases: Array<[string[], number, RegExp]> = [
      [['plan', 'examples/nosuch.yaml'], 2, /no such spec file/],
      [['status', 'nosuch'], 1, /no onboarding of "nosuch" was found/],
      [['status'], 2, /missing required argument 'name'/],
    ];
    for (const [args, code, message] of cases) {
      const run = await onramp(...args, '--json');
      assert.equal(run.stderr, '', `${args.join(' ')} --json writes its error to stdout only`);
      assert.equal(run.code, code);
      const error = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; error: string };
      assert.deepEqual([error.ok, error.exitCode], [false, code]);
      assert.match(error.error, message);
    }
  });

  test('with the server unreachable a command fails within seconds and says what to start', async () => {
    const port = await findFreePort();
    const began = Date.now();
    const run = await withEnv({ ONRAMP_SERVER: `http://127.0.0.1:${port}` }, () => onramp('status', 'billing'));
    const took = Date.now() - began;
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(
        `^onramp status: cannot reach the onramp server at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*Is \`onramp dev\` \\(or \`onramp server\`\\) running`,
      ),
    );
    assert.ok(took < 5_000, `failed after ${took} ms`);
  });

  test('without a token a command says to sign in; an unknown token too; both change nothing', async () => {
    const anonymous = await onrampAs(undefined, 'approve', 'billing');
    assert.equal(anonymous.code, 2);
    assert.equal(
      anonymous.stderr,
      `onramp approve: not signed in to ${cli.server.server.url}: run \`onramp login\` (or set ONRAMP_TOKEN)`,
    );
    const forged = await onrampAs('onr_not-a-token', 'status', 'billing', '--json');
    assert.equal(forged.code, 2);
    assert.match(JSON.parse(forged.stdout).error, /did not accept your token .*: run `onramp login`/);
  });

  test('onramp login --person signs in for real, keeps the token owner-only, and other commands use it', async () => {
    const file = process.env.ONRAMP_CREDENTIALS!;
    const wrong = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('login', '--person', 'nobody@acme.example'));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /the sign-in of nobody@acme\.example failed/);
    const login = await withEnv({ ONRAMP_TOKEN: '' }, () =>
      onramp('login', '--person', 'auditor@acme.example', '--json'),
    );
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual(JSON.parse(login.stdout), {
      server: cli.server.server.url,
      email: 'auditor@acme.example',
      roles: ['auditor'],
      credentialsFile: file,
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { token: string; email: string }>;
    assert.equal(stored[cli.server.server.url]!.email, 'auditor@acme.example');
    const viaFile = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('status', 'nosuch'));
    assert.match(viaFile.stderr, /no onboarding of "nosuch" was found/, 'the saved token was sent');
    assert.equal((await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('logout'))).code, 0);
    assert.equal(JSON.parse(readFileSync(file, 'utf8'))[cli.server.server.url], undefined);
  });

  test('onramp login with a token issued on the console: pasted, by --token or ONRAMP_TOKEN; commands then act as that person', async () => {
    // As a person does it: sign in to the console, issue a token on /tokens, copy it from the page.
    const issue = async (email: string) => {
      const browser = new HttpAgent();
      const home = await (await browser.signIn(cli.server.server, email)).text();
      const page = await (
        await browser.postForm(`${cli.server.server.url}/tokens`, { label: 'laptop', _csrf: HttpAgent.csrfOf(home) })
      ).text();
      const token = /<pre id="new-token">(onr_[\w-]+)<\/pre>/.exec(page)?.[1];
      assert.ok(token, page);
      return { token, browser, page };
    };
    const file = process.env.ONRAMP_CREDENTIALS!;
    const alice = await issue('alice@acme.example');
    // Pasted into the real command, as a person at a terminal does (stdin), with no token in the environment.
    // A child process: the server answers from this one, which must not block while the child waits.
    const pasted = await pasteInto(['bin/onramp', 'login'], `${alice.token}\n`);
    assert.equal(pasted.code, 0, pasted.stderr);
    assert.match(pasted.stderr, new RegExp(`Open ${cli.server.server.url}/tokens, sign in, issue a token`));
    assert.equal(
      pasted.stdout.trim(),
      `Signed in to ${cli.server.server.url} as alice@acme.example (approver); token saved in ${file}.`,
    );
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { token: string; email: string }>;
    assert.equal(saved[cli.server.server.url]!.token, alice.token);
    // The saved token is alice's: an approver, not a requester.
    const submit = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('onboard', specNamed('pasted-token')));
    assert.equal(submit.code, 4, submit.stderr);
    assert.match(submit.stderr, /alice@acme\.example may not request onboardings/);

    const jdoe = await issue('jdoe@acme.example');
    const flag = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('login', '--token', jdoe.token, '--json'));
    assert.equal(flag.code, 0, flag.stderr);
    assert.equal(JSON.parse(flag.stdout).email, 'jdoe@acme.example');
    const plan = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('plan', specNamed('pasted-token')));
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /the requester \(jdoe@acme\.example\)/, 'planned as the person whose token it is');

    const auditor = await issue('auditor@acme.example');
    const fromEnv = await withEnv({ ONRAMP_TOKEN: auditor.token }, () => onramp('login', '--json'));
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual(JSON.parse(fromEnv.stdout).roles, ['auditor']);

    // Revoked on the console: the saved token no longer opens anything, and login refuses it.
    // The page lists every token of the auditor's (an earlier test's too): this one is labelled "laptop".
    const revoke = /action="(\/tokens\/[^"]+\/revoke)">(?:(?!<\/form>)[\s\S])*Revoke token laptop/.exec(
      auditor.page,
    )?.[1];
    assert.ok(revoke);
    await auditor.browser.postForm(`${cli.server.server.url}${revoke}`, { _csrf: HttpAgent.csrfOf(auditor.page) });
    const refused = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('status', 'billing'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /did not accept your token .*: run `onramp login`/);
    const again = await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('login', '--token', auditor.token));
    assert.equal(again.code, 2);
    assert.equal((await withEnv({ ONRAMP_TOKEN: '' }, () => onramp('logout'))).code, 0);
  });

  test('a broken configuration prints its issues and exits 2', async () => {
    const file = join(cli.stack.workDir, 'broken.yaml');
    writeFileSync(
      file,
      'salesforce:\n  instanceUrl: not a url\n  username: admin@example.com\n  consumerKey: 0123456789abc\n  privateKeyPath: key.pem\n',
    );
    // The configuration is read to find the server when ONRAMP_SERVER does not name it.
    const run = await withEnv({ ONRAMP_CONFIG: file, ONRAMP_SERVER: '' }, () => onramp('status', 'billing'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /invalid onramp configuration/);
    assert.match(run.stderr, /salesforce\.instanceUrl \(ONRAMP_SF_INSTANCE_URL\): must be the org's My Domain URL/);
    assert.equal((await onramp('plan')).code, 2, 'a missing argument is bad usage');
  });

  test('onboard, refused and counted approvals, status, runbook: billing end to end', async () => {
    const waiting = onramp('onboard', 'examples/billing.yaml', '--wait');
    await eventually(async () => ((await onramp('status', 'billing')).code === 0 ? true : undefined));
    const attached = await onramp('onboard', 'examples/billing.yaml');
    assert.equal(attached.code, 0, attached.stderr);
    assert.match(attached.stdout, /Attached to the onboarding already running: workflow onramp:onboard:billing/);

    // Signed in, but outside the approvers' groups: refused by the server (403), naming the missing role.
    const self = await onramp('approve', 'billing');
    assert.equal(self.code, 4);
    assert.equal(
      self.stderr,
      'onramp approve: not allowed: jdoe@acme.example may not approve or reject onboardings: that needs the approver role (group onramp-security-approvers)',
    );
    for (const outsider of ['auditor@acme.example', 'admin@acme.example']) {
      const refused = await as(outsider, 'approve', 'billing', '--json');
      assert.equal(refused.code, 4);
      assert.match(JSON.parse(refused.stdout).error, /^not allowed: .* needs the approver role/);
    }
    assert.equal((await status('billing')).approvals.length, 0, 'refusals change nothing');

    const approved = await as('alice@acme.example', 'approve', 'billing', '--comment', 'least privilege checked');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /^Approved billing as alice@acme\.example at /);
    assert.match(
      approved.stdout,
      /\nWaiting for 1 more approval\(s\); policy asks 2 approvals from onramp-security-approvers/,
    );
    const repeated = await as('alice@acme.example', 'approve', 'billing');
    assert.equal(repeated.code, 0, repeated.stderr);
    assert.match(repeated.stdout, /^Already recorded: alice@acme\.example approved billing at \S+; nothing changed\.$/);
    // The default policy asks two security approvals on the local org (not a sandbox).
    const second = await as('bob@acme.example', 'approve', 'billing');
    assert.equal(second.code, 0, second.stderr);

    const finished = await waiting;
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout, /Started onboarding workflow onramp:onboard:billing/);
    assert.match(
      finished.stdout,
      /approvals: 2 approvals from onramp-security-approvers and 1 approval from security@acme\.example or salesforce-admins@acme\.example \(the spec's approvers\); the requester \(jdoe@acme\.example\) and billing-team@acme\.example cannot approve\./,
    );
    const runbookPath = /billing is onboarded\. Runbook: (\S+)/.exec(finished.stdout)?.[1];
    assert.ok(runbookPath, finished.stdout);

    const watched = await onramp('status', 'billing', '--watch');
    assert.equal(watched.code, 0);
    assert.match(watched.stdout, /^billing: completed/);
    assert.match(watched.stdout, /STEP\s+STATE\s+STARTED\s+ENDED\s+DETAIL/);
    assert.match(
      watched.stdout,
      /createIntegrationUser\s+done\s+\d\d:\d\d:\d\dZ\s+\d\d:\d\d:\d\dZ\s+billing\.integration@integrations\.acme\.example/,
    );
    // billing.yaml names no handover path: every other step is shown, and done.
    assert.equal(watched.stdout.match(/ done /g)?.length, ONBOARDING_STEPS.length - 1, 'every step done');
    assert.equal((await status('billing')).runbookPath, runbookPath);

    const runbook = await onramp('runbook', 'billing');
    assert.equal(runbook.code, 0);
    assert.equal(runbook.stdout, readFileSync(runbookPath, 'utf8').trimEnd());
    assert.match(runbook.stdout, /alice@acme.example \| approved/);

    const late = await as('alice@acme.example', 'approve', 'billing');
    assert.equal(late.code, 4);
    assert.match(late.stderr, /closed \(completed\)/);
    const again = await onramp('onboard', 'examples/billing.yaml');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /billing is already onboarded/);
  });

  test('reject ends the onboarding; onboard --wait reports it and exits 1', async () => {
    const spec = specNamed('ledger');
    const waiting = onramp('onboard', spec, '--wait', '--json');
    await eventually(async () => ((await onramp('status', 'ledger')).code === 0 ? true : undefined));
    const silent = await as('bob@acme.example', 'reject', 'ledger');
    assert.equal(silent.code, 2, 'a rejection needs its reason');
    assert.match(silent.stderr, /say why with --comment <text>/);
    assert.equal((await status('ledger')).approvals.length, 0);
    const rejected = await as('bob@acme.example', 'reject', 'ledger', '--comment', 'not this quarter');
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.match(rejected.stdout, /^Rejected ledger as bob@acme\.example/);

    const finished = await waiting;
    assert.equal(finished.stderr, '');
    assert.equal(finished.code, 1);
    const outcome = JSON.parse(finished.stdout) as {
      workflowId: string;
      outcome: string;
      failure: { failedStep: string; reason: string };
    };
    assert.equal(outcome.workflowId, 'onramp:onboard:ledger');
    assert.equal(outcome.outcome, 'rejected');
    assert.deepEqual(
      [outcome.failure.failedStep, outcome.failure.reason],
      ['approval', 'rejected by bob@acme.example'],
    );
    assert.equal((await onramp('runbook', 'ledger')).code, 1);
    const shown = await onramp('status', 'ledger');
    assert.match(shown.stdout, /\ncreateIntegrationUser +not run +- +- *\n/, 'steps that never ran say so');
    assert.doesNotMatch(shown.stdout, /pending/);
    assert.match(shown.stdout, /\nRejected by bob@acme\.example \(not this quarter\): nothing was created\./);
    assert.equal((await as('alice@acme.example', 'approve', 'ledger')).code, 4);
  });

  test('cancel during provisioning undoes what was created and prints it', async () => {
    const admin = new LocalOrgAdmin(cli.stack.org.instanceUrl);
    // Every app deploy fails as retryable, so the onboarding stays in createApp until it is cancelled.
    const fault = await admin.addFault({ kind: 'unavailable', operation: 'deploy', description: 'hold createApp' });
    try {
      const spec = specNamed('payroll');
      assert.equal((await onramp('onboard', spec)).code, 0);
      assert.equal((await as('alice@acme.example', 'approve', 'payroll')).code, 0);
      assert.equal((await as('bob@acme.example', 'approve', 'payroll')).code, 0);
      await eventually(async () =>
        (await status('payroll')).steps.find((s) => s.step === 'createApp')?.state === 'running' ? true : undefined,
      );

      // Mid-provisioning the org already holds the user: attaching must not validate the spec again.
      const attached = await onramp('onboard', spec, '--json');
      assert.equal(attached.code, 0, attached.stderr);
      assert.deepEqual(pick(JSON.parse(attached.stdout), 'attached', 'phase'), {
        attached: true,
        phase: 'provisioning',
      });

      const watching = start('status', 'payroll', '--watch');
      await eventually(async () => (watching.stdout.length > 0 ? true : undefined));
      const cancelled = await onramp('cancel', 'payroll');
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.match(cancelled.stdout, /^Cancelled the onboarding of payroll\./);
      assert.match(cancelled.stdout, /Undone: .*delete the permission set.*deactivate the user/);
      const watched = await watching.done;
      assert.equal(watched.code, 1, 'a watch exits 0 only for a completed onboarding');
      assert.match(watched.stdout, /^payroll: provisioning/);
      assert.match(watched.stdout, /\npayroll: cancelled\n/, 'plain change lines when stdout is not a terminal');
      assert.match(watched.stdout, /\n {2}\S+ createIntegrationUser compensated/);
      assert.match(watched.stdout, /\nUndone: /);
      const final = await status('payroll');
      assert.equal(final.phase, 'cancelled');
      const shown = await onramp('status', 'payroll');
      assert.match(shown.stdout, /\nCancelled on request; what it had created is undone\./);
      assert.doesNotMatch(shown.stdout, /fix the cause/);
      const users = [...cli.stack.org.org.db.rows('User')].filter((u) =>
        String(u.Username).startsWith('payroll.integration'),
      );
      assert.equal(users.length, 1);
      assert.equal(users[0]!.IsActive, false);
      assert.notEqual(users[0]!.Username, 'payroll.integration@integrations.acme.example', 'username freed');
      assert.equal((await onramp('cancel', 'payroll')).code, 1, 'nothing left to cancel');
    } finally {
      await admin.removeFault(fault.id);
    }
  });

  test('commands on an unknown integration fail with exit 1', async () => {
    const run = await onramp('status', 'nosuch');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no onboarding of "nosuch" was found/);
  });
});

const pick = (o: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
