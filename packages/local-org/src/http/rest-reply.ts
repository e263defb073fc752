import type { FastifyReply } from 'fastify';
import { SfError } from '../errors';

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** Sends an error as the REST API does: a JSON array of `{message, errorCode, fields}`. */
export function sendRestError(reply: FastifyReply, error: unknown): FastifyReply {
  const sf = toSfError(error);
  return reply
    .code(sf.status)
    .type(JSON_TYPE)
    .send(JSON.stringify([sf.toJSON()]));
}

export function toSfError(error: unknown): SfError {
  if (error instanceof SfError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SfError(
    'UNKNOWN_EXCEPTION',
    `An unexpected error occurred. Please include this ErrorId if you contact support: ${message}`,
    500,
  );
}
