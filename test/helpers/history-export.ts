import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../../src/temporal/binaries';

const run = promisify(execFile);

export interface HistoryExportOptions {
  address: string;
  namespace?: string;
  workflowId: string;
  /** Decode through a codec server, as an operator would. */
  codec?: { endpoint: string; token?: string };
}

/** A workflow's history as the `temporal` CLI exports it (`workflow show --output json`). */
export async function exportHistory(options: HistoryExportOptions): Promise<string> {
  const cli = resolveTemporalCli();
  if (cli.type !== 'existing-path') throw new Error('the temporal CLI is not installed (npm run tools)');
  const args = [
    'workflow',
    'show',
    '--output',
    'json',
    '--address',
    options.address,
    '--namespace',
    options.namespace ?? 'default',
    '-w',
    options.workflowId,
  ];
  if (options.codec) {
    args.push('--codec-endpoint', options.codec.endpoint);
    if (options.codec.token) args.push('--codec-auth', `Bearer ${options.codec.token}`);
  }
  // The CLI reads TEMPORAL_* variables; only the flags above may decide where it goes.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const { stdout } = await run(cli.path, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * Every payload's data in a history export, base64-decoded: a secret inside a plain JSON payload is
 * base64 in the export, so scanning the export text alone would miss it.
 */
export function decodedPayloads(historyJson: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.data === 'string' && record.metadata && typeof record.metadata === 'object') {
      out.push(Buffer.from(record.data, 'base64').toString('utf8'));
    }
    Object.values(record).forEach(walk);
  };
  walk(JSON.parse(historyJson));
  return out;
}
