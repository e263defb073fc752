import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { campaignStatus } from '../client/review';
import type { OnrampConfig } from '../config';
import { progressByOwner, reviewWorkflowId, type CampaignStatus, type ReviewItem } from '../shared/review';
import { loadJwks, verifyAttestation, type Jwks } from '../signoff';
import { escapeHtml } from '../server/views/html';
import { controlsFile, csv, type EvidenceFile } from './files';
import { loadEvidenceSigner, packFiles } from './pack';
import { parseQuarter, type Quarter } from './quarter';
import { parseIntegrationKey } from '../spec/names';

/** An owner's review as a pack carries it: the signed statement, whether it verifies, and what it says. */
export interface AttestationEvidence {
  campaignId: string;
  integration: string;
  owner: string;
  state: ReviewItem['state'];
  reviewer?: string;
  reviewerSub?: string;
  reviewerGroups?: string[];
  decision?: string;
  at?: string;
  comment?: string;
  followUp?: string;
  factsDigest: string;
  statement?: string;
  statementId?: string;
  verified: boolean;
  verdict: string;
  missed?: ReviewItem['missed'];
}

function attestationOf(status: CampaignStatus, runId: string, item: ReviewItem, jwks: Jwks): AttestationEvidence {
  const review = item.review;
  let verified = false;
  let verdict = item.missed ? `not reviewed by the deadline (${item.missed.action})` : 'not reviewed yet';
  if (review) {
    try {
      const claims = verifyAttestation(review.statement, jwks, { campaignId: status.campaignId, runId });
      verified = claims.factsDigest === item.factsDigest && claims.integration === item.facts.integration;
      verdict = verified ? 'verified with the sign-off JWKS' : 'signed for other facts or another integration';
    } catch (error) {
      verdict = (error as Error).message;
    }
  }
  return {
    campaignId: status.campaignId,
    integration: item.facts.integration,
    owner: item.facts.owner,
    state: item.state,
    ...(review
      ? {
          reviewer: review.by.email,
          reviewerSub: review.by.sub,
          reviewerGroups: review.by.groups,
          decision: review.decision,
          at: review.at,
          ...(review.comment ? { comment: review.comment } : {}),
          ...(review.followUp ? { followUp: `${review.followUp.kind} ${review.followUp.workflowId}` } : {}),
          statement: review.statement,
          statementId: review.statementId,
        }
      : {}),
    factsDigest: item.factsDigest,
    verified,
    verdict,
    ...(item.missed ? { missed: item.missed } : {}),
  };
}

async function campaignRun(client: Client, campaignId: string) {
  const [status, description] = await Promise.all([
    campaignStatus(client, campaignId),
    client.workflow.getHandle(campaignId).describe(),
  ]);
  return { status, runId: description.runId };
}

/** The integration's attestation in the quarter's campaign; null when no campaign of that quarter reviewed it. */
export async function attestationFor(
  client: Client,
  config: OnrampConfig,
  integration: string,
  quarter: Quarter,
): Promise<AttestationEvidence | null> {
  try {
    const { org } = parseIntegrationKey(integration);
    const { status, runId } = await campaignRun(client, reviewWorkflowId(quarter.label, org));
    const item = status.items.find((i) => i.facts.integration === integration);
    return item ? attestationOf(status, runId, item, loadJwks(config.signoff.jwksFile)) : null;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The files of a campaign's pack: every owner's attestation, the facts they saw, the progress, the exceptions. */
export function campaignFiles(status: CampaignStatus, attestations: AttestationEvidence[], jwks: Jwks): EvidenceFile[] {
  const progress = progressByOwner(status);
  const files: EvidenceFile[] = [
    {
      path: 'campaign/campaign.json',
      describes: 'The campaign: quarter, who started it, deadline, what a missed review becomes, its state',
      controls: ['SOX-ITGC-UAR'],
      content: json({ ...status, items: undefined, notifications: undefined }),
    },
    {
      path: 'campaign/attestations.json',
      describes:
        "Each integration's review: the owner's signed attestation (JWS by the approval service) with the reviewer's verified identity, whether it verifies, and the follow-up it opened; or that it was missed",
      controls: ['SOC2-CC6.2', 'SOC2-CC6.3', 'SOX-ITGC-UAR'],
      content: json(attestations),
    },
    {
      path: 'campaign/attestations.csv',
      describes: 'The reviews as a table (population, reviewer, date, decision, exceptions)',
      controls: ['SOC2-CC6.2', 'SOX-ITGC-UAR'],
      content: csv(
        [
          'integration',
          'owner',
          'state',
          'reviewer',
          'sub',
          'groups',
          'decision',
          'at',
          'comment',
          'followUp',
          'statementId',
          'verified',
          'verdict',
        ],
        attestations.map((a) => [
          a.integration,
          a.owner,
          a.state,
          a.reviewer,
          a.reviewerSub,
          a.reviewerGroups?.join(' '),
          a.decision,
          a.at,
          a.comment,
          a.followUp,
          a.statementId,
          a.verified,
          a.verdict,
        ]),
      ),
    },
    {
      path: 'campaign/facts.json',
      describes:
        'What each owner was shown: objects and fields reachable, scopes, app, last successful login, OAuth use, open findings; with the digest the attestation signs',
      controls: ['SOC2-CC6.1', 'SOC2-CC6.3'],
      content: json(status.items.map((i) => ({ factsDigest: i.factsDigest, ...i.facts }))),
    },
    {
      path: 'campaign/progress.csv',
      describes: 'Reviewed, kept, reduced, retired, pending and missed per owner',
      controls: ['SOX-ITGC-UAR'],
      content: csv(
        ['owner', 'integrations', 'reviewed', 'kept', 'reduced', 'retired', 'pending', 'missed'],
        progress.map((p) => [p.owner, p.total, p.reviewed, p.kept, p.reduced, p.retired, p.pending, p.missed]),
      ),
    },
    {
      path: 'approvals/signoff-jwks.json',
      describes: "The approval service's public keys the attestations were verified with (check them yourself)",
      controls: ['SOC2-CC6.2'],
      content: json(jwks),
    },
  ];
  const rows = attestations
    .map(
      (a) =>
        `<tr>${[a.integration, a.owner, a.state, a.reviewer ?? '-', a.at ?? '-', a.followUp ?? '-', a.verdict]
          .map((v) => `<td>${escapeHtml(v)}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  files.push({
    path: 'report.html',
    describes: 'The readable report of the campaign',
    controls: ['SOC2-CC6.2', 'SOC2-CC6.3', 'SOX-ITGC-UAR'],
    content: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Access review ${escapeHtml(status.quarter)}</title></head><body>
<h1>Access review ${escapeHtml(status.quarter)} (${escapeHtml(status.campaignId)})</h1>
<p>Started ${escapeHtml(status.startedAt)} by ${escapeHtml(status.startedBy)}; deadline ${escapeHtml(status.deadline)}; ${escapeHtml(status.phase)}.</p>
<table><thead><tr><th>integration</th><th>owner</th><th>state</th><th>reviewer</th><th>at</th><th>follow-up</th><th>attestation</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>\n`,
  });
  files.push(controlsFile(files));
  return files;
}

/** A campaign's signed pack (`onramp evidence --campaign ID`, `GET /api/reviews/:id/evidence`). */
export async function produceCampaignPack(
  client: Client,
  config: OnrampConfig,
  campaignId: string,
  generatedBy: string,
): Promise<Buffer> {
  const signer = loadEvidenceSigner(config.evidence);
  const jwks = loadJwks(config.signoff.jwksFile);
  const { status, runId } = await campaignRun(client, campaignId);
  const attestations = status.items.map((item) => attestationOf(status, runId, item, jwks));
  return packFiles(
    {
      campaign: campaignId,
      quarter: parseQuarter(status.quarter)!,
      generatedAt: new Date().toISOString(),
      generatedBy,
    },
    campaignFiles(status, attestations, jwks),
    signer,
  );
}
