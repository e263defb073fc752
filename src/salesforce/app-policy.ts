import type { Connection } from 'jsforce';
import { compareAppSettings } from '../audit/compare';
import type { Finding } from '../audit/findings';
import type { AuditTarget } from '../audit/target';
import { ownAppOrAbsent } from './apps';
import { readAppSettings } from './audit-reads';
import { isErrorCode, ONRAMP_CODES } from './errors';
import { readExternalClientApp } from './external-client-app';

/**
 * How the app the target names differs from the OAuth policy the target holds (scopes, callback URLs, IP
 * relaxation and trusted ranges, admin-approved users and the pre-authorized permission set, certificate),
 * read and compared exactly as the audit does; none means the app carries that policy.
 */
export async function appPolicyFindings(conn: Connection, target: AuditTarget): Promise<Finding[]> {
  const apps = await readAppSettings(conn, [target], {});
  return compareAppSettings(target, apps.get(target.app.apiName.toLowerCase())!);
}

export interface MigrationProblem {
  /** The spec field it concerns. */
  path: 'app.kind' | 'app.apiName';
  code: 'not-onramps-app' | 'app-missing' | 'app-drifted' | 'app-name-taken';
  message: string;
}

/**
 * Whether the Connected App can be migrated as it stands (reads only): it is onramp's (its marker), it
 * carries the approved policy, and the External Client App's name is free or already onramp's (a retried
 * migration). Also the org, for the plan (sandbox or production decides the approvals).
 */
export async function migrationReadiness(
  conn: Connection,
  request: { target: AuditTarget; marker: string; newAppName: string },
): Promise<{
  problems: MigrationProblem[];
  org?: { id: string; name: string; isSandbox: boolean; instanceUrl: string };
}> {
  const { target, marker, newAppName } = request;
  const name = target.app.apiName;
  const problems: MigrationProblem[] = [];
  const [org] = (
    await conn.query<{ Id: string; Name: string; IsSandbox: boolean }>('SELECT Id, Name, IsSandbox FROM Organization')
  ).records;
  const owned = await ownAppOrAbsent(conn, target.app, marker).catch((error: unknown) => {
    if (!isErrorCode(error, ONRAMP_CODES.foreignObject)) throw error;
    return 'foreign' as const;
  });
  if (owned === 'foreign')
    problems.push({
      path: 'app.kind',
      code: 'not-onramps-app',
      message: `the Connected App ${name} is not onramp's (its marker is gone); onramp deletes only apps it created`,
    });
  else if (owned === 'absent')
    problems.push({ path: 'app.kind', code: 'app-missing', message: `the Connected App ${name} does not exist` });
  else
    for (const f of await appPolicyFindings(conn, target))
      problems.push({
        path: 'app.kind',
        code: 'app-drifted',
        message: `${f.summary}; remediate it first (onramp remediate ${target.integration})`,
      });
  const existing = await readExternalClientApp(conn, newAppName);
  if (existing && existing.description !== marker)
    problems.push({
      path: 'app.apiName',
      code: 'app-name-taken',
      message: `an External Client App named ${newAppName} exists and is not onramp's`,
    });
  return {
    problems,
    ...(org ? { org: { id: org.Id, name: org.Name, isSandbox: org.IsSandbox, instanceUrl: conn.instanceUrl } } : {}),
  };
}
