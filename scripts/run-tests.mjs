#!/usr/bin/env node
// Runs onramp's node:test suites with tsx.
//
//   node scripts/run-tests.mjs                      every suite except the opt-in ones (test/chaos)
//   node scripts/run-tests.mjs test/temporal        files under a path (a file or a directory)
//   node scripts/run-tests.mjs approval             files whose path contains a substring
//   node scripts/run-tests.mjs --chaos              the chaos suite (same as --suite chaos)
//   node scripts/run-tests.mjs --test-name-pattern=rotation   --test-* options go to node as they are
//
// Node 20's --test takes no globs, so the files are listed here. Files run one at a time: suites share
// fixed-port services and the time-skipping server skips time for every client connected to it.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_DIR = path.join(ROOT, 'test');
/** The local org's own suites run with onramp's. */
const PACKAGE_TEST_DIRS = [path.join(ROOT, 'packages', 'local-org', 'test')];
const TEST_FILE = /\.test\.ts$/;

/** Suites that only run when selected, because they are slow or break things on purpose. */
const OPT_IN_SUITES = {
  chaos: path.join(TEST_DIR, 'chaos'),
  // The Temporal server itself on PostgreSQL: needs `npm run tools:production` (a Go build) first.
  production: path.join(TEST_DIR, 'production'),
};

function usage(message) {
  console.error(`run-tests: ${message}`);
  console.error('usage: node scripts/run-tests.mjs [--chaos | --suite <name>] [--test-*=...] [path | substring]...');
  process.exit(2);
}

function parseArgs(argv) {
  const selected = { suites: [], filters: [], nodeArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--chaos') selected.suites.push('chaos');
    else if (arg === '--suite') {
      const name = argv[++i];
      if (!name) usage('--suite needs a name');
      selected.suites.push(name);
    } else if (arg.startsWith('--suite=')) selected.suites.push(arg.slice('--suite='.length));
    else if (arg.startsWith('--test-')) selected.nodeArgs.push(arg);
    else if (arg === '--help' || arg === '-h') usage('help');
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else selected.filters.push(arg);
  }
  for (const suite of selected.suites) {
    if (!(suite in OPT_IN_SUITES)) usage(`unknown suite "${suite}" (known: ${Object.keys(OPT_IN_SUITES).join(', ')})`);
  }
  return selected;
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile() && TEST_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

const isUnder = (file, dir) => file === dir || file.startsWith(dir + path.sep);

function collect({ suites, filters }) {
  const all = [TEST_DIR, ...PACKAGE_TEST_DIRS].flatMap(walk);
  const optInDirs = Object.values(OPT_IN_SUITES);
  // Selecting a suite runs that suite; otherwise everything but the opt-in suites.
  const pool =
    suites.length > 0
      ? all.filter((f) => suites.some((s) => isUnder(f, OPT_IN_SUITES[s])))
      : all.filter((f) => !optInDirs.some((d) => isUnder(f, d)));
  if (filters.length === 0) return pool;

  const picked = new Set();
  for (const filter of filters) {
    const asPath = path.resolve(filter);
    if (fs.existsSync(asPath)) {
      // A path names files on purpose, so it may reach into an opt-in suite.
      const files = fs.statSync(asPath).isDirectory() ? walk(asPath) : [asPath];
      if (files.length === 0) usage(`no test files under ${filter}`);
      files.forEach((f) => picked.add(f));
    } else {
      const matches = pool.filter((f) => path.relative(ROOT, f).includes(filter));
      if (matches.length === 0) usage(`no test file matches "${filter}"`);
      matches.forEach((f) => picked.add(f));
    }
  }
  return [...picked].sort();
}

const selection = parseArgs(process.argv.slice(2));
const files = collect(selection);
if (files.length === 0) {
  const where = selection.suites.map((s) => path.relative(ROOT, OPT_IN_SUITES[s])).join(', ') || 'test/';
  usage(`no test files (*.test.ts) in ${where}`);
}

// --test-force-exit: a file that leaks a handle (an open server, an un-torn-down Temporal env) would otherwise
// keep its process, and so the whole run, alive after its tests pass, and CI would hang instead of report.
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-force-exit',
    ...selection.nodeArgs,
    ...files.map((f) => path.relative(ROOT, f)),
  ],
  { cwd: ROOT, stdio: 'inherit' },
);

// The terminal delivers Ctrl-C to the whole process group; forwarding covers signals sent to this pid alone.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}

child.on('error', (err) => {
  console.error(`run-tests: could not start node: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) process.exit(128 + (os.constants.signals[signal] ?? 1));
  process.exit(code ?? 1);
});
