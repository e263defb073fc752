// Installs moto in server mode (PyPI `moto[server]`) into .tools/moto, for the tests that run onramp's AWS
// Secrets Manager backend against a real AWS-compatible endpoint. Optional: without it those tests skip and say
// why. A `pip install --target` directory, published by one rename, so two runs at once cannot mix files;
// the tests run it as `python3 -m moto.server` with PYTHONPATH set to it (test/helpers/moto.ts).

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const MOTO_VERSION = '5.2.1';
const REQUIREMENT = `moto[server]==${MOTO_VERSION}`;

/** @returns a short status word for the summary line; throws with pip's last lines when it cannot install */
export async function ensureMoto(toolsDir) {
  const target = path.join(toolsDir, 'moto');
  const stampFile = path.join(target, '.stamp');
  const python = process.env.PYTHON ?? 'python3';
  const stamp = `${REQUIREMENT}\n`;
  if ((await fs.readFile(stampFile, 'utf8').catch(() => '')) === stamp) return `moto ${MOTO_VERSION}`;
  await fs.mkdir(toolsDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(toolsDir, '.work-moto-'));
  try {
    const pkgs = path.join(work, 'moto');
    try {
      await execFileAsync(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', pkgs, REQUIREMENT],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      const output = `${err.stderr ?? ''}${err.stdout ?? ''}`.trimEnd().split('\n').slice(-8).join('\n');
      throw new Error(`pip install ${REQUIREMENT} failed: ${output || err.message}`, { cause: err });
    }
    await fs.writeFile(path.join(pkgs, '.stamp'), stamp);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(pkgs, target);
    return `moto ${MOTO_VERSION} (installed)`;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
