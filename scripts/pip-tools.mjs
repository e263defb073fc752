// Optional Python tools from PyPI, each installed with `pip install --target` into its own directory under
// .tools/ and published by one rename, so two runs at once cannot mix files; each is run as `python3 -m ...`
// with PYTHONPATH set to its directory. Without one, the tests that need it skip and say why.
//
// - moto in server mode (`moto[server]`): a real AWS-compatible endpoint for onramp's AWS Secrets Manager
//   backend (test/helpers/moto.ts);
// - kubernetes-validate: validates deploy/k8s against the Kubernetes API schemas it bundles, so nothing is
//   downloaded when the tests run (test/deploy/k8s.test.ts).

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const MOTO_VERSION = '5.2.1';
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';

export const ensureMoto = (toolsDir) => ensurePipTool(toolsDir, 'moto', 'moto[server]', MOTO_VERSION);
export const ensureKubernetesValidate = (toolsDir) =>
  ensurePipTool(toolsDir, 'kubernetes-validate', 'kubernetes-validate', KUBERNETES_VALIDATE_VERSION);

/** @returns a short status word for the summary line; throws with pip's last lines when it cannot install */
async function ensurePipTool(toolsDir, name, pkg, version) {
  const requirement = `${pkg}==${version}`;
  const target = path.join(toolsDir, name);
  const stampFile = path.join(target, '.stamp');
  const python = process.env.PYTHON ?? 'python3';
  const stamp = `${requirement}\n`;
  if ((await fs.readFile(stampFile, 'utf8').catch(() => '')) === stamp) return `${name} ${version}`;
  await fs.mkdir(toolsDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(toolsDir, `.work-${name}-`));
  try {
    const pkgs = path.join(work, name);
    try {
      await execFileAsync(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', pkgs, requirement],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      const output = `${err.stderr ?? ''}${err.stdout ?? ''}`.trimEnd().split('\n').slice(-8).join('\n');
      throw new Error(`pip install ${requirement} failed: ${output || err.message}`, { cause: err });
    }
    await fs.writeFile(path.join(pkgs, '.stamp'), stamp);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(pkgs, target);
    return `${name} ${version} (installed)`;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
