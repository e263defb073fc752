/**
 * The payload codec: every payload the SDK sends to Temporal (workflow input, activity arguments and
 * results, query answers, failure messages through the failure converter) is proto-encoded whole and
 * sealed with AES-256-GCM under the key ring's active key, so the server stores neither specs nor secret
 * references in readable form. The key id travels in the metadata; decoding picks the key by it, which
 * is what lets old history decode after a rotation.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './key-ring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.ring.active;
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: seal(key, id, temporal.api.common.v1.Payload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before the codec was turned on stay readable.
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      const key = this.ring.key(id);
      if (!key)
        throw new PayloadDecryptionError(
          `payload encrypted with codec key "${id}", which is not in the key ring (${this.ring.ids.join(', ')})`,
        );
      if (!payload.data) throw new PayloadDecryptionError('encrypted payload without data');
      return temporal.api.common.v1.Payload.decode(open(key, id, payload.data));
    });
  }
}

// The key id is bound as additional data: a payload relabelled with another key id fails to open.
function seal(key: Buffer, id: string, plain: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(id, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function open(key: Buffer, id: string, sealed: Uint8Array): Uint8Array {
  const bytes = Buffer.from(sealed);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(id, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadDecryptionError(
      `payload does not decrypt with codec key "${id}" (tampered, or a different key under the same id)`,
    );
  }
}
