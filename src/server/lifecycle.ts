import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { readAuditReport } from '../audit/report-files';
import {
  decideSignedSignOff,
  signOffHandle,
  startOffboarding,
  startRemediation,
  startRotation,
  type SignOffKind,
} from '../client/lifecycle';
import { prepareMigration, reportSwitched, startMigration, type MigrationOptions } from '../client/migration';
import type { OnrampConfig } from '../config';
import { parseIntegrationKey } from '../spec/names';
import { renderPlan } from '../spec/plan';
import { identityKey } from '../shared/identity';
import { rotationWorkflowId, type SignOffStatus } from '../shared/lifecycle';
import type { Connection } from 'jsforce';
import { ApiError } from './errors';
import { requireRole, type Identity } from './identity';
import type { Requests } from './requests';

function refusal(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as { type?: string; message?: string } | undefined;
    throw new ApiError(409, cause?.type ?? 'refused', cause?.message ?? error.message);
  }
  // onramp's typed refusals (not managed, retired, not signed): 409 with the failure's type as the code.
  if (error instanceof ApplicationFailure && error.type) throw new ApiError(409, error.type, error.message);
  throw error;
}

/** A workflow's Temporal state, whether it still runs, and its result once it completed. */
async function described(handle: WorkflowHandle, missing: () => ApiError) {
  try {
    const d = await handle.describe();
    const state = d.status.name;
    const result =
      state === 'COMPLETED'
        ? await handle
            .result()
            .catch((e: unknown) => (e instanceof WorkflowFailedError ? undefined : Promise.reject(e)))
        : undefined;
    return { state, runId: d.runId, open: state === 'RUNNING', ...(result === undefined ? {} : { result }) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw missing();
    throw error;
  }
}

/**
 * What the API does with a managed integration's lifecycle (offboarding, remediation, rotation): requests
 * signed by the approval service for the signed-in requester, decisions signed for the signed-in approver,
 * exactly as onboarding requests (requests.ts).
 */
export class Lifecycle {
  constructor(
    private readonly client: Client,
    private readonly config: OnrampConfig,
    private readonly requests: Requests,
    private readonly admin: (org?: string) => Promise<Connection>,
  ) {}

  private async submission(who: Identity) {
    requireRole(
      who,
      this.config.server.roles,
      ['requester', 'admin'],
      'request changes to integrations',
      'not-a-requester',
    );
    const { signer, policy } = await this.requests.signing();
    return { signer, policy, requester: { sub: who.sub, email: who.email, groups: who.groups } };
  }

  async offboard(who: Identity, integration: string, reason: string) {
    const signed = await this.submission(who);
    const handle = await startOffboarding(this.client, integration, { requestedBy: who.email, reason }, signed).catch(
      refusal,
    );
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /** Asks approval to undo what an audit found that onramp can undo; nothing is requested when there is none. */
  async remediate(who: Identity, integration: string, auditRun: string | undefined) {
    const signed = await this.submission(who);
    const report = await readAuditReport(this.config.audit.dir, auditRun);
    if (!report)
      throw new ApiError(
        404,
        'no-audit',
        `no audit report${auditRun ? ` ${auditRun}` : ''}; run \`onramp audit run\` first`,
      );
    const findings = report.findings.filter((f) => f.integration === integration);
    const byHand = findings.filter((f) => !f.fix);
    const counts = {
      fixable: findings.length - byHand.length,
      findings: findings.length,
      auditRunId: report.runId,
      byHand,
    };
    if (!counts.fixable) return { ...counts, requested: false };
    const handle = await startRemediation(
      this.client,
      integration,
      findings,
      { requestedBy: who.email, auditRunId: report.runId },
      signed,
    ).catch(refusal);
    return { ...counts, requested: true, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /**
   * Asks the approvers to let onramp move the integration from its Connected App to an External Client App
   * (the migration plan, signed for the signed-in requester); refused with each problem at its field.
   */
  async migrate(who: Identity, integration: string, options: MigrationOptions) {
    const signed = await this.submission(who);
    const prepared = await prepareMigration(
      this.client,
      await this.admin(parseIntegrationKey(integration).org),
      integration,
      options,
    ).catch(refusal);
    const errors = prepared.issues.filter((i) => i.severity === 'error');
    // Bad options are the caller's (400, naming the field); the rest is the org or registry refusing (409).
    const first = errors[0];
    if (first)
      throw new ApiError(
        first.code === 'invalid-duration' ? 400 : 409,
        first.code,
        errors.map((e) => e.message).join('; '),
        first.path,
      );
    const handle = await startMigration(this.client, prepared, signed).catch((error: unknown) => {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new ApiError(409, 'already-running', `a migration of ${integration} runs already`);
      return refusal(error);
    });
    return {
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      planText: renderPlan(prepared.plan!),
    };
  }

  /** The external system moved to the new app: the running migration may remove the Connected App. */
  async switched(who: Identity, integration: string) {
    requireRole(who, this.config.server.roles, ['requester', 'admin'], 'report a switch', 'not-a-requester');
    return reportSwitched(this.client, integration, who.email).catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError)
        throw new ApiError(404, 'not-found', `no migration of ${integration} was requested`, 'name');
      return refusal(error);
    });
  }

  async rotate(who: Identity, integration: string, reason: string) {
    requireRole(who, this.config.server.roles, ['requester', 'admin'], 'rotate credentials', 'not-a-requester');
    const handle = await startRotation(this.client, integration, reason, who.email).catch(refusal);
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  async rotation(integration: string) {
    const handle = this.client.workflow.getHandle(rotationWorkflowId(integration));
    const about = await described(
      handle,
      () => new ApiError(404, 'not-found', `no rotation of ${integration} was started`, 'name'),
    );
    return { ...(await handle.query<object>('status')), ...about };
  }

  /** The request's status, whether it still runs, and its result once completed; 404 when none was made. */
  async status(kind: SignOffKind, integration: string) {
    const handle = signOffHandle(this.client, kind, integration);
    const verb = {
      offboarding: `offboard ${integration} --reason <why>`,
      remediation: `remediate ${integration}`,
      migration: `migrate ${integration}`,
    }[kind];
    const about = await described(
      handle,
      () =>
        new ApiError(
          404,
          'not-found',
          `no ${kind} of ${integration} was requested; ask for one with \`onramp ${verb}\``,
          'name',
        ),
    );
    return { ...(await handle.query<SignOffStatus<string>>('status')), ...about };
  }

  async decide(
    who: Identity,
    kind: SignOffKind,
    integration: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ) {
    requireRole(who, this.config.server.roles, ['approver'], `approve or reject ${kind}s`, 'not-an-approver');
    if (decision === 'reject' && !comment?.trim())
      throw new ApiError(400, 'missing-field', 'a rejection needs a comment saying why', 'comment');
    const status = await this.status(kind, integration);
    if (!status.open)
      throw new ApiError(
        409,
        'approval-closed',
        `the ${kind} of ${integration} is over (${status.state.toLowerCase()}); nothing to decide`,
      );
    const earlier = status.approvals.find((a) => identityKey(a.approver) === identityKey(who.email));
    if (earlier?.decision === `${decision}d`) return { ...earlier, alreadyRecorded: true };
    const { signer } = await this.requests.signing();
    const approver = { sub: who.sub, email: who.email, groups: who.groups };
    return decideSignedSignOff(this.client, kind, integration, decision, {
      signer,
      approver,
      ...(comment?.trim() ? { comment: comment.trim() } : {}),
    }).catch(refusal);
  }
}
