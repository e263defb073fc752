/**
 * SecretStore on AWS Secrets Manager: each onramp name (`<integration>/<kind>`) is one AWS secret,
 * `<prefix><integration>/<kind>`, and each onramp version one of its AWS versions, labelled `v<N>`.
 *
 * - A version's value is read by its label, so a ref names one immutable value; the newest also carries
 *   AWSCURRENT, for the people and tools that read the secret without onramp.
 * - Idempotency keys become the version's ClientRequestToken (a hash of name and key), which AWS keeps as
 *   the VersionId: a retried put finds its version there and returns its label.
 * - The highest number handed out is kept in the secret's tag `onramp-last-version`, so deleting the newest
 *   version does not free its number. Deleting a whole name deletes the AWS secret at once (no recovery
 *   window: undo and offboarding mean gone), and with it that tag: AWS keeps nothing of a deleted secret,
 *   so a name created again counts from v1.
 * - Deleting one version removes its label (AWS then treats it as deprecated and purges it, as it does all
 *   unlabelled versions); the last labelled version going deletes the secret.
 * - Puts to one name are serialized within the process; across processes, onramp writes a name from one
 *   workflow at a time.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createHash, randomUUID } from 'node:crypto';
import { awsCall, awsError, isNotFound, secretsManagerClient, type AwsSecretsSettings } from './aws-client';
import {
  SecretStoreError,
  assertSecretName,
  formatSecretRef,
  isOnrampName,
  parseSecretRef,
  type PutOptions,
  type SecretRef,
  type SecretStore,
  type SecretVersionInfo,
} from './store';
import { PerNameQueue } from './per-name-queue';

const LAST_VERSION_TAG = 'onramp-last-version';
const LABEL = /^v([1-9]\d{0,8})$/;

export interface AwsSecretsManagerStoreOptions extends AwsSecretsSettings {
  /** Prefix of the AWS secret names, e.g. `onramp/prod/`. */
  prefix: string;
  client?: SecretsManagerClient;
}

/** What each AWS version holds: the value and its non-secret labels. */
interface StoredValue {
  value: string;
  meta: Record<string, string>;
}

function labelsOf(described: DescribeSecretCommandOutput | undefined): Map<number, string> {
  const byVersion = new Map<number, string>();
  for (const [versionId, stages] of Object.entries(described?.VersionIdsToStages ?? {})) {
    for (const stage of stages) {
      const m = LABEL.exec(stage);
      if (m) byVersion.set(Number(m[1]), versionId);
    }
  }
  return byVersion;
}

function currentOf(described: DescribeSecretCommandOutput | undefined): string | undefined {
  return Object.entries(described?.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
}

export class AwsSecretsManagerStore implements SecretStore {
  private readonly client: SecretsManagerClient;
  private readonly prefix: string;
  private readonly queue = new PerNameQueue();

  constructor(options: AwsSecretsManagerStoreOptions) {
    this.client = options.client ?? secretsManagerClient(options);
    this.prefix = options.prefix;
  }

  async verify(): Promise<void> {
    try {
      await this.client.send(
        new ListSecretsCommand({ MaxResults: 1, Filters: [{ Key: 'name', Values: [this.prefix || '/'] }] }),
      );
    } catch (e) {
      throw awsError('the configured credentials, region or endpoint do not work', e);
    }
  }

  put(name: string, value: string, options: PutOptions = {}): Promise<SecretRef> {
    assertSecretName(name);
    if (typeof value !== 'string') throw new TypeError('secret value must be a string');
    const token =
      options.idempotencyKey === undefined
        ? randomUUID()
        : createHash('sha256').update(`${name}\0${options.idempotencyKey}`).digest('hex');
    const stored: StoredValue = { value, meta: { ...(options.meta ?? {}) } };
    return this.queue.run(name, () => this.putVersion(name, token, JSON.stringify(stored)));
  }

  async get(ref: SecretRef): Promise<string> {
    const { name, version } = parseSecretRef(ref);
    return (await this.read(name, version, ref)).value;
  }

  async delete(name: string): Promise<number> {
    assertSecretName(name);
    return this.queue.run(name, async () => {
      const described = await this.describe(name);
      if (!described) return 0;
      await this.deleteSecret(name);
      return labelsOf(described).size;
    });
  }

  async deleteVersion(ref: SecretRef): Promise<boolean> {
    const { name, version } = parseSecretRef(ref);
    return this.queue.run(name, async () => {
      const described = await this.describe(name);
      const labels = labelsOf(described);
      const versionId = labels.get(version);
      if (!versionId) return false;
      labels.delete(version);
      if (labels.size === 0) {
        await this.deleteSecret(name);
        return true;
      }
      const SecretId = this.awsName(name);
      const remove = new UpdateSecretVersionStageCommand({
        SecretId,
        VersionStage: `v${version}`,
        RemoveFromVersionId: versionId,
      });
      await awsCall('delete a version', () => this.client.send(remove));
      // AWSCURRENT left on a deleted version would keep its value readable to everyone who reads the secret plainly.
      if (currentOf(described) === versionId)
        await this.makeCurrent(SecretId, labels.get(Math.max(...labels.keys()))!, versionId);
      return true;
    });
  }

  async list(prefix = ''): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await awsCall('list secrets', () =>
        this.client.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'name', Values: [`${this.prefix}${prefix}` || '/'] }],
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      );
      for (const entry of page.SecretList ?? []) {
        const name = entry.Name?.slice(this.prefix.length) ?? '';
        if (!entry.Name?.startsWith(`${this.prefix}${prefix}`)) continue;
        const labelled = Object.values(entry.SecretVersionsToStages ?? {}).some((stages) =>
          stages.some((s) => LABEL.test(s)),
        );
        if (labelled && isOnrampName(name)) names.push(name);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return names.sort();
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    assertSecretName(name);
    const labels = labelsOf(await this.describe(name));
    if (labels.size === 0) return [];
    const created = new Map<string, string>();
    let NextToken: string | undefined;
    do {
      const page = await awsCall('list versions', () =>
        this.client.send(
          new ListSecretVersionIdsCommand({
            SecretId: this.awsName(name),
            IncludeDeprecated: false,
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      );
      for (const v of page.Versions ?? [])
        if (v.VersionId) created.set(v.VersionId, (v.CreatedDate ?? new Date(0)).toISOString());
      NextToken = page.NextToken;
    } while (NextToken);
    const out: SecretVersionInfo[] = [];
    for (const [version, versionId] of [...labels].sort(([a], [b]) => a - b)) {
      const ref = formatSecretRef(name, version);
      const { meta } = await this.read(name, version, ref);
      out.push({ ref, name, version, createdAt: created.get(versionId) ?? new Date(0).toISOString(), meta });
    }
    return out;
  }

  // --- internals ------------------------------------------------------------------------------------

  private awsName(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async putVersion(name: string, token: string, secretString: string): Promise<SecretRef> {
    const described = await this.describe(name);
    const labels = labelsOf(described);
    for (const [version, versionId] of labels) if (versionId === token) return formatSecretRef(name, version);
    const lastTag = Number(described?.Tags?.find((t) => t.Key === LAST_VERSION_TAG)?.Value ?? 0);
    const version = Math.max(lastTag, ...labels.keys(), 0) + 1;
    const SecretId = this.awsName(name);
    const label = (v: number) =>
      awsCall('label a version', () =>
        this.client.send(
          new UpdateSecretVersionStageCommand({ SecretId, VersionStage: `v${v}`, MoveToVersionId: token }),
        ),
      );
    if (described?.VersionIdsToStages?.[token]) {
      // An earlier attempt stored the version and its number (the tag) but died before labelling it.
      await label(lastTag);
      return formatSecretRef(name, lastTag);
    }
    if (!described) {
      const create = new CreateSecretCommand({
        Name: SecretId,
        SecretString: secretString,
        ClientRequestToken: token,
        Description: `onramp: ${name}`,
        Tags: [{ Key: LAST_VERSION_TAG, Value: String(version) }],
      });
      await awsCall(`create ${SecretId}`, () => this.client.send(create));
      await label(version);
      return formatSecretRef(name, version);
    }
    // The number is taken before the version exists, so a failure in between skips it rather than reusing it.
    const tag = new TagResourceCommand({ SecretId, Tags: [{ Key: LAST_VERSION_TAG, Value: String(version) }] });
    await awsCall('tag a secret', () => this.client.send(tag));
    const put = new PutSecretValueCommand({
      SecretId,
      SecretString: secretString,
      ClientRequestToken: token,
      VersionStages: [`v${version}`],
    });
    await awsCall('store a version', () => this.client.send(put));
    await this.makeCurrent(SecretId, token, currentOf(described));
    return formatSecretRef(name, version);
  }

  /** Moves AWSCURRENT, in its own call: a put naming it would strip the older versions' labels on moto. */
  private async makeCurrent(SecretId: string, versionId: string, from: string | undefined): Promise<void> {
    const move = new UpdateSecretVersionStageCommand({
      SecretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: versionId,
      ...(from ? { RemoveFromVersionId: from } : {}),
    });
    await awsCall('make a version current', () => this.client.send(move));
  }

  private async read(name: string, version: number, ref: SecretRef): Promise<StoredValue> {
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.awsName(name), VersionStage: `v${version}` }),
      ));
    } catch (e) {
      if (isNotFound(e)) throw new SecretStoreError(`secret ${ref} not found (deleted or never stored)`, 'not-found');
      throw awsError(`read ${ref}`, e);
    }
    try {
      const stored = JSON.parse(secretString ?? '') as StoredValue;
      if (typeof stored.value !== 'string') throw new Error('no value');
      return { value: stored.value, meta: stored.meta ?? {} };
    } catch {
      throw new SecretStoreError(`secret ${ref} in AWS is not a value onramp stored`, 'corrupt');
    }
  }

  private async describe(name: string): Promise<DescribeSecretCommandOutput | undefined> {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: this.awsName(name) }));
      // A secret scheduled for deletion by someone else holds nothing onramp may read or reuse.
      return described.DeletedDate ? undefined : described;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw awsError(`describe ${this.awsName(name)}`, e);
    }
  }

  private async deleteSecret(name: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.awsName(name), ForceDeleteWithoutRecovery: true }),
      );
    } catch (e) {
      if (!isNotFound(e)) throw awsError(`delete ${this.awsName(name)}`, e);
    }
  }
}
