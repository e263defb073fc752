// An onramp process started as an operator would, in a scratch directory with an empty configuration file and
// only the given variables (and PATH/HOME), for the tests that show it refusing to start.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs node with `args` in `dir`; resolves with its exit code and stderr lines. */
export function runUntilExit(
  dir: string,
  args: string[],
  vars: Record<string, string>,
): Promise<{ code: number | null; lines: string[] }> {
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, '');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ONRAMP_CONFIG: configPath, ...vars };
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  return new Promise((done) => child.on('exit', (code) => done({ code, lines: stderr.trimEnd().split('\n') })));
}

/** Salesforce settings that pass validation, with a key file that does not exist and a Temporal nobody serves. */
export const SALESFORCE_SETTINGS = {
  ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
  ONRAMP_SF_USERNAME: 'onramp@acme.example',
  ONRAMP_SF_CONSUMER_KEY: '3MVG9exampleconsumerkey',
  ONRAMP_SF_PRIVATE_KEY_PATH: '/run/secrets/onramp_sf_key',
  // Nothing listens here: the process must stop before it would connect.
  TEMPORAL_ADDRESS: '127.0.0.1:9',
};
