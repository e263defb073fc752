import { notFound } from '../errors';

export interface ApiVersion {
  label: string;
  url: string;
  version: string;
}

/** The oldest version the REST API still serves (Summer '14); older ones were retired. */
export const OLDEST_VERSION = 31;

/**
 * Release name of an API version. Salesforce ships three releases a year, each with the next major
 * version, in the order Spring, Summer, Winter; Winter is named after the following year
 * (62.0 = Winter '25, shipped in autumn 2024).
 */
export function releaseLabel(major: number): string {
  const i = major - OLDEST_VERSION;
  const season = ['Summer', 'Winter', 'Spring'][((i % 3) + 3) % 3];
  const year = 14 + Math.floor(i / 3) + (season === 'Summer' ? 0 : 1);
  return `${season} '${String(year).padStart(2, '0')}`;
}

/** Every version from the oldest served up to the org's own, as `GET /services/data` lists them. */
export function versionList(newest: string): ApiVersion[] {
  const out: ApiVersion[] = [];
  for (let major = OLDEST_VERSION; major <= Math.floor(Number(newest)); major++) {
    out.push({ label: releaseLabel(major), url: `/services/data/v${major}.0`, version: `${major}.0` });
  }
  return out;
}

/** The version named by a `vNN.N` path segment, or NOT_FOUND when the org does not serve it. */
export function parseVersion(segment: string, newest: string): string {
  const match = /^v(\d{2,3})\.0$/.exec(segment);
  if (!match) throw notFound();
  const major = Number(match[1]);
  if (major < OLDEST_VERSION || major > Math.floor(Number(newest))) throw notFound();
  return `${major}.0`;
}
