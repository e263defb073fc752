import type { OAuthApp } from '../apps/model';
import { allApps } from '../apps/registry';
import type { LocalOrg } from '../org';
import { CONNECTED_APP_FILE, ECA_TYPES } from './eca-types';

export const CONNECTED_APP = 'ConnectedApp';
/** The metadata types whose components the org stores (apps), as against those read from records. */
export const APP_TYPES = [CONNECTED_APP, ...Object.keys(ECA_TYPES)];

export const appTypeFile = (type: string) => (type === CONNECTED_APP ? CONNECTED_APP_FILE : ECA_TYPES[type]);

/** Every stored component of an app type, with the app that holds it. */
export function storedComponents(
  org: LocalOrg,
  type: string,
): Array<{ app: OAuthApp; component: Record<string, unknown> }> {
  const kind = type === CONNECTED_APP ? 'ConnectedApp' : 'ExternalClientApp';
  return allApps(org).flatMap((app) => {
    const component = app.kind === kind ? app.metadata[type] : undefined;
    return component ? [{ app, component }] : [];
  });
}
