import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILES } from '../config';

/**
 * Why a command found no configuration at all, and what to do about it; undefined when a file or the
 * environment configures onramp (then the configuration's own issues are the message). Commands run in a
 * subdirectory of the one `onramp dev` runs in are pointed at it, as git points at the repository root.
 */
export function missingConfiguration(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured =
    env.ONRAMP_CONFIG || env.ONRAMP_SF_INSTANCE_URL || CONFIG_FILES.some((f) => existsSync(resolve(cwd, f)));
  if (configured) return undefined;
  for (let dir = dirname(resolve(cwd)); ; dir = dirname(dir)) {
    const found = CONFIG_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
    if (found) return `no onramp configuration in ${cwd}; run onramp from ${dir}, or set ONRAMP_CONFIG=${found}`;
    if (dirname(dir) === dir) break;
  }
  return (
    `no onramp configuration in ${cwd} (looked for ${CONFIG_FILES.join(' and ')}): run \`onramp dev\` here, ` +
    'or point onramp at an org with onramp.config.yaml, ONRAMP_CONFIG or the ONRAMP_SF_* variables (README)'
  );
}
