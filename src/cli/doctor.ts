import { Command } from 'commander';
import { AdminSession } from '../activities/deps';
import { runDoctor, type DoctorCheck } from '../doctor/checks';
import type { CliIo } from './io';
import { EXIT, runWithSession } from './shared';

const MARK: Record<DoctorCheck['status'], string> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' };

/** `onramp doctor`: is the configured org ready for onramp, and what to fix when it is not. */
export function doctorCommand(io: CliIo): Command {
  return new Command('doctor')
    .description(
      "check the configured org: My Domain, sign-in, API access, each permission onramp's user needs, Integration licences, consumer secrets",
    )
    .option('--json', 'print the report as JSON')
    .action((options: { json?: boolean }) =>
      runWithSession(io, 'doctor', async ({ config, org }) => {
        const admin = new AdminSession(config);
        const report = await runDoctor(config, () => admin.get(org), org);
        if (options.json) {
          io.stdout(JSON.stringify(report, null, 2));
        } else {
          io.stdout(`onramp doctor: ${report.org}, ${report.instanceUrl} as ${report.username}`);
          for (const check of report.checks) {
            io.stdout(`  ${MARK[check.status]}  ${check.name}: ${check.detail}`);
            if (check.fix) io.stdout(`        fix: ${check.fix}`);
          }
          const count = (status: DoctorCheck['status']) => report.checks.filter((c) => c.status === status).length;
          io.stdout(`${count('pass')} ok, ${count('warn')} warning(s), ${count('fail')} failing`);
        }
        return report.ok ? EXIT.ok : EXIT.failure;
      }),
    );
}
