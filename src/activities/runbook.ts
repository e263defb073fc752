import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderRunbook } from '../runbook/render';
import type { OnboardingResult } from '../shared/types';
import type { ActivityDeps } from './deps';
import type { StepInput } from './steps';

export function runbookActivities(deps: ActivityDeps) {
  return {
    /** Writes the runbook as Markdown (atomically: a reader never sees half a file); returns its path. */
    async writeRunbook(input: StepInput, result: Omit<OnboardingResult, 'runbookPath'>, generatedAt: string): Promise<string> {
      const dir = resolve(deps.config.runbookDir);
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${input.integration.names.name}.md`);
      const markdown = renderRunbook({
        integration: input.integration,
        result,
        instanceUrl: deps.config.salesforce.instanceUrl,
        secretStore: resolve(deps.config.secrets.file),
        generatedAt,
      });
      await writeFile(`${path}.tmp`, markdown, { mode: 0o644 });
      await rename(`${path}.tmp`, path);
      return path;
    },
  };
}
