import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { AwaitingReview } from '../server/reviews';
import type { CampaignStatus, OwnerProgress, ReviewItem } from '../shared/review';
import { runWithServer } from './api-client';
import type { CliIo } from './io';
import { EXIT, printJson } from './shared';

const item = (campaign: string, name: string, decision: string) =>
  `/api/reviews/${encodeURIComponent(campaign)}/${encodeURIComponent(name)}/${decision}`;

function answered(io: CliIo, json: boolean | undefined, answer: ReviewItem) {
  if (json) printJson(io, answer);
  else
    io.stdout(
      `${answer.facts.integration}: ${answer.state}${answer.review?.followUp ? `; ${answer.review.followUp.kind} ${answer.review.followUp.workflowId} awaits sign-off` : ''}`,
    );
  return EXIT.ok;
}

/** `onramp review`: the reviews awaiting me; `start`, `status`, and the owner's `keep`, `reduce`, `retire` (docs/reviews.md). */
export function reviewCommand(io: CliIo): Command {
  const review = new Command('review')
    .description("access reviews: the integrations awaiting my review (as their owner), and each campaign's progress")
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      runWithServer(io, 'review', async (api) => {
        const { awaiting } = await api.get<{ awaiting: AwaitingReview[] }>('/api/reviews?awaiting=me');
        if (options.json || io.json) printJson(io, awaiting);
        else if (!awaiting.length) io.stdout('No review awaits you.');
        else
          for (const a of awaiting) {
            const f = a.item.facts;
            io.stdout(
              `${a.campaignId} ${f.integration} (owner ${f.owner}, due ${a.deadline}): scopes ${f.app.scopes.join(' ')}; ` +
                `${f.access.objects.length} object(s), ${f.access.fields.length} field(s); last login ${f.lastSuccessfulLogin ?? 'never'}; ` +
                `${f.openFindings?.findings.length ?? '?'} open finding(s)`,
            );
          }
        return EXIT.ok;
      }),
    );
  review.addCommand(
    new Command('start')
      .description("start the quarter's access review campaign (admins)")
      .option('--quarter <quarter>', 'e.g. 2026Q4 (default: the current one)')
      .option('--deadline <duration>', 'how long owners have, e.g. 14d (default: reviews.deadline)')
      .option('--on-missed <action>', 'finding or offboard (default: reviews.onMissed)')
      .option('--json', 'print JSON')
      .action((options: { quarter?: string; deadline?: string; onMissed?: string; json?: boolean }) =>
        runWithServer(io, 'review start', async (api) => {
          const started = await api.post<{ campaignId: string; runId: string }>('/api/reviews', {
            ...(options.quarter ? { quarter: options.quarter } : {}),
            ...(options.deadline ? { deadline: options.deadline } : {}),
            ...(options.onMissed ? { onMissed: options.onMissed } : {}),
          });
          if (options.json || io.json) printJson(io, started);
          else io.stdout(`Access review ${started.campaignId} started (run ${started.runId}).`);
          return EXIT.ok;
        }),
      ),
  );
  review.addCommand(
    new Command('status')
      .description("a campaign's progress per owner")
      .argument('<campaign>', 'e.g. onramp:review:2026Q4')
      .option('--json', 'print JSON')
      .action((campaign: string, options: { json?: boolean }) =>
        runWithServer(io, 'review status', async (api) => {
          const status = await api.get<CampaignStatus & { progress: OwnerProgress[] }>(
            `/api/reviews/${encodeURIComponent(campaign)}`,
          );
          if (options.json || io.json) printJson(io, status);
          else {
            io.stdout(`${status.campaignId}: ${status.phase}, deadline ${status.deadline}`);
            for (const p of status.progress)
              io.stdout(
                `  ${p.owner}: ${p.reviewed}/${p.total} reviewed (kept ${p.kept}, reduced ${p.reduced}, retired ${p.retired}), pending ${p.pending}, missed ${p.missed}`,
              );
          }
          return EXIT.ok;
        }),
      ),
  );
  review.addCommand(
    new Command('keep')
      .description('attest that the integration is still needed with the access it has')
      .argument('<campaign>')
      .argument('<name>')
      .option('--comment <text>')
      .option('--json', 'print JSON')
      .action((campaign: string, name: string, options: { comment?: string; json?: boolean }) =>
        runWithServer(io, 'review keep', async (api) =>
          answered(
            io,
            options.json,
            await api.post<ReviewItem>(
              item(campaign, name, 'keep'),
              options.comment ? { comment: options.comment } : {},
            ),
          ),
        ),
      ),
  );
  review.addCommand(
    new Command('reduce')
      .description('ask for less access: opens a change request from the narrower spec, for sign-off')
      .argument('<campaign>')
      .argument('<name>')
      .requiredOption('--spec <file>', 'the narrower spec (start from `GET /api/reviews/<campaign>/<name>/spec`)')
      .option('--comment <text>')
      .option('--json', 'print JSON')
      .action((campaign: string, name: string, options: { spec: string; comment?: string; json?: boolean }) =>
        runWithServer(io, 'review reduce', async (api) =>
          answered(
            io,
            options.json,
            await api.post<ReviewItem>(item(campaign, name, 'reduce'), {
              spec: await readFile(options.spec, 'utf8'),
              ...(options.comment ? { comment: options.comment } : {}),
            }),
          ),
        ),
      ),
  );
  review.addCommand(
    new Command('retire')
      .description('no longer needed: opens an offboarding, for sign-off')
      .argument('<campaign>')
      .argument('<name>')
      .requiredOption('--reason <text>')
      .option('--json', 'print JSON')
      .action((campaign: string, name: string, options: { reason: string; json?: boolean }) =>
        runWithServer(io, 'review retire', async (api) =>
          answered(
            io,
            options.json,
            await api.post<ReviewItem>(item(campaign, name, 'retire'), { reason: options.reason }),
          ),
        ),
      ),
  );
  return review;
}
