import type { Client } from '@temporalio/client';
import type { OnrampConfig } from '../config';
import { collectEvidence } from './collect';
import { loadEvidenceSigner, packEvidence } from './pack';
import type { Quarter } from './quarter';

/** One evidence pack, signed: what the server's download and `onramp evidence` both produce. */
export async function produceEvidencePack(
  client: Client,
  config: OnrampConfig,
  integration: string,
  quarter: Quarter,
  generatedBy: string,
): Promise<Buffer> {
  // The key first: without it there is nothing to hand out, so nothing is read.
  const signer = loadEvidenceSigner(config.evidence);
  return packEvidence(await collectEvidence(client, config, integration, quarter, generatedBy), signer);
}
