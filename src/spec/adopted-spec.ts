/**
 * The spec of a hand-made integration, written from what the org holds (`onramp adopt`), and the list of
 * what a spec cannot say about it. Pure: the discovery (src/salesforce/discovery.ts) reads the org, this
 * turns one user and one app into a spec a person can read, keep and change later like any other.
 */
import type { AdoptionRequest, DiscoveredApp, DiscoveredUser } from '../shared/adoption';
import { INTEGRATION_PROFILE_NAME, PLACEHOLDER_CALLBACK_URL } from './normalize';
import {
  CERTIFICATE_VALIDITY_MAX_DAYS,
  CERTIFICATE_VALIDITY_MIN_DAYS,
  IP_POLICIES,
  IP_POLICY_VALUES,
  OAUTH_SCOPE_METADATA,
  SESSION_TIMEOUT_MINUTES,
  SPEC_API_VERSION,
  SPEC_KIND,
  type IntegrationSpecInput,
} from './schema';

const DAY_MS = 86_400_000;

export interface AdoptedSpec {
  spec: IntegrationSpecInput;
  /** What the org holds that the spec cannot express, one sentence each. */
  unexpressed: string[];
}

/** Refusals: what makes a user and app impossible to adopt as one integration. */
export class AdoptionRefused extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdoptionRefused';
  }
}

/** The app a user is adopted with: the one named, or its only one. */
export function chooseApp(user: DiscoveredUser, apps: DiscoveredApp[], named?: string): DiscoveredApp {
  if (named) {
    const app = apps.find((a) => a.apiName.toLowerCase() === named.toLowerCase());
    if (!app) throw new AdoptionRefused('app', `no unmanaged Connected App or External Client App named ${named}`);
    return app;
  }
  const usable = apps.filter((a) => user.apps.includes(a.apiName));
  if (usable.length === 1) return usable[0]!;
  throw new AdoptionRefused(
    'app',
    usable.length === 0
      ? `no app pre-authorizes a permission set of ${user.username} or runs as it; name the app with --app`
      : `${user.username} can use ${usable.map((a) => a.apiName).join(', ')}; name one with --app`,
  );
}

/** The spec of `user` with `app`, and what it leaves unsaid. Throws AdoptionRefused naming the field. */
export function adoptedSpec(request: AdoptionRequest, user: DiscoveredUser, app: DiscoveredApp): AdoptedSpec {
  const unexpressed: string[] = [];
  const say = (s: string) => unexpressed.push(s);
  if (app.flow === 'other')
    throw new AdoptionRefused(
      'app',
      `${app.apiName} uses neither JWT bearer (no certificate) nor client credentials (no run-as user); onramp manages only those server-to-server flows`,
    );
  const [permissionSet, ...others] = choosePermissionSet(user, app);
  if (!permissionSet)
    throw new AdoptionRefused('username', `${user.username} has no permission set: there is no access to adopt`);

  if (user.profile.name !== INTEGRATION_PROFILE_NAME)
    say(
      `profile: ${user.username} has the profile "${user.profile.name}" (${user.profile.userLicense ?? 'unknown'} licence); a spec names ${INTEGRATION_PROFILE_NAME}, so every audit reports user-profile-changed until the user moves to it`,
    );
  if (others.length)
    say(
      `permission sets: ${others.map((p) => p.name).join(', ')} also assigned to ${user.username}; a spec holds one permission set (${permissionSet.name}), so every audit reports extra-permission-set-assignment`,
    );
  if (permissionSet.systemPermissions.length)
    say(
      `system permissions on ${permissionSet.name}: ${permissionSet.systemPermissions.join(', ')}; a spec grants none (audit: system-permission-added)`,
    );
  const ownAppAccess = `connectedapplication ${app.apiName.toLowerCase()}`;
  const otherAccess = permissionSet.otherSetupAccess.filter((a) => a.toLowerCase() !== ownAppAccess);
  if (otherAccess.length)
    say(`setup access on ${permissionSet.name}: ${otherAccess.join(', ')} (audit: setup-access-added)`);
  if (permissionSet.otherAssignees)
    say(
      `${permissionSet.name} is also assigned to ${permissionSet.otherAssignees} other user(s): onramp manages only ${user.username}'s assignment, but a change request changes the permission set for them too`,
    );

  const scopes = app.scopes.filter((s): s is keyof typeof OAUTH_SCOPE_METADATA => s in OAUTH_SCOPE_METADATA);
  const unknownScopes = app.scopes.filter((s) => !(s in OAUTH_SCOPE_METADATA));
  if (unknownScopes.length) say(`scopes onramp does not know: ${unknownScopes.join(', ')} (left out of the spec)`);
  if (scopes.includes('full'))
    say('the full scope: the spec carries a placeholder justification that the owner should replace');
  const callbackUrls = app.callbackUrls.filter((u) => u !== PLACEHOLDER_CALLBACK_URL);
  const notHttps = callbackUrls.filter((u) => !u.startsWith('https://'));
  if (notHttps.length) say(`callback URLs that are not https: ${notHttps.join(', ')} (left out of the spec)`);

  const ipPolicy = IP_POLICIES.find((p) => {
    const value =
      app.kind === 'connected-app' ? IP_POLICY_VALUES[p].connectedApp : IP_POLICY_VALUES[p].externalClientApp;
    return value.toLowerCase() === (app.ipRelaxation ?? '').toLowerCase();
  });
  if (!ipPolicy)
    say(`IP relaxation "${app.ipRelaxation ?? 'none'}" is not a value onramp knows; the spec says enforce`);
  if (!app.adminApproved)
    say(`${app.apiName} lets users authorize themselves; onramp makes it admin-approved at its next write of the app`);
  const elsewhere = app.preAuthorizedPermissionSets.filter((p) => p.toLowerCase() !== permissionSet.name.toLowerCase());
  if (elsewhere.length) say(`${app.apiName} also pre-authorizes ${elsewhere.join(', ')} (audit: app-approval-changed)`);
  if (app.refreshTokenPolicy && !/^zero$/i.test(app.refreshTokenPolicy))
    say(
      `refresh token policy "${app.refreshTokenPolicy}": onramp sets Zero at its next write of the app (server-to-server flows use none)`,
    );
  const sessionTimeout = SESSION_TIMEOUT_MINUTES.find((m) => m === app.sessionTimeoutMinutes);
  if (app.sessionTimeoutMinutes && !sessionTimeout)
    say(`session timeout of ${app.sessionTimeoutMinutes} minutes is not one Salesforce offers; left out`);

  let certificateValidityDays: number | undefined;
  if (app.flow === 'jwt-bearer' && app.certificate) {
    const days = Math.round((Date.parse(app.certificate.expiresAt) - Date.parse(app.certificate.notBefore)) / DAY_MS);
    certificateValidityDays = Math.min(Math.max(days, CERTIFICATE_VALIDITY_MIN_DAYS), CERTIFICATE_VALIDITY_MAX_DAYS);
    if (certificateValidityDays !== days)
      say(
        `the certificate is valid for ${days} days; the spec says ${certificateValidityDays}, which applies from the first rotation`,
      );
  }
  if (app.flow === 'client-credentials' && app.clientCredentialsUser?.toLowerCase() !== user.username.toLowerCase())
    throw new AdoptionRefused(
      'username',
      `${app.apiName} runs client credentials as ${app.clientCredentialsUser}, not ${user.username}`,
    );

  const spec: IntegrationSpecInput = {
    apiVersion: SPEC_API_VERSION,
    kind: SPEC_KIND,
    name: request.name,
    displayName: request.displayName ?? app.label,
    owner: request.owner,
    purpose: request.purpose,
    review: { next: request.reviewOn },
    requestedBy: request.requestedBy,
    approvers: request.approvers,
    app: {
      kind: app.kind,
      flow: app.flow,
      scopes,
      ...(scopes.includes('full')
        ? { fullScopeJustification: 'Adopted as found: the owner states here why the full scope is needed.' }
        : {}),
      callbackUrls: callbackUrls.filter((u) => u.startsWith('https://')),
      ipPolicy: ipPolicy ?? 'enforce',
      trustedIpRanges: app.trustedIpRanges,
      ...(certificateValidityDays ? { certificateValidityDays } : {}),
      ...(sessionTimeout ? { sessionTimeoutMinutes: sessionTimeout } : {}),
    },
    access: {
      objects: permissionSet.objects.map((o) => ({ name: o.name, rights: o.rights as never })),
      fields: permissionSet.fields,
      apexClasses: permissionSet.apexClasses,
    },
    adopted: {
      permissionSet: permissionSet.name,
      permissionSetLabel: permissionSet.label,
      app: app.apiName,
      appLabel: app.label,
    },
    user: {
      username: user.username,
      ...(user.email ? { email: user.email } : {}),
      ...(user.firstName ? { firstName: user.firstName } : {}),
      ...(user.lastName ? { lastName: user.lastName } : {}),
    },
  };
  return { spec, unexpressed };
}

/** The permission set the app pre-authorizes comes first (it is the integration's); the others after it. */
function choosePermissionSet(user: DiscoveredUser, app: DiscoveredApp) {
  const preAuthorized = new Set(app.preAuthorizedPermissionSets.map((p) => p.toLowerCase()));
  const viaApp = `connectedapplication ${app.apiName.toLowerCase()}`;
  const rank = (p: DiscoveredUser['permissionSets'][number]) =>
    preAuthorized.has(p.name.toLowerCase()) || p.otherSetupAccess.some((a) => a.toLowerCase() === viaApp) ? 0 : 1;
  return [...user.permissionSets].sort((a, b) => rank(a) - rank(b));
}
