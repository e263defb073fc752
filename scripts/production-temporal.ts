// The production Temporal server on this machine, as an operator would run it (docs/production.md):
//
//   npm run tools:production          once: builds temporal-server and temporal-sql-tool, checks PostgreSQL
//   npm run temporal:production       PostgreSQL on loopback, the schema, the TLS/mTLS frontend, onramp's namespace
//   npm run temporal:production -- --dir /var/lib/onramp-temporal --port 7233
//
// It keeps everything in one directory (default .onramp/production): PostgreSQL's data, the CA, the
// frontend's and onramp's certificates, the server's configuration and log, and a Temporal config file
// (temporal.toml) whose profile "onramp" every Temporal tool and onramp can use:
//
//   TEMPORAL_CONFIG_FILE=.onramp/production/temporal.toml TEMPORAL_PROFILE=onramp npm run worker
//
// It runs until Ctrl-C, then stops the server and PostgreSQL; a later run starts them again on the same data.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findFreePort } from '../src/temporal/dev-server';
import { findPostgres, startPostgres } from '../src/temporal/postgres';
import { productionServerMissing, setupTemporalSchema, startProductionServer } from '../src/temporal/production-server';
import { createTlsMaterial, type TlsMaterial } from '../src/temporal/tls-certificates';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '.onramp/production' },
    port: { type: 'string', default: '7233' },
    'postgres-port': { type: 'string' },
    namespace: { type: 'string', default: 'default' },
  },
});

function fail(message: string): never {
  console.error(`temporal:production: ${message}`);
  process.exit(1);
}

async function tlsMaterial(dir: string): Promise<TlsMaterial> {
  const material: TlsMaterial = {
    caCertPath: join(dir, 'temporal-ca.pem'),
    caKeyPath: join(dir, 'temporal-ca.key'),
    server: { certPath: join(dir, 'temporal-frontend.pem'), keyPath: join(dir, 'temporal-frontend.key') },
    client: { certPath: join(dir, 'onramp-client.pem'), keyPath: join(dir, 'onramp-client.key') },
  };
  return existsSync(material.client.certPath) ? material : createTlsMaterial(dir);
}

async function main(): Promise<void> {
  const missing = productionServerMissing();
  if (missing) fail(missing);
  const postgresBinaries = findPostgres();
  if (!postgresBinaries)
    fail('PostgreSQL (initdb, pg_ctl, postgres) not found: `npm run tools:production` installs it');
  const dir = resolve(values.dir);
  // Others may pass through (PostgreSQL runs as its own account when this runs as root), not list; what is
  // secret inside is owner-only (the keys' directory, the server's configuration with the database password).
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const tls = await tlsMaterial(join(dir, 'tls'));
  const postgres = await startPostgres(postgresBinaries, {
    dir: join(dir, 'postgres'),
    port: values['postgres-port'] ? Number(values['postgres-port']) : await findFreePort(),
  });
  try {
    await setupTemporalSchema(postgres);
    const server = await startProductionServer({
      dir,
      postgres,
      tls,
      port: Number(values.port),
      namespace: values.namespace,
    });
    const toml = join(dir, 'temporal.toml');
    writeFileSync(
      toml,
      [
        '[profile.onramp]',
        `address = "${server.address}"`,
        `namespace = "${server.namespace}"`,
        '[profile.onramp.tls]',
        `client_cert_path = "${tls.client.certPath}"`,
        `client_key_path = "${tls.client.keyPath}"`,
        `server_ca_cert_path = "${tls.caCertPath}"`,
        'server_name = "localhost"',
        '',
      ].join('\n'),
    );
    console.log(
      [
        `Temporal ${server.address} (namespace ${server.namespace}): TLS, client certificates required`,
        `  PostgreSQL  ${postgres.host}:${postgres.port} (data in ${postgres.dataDir})`,
        `  server log  ${server.process.logFile}`,
        `  connect     TEMPORAL_CONFIG_FILE=${toml} TEMPORAL_PROFILE=onramp`,
        'Ctrl-C stops the server and PostgreSQL.',
      ].join('\n'),
    );
    await new Promise<void>((resolveStop) => {
      let asked = false;
      const stop = () => {
        asked = true;
        resolveStop();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      server.process.child.once('exit', (code) => {
        if (!asked) console.error(`temporal-server exited (${code}):\n${server.process.recentOutput()}`);
        resolveStop();
      });
    });
    await server.stop();
  } finally {
    await postgres.stop();
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
