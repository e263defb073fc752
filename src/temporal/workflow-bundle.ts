import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FAILURE_CONVERTER_PATH } from './data-converter';

/**
 * Bundles onramp's workflows ahead of time, as `npm run build` does for deployments: the worker loads the
 * file (ONRAMP_WORKFLOW_BUNDLE) instead of running webpack at every start, which saves start time and the
 * memory webpack leaves behind. The failure converter goes into the bundle, as Worker.create would put it
 * there when it bundles.
 */
export async function writeWorkflowBundle(path: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: resolve(__dirname, '..', 'workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, bundle.code);
  return resolve(path);
}

if (require.main === module) {
  const [path] = process.argv.slice(2);
  if (!path) {
    console.error('usage: workflow-bundle <output.js>');
    process.exit(2);
  }
  writeWorkflowBundle(path).then(
    (written) => console.log(`workflow bundle written to ${written}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
