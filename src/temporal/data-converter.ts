import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from '../codec/encryption-codec';
import { loadKeyRing, type KeyRing, type KeyRingSource } from '../codec/key-ring';

/** The failure converter goes by path: the workflow bundle and the worker each load it themselves. */
export const FAILURE_CONVERTER_PATH = require.resolve('../codec/failure-converter');

/**
 * The data converter every onramp client and worker uses: payloads encrypted under the key ring, failure
 * messages encrypted too. Client, worker and tests must share the keys, or one side cannot read the other.
 */
export function onrampDataConverter(ring: KeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The converter for the configured keys (`codec.keys` / ONRAMP_CODEC_KEYS, else the key file). */
export function dataConverterFor(source: KeyRingSource): DataConverter {
  return onrampDataConverter(loadKeyRing(source));
}
