import type { Connection } from 'jsforce';

/** Creates one record and returns its id; a refused save throws with Salesforce's error code. */
export async function createRecord(conn: Connection, type: string, values: Record<string, unknown>): Promise<string> {
  const result = await conn.sobject(type).create(values);
  if (!result.success || !result.id) {
    const [first] = (result as { errors?: Array<{ errorCode?: string; statusCode?: string; message?: string }> }).errors ?? [];
    throw Object.assign(new Error(first?.message ?? `could not create ${type}`), { errorCode: first?.errorCode ?? first?.statusCode ?? 'CREATE_FAILED' });
  }
  return result.id;
}
