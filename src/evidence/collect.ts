import type { PromotionBasis } from '../spec/promotion';
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { registerOf } from '../audit/owner-register';
import type { Finding } from '../audit/findings';
import { readAuditReports } from '../audit/report-files';
import { registryRecord } from '../client/registry';
import { orgSettings, type OnrampConfig } from '../config';
import { renderRunbook } from '../runbook/render';
import { onboardingWorkflowId } from '../shared/messages';
import type { OwnerRegister, RegistryChange, RegistryState } from '../shared/registry';
import type { ApprovalRecord, OnboardingInput, OnboardingResult, VerificationEvidence } from '../shared/types';
import { APPROVAL_TYP, REQUEST_TYP, loadJwks, planDigest, specDigest, verifyCompactJws, type Jwks } from '../signoff';
import type { ResolvedIntegration } from '../spec/normalize';
import type { Plan } from '../spec/plan';
import type { Quarter } from './quarter';
import { attestationFor, type AttestationEvidence } from './campaign';

/** A statement of the approval service as the pack carries it: the JWS itself, what it says, and whether it verified. */
export interface SignedStatement {
  jws: string;
  /** `verified with key <kid>`, or why it did not verify against the sign-off JWKS. */
  verdict: string;
  verified: boolean;
  claims?: unknown;
}

export interface QuarterFinding {
  runId: string;
  asOf: string;
  finding: Finding;
  /** `open`, or the later audit of the quarter that no longer found it (remediated or gone). */
  status: string;
}

/** Everything an evidence pack holds about one integration, before it is written as files. */
export interface EvidenceData {
  integration: string;
  quarter: Quarter;
  generatedAt: string;
  generatedBy: string;
  instanceUrl: string;
  state: RegistryState;
  revision: number;
  register: OwnerRegister;
  onboardingId: string;
  onboardedAt: string;
  resolved: ResolvedIntegration;
  specDigest: string;
  /** A production integration's promotion basis: the verified sandbox run, or the policy's waiver and its reason. */
  promotion?: PromotionBasis;
  /** Absent once the onboarding's history has left Temporal (the namespace's retention). */
  onboarding?: {
    workflowId: string;
    runId: string;
    plan: Plan;
    planDigest: string;
    request: SignedStatement;
    decisions: SignedStatement[];
    verification: VerificationEvidence;
  };
  /** Why `onboarding` is absent. */
  onboardingUnavailable?: string;
  /** The registry's record of each approval (kept for as long as the integration is managed). */
  approvals: ApprovalRecord[];
  signoffJwks: Jwks;
  runbook: { source: string; markdown: string };
  findings: QuarterFinding[];
  /** The registry's change log: registration, rotations, approved remediations, retirement. */
  changes: RegistryChange[];
  /** The owner's attestation in the quarter's access review (docs/reviews.md); null when none reviewed it. */
  attestation: AttestationEvidence | null;
}

/**
 * Gathers an integration's evidence from where onramp keeps it: the registry (approved spec, approvals,
 * owner register, change log), the onboarding's history (signed request and decisions, plan, verification
 * evidence; decoded with the caller's data converter), the audit reports of the quarter and the runbook.
 * Reads only; holds no secret (the registry and the history carry references to secrets, never values).
 */
export async function collectEvidence(
  client: Client,
  config: OnrampConfig,
  integration: string,
  quarter: Quarter,
  generatedBy: string,
): Promise<EvidenceData> {
  const record = await registryRecord(client, integration);
  const desired = record.desired;
  const signoffJwks = loadJwks(config.signoff.jwksFile);
  const run = await onboardingRun(client, integration, desired.onboardingId);
  const onboarding = run && (await readOnboarding(client, run, signoffJwks));
  return {
    integration,
    quarter,
    generatedAt: new Date().toISOString(),
    generatedBy,
    instanceUrl: orgSettings(config, desired.integration.org).instanceUrl,
    state: record.state,
    revision: record.revision,
    register: registerOf(desired),
    onboardingId: desired.onboardingId,
    onboardedAt: desired.onboardedAt,
    resolved: desired.integration,
    specDigest: specDigest(desired.integration),
    ...(desired.promotion ? { promotion: desired.promotion } : {}),
    ...(onboarding
      ? { onboarding }
      : {
          onboardingUnavailable: `the history of onboarding ${desired.onboardingId} is no longer in Temporal (past the namespace's retention): the signed statements and verification evidence are in the packs exported while it was`,
        }),
    approvals: desired.approvals,
    signoffJwks,
    runbook: await runbookOf(config, desired, onboarding?.verification),
    findings: await quarterFindings(config.audit.dir, integration, quarter),
    changes: record.changes,
    attestation: await attestationFor(client, config, integration, quarter),
  };
}

/** The run of `onramp:onboard:<name>` that made the registered onboarding (a name can be onboarded again). */
async function onboardingRun(client: Client, integration: string, onboardingId: string) {
  const workflowId = onboardingWorkflowId(integration);
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const [input] = (await decodeArrayFromPayloads(
      client.options.loadedDataConverter,
      started?.input?.payloads,
    )) as OnboardingInput[];
    if (input?.onboardingId === onboardingId) return { workflowId, runId: execution.runId, input, history };
  }
  return undefined;
}

type Run = NonNullable<Awaited<ReturnType<typeof onboardingRun>>>;

async function readOnboarding(client: Client, run: Run, jwks: Jwks): Promise<EvidenceData['onboarding']> {
  const converter = client.options.loadedDataConverter;
  const events: temporal.api.history.v1.IHistoryEvent[] = run.history.events ?? [];
  const decisions: SignedStatement[] = [];
  let result: OnboardingResult | undefined;
  for (const event of events) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (accepted && (accepted.name === 'approve' || accepted.name === 'reject')) {
      const [input] = (await decodeArrayFromPayloads(converter, accepted.args?.payloads)) as Array<{
        statement?: string;
      }>;
      if (input?.statement) decisions.push(statementOf(input.statement, jwks, APPROVAL_TYP));
    }
    const completed = event.workflowExecutionCompletedEventAttributes;
    if (completed)
      [result] = (await decodeArrayFromPayloads(converter, completed.result?.payloads)) as OnboardingResult[];
  }
  if (!result || !run.input.request) return undefined;
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    plan: run.input.plan,
    planDigest: planDigest(run.input.plan),
    request: statementOf(run.input.request, jwks, REQUEST_TYP),
    decisions,
    verification: result.evidence,
  };
}

function statementOf(jws: string, jwks: Jwks, typ: string): SignedStatement {
  const verified = verifyCompactJws(jws, jwks);
  if ('refused' in verified) return { jws, verified: false, verdict: verified.refused };
  if (verified.typ !== typ) return { jws, verified: false, verdict: `a ${verified.typ} statement, not ${typ}` };
  return { jws, verified: true, verdict: `verified with sign-off key ${verified.kid}`, claims: verified.payload };
}

/** The runbook the onboarding (or the latest rotation) wrote; rendered from the records when the file is elsewhere. */
async function runbookOf(
  config: OnrampConfig,
  desired: Awaited<ReturnType<typeof registryRecord>>['desired'],
  verification: VerificationEvidence | undefined,
): Promise<EvidenceData['runbook']> {
  if (desired.runbookPath) {
    const text = await readFile(desired.runbookPath, 'utf8').catch(() => undefined);
    if (text !== undefined) return { source: desired.runbookPath, markdown: text };
  }
  if (!verification) return { source: 'unavailable', markdown: '' };
  const markdown = renderRunbook({
    integration: desired.integration,
    onboardingId: desired.onboardingId,
    result: {
      integration: desired.integration.names.name,
      provisioned: desired.provisioned,
      evidence: verification,
      approvals: desired.approvals,
    },
    org: orgSettings(config, desired.integration.org),
    secretStore: resolve(config.secrets.file),
    generatedAt: desired.onboardedAt,
  });
  return { source: 'rendered from the registry (the runbook file is not on this host)', markdown };
}

/** The integration's findings of every audit run in the quarter, each marked open or no longer found. */
async function quarterFindings(dir: string, integration: string, quarter: Quarter): Promise<QuarterFinding[]> {
  const reports = (await readAuditReports(dir))
    .filter((r) => r.asOf >= quarter.start && r.asOf < quarter.end)
    .filter((r) => r.integrations.some((i) => i.integration === integration))
    .sort((a, b) => a.asOf.localeCompare(b.asOf));
  const key = (f: Finding) => `${f.kind}\u0000${f.summary}`;
  return reports.flatMap((report, index) =>
    report.findings
      .filter((f) => f.integration === integration)
      .map((finding) => {
        const later = reports
          .slice(index + 1)
          .find((r) => !r.findings.some((f) => f.integration === integration && key(f) === key(finding)));
        return {
          runId: report.runId,
          asOf: report.asOf,
          finding,
          status: later ? `no longer found by audit ${later.runId} (as of ${later.asOf})` : 'open',
        };
      }),
  );
}
