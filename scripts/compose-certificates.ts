// `npm run compose:certificates`: the TLS material docker-compose.yml mounts from deploy/tls (kept out of git):
// a CA, the Temporal server's certificate (named `temporal`, the service's host name, and localhost; usable as
// a client certificate too, for the server's internode TLS), and the client certificate onramp's worker and
// server, the UI and the setup job present to the frontend, which requires one.
//
//   npm run compose:certificates               writes deploy/tls/ unless it exists
//   npm run compose:certificates -- --force    makes new ones (restart the stack afterwards)

import { chmodSync, chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTlsMaterial } from '../src/temporal/tls-certificates';

const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
const dir = resolve(__dirname, '..', 'deploy', 'tls');

async function main(): Promise<void> {
  if (existsSync(dir) && !values.force) {
    console.log(`${dir} exists; --force makes new certificates`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  await createTlsMaterial(dir, 'DNS:temporal,DNS:localhost,IP:127.0.0.1');
  // The containers run as uid 1000 (the temporal and node users): the keys must be theirs to read, and no
  // one else's. As root, hand them over; otherwise this user must be uid 1000 (or chown them).
  const containerUid = 1000;
  for (const file of readdirSync(dir)) {
    const path = join(dir, file);
    if (/\.(csr|ext)$/.test(file)) rmSync(path);
    else {
      chmodSync(path, file.endsWith('.key') ? 0o600 : 0o644);
      if (process.getuid?.() === 0) chownSync(path, containerUid, containerUid);
    }
  }
  chmodSync(dir, 0o755);
  if (process.getuid?.() !== 0 && process.getuid?.() !== containerUid)
    console.log(`the containers read the keys as uid ${containerUid}: sudo chown ${containerUid} ${dir}/*.key`);
  console.log(`TLS material for docker-compose.yml in ${dir}`);
}

main().catch((error: unknown) => {
  console.error(`compose:certificates: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
