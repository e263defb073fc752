/**
 * Handover into AWS Secrets Manager: the handover path is the secret's name, onramp's mark its tags. A new
 * value becomes AWSCURRENT and the one before loses AWSPREVIOUS, so it carries no label at all: AWS counts
 * such a version deprecated, no reader that asks by label (as readers do) gets it, and AWS purges it.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsCall, awsError, isNotFound, secretsManagerClient, type AwsSecretsSettings } from './aws-client';
import {
  HANDOVER_OWNER_KEY,
  HANDOVER_RUN_KEY,
  foreignHandover,
  type HandoverStamp,
  type HandoverState,
  type HandoverTarget,
} from './handover';

const stageHolder = (described: DescribeSecretCommandOutput, stage: string) =>
  Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes(stage))?.[0];

export class AwsHandoverTarget implements HandoverTarget {
  readonly kind = 'aws' as const;
  private readonly client: SecretsManagerClient;

  constructor(settings: AwsSecretsSettings) {
    this.client = secretsManagerClient(settings);
  }

  where(path: string): string {
    return `aws:${path}`;
  }

  async inspect(path: string): Promise<HandoverState | undefined> {
    const described = await this.describe(path);
    return described && this.stateOf(path, described);
  }

  async write(path: string, value: string, stamp: HandoverStamp): Promise<HandoverState> {
    const tags = [
      { Key: HANDOVER_OWNER_KEY, Value: stamp.owner },
      { Key: HANDOVER_RUN_KEY, Value: stamp.run },
    ];
    const described = await this.describe(path);
    if (!described) {
      const create = new CreateSecretCommand({
        Name: path,
        SecretString: value,
        Description: 'Salesforce credential handed over by onramp',
        Tags: tags,
      });
      await awsCall(`create ${path}`, () => this.client.send(create));
      return this.stateOf(path, (await this.describe(path))!);
    }
    const owner = ownerOf(described);
    if (owner !== stamp.owner) throw foreignHandover(this.where(path), owner);
    if (described.DeletedDate)
      await awsCall(`restore ${path}`, () => this.client.send(new RestoreSecretCommand({ SecretId: path })));
    const current = await awsCall(`read ${path}`, () =>
      this.client.send(new GetSecretValueCommand({ SecretId: path, VersionStage: 'AWSCURRENT' })),
    );
    if (current.SecretString !== value) {
      await awsCall(`tag ${path}`, () => this.client.send(new TagResourceCommand({ SecretId: path, Tags: tags })));
      await awsCall(`write ${path}`, () =>
        this.client.send(new PutSecretValueCommand({ SecretId: path, SecretString: value })),
      );
    }
    const after = (await this.describe(path))!;
    const previous = stageHolder(after, 'AWSPREVIOUS');
    if (previous) {
      const unlabel = new UpdateSecretVersionStageCommand({
        SecretId: path,
        VersionStage: 'AWSPREVIOUS',
        RemoveFromVersionId: previous,
      });
      await awsCall(`retire the previous value of ${path}`, () => this.client.send(unlabel));
    }
    return this.stateOf(path, after);
  }

  async remove(path: string, owner: string): Promise<boolean> {
    const described = await this.describe(path);
    if (!described || described.DeletedDate) return false;
    if (ownerOf(described) !== owner) throw foreignHandover(this.where(path), ownerOf(described));
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: path, ForceDeleteWithoutRecovery: true }));
    } catch (e) {
      if (!isNotFound(e)) throw awsError(`delete ${path}`, e);
    }
    return true;
  }

  private async stateOf(path: string, described: DescribeSecretCommandOutput): Promise<HandoverState> {
    const version = stageHolder(described, 'AWSCURRENT') ?? '';
    const listed = await awsCall(`list the versions of ${path}`, () =>
      this.client.send(new ListSecretVersionIdsCommand({ SecretId: path })),
    );
    const created = listed.Versions?.find((v) => v.VersionId === version)?.CreatedDate;
    return {
      owner: ownerOf(described),
      version,
      writtenAt: (created ?? described.CreatedDate ?? new Date(0)).toISOString(),
      run: described.Tags?.find((t) => t.Key === HANDOVER_RUN_KEY)?.Value,
    };
  }

  private async describe(path: string): Promise<DescribeSecretCommandOutput | undefined> {
    try {
      return await this.client.send(new DescribeSecretCommand({ SecretId: path }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw awsError(`describe ${path}`, e);
    }
  }
}

function ownerOf(described: DescribeSecretCommandOutput): string | undefined {
  return described.Tags?.find((t) => t.Key === HANDOVER_OWNER_KEY)?.Value;
}
