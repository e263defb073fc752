import type { OAuthApp } from '../apps/model';
import { allApps, appByName, deleteApp, saveApp } from '../apps/registry';
import { formatDateTime } from '../engine/values';
import type { LocalOrg } from '../org';
import type { Row } from '../store/database';
import { connectedAppFromMetadata } from './connected-app';
import { CONNECTED_APP_CREATION_BLOCKED, componentId } from './crud';
import { CONNECTED_APP } from './components';
import { readDeployPackage } from './deploy-package';
import { planEcaChanges, type EcaComponent } from './eca';
import { SoapFault, type SoapCall } from './soap-request';
import { bool, buildXml, text, type XmlRecord } from './soap-xml';

const DEPLOY_TABLE = '_MetadataDeploy';

interface DeployJob {
  Id: string;
  zip: string | null;
  options: {
    checkOnly: boolean;
    rollbackOnError: boolean;
    singlePackage: boolean;
    ignoreWarnings: boolean;
    purgeOnDelete: boolean;
  };
  createdById: string;
  createdDate: string;
  polls: number;
  /** The finished DeployResult (with details), once done. */
  result: Record<string, unknown> | null;
}

interface Message {
  type: string;
  fullName: string;
  fileName: string;
  problem?: string;
  problemType?: 'Error' | 'Warning';
  created?: boolean;
  deleted?: boolean;
  id?: string;
}

/** `deploy`: queues the zip and answers with an AsyncResult, as real deploys are asynchronous. */
export function startDeploy(org: LocalOrg, userId: string, call: SoapCall): string {
  const zip = text(call.args.ZipFile);
  if (!zip) throw SoapFault.client('deploy needs a ZipFile');
  const o = (
    call.args.DeployOptions && typeof call.args.DeployOptions === 'object' && !Array.isArray(call.args.DeployOptions)
      ? call.args.DeployOptions
      : {}
  ) as XmlRecord;
  const job: DeployJob = {
    Id: org.db.nextId('0Af'),
    zip,
    options: {
      checkOnly: bool(o.checkOnly) ?? false,
      rollbackOnError: bool(o.rollbackOnError) ?? true,
      singlePackage: bool(o.singlePackage) ?? false,
      ignoreWarnings: bool(o.ignoreWarnings) ?? false,
      purgeOnDelete: bool(o.purgeOnDelete) ?? false,
    },
    createdById: userId,
    createdDate: formatDateTime(org.now()),
    polls: 0,
    result: null,
  };
  org.db.insert(DEPLOY_TABLE, job as unknown as Row);
  return buildXml({ deployResponse: { result: { done: 'false', id: job.Id, state: 'Queued' } } });
}

/**
 * `checkDeployStatus`: the deploy finishes (and is validated and applied) on the poll that reaches
 * `deployPollsUntilDone`, so callers see Pending/InProgress first, and changes made to the org in between count.
 */
export async function checkDeployStatus(org: LocalOrg, call: SoapCall): Promise<string> {
  const id = text(call.args.asyncProcessId) ?? '';
  const includeDetails = bool(call.args.includeDetails) ?? false;
  const stored = /^[a-zA-Z0-9]{15,18}$/.test(id)
    ? (org.db.get(DEPLOY_TABLE, id) as unknown as DeployJob | undefined)
    : undefined;
  if (!stored) throw SoapFault.api('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  let job = stored;
  if (!job.result) {
    job = { ...job, polls: job.polls + 1 };
    if (job.polls >= Math.max(1, org.settings.deployPollsUntilDone)) {
      job.result = await runDeploy(org, job);
      job.zip = null;
    }
    org.db.update(DEPLOY_TABLE, job.Id, job as unknown as Row);
  }
  const result = job.result ?? pendingResult(org, job);
  const { details, ...summary } = result;
  const ordered = orderResult(includeDetails && details ? { ...summary, details } : summary);
  return buildXml({ checkDeployStatusResponse: { result: ordered } });
}

function pendingResult(org: LocalOrg, job: DeployJob): Record<string, unknown> {
  return {
    ...common(org, job),
    done: 'false',
    numberComponentErrors: '0',
    numberComponentsDeployed: '0',
    numberComponentsTotal: '0',
    status: job.polls <= 1 ? 'Pending' : 'InProgress',
    success: 'false',
  };
}

function common(org: LocalOrg, job: DeployJob): Record<string, unknown> {
  const creator = org.db.get('User', job.createdById);
  return {
    checkOnly: String(job.options.checkOnly),
    createdBy: job.createdById,
    createdByName: String(creator?.Name ?? creator?.Username ?? ''),
    createdDate: job.createdDate,
    id: job.Id,
    ignoreWarnings: String(job.options.ignoreWarnings),
    lastModifiedDate: formatDateTime(org.now()),
    numberTestErrors: '0',
    numberTestsCompleted: '0',
    numberTestsTotal: '0',
    rollbackOnError: String(job.options.rollbackOnError),
    runTestsEnabled: 'false',
    startDate: job.createdDate,
  };
}

const RESULT_ORDER = [
  'canceledBy',
  'checkOnly',
  'completedDate',
  'createdBy',
  'createdByName',
  'createdDate',
  'details',
  'done',
  'errorMessage',
  'errorStatusCode',
  'id',
  'ignoreWarnings',
  'lastModifiedDate',
  'numberComponentErrors',
  'numberComponentsDeployed',
  'numberComponentsTotal',
  'numberTestErrors',
  'numberTestsCompleted',
  'numberTestsTotal',
  'rollbackOnError',
  'runTestsEnabled',
  'startDate',
  'stateDetail',
  'status',
  'success',
];
const orderResult = (r: Record<string, unknown>) =>
  Object.fromEntries(RESULT_ORDER.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));

/** Validates the whole package against the org, then applies it (or not: checkOnly, rollbackOnError). */
async function runDeploy(org: LocalOrg, job: DeployJob): Promise<Record<string, unknown>> {
  const pkg = await readDeployPackage(job.zip ?? '', job.options.singlePackage);
  const messages: Message[] = pkg.problems.map((p) => ({
    type: '',
    fullName: p.fileName,
    fileName: p.fileName,
    problem: p.problem,
    problemType: 'Error',
  }));
  const apps = allApps(org);
  const userId = job.createdById;

  const ecaWrites: EcaComponent[] = [];
  const ecaMessages = new Map<string, Message>();
  const caSaves: Array<{ app: OAuthApp; message: Message; existing?: OAuthApp }> = [];
  const caDeletes: Array<{ app: OAuthApp; message: Message }> = [];
  const seen = new Set<string>();
  for (const c of pkg.components) {
    const message: Message = { type: c.type, fullName: c.fullName, fileName: c.fileName };
    messages.push(message);
    if (c.problem || !c.record) {
      Object.assign(message, { problem: c.problem, problemType: 'Error' });
      continue;
    }
    if (c.type === CONNECTED_APP) {
      const existing = apps.find(
        (a) => a.kind === 'ConnectedApp' && a.fullName.toLowerCase() === c.fullName.toLowerCase(),
      );
      if (!existing && !org.settings.connectedAppCreationAllowed) {
        Object.assign(message, { problem: CONNECTED_APP_CREATION_BLOCKED.message, problemType: 'Error' });
        continue;
      }
      if (!existing && appByName(org, c.fullName)) {
        Object.assign(message, {
          problem: `The API name ${c.fullName} is already used by an external client app`,
          problemType: 'Error',
        });
        continue;
      }
      const outcome = connectedAppFromMetadata(org, { ...c.record, fullName: c.fullName }, existing, userId);
      if (!outcome.app)
        Object.assign(message, { problem: outcome.errors.map((e) => e.message).join('; '), problemType: 'Error' });
      else {
        message.created = !existing;
        caSaves.push({ app: outcome.app, message, existing });
      }
      continue;
    }
    const key = `${c.type}:${c.fullName.toLowerCase()}`;
    if (seen.has(key)) {
      Object.assign(message, {
        problem: `${c.type} ${c.fullName} is named twice in package.xml`,
        problemType: 'Error',
      });
      continue;
    }
    seen.add(key);
    ecaWrites.push({ type: c.type, fullName: c.fullName, record: c.record });
    ecaMessages.set(key, message);
  }

  const ecaDeletes: Array<{ type: string; fullName: string }> = [];
  for (const d of pkg.deletions) {
    const message: Message = { type: d.type, fullName: d.fullName, fileName: d.fileName, deleted: true };
    messages.push(message);
    if (d.type === CONNECTED_APP) {
      const existing = apps.find(
        (a) => a.kind === 'ConnectedApp' && a.fullName.toLowerCase() === d.fullName.toLowerCase(),
      );
      if (!existing)
        Object.assign(message, { problem: `No ConnectedApp named: ${d.fullName} found`, problemType: 'Warning' });
      else caDeletes.push({ app: existing, message });
    } else if (ecaTypeDeletable(d.type)) {
      ecaDeletes.push(d);
      ecaMessages.set(`delete:${d.type}:${d.fullName.toLowerCase()}`, message);
    } else
      Object.assign(message, {
        problem: `The local org does not emulate deploys of the metadata type ${d.type}`,
        problemType: 'Error',
      });
  }

  const plan = planEcaChanges(org, apps, ecaWrites, ecaDeletes, userId);
  for (const o of plan.outcomes) {
    const message = ecaMessages.get(
      o.deleted ? `delete:${o.type}:${o.fullName.toLowerCase()}` : `${o.type}:${o.fullName.toLowerCase()}`,
    );
    if (!message) continue;
    message.created = o.created;
    if (o.problems.length) {
      const missing = o.deleted && o.problems.every((p) => p.statusCode === 'NOT_FOUND');
      Object.assign(message, {
        problem: o.problems.map((p) => p.message).join('; '),
        problemType: missing ? 'Warning' : 'Error',
      });
    }
  }

  // Warnings (deleting what is not there) fail a deploy unless ignoreWarnings is set, as DeployOptions documents.
  const failing = (m: Message) =>
    m.problemType === 'Error' || (m.problemType === 'Warning' && !job.options.ignoreWarnings);
  const failures = messages.filter(failing);
  const apply = !job.options.checkOnly && (failures.length === 0 || !job.options.rollbackOnError);
  if (apply) {
    org.db.transaction(() => {
      for (const { app, message } of caSaves) {
        saveApp(org, app);
        message.id = app.Id;
        org.audit(
          message.created ? 'insertConnectedApplication' : 'updateConnectedApplication',
          'Connected Apps',
          `${message.created ? 'Created' : 'Changed'} connected app ${app.label}`,
          userId,
        );
      }
      for (const { app, message } of caDeletes) {
        deleteApp(org, app);
        message.id = app.Id;
        org.audit('deleteConnectedApplication', 'Connected Apps', `Deleted connected app ${app.label}`, userId);
      }
      for (const app of plan.save) {
        saveApp(org, app);
        org.audit(
          'deployExternalClientApplication',
          'External Client Apps',
          `Deployed external client app ${app.label}`,
          userId,
        );
        for (const m of messages)
          if (
            !m.problem &&
            !m.deleted &&
            app.metadata[m.type] &&
            String(app.metadata[m.type].fullName).toLowerCase() === m.fullName.toLowerCase()
          )
            m.id = componentId(m.type, app);
      }
      for (const app of plan.remove) {
        deleteApp(org, app);
        org.audit(
          'deleteExternalClientApplication',
          'External Client Apps',
          `Deleted external client app ${app.label}`,
          userId,
        );
      }
    });
  }

  const completed = formatDateTime(org.now());
  const deployMessage = (m: Message, success: boolean) => ({
    changed: String(success && !m.created && !m.deleted && m.type !== ''),
    componentType: m.type,
    created: String(success && !!m.created),
    createdDate: completed,
    deleted: String(success && !!m.deleted),
    fileName: m.fileName,
    fullName: m.fullName,
    ...(m.id ? { id: m.id } : {}),
    ...(m.problem ? { problem: m.problem, problemType: m.problemType } : {}),
    success: String(success),
  });
  const successes = messages.filter((m) => !failing(m));
  const status = failures.length === 0 ? 'Succeeded' : apply && successes.length ? 'SucceededPartial' : 'Failed';
  return {
    ...common(org, job),
    completedDate: completed,
    details: {
      componentFailures: failures.map((m) => deployMessage(m, false)),
      componentSuccesses: [
        ...successes.map((m) => deployMessage(m, true)),
        ...(pkg.problems.length
          ? []
          : [
              {
                changed: 'false',
                componentType: '',
                created: 'false',
                createdDate: completed,
                deleted: 'false',
                fileName: 'package.xml',
                fullName: 'package.xml',
                success: 'true',
              },
            ]),
      ],
    },
    done: 'true',
    numberComponentErrors: String(failures.length),
    numberComponentsDeployed: String(successes.length),
    numberComponentsTotal: String(messages.length),
    status,
    success: String(status === 'Succeeded'),
  };
}

const ecaTypeDeletable = (type: string) =>
  type !== CONNECTED_APP &&
  [
    'ExternalClientApplication',
    'ExtlClntAppOauthSettings',
    'ExtlClntAppGlobalOauthSettings',
    'ExtlClntAppOauthConfigurablePolicies',
    'ExtlClntAppConfigurablePolicies',
  ].includes(type);
