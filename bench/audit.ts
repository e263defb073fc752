/**
 * The re-audit at scale: N managed integrations (default 2,000) audited in bulk by the real audit workflow,
 * beside a naive audit that asks the org about one integration at a time, against the same org. API calls
 * are the local org's own call counter; the two audits must agree on every finding.
 *
 * Setup writes straight into the org (users, license and permission set assignments, permission sets with
 * grants, LoginHistory) and creates the apps through the Metadata API (External Client Apps deployed 100 to
 * a package, Connected Apps ten to a call). Every tenth integration is a Connected App. Some integrations
 * drift (an extra assignment, an added object grant, a frozen user, no login for months) so that both
 * audits have something to find. The registry is real: one registry workflow per integration, recorded
 * through the same update-with-start the onboarding uses (onboarding 2,000 integrations through the
 * workflow would only measure the onboarding).
 */
import JSZip from 'jszip';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'jsforce';
import { PROFILE_BASELINE, compareIntegration, type CompareOptions } from '../src/audit/compare';
import type { AppFacts } from '../src/audit/facts';
import type { AuditTarget } from '../src/audit/target';
import { startAudit } from '../src/client/audit';
import { REGISTRY_LIST_QUERY, listManagedIntegrations, recordIntegration } from '../src/client/registry';
import { generateKeyPairAndCertificate } from '../src/crypto/certificate';
import { consumerKeyFor, type AppRequest } from '../src/salesforce/app-settings';
import {
  APEX_NAME_QUERY,
  FIELD_PERMISSION_QUERY,
  OBJECT_PERMISSION_QUERY,
  firstRoundQueries,
  SETUP_ENTITY_QUERY,
  assembleFacts,
  connectedAppFacts,
  externalClientAppFacts,
  profileSetQuery,
  readMetadata,
  recentLoginQuery,
  systemPermissionFields,
  type OrgRows,
  type ReadCounter,
} from '../src/salesforce/audit-reads';
import { connectedAppMetadata } from '../src/salesforce/connected-app';
import { fieldPermissionFields, objectPermissionFields } from '../src/salesforce/permission-sets';
import { externalClientAppPackage } from '../src/salesforce/external-client-app';
import type { DesiredState } from '../src/shared/registry';
import { loadSpec } from '../src/spec/load';
import {
  INTEGRATION_PROFILE_NAME,
  INTEGRATION_PSL_DEVELOPER_NAME,
  resolveIntegration,
  type ResolvedIntegration,
} from '../src/spec/normalize';
import { soqlQuote } from '../src/salesforce/soql';
import { withDeadline } from './lib/deadline';
import { envInt, printTable, progress, round, writeResult } from './lib/report';
import { startBenchStack, type BenchStack } from './lib/stack';

const DAY_MS = 86_400_000;
const ECA_PER_DEPLOY = 100;
/** The naive audit asks about this many integrations at once (the bulk audit reads metadata four calls at a time). */
const NAIVE_CONCURRENCY = 4;

const SPEC = (name: string, kind: 'external-client-app' | 'connected-app') => `apiVersion: onramp/v1
kind: Integration
name: ${name}
displayName: Bench ${name}
owner: bench@acme.example
requestedBy: jdoe@acme.example
approvers: [security@acme.example]
app:
  kind: ${kind}
  flow: jwt-bearer
  scopes: [api]
access:
  objects:
    - { name: Account, rights: [read] }
    - { name: Invoice__c, rights: [read] }
    - { name: Opportunity, rights: [read, edit] }
  fields:
    - { name: Invoice__c.Status__c, access: read }
  apexClasses: [BillingSync]
`;

interface Seeded {
  resolved: ResolvedIntegration;
  desired: DesiredState;
}

async function main(): Promise<void> {
  const count = envInt('BENCH_AUDIT_INTEGRATIONS', 2000);
  const latencyMs = envInt('BENCH_LATENCY_MS', 20);
  process.env.ONRAMP_AUDIT_DIR ??= mkdtempSync(join(tmpdir(), 'onramp-bench-audits-'));
  progress(`audit: starting the stack (latency ${latencyMs} ms per Salesforce call), ${count} integrations`);
  const stack = await startBenchStack({ latencyMs: 0 });
  try {
    await stack.orgAdmin.updateSettings({ connectedAppCreationAllowed: true });
    const seeded = await seedIntegrations(stack, count);
    await registerAll(stack, seeded);
    await stack.setLatency(latencyMs);

    progress('audit: desired state of every integration, from registry memos and by query');
    let started = Date.now();
    const viaMemo = await listManagedIntegrations(stack.client, { via: 'memo' });
    const memoMs = Date.now() - started;
    started = Date.now();
    await listManagedIntegrations(stack.client, { via: 'query', concurrency: 16 });
    const queryMs = Date.now() - started;

    progress('audit: warm-up bulk audit (the worker signs in once)');
    await (await startAudit(stack.client, stack.config)).result();
    await stack.orgAdmin.resetCalls();
    started = Date.now();
    const bulk = await (await startAudit(stack.client, stack.config)).result();
    const ms = Date.now() - started;
    const apiCalls = (await stack.orgAdmin.calls()).total;
    const bulkFindings = bulk.counts.critical + bulk.counts.high + bulk.counts.medium + bulk.counts.low;
    progress(`audit: bulk audit: ${apiCalls} API calls, ${ms} ms, ${bulkFindings} findings`);

    const admin = await stack.admin();
    await stack.orgAdmin.resetCalls();
    started = Date.now();
    const naive = await naiveAudit(stack, admin, bulk.asOf);
    const naiveMs = Date.now() - started;
    const naiveApiCalls = (await stack.orgAdmin.calls()).total;
    progress(`audit: naive audit: ${naiveApiCalls} API calls, ${naiveMs} ms, ${naive.findings} findings`);
    if (naive.findings !== bulkFindings)
      throw new Error(`the audits disagree: bulk ${bulkFindings} findings, naive ${naive.findings}`);

    const path = writeResult('audit', {
      integrations: viaMemo.targets.length,
      apiCalls,
      ms,
      naiveApiCalls,
      naiveMs,
      findings: bulkFindings,
      latencyMs,
      desiredStateReadMs: { memo: memoMs, queryPerIntegration: queryMs },
    });
    printTable(`Re-audit of ${viaMemo.targets.length} managed integrations (${latencyMs} ms per Salesforce call)`, [
      ['bulk audit (the auditIntegrations workflow): API calls', apiCalls],
      ['bulk audit: time (ms)', ms],
      ['naive per-integration audit: API calls', naiveApiCalls],
      ['naive per-integration audit: time (ms)', naiveMs],
      ['API calls saved', `${round(naiveApiCalls / Math.max(apiCalls, 1), 1)}x fewer`],
      ['findings (both audits agree)', bulkFindings],
      ['desired state from registry memos (ms)', memoMs],
      ['desired state by one query per registry, 16 at a time (ms)', queryMs],
    ]);
    progress(`audit: wrote ${path}`);
  } finally {
    await stack.close();
  }
}

/** Users, licenses, permission sets with grants, assignments and logins straight into the org; apps through the Metadata API. */
async function seedIntegrations(stack: BenchStack, count: number): Promise<Seeded[]> {
  progress(`audit: seeding ${count} integrations`);
  const org = stack.org.org;
  const admin = await stack.admin();
  const one = <T extends Record<string, unknown>>(type: string, where: (r: Record<string, unknown>) => boolean) =>
    org.db.find(type, where) as T | undefined;
  const profile = one<{ Id: string }>('Profile', (r) => r.Name === INTEGRATION_PROFILE_NAME)!;
  const psl = one<{ Id: string }>('PermissionSetLicense', (r) => r.DeveloperName === INTEGRATION_PSL_DEVELOPER_NAME)!;
  const billingSync = one<{ Id: string }>('ApexClass', (r) => r.Name === 'BillingSync')!;
  const extra = org.dml.insertRaw('PermissionSet', {
    Name: 'Bench_Temporary_Access',
    Label: 'Temporary access',
    IsOwnedByProfile: false,
  });
  const cert = await generateKeyPairAndCertificate({
    commonName: 'onramp-bench',
    organization: 'onramp',
    validityDays: 365,
  });
  const now = Date.now();
  const seeded: Seeded[] = [];
  const ecaRequests: AppRequest[] = [];
  const caRequests: AppRequest[] = [];

  for (let i = 0; i < count; i++) {
    const name = `audit-${String(i).padStart(5, '0')}`;
    const kind = i % 10 === 9 ? 'connected-app' : 'external-client-app';
    const loaded = await loadSpec({ text: SPEC(name, kind) });
    if (!loaded.ok) throw new Error(`bench spec invalid: ${JSON.stringify(loaded.errors)}`);
    const resolved = resolveIntegration(loaded.spec, { usernameSuffix: 'integrations.bench.example' });
    const unused = i % 100 === 3;
    const lastLogin = new Date(now - (unused ? 200 : 1) * DAY_MS).toISOString();
    const user = org.dml.insertRaw('User', {
      Username: resolved.user.username,
      Email: resolved.user.email,
      FirstName: resolved.user.firstName,
      LastName: resolved.user.lastName,
      Alias: resolved.user.alias,
      CommunityNickname: resolved.user.communityNickname,
      ProfileId: profile.Id,
      IsActive: true,
      TimeZoneSidKey: 'GMT',
      LocaleSidKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      FederationIdentifier: `onramp:${name}:bench`,
      LastLoginDate: lastLogin,
    });
    org.dml.insertRaw('UserLogin', { UserId: user.Id, IsFrozen: i % 90 === 2, IsPasswordLocked: false });
    const pslAssignment = org.dml.insertRaw('PermissionSetLicenseAssign', {
      AssigneeId: user.Id,
      PermissionSetLicenseId: psl.Id,
    });
    const ps = org.dml.insertRaw('PermissionSet', {
      Name: resolved.names.permissionSetName,
      Label: resolved.names.permissionSetLabel,
      Description: 'onramp bench',
      IsOwnedByProfile: false,
    });
    for (const grant of resolved.access.objects) {
      org.dml.insertRaw('ObjectPermissions', {
        ParentId: ps.Id,
        SobjectType: grant.name,
        ...objectPermissionFields(grant),
      });
    }
    if (i % 70 === 1)
      org.dml.insertRaw('ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Contact', PermissionsRead: true });
    for (const grant of resolved.access.fields) {
      org.dml.insertRaw('FieldPermissions', { ParentId: ps.Id, ...fieldPermissionFields(grant) });
    }
    org.dml.insertRaw('SetupEntityAccess', {
      ParentId: ps.Id,
      SetupEntityId: billingSync.Id,
      SetupEntityType: 'ApexClass',
    });
    const assignment = org.dml.insertRaw('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    if (i % 50 === 0) org.dml.insertRaw('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: extra.Id });
    for (let l = 0; l < 3; l++) {
      org.dml.insertRaw('LoginHistory', {
        UserId: user.Id,
        LoginTime: new Date(Date.parse(lastLogin) - l * DAY_MS).toISOString(),
        LoginType: 'Remote Access 2.0',
        Application: resolved.names.appApiName,
        Status: 'Success',
      });
    }

    const consumerKey = consumerKeyFor(randomBytes(80));
    const request: AppRequest = {
      app: resolved.app,
      marker: `${resolved.names.marker} bench`,
      consumerKey,
      consumerSecret: randomBytes(32).toString('hex'),
      certificatePem: cert.certificatePem,
    };
    (kind === 'connected-app' ? caRequests : ecaRequests).push(request);
    seeded.push({
      resolved,
      desired: {
        onboardingId: `bench-${name}`,
        integration: resolved,
        provisioned: {
          userId: String(user.Id),
          username: resolved.user.username,
          permissionSetId: String(ps.Id),
          permissionSetAssignmentId: String(assignment.Id),
          permissionSetLicenseAssignmentId: String(pslAssignment.Id),
          app: { kind, apiName: resolved.app.apiName, consumerKey },
          credentials: {
            consumerKey,
            consumerSecretRef: `bench/${name}/consumer-secret@1`,
            privateKeyRef: `bench/${name}/private-key@1`,
            certificatePem: cert.certificatePem,
            certificateFingerprint: cert.fingerprintSha256,
            certificateExpiresAt: cert.notAfter.toISOString(),
          },
        },
        approvals: [{ approver: 'security@acme.example', decision: 'approved', at: new Date(now).toISOString() }],
        onboardedAt: new Date(now).toISOString(),
      },
    });
  }
  progress(`audit: deploying ${ecaRequests.length} External Client Apps, ${ECA_PER_DEPLOY} per package`);
  for (let i = 0; i < ecaRequests.length; i += ECA_PER_DEPLOY)
    await deployEcas(admin, ecaRequests.slice(i, i + ECA_PER_DEPLOY));
  progress(`audit: creating ${caRequests.length} Connected Apps, 10 per call`);
  for (let i = 0; i < caRequests.length; i += 10) {
    const results = [
      (await admin.metadata.create(
        'ConnectedApp',
        caRequests.slice(i, i + 10).map((request) => connectedAppMetadata(request)) as never,
      )) as unknown,
    ].flat() as Array<{ success: unknown; errors?: unknown }>;
    const failed = results.find((r) => String(r.success) !== 'true');
    if (failed) throw new Error(`Connected App create failed: ${JSON.stringify(failed.errors)}`);
  }
  return seeded;
}

/** One package holding many External Client Apps: the members of each app's own package, merged. */
async function deployEcas(admin: Connection, requests: AppRequest[]): Promise<void> {
  const merged = new JSZip();
  const members = new Map<string, string[]>();
  for (const request of requests) {
    const zip = await JSZip.loadAsync(await externalClientAppPackage(request, admin.version));
    for (const [path, file] of Object.entries(zip.files)) {
      if (path === 'package.xml' || file.dir) continue;
      merged.file(path, await file.async('nodebuffer'));
    }
    const manifest = await zip.file('package.xml')!.async('string');
    for (const [, block] of manifest.matchAll(/<types>(.*?)<\/types>/gs)) {
      const type = /<name>(.*?)<\/name>/.exec(block)![1]!;
      members.set(type, [
        ...(members.get(type) ?? []),
        ...[...block.matchAll(/<members>(.*?)<\/members>/g)].map((m) => m[1]!),
      ]);
    }
  }
  const types = [...members]
    .map(([type, list]) => `<types>${list.map((m) => `<members>${m}</members>`).join('')}<name>${type}</name></types>`)
    .join('');
  merged.file(
    'package.xml',
    `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">${types}<version>${admin.version}</version></Package>\n`,
  );
  const { id } = await admin.metadata.deploy(await merged.generateAsync({ type: 'nodebuffer' }), {
    singlePackage: true,
    rollbackOnError: true,
  });
  for (;;) {
    const status = (await admin.metadata.checkDeployStatus(id, true)) as unknown as {
      done: unknown;
      success: unknown;
      errorMessage?: string;
      details?: unknown;
    };
    if (String(status.done) !== 'true') continue;
    if (String(status.success) !== 'true')
      throw new Error(`deploy failed: ${status.errorMessage ?? JSON.stringify(status.details).slice(0, 500)}`);
    return;
  }
}

/** One registry workflow per integration, through the same update-with-start the onboarding uses. */
async function registerAll(stack: BenchStack, seeded: Seeded[]): Promise<void> {
  progress(`audit: recording ${seeded.length} integrations in their registry workflows`);
  let next = 0;
  let done = 0;
  const register = async () => {
    while (next < seeded.length) {
      const { desired } = seeded[next++]!;
      await recordIntegration(stack.client, stack.config.temporal.taskQueue, desired, 'bench');
      if (++done % 500 === 0) progress(`audit: ${done} registered`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, register));
  for (let i = 0; i < 600 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < seeded.length; i++)
    await new Promise((r) => setTimeout(r, 100));
}

/**
 * The audit as one would first write it: for each integration, ask Temporal for its desired state and
 * the org for its user, login, assignments, permission set and grants, profile, app row and settings.
 * The same comparison decides what drifted, so only the way of reading differs.
 */
async function naiveAudit(stack: BenchStack, admin: Connection, asOf: string): Promise<{ findings: number }> {
  const counter: ReadCounter = {};
  const { targets } = await listManagedIntegrations(stack.client, { via: 'query', concurrency: NAIVE_CONCURRENCY });
  const fields = await systemPermissionFields(admin, counter);
  const options: CompareOptions = {
    asOf,
    unusedDays: stack.config.audit.unusedDays,
    certificateExpiryDays: stack.config.audit.certificateExpiryDays,
    profileBaseline: PROFILE_BASELINE,
  };
  const since = new Date(Date.parse(asOf) - options.unusedDays * DAY_MS).toISOString();
  let findings = 0;
  let next = 0;
  const auditOne = async (target: AuditTarget) => {
    const q = async (soql: string) => (await admin.query<Record<string, unknown>>(soql)).records;
    // One query per concern for this integration alone, each waited for before the next.
    const firstRound: Array<Array<Record<string, unknown>>> = [];
    for (const [soql] of firstRoundQueries([target], fields)) firstRound.push(soql ? await q(soql) : []);
    const [
      users = [],
      userLogins = [],
      assignments = [],
      permissionSets = [],
      objectPermissions = [],
      fieldPermissions = [],
      setupEntities = [],
      appRows = [],
    ] = firstRound;
    const apexIds = setupEntities
      .filter((e) => e.SetupEntityType === 'ApexClass')
      .map((e) => soqlQuote(String(e.SetupEntityId)));
    const apex = apexIds.length ? await q(APEX_NAME_QUERY(apexIds.join(', '))) : [];
    const profileSets = users[0] ? await q(profileSetQuery(fields)(soqlQuote(String(users[0].ProfileId)))) : [];
    const profileId = profileSets[0] ? soqlQuote(String(profileSets[0].Id)) : undefined;
    const profileRows = profileId
      ? [
          await q(OBJECT_PERMISSION_QUERY(profileId)),
          await q(FIELD_PERMISSION_QUERY(profileId)),
          await q(SETUP_ENTITY_QUERY(profileId)),
        ]
      : [[], [], []];
    const recentLogins = users[0] ? await q(recentLoginQuery(since)(soqlQuote(target.user.id))) : [];
    const apps = new Map<string, AppFacts>();
    if (appRows.length) {
      const name = target.app.apiName;
      const facts =
        target.app.kind === 'connected-app'
          ? connectedAppFacts(name, (await readMetadata(admin, 'ConnectedApp', [name], counter))[0])
          : externalClientAppFacts(name, {
              settings: (await readMetadata(admin, 'ExtlClntAppOauthSettings', [`${name}_oauth`], counter))[0],
              global: (await readMetadata(admin, 'ExtlClntAppGlobalOauthSettings', [`${name}_glbl`], counter))[0],
              policies: (
                await readMetadata(admin, 'ExtlClntAppOauthConfigurablePolicies', [`${name}_plcy`], counter)
              )[0],
            });
      apps.set(name.toLowerCase(), facts);
    }
    const rows: OrgRows = {
      users,
      userLogins,
      assignments,
      permissionSets,
      objectPermissions: [...objectPermissions, ...profileRows[0]!],
      fieldPermissions: [...fieldPermissions, ...profileRows[1]!],
      setupEntities: [...setupEntities, ...profileRows[2]!],
      entityNames: new Map([...apex, ...appRows].map((r) => [String(r.Id).slice(0, 15), String(r.Name)])),
      profileSets,
      recentLogins,
      apps,
      systemPermissionFields: fields,
      since,
    };
    findings += compareIntegration(target, assembleFacts([target], rows).get(target.integration)!, options).length;
  };
  let done = 0;
  const worker = async () => {
    while (next < targets.length) {
      await auditOne(targets[next++]!);
      if (++done % 250 === 0) progress(`audit: naive audit at ${done}/${targets.length}`);
    }
  };
  await Promise.all(Array.from({ length: NAIVE_CONCURRENCY }, worker));
  return { findings };
}

withDeadline('audit', envInt('BENCH_TIMEOUT_MS', 60 * 60_000), main);
