import { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import type { Plan } from '../spec/plan';
import { describePromotion, type EnvironmentDifference } from '../spec/promotion';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { CliError, EXIT, printJson } from './shared';

/** What POST /api/promotions answers: the delta, then the production onboarding it submitted. */
export interface Promoted {
  integration: string;
  from: string;
  to: string;
  delta: EnvironmentDifference[];
  workflowId: string;
  runId: string;
  plan: Plan;
  requirementText: string;
}

/** `onramp promote NAME --from uat --to production`: the sandbox's verified spec, submitted for production. */
export function promoteCommand(io: CliIo): Command {
  return new Command('promote')
    .description(
      'submit for sign-off the production onboarding of an integration onboarded and verified in a sandbox: ' +
        'shows which environment-specific fields differ, then asks for approval',
    )
    .argument('<name>', 'the integration')
    .requiredOption('--from <org>', 'the sandbox org it was onboarded and verified in')
    .requiredOption('--to <org>', 'the production org to onboard it in')
    .option(
      '--spec <file>',
      "production's spec, when its environment-specific fields differ (callback URLs, trusted IP ranges, IP policy, handover, user)",
    )
    .option('--json', 'print the delta and the started request as one JSON line')
    .action((name: string, options: { from: string; to: string; spec?: string; json?: boolean }) =>
      runWithServer(io, 'promote', async (api) => {
        let spec: string | undefined;
        if (options.spec !== undefined) {
          if (!statSync(options.spec, { throwIfNoEntry: false })?.isFile())
            throw new CliError(`${options.spec}: no such spec file`, EXIT.usage);
          spec = readFileSync(options.spec, 'utf8');
        }
        const promoted = await api.post<Promoted>('/api/promotions', {
          integration: name,
          from: options.from,
          to: options.to,
          ...(spec === undefined ? {} : { spec }),
        });
        if (options.json) {
          const { integration, from, to, delta, workflowId, runId, plan } = promoted;
          printJson(io, { integration, from, to, delta, workflowId, runId, promotion: plan.promotion });
          return EXIT.ok;
        }
        io.stdout(`Promoting ${promoted.integration} from ${promoted.from} to ${promoted.to}.`);
        io.stdout(
          promoted.delta.length
            ? 'Environment-specific fields that differ:'
            : 'No environment-specific field differs from the sandbox.',
        );
        for (const d of promoted.delta)
          io.stdout(`  ~ ${d.field}: ${JSON.stringify(d.from)} -> ${JSON.stringify(d.to)}`);
        // Its first line says why production may run: the verified sandbox run, or the policy's waiver.
        if (promoted.plan.promotion) io.stdout(`Basis: ${describePromotion(promoted.plan.promotion)[0]}.`);
        io.stdout(`Started onboarding workflow ${promoted.workflowId} (run ${promoted.runId}) in ${promoted.to}.`);
        io.stdout(`It waits up to ${promoted.plan.approval.timeout} for approvals: ${promoted.requirementText}.`);
        return EXIT.ok;
      }),
    );
}
