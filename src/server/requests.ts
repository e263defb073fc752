import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import type { Connection } from 'jsforce';
import { parseDocument } from 'yaml';
import {
  approve,
  onboardingHandle,
  prepareOnboarding,
  reject,
  startOnboarding,
  type SignedSubmission,
} from '../client/onboarding';
import { credentialsView, type CredentialsView } from '../client/credentials';
import { registeredState, registryRecord } from '../client/registry';
import {
  approveChange,
  changeHandle,
  changeStatus,
  prepareChange,
  rejectChange,
  startChange,
  type PreparedChange,
} from '../client/change';
import type { ChangeStatus } from '../shared/change';
import { listInventory, type Inventory } from '../client/inventory';
import { readAuditReport } from '../audit/report-files';
import { orgNameOf, orgRef, type OnrampConfig } from '../config';
import { integrationKey } from '../spec/names';
import { orgParam } from './org-param';
import { queryStatus } from '../cli/shared';
import { identityKey } from '../shared/identity';
import type { OnboardingStatus } from '../shared/types';
import { hasErrors } from '../spec/static-checks';
import { ApiError } from './errors';
import { hasRole, requireRole, type Identity } from './identity';
import { loadPolicy, loadSigningKey, requirementFor, Signer, type ApprovalPolicy } from '../signoff';
import { describeRequirement } from '../signoff/describe';
import { awaits } from './awaiting';
import { parseSpec } from '../spec/load';
import { checkPromotion, sandboxesOf } from '../client/promotion';
import { Failure, isFailure } from '../shared/failures';
import { environmentDelta } from '../spec/promotion';
import { renderPlan } from '../spec/plan';

export interface RequestSummary {
  integration: string;
  phase: OnboardingStatus['phase'];
  requestedBy: string;
  approvalsRequired: number;
  approvals: number;
  /** This person may decide on it now. */
  awaitingMe: boolean;
}

/**
 * What the API and the console do with onboarding requests, on Temporal: the one place the server reaches
 * workflows. The workflow still enforces its sign-off rules (no self-approval, listed approvers, quorum);
 * this layer adds who may ask for what, from the signed-in identity.
 */
export class Requests {
  constructor(
    private readonly client: Client,
    private readonly config: OnrampConfig,
    /** onramp's admin connection to an org (absent: the default org). */
    private readonly admin: (org?: string) => Promise<Connection>,
  ) {}

  /** The approval service's key and policy (src/signoff): loaded on first use, refused when missing or invalid. */
  private signoff?: Promise<{ signer: Signer; policy: ApprovalPolicy }>;
  signing() {
    this.signoff ??= Signer.fromKey(loadSigningKey(this.config.signoff.keyFile)).then((signer) => ({
      signer,
      policy: loadPolicy(this.config.policy.file),
    }));
    return this.signoff;
  }

  /** Validates the spec against the org and computes its plan, as `who` would submit it; changes nothing. */
  async plan(who: Identity, specText: unknown, org?: string) {
    const prepared = await this.prepare(who, specText, org);
    await this.promoted(prepared);
    const { policy } = await this.signing();
    const plan = prepared.plan!;
    const requirement = requirementFor(policy, plan, who);
    const orgName = orgNameOf(this.config, prepared.resolved!.org);
    return {
      ok: true,
      org: orgName,
      plan,
      issues: prepared.issues,
      requirement,
      planText: renderPlan(plan, requirement, orgName),
    };
  }

  /** Validates the spec against the org and starts the onboarding; the requester is the signed-in person. */
  async submit(who: Identity, specText: unknown, org?: string) {
    requireRole(who, this.config.server.roles, ['requester', 'admin'], 'request onboardings', 'not-a-requester');
    // An onboarding under way or done is said so before validating: what it created would trip validation.
    const parsed = typeof specText === 'string' ? parseSpec(specText) : undefined;
    const ref = this.targetOrg(parsed?.ok ? parsed.spec.orgs : undefined, org);
    const name = parsed?.ok ? integrationKey(parsed.spec.name, ref) : undefined;
    const state = name ? await this.state(name) : undefined;
    // An offboarded integration may be onboarded again (a new generation: a new user, app and credentials).
    const registered = state === 'COMPLETED' ? await registeredState(this.client, name!) : undefined;
    if (registered === 'active') return this.submitChange(who, specText, org);
    if (state === 'RUNNING' || (state === 'COMPLETED' && registered !== 'retired')) {
      const [code, what] =
        state === 'RUNNING'
          ? ['already-running', 'is already under way']
          : ['already-onboarded', 'is already onboarded (one integration user per system)'];
      throw new ApiError(409, code, `the onboarding of ${name} ${what}`, 'name');
    }
    return this.start(who, specText, org, (prepared, submission) =>
      startOnboarding(this.client, this.config, prepared, submission),
    );
  }

  /**
   * The org a spec is for, as workflows refer to it: the one asked for (the spec's `orgs` must list it:
   * validation says so at the field), else the spec's only org, else the default org. A spec for several
   * orgs is planned and submitted for one at a time.
   */
  private targetOrg(specOrgs: readonly string[] | undefined, requested: string | undefined): string | undefined {
    const name = requested ?? (specOrgs?.length === 1 ? specOrgs[0] : undefined);
    if (name === undefined && specOrgs && specOrgs.length > 1)
      throw new ApiError(400, 'missing-field', `the spec is for ${specOrgs.join(', ')}: name one (--org)`, 'org');
    return orgParam(this.config, name);
  }

  /**
   * Validates and plans the spec, then starts its workflow signed for the signed-in requester: what the
   * request answers (the plan, what policy requires of it) is the same for an onboarding and a change.
   */
  private async start(
    who: Identity,
    specText: unknown,
    org: string | undefined,
    run: (prepared: PreparedChange, submission: SignedSubmission) => Promise<WorkflowHandle>,
  ) {
    const prepared = await this.prepare(who, specText, org);
    await this.promoted(prepared);
    const { signer, policy } = await this.signing();
    const requester = { sub: who.sub, email: who.email, groups: who.groups };
    const handle = await run(prepared, { signer, requester, policy });
    const { runId } = await handle.describe();
    const requirement = requirementFor(policy, prepared.plan!, requester);
    return {
      integration: prepared.resolved!.names.name,
      org: orgNameOf(this.config, prepared.resolved!.org),
      ...(prepared.plan!.change ? { kind: 'change' as const } : {}),
      workflowId: handle.workflowId,
      runId,
      plan: prepared.plan!,
      issues: prepared.issues,
      requirement,
      requirementText: describeRequirement(requirement, who.email),
    };
  }

  /**
   * A production onboarding's promotion basis (docs/day-two.md), put into its plan so that it is signed and
   * approved with it; 409 promotion-unverified when there is none. Change requests are not promotions.
   */
  private async promoted(prepared: PreparedChange): Promise<void> {
    const plan = prepared.plan!;
    if (plan.change) return;
    const { policy } = await this.signing();
    const { spec, org } = prepared.resolved!;
    try {
      const basis = await checkPromotion(this.client, this.config, () => policy, spec, org, plan.org?.isSandbox);
      if (basis) plan.promotion = basis;
    } catch (error) {
      if (isFailure(error, Failure.PromotionUnverified))
        throw new ApiError(409, 'promotion-unverified', (error as Error).message, 'spec');
      throw error;
    }
  }

  /**
   * `onramp promote NAME --from uat --to production`: the spec the sandbox onboarded (or production's own,
   * `specText`), submitted as production's onboarding; answers which environment-specific fields differ.
   */
  async promote(who: Identity, request: { integration: string; from: string; to: string; specText?: string }) {
    const { integration, from, to } = request;
    const orgs = this.config.orgs;
    if (!orgs[from]) throw new ApiError(400, 'invalid-field', `no org named "${from}" is configured`, 'from');
    if (orgs[to]?.kind !== 'production')
      throw new ApiError(400, 'invalid-field', `"${to}" is not a configured production org`, 'to');
    if (!sandboxesOf(this.config, to).includes(from))
      throw new ApiError(400, 'invalid-field', `"${from}" is not a sandbox of ${to}`, 'from');
    const key = integrationKey(integration, orgRef(this.config, from));
    if ((await registeredState(this.client, key)) !== 'active')
      throw new ApiError(
        409,
        'promotion-unverified',
        `${integration} is not onboarded in ${from}: onboard and verify it there first`,
        'integration',
      );
    const onboarded = (await registryRecord(this.client, key)).desired.integration.spec;
    // The sandbox's spec as JSON (YAML's subset) without the nulls of settings that do not apply, for `to`.
    const text =
      request.specText ??
      JSON.stringify({ ...onboarded, orgs: [to] }, (_key, value: unknown) => (value === null ? undefined : value));
    const parsed = parseSpec(text);
    if (parsed.ok && parsed.spec.name !== integration)
      throw new ApiError(400, 'invalid-field', `the spec is of ${parsed.spec.name}, not ${integration}`, 'spec');
    const delta = parsed.ok ? environmentDelta(onboarded, parsed.spec) : [];
    const started = await this.submit(who, text, to);
    return { from, to, delta, ...started };
  }

  /** A changed spec of an active integration: the change request (src/workflows/change.ts), signed like an onboarding. */
  private async submitChange(who: Identity, specText: unknown, org: string | undefined, narrowerOnly = false) {
    return this.start(who, specText, org, (prepared, submission) => {
      const integration = prepared.resolved!.names.name;
      const change = prepared.plan!.change;
      if (!change)
        throw new ApiError(409, 'not-managed', `${integration} is not an active integration onramp manages`, 'name');
      if (change.changes.length === 0)
        throw new ApiError(
          409,
          'already-onboarded',
          `${integration} is already onboarded and the spec is what was approved: nothing to change`,
          'spec',
        );
      const added = change.changes.filter((c) => c.action === 'create');
      if (narrowerOnly && added.length)
        throw new ApiError(
          422,
          Failure.NotNarrower.type,
          `a reduction may only take access away; this spec adds ${added.map((c) => c.path).join(', ')}`,
          added[0]!.path,
        );
      return startChange(this.client, prepared, submission).catch((error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError)
          throw new ApiError(409, 'already-running', `a change of ${integration} is already under way`, 'name');
        throw error;
      });
    });
  }

  /**
   * An owner's reduction from an access review (src/server/reviews.ts): a change request like any other, signed
   * for the owner and approved under the policy, refused when it would add access. The owner needs no
   * requester role: the review gives them this one request about their own integration.
   */
  requestReduction(who: Identity, specText: unknown, org?: string) {
    return this.submitChange(who, specText, org, true);
  }

  /**
   * The change request of an integration (the latest), with whether it still runs (`open`) and its run;
   * 404 when there was none. Described before it is queried, so a status read after the close is final.
   */
  async change(integration: string): Promise<ChangeStatus & { open: boolean; runId: string }> {
    const run = await this.changeRun(integration);
    if (!run) throw new ApiError(404, 'not-found', `no change request of "${integration}"`, 'name');
    return { ...(await changeStatus(this.client, integration)), open: run.state === 'RUNNING', runId: run.runId };
  }

  /**
   * What `onramp status` shows: the integration's latest request. A change request while it runs, and
   * after it if it is newer than the onboarding and the integration was not offboarded since; otherwise
   * the onboarding. `kind` says which; `open` whether it still runs.
   */
  async latest(
    integration: string,
  ): Promise<
    | (Omit<OnboardingStatus, 'plan'> & { open: boolean; runId: string })
    | (Omit<ChangeStatus, 'plan'> & { kind: 'change'; open: boolean; runId: string })
  > {
    const onboarding = await this.describe(integration);
    const change = await this.changeRun(integration);
    const { plan: _plan, ...status } = await this.get(integration);
    if (
      change &&
      (change.state === 'RUNNING' || (change.startedAt > onboarding.startedAt && status.phase !== 'retired'))
    ) {
      const { plan: _changePlan, ...changed } = await changeStatus(this.client, integration);
      return { ...changed, kind: 'change', open: change.state === 'RUNNING', runId: change.runId };
    }
    return { ...status, open: onboarding.state === 'RUNNING', runId: onboarding.runId };
  }

  private async changeRun(integration: string): Promise<Run | undefined> {
    return changeHandle(this.client, integration)
      .describe()
      .then(runOf, (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
  }

  private async changeRunning(integration: string): Promise<boolean> {
    return (await this.changeRun(integration))?.state === 'RUNNING';
  }

  private async prepare(who: Identity, specText: unknown, org: string | undefined) {
    if (typeof specText !== 'string' || specText.trim() === '')
      throw new ApiError(400, 'missing-field', 'is required', 'spec');
    const source = { text: asRequestedBy(specText, who.email), filename: 'spec' };
    const parsed = parseSpec(specText);
    const ref = this.targetOrg(parsed.ok ? parsed.spec.orgs : undefined, org);
    // A spec of an active integration is a change request: planned as the difference from its baseline.
    const active =
      parsed.ok && (await registeredState(this.client, integrationKey(parsed.spec.name, ref))) === 'active';
    const prepared: PreparedChange = active
      ? await prepareChange(source, this.config, await this.admin(ref), this.client, ref)
      : await prepareOnboarding(source, this.config, await this.admin(ref), ref);
    if (hasErrors(prepared.issues) || !prepared.resolved || !prepared.plan) {
      throw new ApiError(
        422,
        'invalid-spec',
        'the spec has errors; nothing was started',
        prepared.issues[0]?.path,
        prepared.issues,
      );
    }
    return prepared;
  }

  /**
   * Every integration onramp manages or is onboarding (src/client/inventory.ts), for any signed-in person;
   * those of one org when `org` names it.
   */
  async inventory(org?: string): Promise<Inventory> {
    const only = org === undefined ? undefined : orgNameOf(this.config, orgParam(this.config, org));
    const audit = await readAuditReport(this.config.audit.dir);
    return listInventory(this.client, audit, this.config.defaultOrg, only);
  }

  /** Onboardings, newest first, with whether each waits for this person. */
  async list(who: Identity): Promise<RequestSummary[]> {
    const out: RequestSummary[] = [];
    for await (const wf of this.client.workflow.list({ query: "WorkflowType = 'onboardIntegration'", pageSize: 100 })) {
      if (out.length >= 100) break;
      const integration = wf.workflowId.replace(/^onramp:onboard:/, '');
      if (out.some((r) => r.integration === integration)) continue;
      const status = await queryStatus(this.client, integration).catch(() => undefined);
      if (!status) continue;
      out.push({
        integration,
        phase: status.phase,
        requestedBy: status.requestedBy,
        approvalsRequired: status.approvalsRequired,
        approvals: status.approvals.filter((a) => a.decision === 'approved').length,
        awaitingMe: awaits(status, who),
      });
    }
    return out;
  }

  async get(integration: string): Promise<OnboardingStatus> {
    await this.existing(integration);
    return queryStatus(this.client, integration);
  }

  async decide(who: Identity, integration: string, decision: 'approve' | 'reject', comment: string | undefined) {
    requireRole(who, this.config.server.roles, ['approver'], 'approve or reject onboardings', 'not-an-approver');
    if (decision === 'reject' && !comment?.trim()) {
      throw new ApiError(400, 'missing-field', 'a rejection needs a comment saying why', 'comment');
    }
    // A change request under way is what waits for decisions; otherwise the onboarding.
    const change = await this.changeRunning(integration);
    const state = change ? 'RUNNING' : await this.existing(integration);
    if (state !== 'RUNNING') {
      throw new ApiError(409, 'approval-closed', `the onboarding of ${integration} is closed (${state.toLowerCase()})`);
    }
    // Deciding again is answered from the first update (same update id): say so instead of a new decision.
    const status = change ? await changeStatus(this.client, integration) : await queryStatus(this.client, integration);
    const earlier = status.approvals.find((a) => identityKey(a.approver) === identityKey(who.email));
    if (earlier?.decision === `${decision}d`) return { ...earlier, alreadyRecorded: true };
    const { signer } = await this.signing();
    const approver = { sub: who.sub, email: who.email, groups: who.groups };
    const input = { signer, approver, ...(comment?.trim() ? { comment: comment.trim() } : {}) };
    try {
      const decide = change
        ? decision === 'approve'
          ? approveChange
          : rejectChange
        : decision === 'approve'
          ? approve
          : reject;
      return await decide(this.client, integration, input);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const cause = error.cause as { type?: string; message?: string } | undefined;
        throw new ApiError(409, cause?.type ?? 'refused', cause?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) {
        const closed = (await this.state(integration))?.toLowerCase() ?? 'closed';
        throw new ApiError(409, 'approval-closed', `the onboarding of ${integration} is closed (${closed})`);
      }
      throw error;
    }
  }

  /** The Temporal state (RUNNING, COMPLETED, ...) and run of the onboarding; 404 when there is none. */
  async describe(integration: string): Promise<Run> {
    try {
      return runOf(await onboardingHandle(this.client, integration).describe());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound(integration);
      throw error;
    }
  }

  /** Cancels a running onboarding (its requester or an admin); resolves once its steps are undone. */
  async cancel(who: Identity, integration: string): Promise<OnboardingStatus> {
    const state = await this.existing(integration);
    const status = await queryStatus(this.client, integration);
    if (!hasRole(who, 'admin') && identityKey(status.requestedBy) !== identityKey(who.email)) {
      throw new ApiError(403, 'not-allowed', 'only the requester or an admin may cancel an onboarding');
    }
    if (state !== 'RUNNING')
      throw new ApiError(
        409,
        'not-running',
        `the onboarding of ${integration} is not running (${status.phase}); nothing to cancel`,
      );
    const handle = onboardingHandle(this.client, integration);
    await handle.cancel();
    // The workflow undoes its steps before it closes; the status then says what was undone.
    await handle.result().catch(() => undefined);
    return queryStatus(this.client, integration);
  }

  async runbook(integration: string): Promise<string> {
    const state = await this.existing(integration);
    if (state !== 'COMPLETED') {
      const { phase } = await queryStatus(this.client, integration);
      throw new ApiError(409, 'no-runbook', `${integration} has no runbook: its onboarding is ${phase}`);
    }
    const { runbookPath } = await onboardingHandle(this.client, integration).result();
    return readFile(runbookPath, 'utf8');
  }

  /** An integration's credential by reference and where it was handed over: for admins, auditors and approvers. */
  async credentials(who: Identity, integration: string): Promise<CredentialsView> {
    if (!hasRole(who, 'admin', 'auditor', 'approver'))
      throw new ApiError(403, 'not-allowed', `${who.email} is not in a group that may see where credentials are`);
    const view = await credentialsView(this.client, this.config.secrets, integration);
    if (!view) throw new ApiError(404, 'not-found', `${integration} is not a managed integration`, 'name');
    return view;
  }

  private async existing(integration: string): Promise<string> {
    const state = await this.state(integration);
    if (!state) throw notFound(integration);
    return state;
  }

  private async state(integration: string): Promise<string | undefined> {
    try {
      return (await onboardingHandle(this.client, integration).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }
}

/** A workflow run as the status answers need it: its Temporal state, run id and start. */
interface Run {
  state: string;
  runId: string;
  startedAt: number;
}

const runOf = (d: WorkflowExecutionDescription): Run => ({
  state: d.status.name,
  runId: d.runId,
  startedAt: d.startTime.getTime(),
});

const notFound = (integration: string) =>
  new ApiError(404, 'not-found', `no onboarding of "${integration}" was found`, 'name');

/** The spec with `requestedBy` set to the signed-in person: who asked is who signed in, not what the file says. */
export function asRequestedBy(specText: string, email: string): string {
  const doc = parseDocument(specText);
  if (doc.errors.length > 0 || !doc.contents || typeof doc.contents !== 'object' || !('set' in doc.contents))
    return specText;
  doc.set('requestedBy', email);
  return doc.toString();
}
