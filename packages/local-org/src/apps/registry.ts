import type { LocalOrg } from '../org';
import type { Row } from '../store/database';
import { sameId } from '../store/ids';
import { APP_TABLE, type OAuthApp } from './model';

export function findApp(org: LocalOrg, predicate: (app: OAuthApp) => boolean): OAuthApp | undefined {
  return org.db.find(APP_TABLE, (row) => predicate(row as unknown as OAuthApp)) as unknown as OAuthApp | undefined;
}

export const appByName = (org: LocalOrg, fullName: string) =>
  findApp(org, (a) => a.fullName.toLowerCase() === fullName.toLowerCase());

/** The app a consumer key belongs to, including keys staged for rotation. */
export const appByConsumerKey = (org: LocalOrg, consumerKey: string) =>
  findApp(org, (a) => a.consumerKey === consumerKey || a.stagedCredentials.some((c) => c.consumerKey === consumerKey));

export const allApps = (org: LocalOrg) => [...org.db.rows(APP_TABLE)] as unknown as OAuthApp[];

/**
 * Saves an app (new or changed) with what the org derives from it: the read-only ConnectedApplication
 * row, and the SetupEntityAccess rows that pre-authorize the listed permission sets and profiles.
 * Callers create the app's id with `org.db.nextId('0H4')` before the first save.
 */
export function saveApp(org: LocalOrg, app: OAuthApp): OAuthApp {
  org.db.transaction(() => {
    const existing = org.db.get(APP_TABLE, app.Id);
    if (existing) org.db.update(APP_TABLE, app.Id, app as unknown as Row);
    else org.db.insert(APP_TABLE, app as unknown as Row);
    const row = {
      Name: app.fullName,
      OptionsAllowAdminApprovedUsersOnly: app.adminApproved,
      OptionsRefreshTokenValidityMetric: null,
      RefreshTokenValidityPeriod: null,
      OptionsHasSessionLevelPolicy: false,
      OptionsIPRestrictions: app.ipRelaxation.toUpperCase() === 'ENFORCE',
    };
    if (org.db.get('ConnectedApplication', app.Id)) org.db.update('ConnectedApplication', app.Id, row);
    else org.dml.insertRaw('ConnectedApplication', { Id: app.Id, ...row });
    syncPreAuthorization(org, app);
  });
  return app;
}

/** Deletes an app, its ConnectedApplication row, its pre-authorizations and every token issued for it. */
export function deleteApp(org: LocalOrg, app: OAuthApp): void {
  org.db.transaction(() => {
    for (const sea of org.db.filter('SetupEntityAccess', (r) => sameId(r.SetupEntityId, app.Id)))
      org.db.delete('SetupEntityAccess', sea.Id);
    for (const token of org.db.filter('OauthToken', (r) => sameId(r.AppMenuItemId, app.Id)))
      org.db.delete('OauthToken', token.Id);
    for (const session of org.db.filter('_Session', (r) => r.appId === app.Id)) org.db.delete('_Session', session.Id);
    org.db.delete('ConnectedApplication', app.Id);
    org.db.delete(APP_TABLE, app.Id);
  });
}

/** Permission set ids (including profiles' own permission sets) that the app pre-authorizes. */
export function preAuthorizedParentIds(org: LocalOrg, app: OAuthApp): string[] {
  const ids: string[] = [];
  for (const name of app.permissionSetNames) {
    const ps = org.db.find(
      'PermissionSet',
      (r) => r.IsOwnedByProfile !== true && String(r.Name).toLowerCase() === name.toLowerCase(),
    );
    if (ps) ids.push(ps.Id);
  }
  for (const name of app.profileNames) {
    const profile = org.db.find('Profile', (r) => String(r.Name).toLowerCase() === name.toLowerCase());
    const own =
      profile && org.db.find('PermissionSet', (r) => r.IsOwnedByProfile === true && sameId(r.ProfileId, profile.Id));
    if (own) ids.push(own.Id);
  }
  return ids;
}

function syncPreAuthorization(org: LocalOrg, app: OAuthApp): void {
  const wanted = new Set(preAuthorizedParentIds(org, app));
  for (const sea of org.db.filter('SetupEntityAccess', (r) => sameId(r.SetupEntityId, app.Id))) {
    if (wanted.has(sea.ParentId as string)) wanted.delete(sea.ParentId as string);
    else org.db.delete('SetupEntityAccess', sea.Id);
  }
  for (const parentId of wanted) {
    org.dml.insertRaw('SetupEntityAccess', {
      ParentId: parentId,
      SetupEntityId: app.Id,
      SetupEntityType: 'ConnectedApplication',
    });
  }
}
