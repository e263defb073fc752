import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';

/**
 * Bundles onramp's workflows once, as a deployment would at build time, into `dir`; the worker process
 * loads it through ONRAMP_WORKFLOW_BUNDLE instead of running webpack itself. The failure converter goes
 * into the bundle, as Worker.create would put it there when it bundles.
 */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: resolve(__dirname, '..', '..', 'src', 'workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return path;
}
