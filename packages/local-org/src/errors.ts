/**
 * A Salesforce API error as the REST API reports it: `[{message, errorCode, fields}]` with an HTTP status.
 * Every layer of the local org throws this; the HTTP layer turns it into the wire shape of its protocol
 * (REST array, SOAP fault, or a per-row result in collections and composite).
 */
export class SfError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly status = 400,
    readonly fields: string[] = [],
  ) {
    super(message);
    this.name = 'SfError';
  }

  toJSON(): { message: string; errorCode: string; fields?: string[] } {
    return this.fields.length
      ? { message: this.message, errorCode: this.errorCode, fields: this.fields }
      : { message: this.message, errorCode: this.errorCode };
  }
}

export const notFound = () => new SfError('NOT_FOUND', 'The requested resource does not exist', 404);
export const invalidSession = (message = 'Session expired or invalid') =>
  new SfError('INVALID_SESSION_ID', message, 401);
export const insufficientAccess = (message = 'insufficient access rights on object id') =>
  new SfError('INSUFFICIENT_ACCESS_OR_READONLY', message, 400);
