import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { AuditSummary } from '../../src/audit/report';
import { AUDIT_SCHEDULE_ID, describeAuditSchedule, ensureAuditSchedule } from '../../src/client/audit';
import { prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { onrampAs, startCliServer, useConfig } from '../cli/helpers';
import { approveByPolicy } from '../onboarding/helpers';

const QUARTER_MONTHS = [0, 3, 6, 9];

describe('the quarterly audit Schedule', () => {
  let stack: OnrampStack;
  let server: Awaited<ReturnType<typeof startCliServer>>;
  /** `onramp ...` through the onramp server as a seeded person: the auditor unless a test says otherwise. */
  const onramp = (...args: string[]) => as('auditor@acme.example', ...args);
  const as = async (email: string, ...args: string[]) => onrampAs(await server.token(email), ...args);
  before(async () => {
    stack = await startOnrampStack();
    useConfig(stack.workDir, stack.config);
    server = await startCliServer(stack);
    const prepared = await prepareOnboarding('examples/billing.yaml', stack.config, await stack.admin());
    const handle = await startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission());
    await approveByPolicy(stack, 'billing');
    await handle.result();
  });
  after(async () => {
    delete process.env.ONRAMP_CONFIG;
    await server?.close();
    await stack?.close();
    await teardownAll();
  });

  test('is created once, quarterly on the first at 06:00 UTC, skipping overlaps, with a catch-up window', async () => {
    await ensureAuditSchedule(stack.client, stack.config);
    await ensureAuditSchedule(stack.client, stack.config);
    const description = await describeAuditSchedule(stack.client);
    assert.equal(description.scheduleId, AUDIT_SCHEDULE_ID);
    assert.equal(description.policies.overlap, 'SKIP');
    assert.equal(description.policies.catchupWindow, 7 * 86_400_000);
    assert.equal(description.action.type === 'startWorkflow' && description.action.workflowType, 'auditIntegrations');
    const next = description.info.nextActionTimes;
    assert.ok(next.length >= 4);
    for (const at of next) {
      assert.ok(QUARTER_MONTHS.includes(at.getUTCMonth()), `${at.toISOString()} is a quarter start`);
      assert.deepEqual(
        [at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()],
        [1, 6, 0, 0],
        at.toISOString(),
      );
    }
    assert.equal(new Set(next.map((d) => d.getUTCMonth())).size, 4, 'four different quarters');

    const shown = await onramp('audit', 'schedule');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /\n {2}when {6}every quarter \(January, April, July and October\) on the 1st at 06:00 UTC\n/,
    );
    assert.match(shown.stdout, /\n {2}overlap {3}skip /);
    assert.match(shown.stdout, /\n {2}catch-up {2}7d /);
    assert.doesNotMatch(shown.stdout, /[{}]|604800000|timezone/, 'no raw calendar JSON or milliseconds');
  });

  test('`onramp audit run --wait` triggers it now; the run produces a report `onramp audit report` prints', async () => {
    const run = await onramp('audit', 'run', '--wait', '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as AuditSummary;
    assert.equal(summary.audited, 1);
    assert.match(summary.workflowId, /^onramp:audit/);
    assert.equal(
      (await describeAuditSchedule(stack.client)).info.recentActions.at(-1)?.action.workflow.workflowId,
      summary.workflowId,
    );
    assert.match(readFileSync(summary.reportPaths.markdown, 'utf8'), /## No drift\n\nbilling/);

    const latest = await onramp('audit', 'report');
    assert.equal(latest.code, 0, latest.stderr);
    assert.match(latest.stdout, new RegExp(`^# onramp audit ${summary.runId}`));
    const json = await onramp('audit', 'report', summary.runId, '--json');
    // The onboarding's proof signed in as the integration: that is its last login (LoginHistory).
    const [row, ...others] = JSON.parse(json.stdout).integrations as Array<Record<string, unknown>>;
    assert.deepEqual(others, []);
    assert.match(String(row!.lastLogin), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      { ...row, lastLogin: undefined },
      {
        integration: 'billing',
        org: 'default',
        revision: 1,
        findings: 0,
        fixable: 0,
        lastLogin: undefined,
      },
    );
    assert.equal((await onramp('audit', 'report', 'no-such-run')).code, 1);
  });

  test('only auditors and admins reach the audit through the server; only admins change its calendar', async () => {
    for (const args of [
      ['audit', 'schedule'],
      ['audit', 'run'],
      ['audit', 'report'],
    ]) {
      const refused = await as('jdoe@acme.example', ...args);
      assert.equal(refused.code, 4, `${args.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, /jdoe@acme.example may not .*auditor or admin role/);
    }
    const unsigned = await onrampAs(undefined, 'audit', 'schedule');
    assert.equal(unsigned.code, 2);
    assert.match(unsigned.stderr, /not signed in to .*onramp login/);
    const auditorSets = await onramp('audit', 'schedule', '--set', '0 6 1 1,4,7,10 *');
    assert.equal(auditorSets.code, 4);
    assert.match(auditorSets.stderr, /may not change the audit schedule: that needs the admin role/);
  });

  test('`onramp audit schedule --set` changes the calendar; a calendar that would fire daily is refused', async () => {
    const onramp = (...args: string[]) => as('admin@acme.example', ...args);
    const refused = await onramp('audit', 'schedule', '--set', '{"month":["MARCH"],"hour":6}');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /dayOfMonth/);
    assert.equal((await onramp('audit', 'schedule', '--set', '{"month":[3],"dayOfMonth":1}')).code, 2);

    const set = await onramp('audit', 'schedule', '--set', '{"month":["MARCH","SEPTEMBER"],"dayOfMonth":15,"hour":5}');
    assert.equal(set.code, 0, set.stderr);
    const next = (await describeAuditSchedule(stack.client)).info.nextActionTimes;
    for (const at of next)
      assert.deepEqual(
        [[2, 8].includes(at.getUTCMonth()), at.getUTCDate(), at.getUTCHours()],
        [true, 15, 5],
        at.toISOString(),
      );

    const cron = await onramp('audit', 'schedule', '--set', '0 6 1 1,4,7,10 *');
    assert.equal(cron.code, 0, cron.stderr);
    const shown = await onramp('audit', 'schedule');
    assert.match(shown.stdout, /next {6}\d{4}-(01|04|07|10)-01 06:00 UTC/);
  });
});
