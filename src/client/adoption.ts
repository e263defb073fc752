import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Connection } from 'jsforce';
import { stringify } from 'yaml';
import { compareIntegration, PROFILE_BASELINE } from '../audit/compare';
import { loadOwnerDirectory } from '../audit/owner-directory';
import { auditTargetOf } from '../audit/target';
import { orgNameOf, orgSettings, usernameSuffixOf, type OnrampConfig } from '../config';
import { assembleFacts, readOrgInBulk, type ReadCounter } from '../salesforce/audit-reads';
import { linkUsersAndApps, readIntegrationUsers, readOAuthApps } from '../salesforce/discovery';
import type { AdoptionProposal, AdoptionRequest, AdoptionStatus, Discovery } from '../shared/adoption';
import { adoptionStatusQuery, adoptionWorkflowId } from '../shared/messages';
import type { AuditTarget } from '../audit/target';
import type { RegistryRecord } from '../shared/registry';
import type { StepTimeouts } from '../shared/types';
import { canonicalJson, requestRefusal, requirementFor } from '../signoff';
import { sha256Hex } from '../signoff/canonical';
import { AdoptionRefused, adoptedSpec, chooseApp } from '../spec/adopted-spec';
import { buildAdoptionPlan } from '../spec/adoption-plan';
import { loadSpec } from '../spec/load';
import { integrationKey, parseIntegrationKey } from '../spec/names';
import { ONRAMP_ORG } from '../temporal/search-attributes';
import type { Plan, ValidationIssue } from '../spec/plan';
import { hasErrors, runStaticChecks } from '../spec/static-checks';
import type { adoptIntegration } from '../workflows';
import { listManagedIntegrations, registeredState } from './registry';
import { decideSigned, type SignedDecision, type SignedSubmission } from './onboarding';

export type AdoptionHandle = WorkflowHandle<typeof adoptIntegration>;

/**
 * Integration users, Connected Apps and External Client Apps in the org that onramp does not manage (its
 * registry names none of them) and that are not onramp's own connection, each with what it can reach.
 */
export async function discover(
  client: Client,
  config: OnrampConfig,
  admin: Connection,
  /** The org (a reference: absent for the default org); `admin` is its connection. */
  org?: string,
): Promise<Discovery> {
  const { targets } = await listManagedIntegrations(client);
  const managed = targets.filter((t) => t.state === 'active' && parseIntegrationKey(t.integration).org === org);
  const settings = orgSettings(config, org);
  const counter: ReadCounter = {};
  const [users, apps] = await Promise.all([readIntegrationUsers(admin, counter), readOAuthApps(admin, counter)]);
  linkUsersAndApps(users, apps);
  const managedUsers = new Set(managed.map((t) => t.user.username.toLowerCase()));
  const managedApps = new Set(managed.map((t) => t.app.apiName.toLowerCase()));
  const isManagedApp = (a: { apiName: string; consumerKey: string | null }) =>
    managedApps.has(a.apiName.toLowerCase()) || a.consumerKey === settings.consumerKey;
  return {
    asOf: new Date().toISOString(),
    org: { name: settings.name, instanceUrl: settings.instanceUrl },
    users: users.filter((u) => !managedUsers.has(u.username.toLowerCase())),
    apps: apps.filter((a) => !isManagedApp(a)),
    managed: {
      users: users.filter((u) => managedUsers.has(u.username.toLowerCase())).length,
      apps: apps.filter((a) => managedApps.has(a.apiName.toLowerCase())).length,
    },
  };
}

export interface PreparedAdoption {
  issues: ValidationIssue[];
  proposal?: AdoptionProposal;
  plan?: Plan;
}

const refusal = (field: string, message: string): PreparedAdoption => ({
  issues: [{ path: field, message, code: 'cannot-adopt', severity: 'error', source: 'org' }],
});

/**
 * Reads the org and writes the spec of the user (and its app) as they are, validated like any spec; the
 * audit's comparison of that desired state with the org lists what the spec cannot express. Reads only.
 * The adoption workflow runs the same function again before registering, and compares the state digest.
 */
export async function proposeAdoption(
  request: AdoptionRequest,
  client: Client,
  config: OnrampConfig,
  admin: Connection,
): Promise<PreparedAdoption> {
  // The owner register: someone the identity provider knows answers for what is adopted (issue 15).
  const directory = await loadOwnerDirectory(config);
  if (directory && !directory.emails.includes(request.owner.toLowerCase()))
    return refusal('owner', `${request.owner} is not known to the identity provider (${directory.source})`);
  const found = await discover(client, config, admin, request.org);
  const user = found.users.find((u) => u.username.toLowerCase() === request.username.toLowerCase());
  if (!user) return refusal('username', `${request.username} is not an unmanaged integration user of this org`);
  let drafted;
  try {
    const app = chooseApp(user, found.apps, request.app);
    drafted = { app, ...adoptedSpec(request, user, app) };
  } catch (error) {
    if (error instanceof AdoptionRefused) return refusal(error.field, error.message);
    throw error;
  }
  const { app, spec, unexpressed } = drafted;
  const org = orgSettings(config, request.org).name;
  const specText = stringify(request.org ? { ...spec, orgs: [org] } : spec);
  const loaded = await loadSpec(
    { text: specText, filename: `${request.name}.yaml` },
    { usernameSuffix: usernameSuffixOf(config, request.org), ...(request.org ? { org: request.org } : {}) },
  );
  if (!loaded.ok) return { issues: loaded.errors };
  const checks = runStaticChecks(loaded.spec);
  const integration = loaded.resolved!;
  const permissionSet = user.permissionSets.find(
    (p) => p.name.toLowerCase() === integration.names.permissionSetName.toLowerCase(),
  )!;
  const identities = { userId: user.id, permissionSetId: permissionSet.id, app: app.identity };
  const credentials = {
    consumerKey: app.consumerKey ?? '',
    ...(app.certificate
      ? {
          certificatePem: app.certificate.pem,
          certificateFingerprint: app.certificate.fingerprint,
          certificateExpiresAt: app.certificate.expiresAt,
        }
      : {}),
  };
  const target: AuditTarget = auditTargetOf({
    integration: integration.names.name,
    state: 'active',
    revision: 0,
    changes: [],
    desired: {
      onboardingId: 'adoption',
      integration,
      provisioned: {
        userId: user.id,
        username: user.username,
        permissionSetId: permissionSet.id,
        permissionSetAssignmentId: permissionSet.assignmentId,
        permissionSetLicenseAssignmentId: user.licenseAssignmentId ?? '',
        app: { kind: app.kind, apiName: app.apiName, consumerKey: credentials.consumerKey },
        credentials,
      },
      approvals: [],
      onboardedAt: found.asOf,
    },
  } satisfies RegistryRecord);
  const asOf = found.asOf;
  const since = new Date(Date.parse(asOf) - config.audit.unusedDays * 86_400_000).toISOString();
  const rows = await readOrgInBulk(admin, [target], since, {});
  const facts = assembleFacts([target], rows).get(target.integration)!;
  const findings = compareIntegration(target, facts, {
    asOf,
    unusedDays: config.audit.unusedDays,
    certificateExpiryDays: config.audit.certificateExpiryDays,
    profileBaseline: PROFILE_BASELINE,
    directory,
  });
  const proposal: AdoptionProposal = {
    specText,
    integration,
    identities,
    assignmentIds: { permissionSet: permissionSet.assignmentId, license: user.licenseAssignmentId },
    credentials,
    unexpressed,
    findings,
    stateDigest: sha256Hex(canonicalJson({ spec, identities, credentials, unexpressed })),
  };
  const plan = buildAdoptionPlan(
    integration,
    { identities, stateDigest: proposal.stateDigest, unexpressed },
    { issues: checks.issues, risks: checks.risks, specFingerprint: loaded.fingerprint },
  );
  return { issues: checks.issues, proposal, plan };
}

/** The proposal, refused when onramp manages (or managed) an integration of that name in that org already. */
export async function prepareAdoption(
  request: AdoptionRequest,
  client: Client,
  config: OnrampConfig,
  admin: Connection,
): Promise<PreparedAdoption> {
  const registered = await registeredState(client, integrationKey(request.name, request.org));
  if (registered)
    return refusal(
      'name',
      `onramp already has an integration named ${request.name} (${registered}); choose another name`,
    );
  return proposeAdoption(request, client, config, admin);
}

/** Starts the adoption, signed by the approval service for the signed-in requester as an onboarding is. */
export async function startAdoption(
  client: Client,
  config: OnrampConfig,
  request: AdoptionRequest,
  prepared: PreparedAdoption,
  submission: SignedSubmission,
  options: { timeouts?: StepTimeouts } = {},
): Promise<AdoptionHandle> {
  const { proposal, plan } = prepared;
  if (!proposal || !plan || hasErrors(prepared.issues)) throw new Error('the adoption has errors; nothing was started');
  const refused = requestRefusal(submission.policy, submission.requester);
  if (refused) throw new Error(refused);
  const workflowId = adoptionWorkflowId(proposal.integration.names.name, proposal.integration.org);
  const signed = await submission.signer.signRequest({
    workflowId,
    plan,
    integration: proposal.integration,
    requester: submission.requester,
    requirement: requirementFor(submission.policy, plan, submission.requester),
  });
  return client.workflow.start('adoptIntegration', {
    taskQueue: config.temporal.taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [{ asked: request, proposal, plan, request: signed, ...options }],
    typedSearchAttributes: [{ key: ONRAMP_ORG, value: orgNameOf(config, proposal.integration.org) }],
  }) as Promise<AdoptionHandle>;
}

/** `integration` is the integration's key (`erp-sync`, `erp-sync@uat`). */
export const adoptionHandle = (client: Client, integration: string): AdoptionHandle =>
  client.workflow.getHandle(adoptionWorkflowId(integration));

export const adoptionStatus = (client: Client, integration: string): Promise<AdoptionStatus> =>
  adoptionHandle(client, integration).query(adoptionStatusQuery);

const decide = (client: Client, integration: string, decision: 'approved' | 'rejected', input: SignedDecision) =>
  decideSigned(client, adoptionWorkflowId(integration), (run) => run.query(adoptionStatusQuery), decision, input);

export const approveAdoption = (client: Client, integration: string, input: SignedDecision) =>
  decide(client, integration, 'approved', input);
export const rejectAdoption = (client: Client, integration: string, input: SignedDecision) =>
  decide(client, integration, 'rejected', input);
