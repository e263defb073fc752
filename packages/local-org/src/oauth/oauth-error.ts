/**
 * A refusal of the token endpoint as Salesforce words it: `{error, error_description}` (HTTP 400), plus
 * the Status the refusal leaves in LoginHistory when the user is known.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly loginStatus: string = 'Failed: ' + description,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const clientIdentifierInvalid = () => new OAuthError('invalid_client_id', 'client identifier invalid');
/** Real orgs answer 400 here (not RFC 6749's 401); third-party reports disagree, see docs/local-org.md. */
export const invalidClientCredentials = () =>
  new OAuthError('invalid_client', 'invalid client credentials', 'Failed: Invalid Client Credentials');
export const invalidAssertion = () => new OAuthError('invalid_grant', 'invalid assertion', 'Failed: Invalid Assertion');
export const notApproved = () =>
  new OAuthError('invalid_grant', "user hasn't approved this consumer", 'Failed: Not approved for access');
export const notAdminApproved = () =>
  new OAuthError(
    'invalid_app_access',
    'user is not admin approved to access this app',
    'Failed: Not approved for access',
  );
