import type { Connection } from 'jsforce';
import { SalesforceApiError } from './errors';

/** An error of a DML save result (sObject and sObject Collections resources). */
export interface SaveError {
  statusCode?: string;
  errorCode?: string;
  message?: string;
  fields?: string[];
}

/** The first error of a refused save, as the layer's error. */
export function saveError(errors: SaveError[] | undefined, fallback: string): SalesforceApiError {
  const [first] = errors ?? [];
  const code = first?.errorCode ?? first?.statusCode ?? 'CREATE_FAILED';
  return new SalesforceApiError(first?.message ?? fallback, code, { fields: first?.fields });
}

/** Creates one record and returns its id; a refused save throws with Salesforce's error code. */
export async function createRecord(conn: Connection, type: string, values: Record<string, unknown>): Promise<string> {
  const result = await conn.sobject(type).create(values);
  if (!result.success || !result.id) {
    throw saveError((result as { errors?: SaveError[] }).errors, `could not create ${type}`);
  }
  return result.id;
}
