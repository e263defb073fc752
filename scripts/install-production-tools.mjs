#!/usr/bin/env node
// `npm run tools:production`: what the production Temporal server needs (scripts/production-temporal.ts,
// test/production), beside the dev-server binaries of `npm run tools`:
//
//   - temporal-server and temporal-sql-tool, built with Go from the Go module proxy (go.temporal.io/server,
//     cmd/server and cmd/tools/sql) into .tools/bin. The build takes minutes on a cold machine (the report
//     in docs/production.md has the numbers); Go's own caches make a rebuild on the same machine quick.
//   - PostgreSQL from the operating system's packages: found on PATH or in /usr/lib/postgresql/*/bin, or
//     installed with apt-get when this runs as root on Debian (as CI does).
//
// What cannot be had is skipped with one line saying why, and the command still succeeds: the production
// tests then skip, saying the same (src/temporal/production-server.ts, productionServerMissing).

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS_DIR = path.join(ROOT, '.tools');
const BIN_DIR = path.join(TOOLS_DIR, 'bin');

const SERVER_MODULE = 'go.temporal.io/server';
const SERVER_VERSION = 'v1.32.2';
/**
 * go.temporal.io/server v1.30 and later need Go 1.26.10; this is the newer release the Go module proxy
 * serves as a toolchain (`go` downloads it itself when GOTOOLCHAIN names it).
 */
const GO_TOOLCHAIN = 'go1.27.3';
const BINARIES = [
  { pkg: 'cmd/server', built: 'server', name: 'temporal-server' },
  { pkg: 'cmd/tools/sql', built: 'sql', name: 'temporal-sql-tool' },
];
const STAMP = path.join(BIN_DIR, '.temporal-server.stamp');
const stampText = `${SERVER_MODULE}@${SERVER_VERSION}\n`;

async function run(cmd, args, options = {}) {
  try {
    return await execFileAsync(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (err) {
    const output = `${err.stderr ?? ''}\n${err.stdout ?? ''}`.trim().split('\n').slice(-12).join('\n');
    throw new Error(err.code === 'ENOENT' ? `${cmd} not found` : `\`${cmd} ${args.join(' ')}\` failed: ${output}`, {
      cause: err,
    });
  }
}

async function installed() {
  if (!BINARIES.every((b) => existsSync(path.join(BIN_DIR, b.name)))) return false;
  return (await fs.readFile(STAMP, 'utf8').catch(() => '')) === stampText;
}

async function buildTemporalServer() {
  if (await installed()) return `temporal-server ${SERVER_VERSION}`;
  await fs.mkdir(BIN_DIR, { recursive: true });
  const workDir = await fs.mkdtemp(path.join(TOOLS_DIR, '.work-temporal-server-'));
  try {
    const started = Date.now();
    // A module-aware build of a tagged release needs no checkout: `go install pkg@version` resolves it
    // through the module proxy alone.
    await run('go', ['install', '-trimpath', ...BINARIES.map((b) => `${SERVER_MODULE}/${b.pkg}@${SERVER_VERSION}`)], {
      env: { ...process.env, GOBIN: workDir, CGO_ENABLED: '0', GOTOOLCHAIN: GO_TOOLCHAIN },
    });
    for (const b of BINARIES) await fs.rename(path.join(workDir, b.built), path.join(BIN_DIR, b.name));
    await fs.writeFile(STAMP, stampText);
    const seconds = Math.round((Date.now() - started) / 1000);
    return `temporal-server and temporal-sql-tool ${SERVER_VERSION} (built with go in ${seconds} s)`;
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

function findPostgres() {
  const debian = '/usr/lib/postgresql';
  const versioned = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => b - a)
        .map((v) => path.join(debian, v, 'bin'))
    : [];
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...versioned];
  return dirs.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((p) => existsSync(path.join(dir, p))));
}

async function ensurePostgres() {
  let dir = findPostgres();
  if (!dir) {
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
      throw new Error('PostgreSQL is not installed (install the postgresql package: apt-get install postgresql)');
    await run('apt-get', ['update', '-qq']);
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    dir = findPostgres();
    if (!dir) throw new Error('apt-get installed postgresql but initdb/pg_ctl/postgres are still not found');
  }
  const { stdout } = await run(path.join(dir, 'postgres'), ['--version']);
  return stdout.trim();
}

const results = await Promise.allSettled([buildTemporalServer(), ensurePostgres()]);
const [server, postgres] = results;
const ready = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
if (server.status === 'rejected')
  console.error(
    `tools:production: temporal-server not installed (the production tests will skip): ${server.reason.message}`,
  );
if (postgres.status === 'rejected')
  console.error(
    `tools:production: PostgreSQL not available (the production tests will skip): ${postgres.reason.message}`,
  );
if (ready.length > 0) console.log(`tools:production: ${ready.join(', ')} ready`);
