// The image and the compose stack, read as Docker reads them: the Dockerfile with dockerfile-ast (the parser of
// the Dockerfile language server), .dockerignore with @balena/dockerignore (Docker's own matching rules, ported).
// No Docker daemon needed: what would break `docker build` or the running container is checked in the files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, test } from 'node:test';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { CONFIG_ENV_VARS } from '../../src/config';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The build context as `docker build .` sends it: every file not matched by .dockerignore. */
const ignore = dockerignore({ ignorecase: false }).add(read('.dockerignore').split('\n'));
/** Tracked and untracked-but-not-gitignored files: what a checkout holds. */
const checkout = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && existsSync(join(ROOT, f)));

function dockerfile(): Dockerfile {
  return DockerfileParser.parse(read('Dockerfile'));
}

/** The instructions of the last stage, the image that runs. */
function finalStage(file: Dockerfile) {
  const lastFrom = file.getFROMs().at(-1)!;
  return file.getInstructions().filter((i) => i.getRange().start.line >= lastFrom.getRange().start.line);
}

describe('the container image', () => {
  test('every COPY source from the context is in it, with every file of a copied directory', () => {
    const sources = dockerfile()
      .getCOPYs()
      .filter((copy) => !copy.getFromFlag())
      .flatMap((copy) =>
        copy
          .getArguments()
          .slice(0, -1)
          .map((arg) => posix.normalize(arg.getValue())),
      );
    assert.ok(
      sources.includes('deploy/worker.env') && sources.includes('src'),
      `the sources read: ${sources.join(', ')}`,
    );
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: not in the repository`);
      if (statSync(join(ROOT, source)).isDirectory()) {
        const files = checkout.filter((f) => f.startsWith(`${source}/`));
        assert.ok(files.length > 0, `COPY ${source}: an empty directory`);
        for (const file of files)
          assert.equal(ignore.ignores(file), false, `COPY ${source}: ${file} is excluded by .dockerignore`);
      } else {
        assert.equal(ignore.ignores(source), false, `COPY ${source}: excluded by .dockerignore`);
      }
    }
  });

  test('the context check would catch an excluded source', () => {
    // The same matcher, given the exclusion issue 13 found, refuses the worker's launch settings.
    const broken = dockerignore({ ignorecase: false }).add([...read('.dockerignore').split('\n'), 'deploy']);
    assert.equal(broken.ignores('deploy/worker.env'), true);
  });

  test('the build stage compiles everything tsconfig.build.json includes', () => {
    const copied = dockerfile()
      .getCOPYs()
      .flatMap((copy) =>
        copy
          .getArguments()
          .slice(0, -1)
          .map((arg) => posix.normalize(arg.getValue())),
      );
    const { include } = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    for (const path of include) assert.ok(copied.includes(path), `${path} is compiled but not copied`);
  });

  test('runs as a non-root user, keeping its files in a declared volume that user owns', () => {
    const stage = finalStage(dockerfile());
    const keyword = (k: string) => stage.filter((i) => i.getKeyword() === k);
    const user = keyword('USER').at(-1)?.getArgumentsContent();
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
    const volumes = keyword('VOLUME').flatMap((v) => JSON.parse(v.getArgumentsContent()!) as string[]);
    assert.deepEqual(volumes, ['/var/lib/onramp']);
    const run = keyword('RUN')
      .map((r) => r.getArgumentsContent()!)
      .join('\n');
    for (const volume of volumes) {
      assert.match(run, new RegExp(`mkdir -p ${volume}\\b`), `${volume} is created`);
      assert.match(run, new RegExp(`chown ${user}:${user} ${volume}\\b`), `${volume} belongs to ${user}`);
    }
    const userLine = keyword('USER').at(-1)!.getRange().start.line;
    assert.ok(
      keyword('RUN').every((r) => r.getRange().start.line < userLine),
      'the volume is prepared as root, before USER',
    );
    // Every path the worker writes to is set into the volume; the defaults (.onramp/ under the root-owned /app) would fail.
    const env = Object.fromEntries(
      keyword('ENV').flatMap((e) =>
        (e as unknown as { getProperties(): { getName(): string; getValue(): string }[] })
          .getProperties()
          .map((p) => [p.getName(), p.getValue()]),
      ),
    );
    for (const name of ['ONRAMP_SECRETS_FILE', 'ONRAMP_RUNBOOK_DIR', 'ONRAMP_AUDIT_DIR', 'ONRAMP_CODEC_KEY_FILE']) {
      assert.ok(CONFIG_ENV_VARS.includes(name), `${name} is a setting onramp reads`);
      assert.ok(
        volumes.some((v) => env[name]?.startsWith(`${v}/`)),
        `${name}=${env[name]} is inside a volume`,
      );
    }
    const cmd = JSON.parse(keyword('CMD').at(-1)!.getArgumentsContent()!) as string[];
    assert.deepEqual(cmd, ['node', '--env-file=deploy/worker.env', 'dist/worker.js']);
  });
});

describe('the compose stack', () => {
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
    services: Record<
      string,
      {
        build?: { context: string };
        environment?: Record<string, string>;
        volumes?: string[];
        restart?: string;
        secrets?: string[];
      }
    >;
    volumes: Record<string, unknown>;
    secrets: Record<string, { file: string }>;
  };
  const worker = compose.services['onramp-worker']!;

  test('wires the worker with its settings: each one onramp reads, the required ones refused when unset', () => {
    assert.equal(worker.build?.context, '.');
    const environment = worker.environment ?? {};
    for (const name of Object.keys(environment)) {
      assert.ok(
        CONFIG_ENV_VARS.includes(name) || name === 'ONRAMP_SECRETS_KEY' || name === 'ONRAMP_LOG_LEVEL',
        `${name} is not a setting onramp reads`,
      );
    }
    for (const name of [
      'ONRAMP_SF_INSTANCE_URL',
      'ONRAMP_SF_USERNAME',
      'ONRAMP_SF_CONSUMER_KEY',
      'ONRAMP_CODEC_KEYS',
    ]) {
      assert.match(
        environment[name] ?? '',
        new RegExp(`^\\$\\{${name}:\\?.+\\}$`),
        `${name}: compose stops without it`,
      );
    }
    assert.equal(environment.ONRAMP_SF_PRIVATE_KEY_PATH, '/run/secrets/onramp_sf_key');
    assert.ok(worker.secrets?.includes('onramp_sf_key') && compose.secrets.onramp_sf_key?.file);
  });

  test('mounts a named volume on the image volume and does not restart a misconfigured worker forever', () => {
    const mounts = (worker.volumes ?? []).map((v) => v.split(':'));
    // Named volumes hold what the worker keeps; host directories (the TLS material) are mounted read-only.
    assert.deepEqual(
      mounts.filter(([source]) => !source!.startsWith('./')),
      [['onramp-data', '/var/lib/onramp']],
    );
    for (const mount of mounts.filter(([source]) => source!.startsWith('./'))) assert.equal(mount[2], 'ro');
    assert.ok('onramp-data' in compose.volumes);
    assert.match(worker.restart ?? 'no', /^(no|on-failure:\d+)$/);
  });

  test('gives the server and the worker the sign-off files they refuse to start without; the private key to the server only', () => {
    const server = compose.services['onramp-server']!;
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    // Where a container path comes from on the host: a read-only directory or file mount.
    const hostPathOf = (service: typeof worker, path: string) => {
      const mount = (service.volumes ?? [])
        .map((v) => v.split(':'))
        .find(([source, target, mode]) => source!.startsWith('./') && mode === 'ro' && path.startsWith(target!));
      assert.ok(mount, `${path} is mounted read-only from the host`);
      return `${mount[0]}${path.slice(mount[1]!.length)}`.replace(/^\.\//, '');
    };
    for (const service of [worker, server]) {
      assert.equal(hostPathOf(service, service.environment!.ONRAMP_POLICY_FILE!), 'deploy/policy.yaml');
      // The JWKS is where the documented command writes it.
      const jwks = hostPathOf(service, service.environment!.ONRAMP_SIGNOFF_JWKS_FILE!);
      assert.ok(scripts['compose:signoff-key']!.includes(`--jwks ${jwks}`), `compose:signoff-key writes ${jwks}`);
    }
    assert.equal(server.environment!.ONRAMP_SIGNOFF_KEY_FILE, '/run/secrets/onramp_signoff_key');
    assert.ok(server.secrets?.includes('onramp_signoff_key'));
    assert.ok(
      scripts['compose:signoff-key']!.includes(
        `--key ${compose.secrets.onramp_signoff_key!.file.replace(/^\.\//, '')}`,
      ),
    );
    assert.equal(worker.environment!.ONRAMP_SIGNOFF_KEY_FILE, undefined, 'the worker verifies; it never signs');
    assert.ok(!worker.secrets?.includes('onramp_signoff_key'));
  });

  test("the README's compose section names what compose requires", () => {
    const readme = read('README.md');
    const section = readme.slice(
      readme.indexOf('## Production-like stack'),
      readme.indexOf('## ', readme.indexOf('## Production-like stack') + 3),
    );
    const settings = read('docker-compose.yml')
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    const required = [...settings.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    assert.ok(required.length >= 5);
    for (const name of required) assert.ok(section.includes(name), `README's compose section: ${name}`);
    assert.match(section, /\/var\/lib\/onramp/);
    assert.match(section, /exits with status 78/);
  });
});
