// deploy/k8s: validated against the Kubernetes API schemas (kubernetes-validate from PyPI bundles them: nothing
// is downloaded here; `npm run tools` installs it into .tools/kubernetes-validate), and checked against onramp
// itself: the configuration in the ConfigMap loads, every file it names is mounted, every directory it writes is
// a writable volume, the probes hit the ports the configuration listens on, and nothing runs as root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CONFIG_ENV_VARS, loadConfig, type OnrampConfig } from '../../src/config';
import { parsePolicy } from '../../src/signoff/policy';

const ROOT = resolve(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');
const VALIDATOR = join(ROOT, '.tools', 'kubernetes-validate');
const FILES = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(K8S, f));

type Doc = Record<string, any>;
const docs: Doc[] = FILES.flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc));
const find = (kind: string, name: string) => {
  const found = docs.find((d) => d.kind === kind && d.metadata.name === name);
  assert.ok(found, `${kind} ${name} in deploy/k8s`);
  return found;
};

const configMap = find('ConfigMap', 'onramp-config');
/** The ConfigMap's onramp.config.yaml as onramp loads it, with the Secrets' variables set as the pods get them. */
function mountedConfig(): OnrampConfig {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-k8s-'));
  const file = join(dir, 'onramp.config.yaml');
  writeFileSync(file, configMap.data['onramp.config.yaml']);
  return loadConfig({ ONRAMP_CONFIG: file, ONRAMP_OIDC_CLIENT_SECRET: 'from-the-secret' });
}

const validatorMissing = existsSync(join(VALIDATOR, '.stamp'))
  ? undefined
  : `kubernetes-validate is not installed in ${VALIDATOR} (npm run tools installs it from PyPI; see its output for why it could not)`;

describe('the Kubernetes manifests', () => {
  test(
    'validate against the Kubernetes 1.37 API schemas, strictly (no unknown fields)',
    { skip: validatorMissing },
    () => {
      const run = spawnSync(
        process.env.PYTHON ?? 'python3',
        ['-m', 'kubernetes_validate', '--strict', '--quiet', '--kubernetes-version', '1.37', ...FILES],
        { env: { ...process.env, PYTHONPATH: VALIDATOR }, encoding: 'utf8' },
      );
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    },
  );

  test('the validator refuses a manifest with a misspelt field (it can fail)', { skip: validatorMissing }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-k8s-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(join(K8S, 'worker.yaml'), 'utf8').replace('readOnlyRootFilesystem', 'readOnlyRootFileSystem'),
    );
    const run = spawnSync(process.env.PYTHON ?? 'python3', ['-m', 'kubernetes_validate', '--strict', '--quiet', bad], {
      env: { ...process.env, PYTHONPATH: VALIDATOR },
      encoding: 'utf8',
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout + run.stderr, /readOnlyRootFileSystem/);
  });

  test("the ConfigMap's configuration and policy load as onramp loads them", () => {
    const config = mountedConfig();
    assert.equal(config.worker.host, '0.0.0.0');
    assert.equal(config.server.host, '0.0.0.0');
    parsePolicy(configMap.data['policy.yaml'], 'policy.yaml');
  });

  for (const [component, port, reads] of [
    [
      'worker',
      (c: OnrampConfig) => c.worker.port,
      (c: OnrampConfig) => [c.salesforce.privateKeyPath, c.signoff.jwksFile],
    ],
    [
      'server',
      (c: OnrampConfig) => c.server.port,
      (c: OnrampConfig) => [c.salesforce.privateKeyPath, c.signoff.keyFile, c.policy.file],
    ],
  ] as const) {
    describe(`onramp-${component}`, () => {
      const deployment = find('Deployment', `onramp-${component}`);
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers as Doc[];
      const config = mountedConfig();
      const mounts = container!.volumeMounts as Doc[];
      const volume = (name: string) => (pod.volumes as Doc[]).find((v) => v.name === name)!;
      const mountOf = (path: string) => mounts.find((m) => path.startsWith(`${m.mountPath}/`));

      test('runs as non-root on a read-only root filesystem, without privileges', () => {
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.ok(pod.securityContext.runAsUser > 0);
        assert.equal(container!.securityContext.readOnlyRootFilesystem, true);
        assert.equal(container!.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(container!.securityContext.capabilities.drop, ['ALL']);
        assert.equal(pod.automountServiceAccountToken, false);
      });

      test('probes /healthz and /readyz on the port its configuration listens on', () => {
        const named = (container!.ports as Doc[]).find((p) => p.containerPort === port(config));
        assert.ok(named, `a container port ${port(config)}`);
        assert.equal(container!.livenessProbe.httpGet.path, '/healthz');
        assert.equal(container!.readinessProbe.httpGet.path, '/readyz');
        for (const probe of [container!.livenessProbe, container!.readinessProbe, container!.startupProbe]) {
          assert.equal(probe.httpGet.port, named.name);
        }
      });

      test('asks for and is limited in CPU and memory', () => {
        for (const bound of ['requests', 'limits']) {
          assert.ok(container!.resources[bound].cpu && container!.resources[bound].memory, bound);
        }
      });

      test('every file it reads is mounted, from the object that holds it', () => {
        for (const file of reads(config)) {
          const mount = mountOf(file);
          assert.ok(mount, `${file} is on a mounted volume`);
          const source = volume(mount.name);
          const key = posix.relative(mount.mountPath, file);
          if (source.configMap) {
            assert.ok(
              source.configMap.items.some((i: Doc) => i.path === key && i.key in configMap.data),
              file,
            );
          } else {
            assert.ok(source.secret, `${file}: from a Secret or the ConfigMap`);
          }
        }
      });

      test('every directory it writes is a writable volume that outlives the pod', () => {
        const writes =
          component === 'worker'
            ? [dirname(config.secrets.file), config.runbookDir, config.audit.dir]
            : [dirname(config.server.tokenFile)];
        for (const dir of writes) {
          const mount = mounts.find((m) => `${dir}/`.startsWith(`${m.mountPath}/`));
          assert.ok(mount && !mount.readOnly, `${dir} is on a writable mount`);
          const claim = volume(mount.name).persistentVolumeClaim?.claimName;
          assert.ok(claim, `${dir}: a PersistentVolumeClaim`);
          find('PersistentVolumeClaim', claim);
        }
      });

      test('its settings are variables onramp reads, and its secrets come from Secret objects', () => {
        const known = ['ONRAMP_CONFIG', ...CONFIG_ENV_VARS];
        for (const env of container!.env as Doc[]) assert.ok(known.includes(env.name), env.name);
        for (const from of container!.envFrom as Doc[]) assert.ok(from.secretRef?.name, 'envFrom a Secret');
        assert.doesNotMatch(configMap.data['onramp.config.yaml'], /clientSecret|sessionSecret|codec:|BEGIN/);
      });
    });
  }
});
