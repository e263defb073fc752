// moto in server mode: an AWS-compatible endpoint on loopback that the AWS backend's tests use through the
// same SDK client and code path as AWS itself. `npm run tools` installs it into .tools/moto.
//
//   motoMissing()                  why moto cannot run here, or undefined
//   const moto = useMoto();        one describe() block's moto (AWS credentials set for the SDK's default chain)
//   ONRAMP_TEST_SECRETS=aws node scripts/run-tests.mjs test/lifecycle   any suite on useOnrampStack, on moto

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { findFreePort } from '../../src/temporal/dev-server';

const MOTO_DIR = resolve(__dirname, '..', '..', '.tools', 'moto');

export interface Moto {
  endpoint: string;
  region: string;
  stop(): Promise<void>;
}

/** Why the AWS tests cannot run here, or undefined when they can. */
export function motoMissing(): string | undefined {
  return existsSync(join(MOTO_DIR, '.stamp'))
    ? undefined
    : `moto is not installed in ${MOTO_DIR} (npm run tools installs it from PyPI; see its output for why it could not)`;
}

export async function startMoto(): Promise<Moto> {
  const port = await findFreePort();
  const child: ChildProcess = spawn(
    process.env.PYTHON ?? 'python3',
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    {
      env: { ...process.env, PYTHONPATH: MOTO_DIR },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    region: 'eu-west-1',
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * moto for one describe() block; `moto.endpoint` is set by the before hook. The SDK finds credentials
 * through its default chain, as on AWS: here the environment, with moto's conventional dummy keys.
 */
export function useMoto(): Moto {
  const moto = {} as Moto;
  before(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'testing';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
    Object.assign(moto, await startMoto());
  });
  after(async () => {
    await moto.stop?.();
  });
  return moto;
}
