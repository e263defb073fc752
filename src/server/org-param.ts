import { orgNameOf, orgRef, UnknownOrgError, type OnrampConfig } from '../config';
import { parseIntegrationKey } from '../spec/names';
import { ApiError } from './errors';

/** An org named by a request (`?org=`, or a body's `org`) as workflows refer to it; an unknown one is a 400 naming the field. */
export function orgParam(config: OnrampConfig, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ApiError(400, 'invalid-field', 'must be an org name', 'org');
  try {
    return orgRef(config, value);
  } catch (error) {
    if (error instanceof UnknownOrgError) throw new ApiError(400, 'unknown-org', error.message, 'org');
    throw error;
  }
}

/** The org's name of an integration key (`billing@uat`: uat; `billing`: the default org). */
export const orgOfKey = (config: OnrampConfig, key: string): string => orgNameOf(config, parseIntegrationKey(key).org);
