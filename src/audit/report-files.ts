import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writePrivateFile } from '../private-files';
import { renderAuditMarkdown, type AuditReport, type AuditSummary } from './report';

/** Run ids are Temporal run ids (UUIDs); anything else could walk out of the audit directory. */
export const AUDIT_RUN_ID = /^[A-Za-z0-9-]{1,80}$/;

export const reportPaths = (dir: string, runId: string): AuditSummary['reportPaths'] => {
  if (!AUDIT_RUN_ID.test(runId)) throw new Error(`not an audit run id: ${runId}`);
  return { json: join(resolve(dir), `${runId}.json`), markdown: join(resolve(dir), `${runId}.md`) };
};

/** Writes `<runId>.json` and `<runId>.md`, each atomically: a reader never sees half a report. */
export async function writeAuditReport(dir: string, report: AuditReport): Promise<AuditSummary['reportPaths']> {
  const paths = reportPaths(dir, report.runId);
  await writePrivateFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writePrivateFile(paths.markdown, renderAuditMarkdown(report));
  return paths;
}

/** The report of a run, or of the latest run in the directory when no run id is given. */
export async function readAuditReport(dir: string, runId?: string): Promise<AuditReport | undefined> {
  const id = runId ?? (await latestRunId(dir));
  if (!id) return undefined;
  try {
    return JSON.parse(await readFile(reportPaths(dir, id).json, 'utf8')) as AuditReport;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every report in the directory (the evidence pack picks a quarter's). */
export async function readAuditReports(dir: string): Promise<AuditReport[]> {
  const names = await reportNames(dir);
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(resolve(dir), n), 'utf8')) as AuditReport));
}

async function reportNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(resolve(dir))).filter((n) => n.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function latestRunId(dir: string): Promise<string | undefined> {
  const names = await reportNames(dir);
  const dated = await Promise.all(
    names.map(async (n) => ({ id: n.slice(0, -'.json'.length), mtime: (await stat(join(resolve(dir), n))).mtimeMs })),
  );
  return dated.sort((a, b) => b.mtime - a.mtime)[0]?.id;
}
