import { getClient } from '@temporalio/activity';
import { readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { registryRecord } from '../client/registry';
import { writePrivateFile } from '../private-files';
import { describeSecretStore } from '../secrets/describe';
import { renderRunbook, runbookMarker, runbookOnboardingId } from '../runbook/render';
import { stepInputOf, type DesiredState, type RegistryChange } from '../shared/registry';
import type {
  AppRecord,
  CredentialRecord,
  HandoverRecord,
  OnboardingResult,
  VerificationEvidence,
} from '../shared/types';
import { orgSettings } from '../config';
import { keyOf } from '../spec/names';
import type { ActivityDeps } from './deps';
import type { StepInput } from './steps';

export function runbookActivities(deps: ActivityDeps) {
  const pathOf = (input: StepInput) => join(resolve(deps.config.runbookDir), `${keyOf(input.integration)}.md`);

  /** Writes the runbook as Markdown (atomically: a reader never sees half a file); returns its path. */
  const write = async (
    path: string,
    input: StepInput,
    result: Omit<OnboardingResult, 'runbookPath'>,
    generatedAt: string,
    history?: RegistryChange[],
  ) => {
    const markdown = renderRunbook({
      integration: input.integration,
      onboardingId: input.onboardingId,
      result,
      org: orgSettings(deps.config, input.integration.org),
      secretStore: describeSecretStore(deps.config.secrets),
      generatedAt,
      ...(history ? { history } : {}),
    });
    await writePrivateFile(path, markdown);
    return path;
  };

  const readIfThere = (path: string) =>
    readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      // ENOTDIR: something that is not a directory is where the runbooks go, so no runbook is there.
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });

  return {
    /**
     * An earlier generation's runbook (the integration was offboarded, then onboarded again) is kept
     * beside the new one as `<name>.<its onboarding id>.md`: it records what that generation did.
     */
    async writeRunbook(
      input: StepInput,
      result: Omit<OnboardingResult, 'runbookPath'>,
      generatedAt: string,
    ): Promise<string> {
      const path = pathOf(input);
      const earlier = runbookOnboardingId((await readIfThere(path)) ?? '');
      if (earlier && earlier !== input.onboardingId) await rename(path, path.replace(/\.md$/, `.${earlier}.md`));
      return write(path, input, result, generatedAt);
    },

    /**
     * The undo of writeRunbook: removes the runbook if this onboarding wrote it. A runbook of another
     * onboarding of the same name (the integration onboarded before) stays.
     */
    async removeRunbook(input: StepInput): Promise<string> {
      const path = pathOf(input);
      const text = await readIfThere(path);
      if (text === undefined) return `${path}: absent`;
      if (!text.startsWith(runbookMarker(input.onboardingId)))
        return `${path}: another onboarding's runbook, left as it is`;
      await unlink(path);
      return `${path}: removed`;
    },

    /**
     * Renders the runbook again after a rotation: the credentials and app it describes are the ones in
     * use now, and the verification evidence is the rotation's proof.
     */
    async rewriteRunbook(
      desired: DesiredState,
      credentials: CredentialRecord,
      app: AppRecord,
      evidence: VerificationEvidence,
      at: string,
      handover?: HandoverRecord,
    ): Promise<string> {
      const input = stepInputOf(desired);
      const provisioned = { ...desired.provisioned, credentials, app, ...(handover ? { handover } : {}) };
      const result = {
        integration: desired.integration.names.name,
        provisioned,
        evidence,
        approvals: desired.approvals,
      };
      return write(desired.runbookPath ?? pathOf(input), input, result, at);
    },

    /**
     * Renders the runbook again once a change request moved the baseline: from the registry's record (the
     * requested access and settings, the change's approvals, the credentials in use now) with its change
     * log, at the path the onboarding wrote it. `evidence` is the change's proof.
     */
    async rewriteChangedRunbook(desired: DesiredState, evidence: VerificationEvidence, at: string): Promise<string> {
      const record = await registryRecord(getClient(), keyOf(desired.integration));
      const now = record.desired;
      const input = { integration: now.integration, onboardingId: now.onboardingId };
      const result = {
        integration: now.integration.names.name,
        provisioned: now.provisioned,
        evidence,
        approvals: now.approvals,
      };
      return write(now.runbookPath ?? pathOf(input), input, result, at, record.changes);
    },
  };
}
