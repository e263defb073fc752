import type { LocalOrg } from '../org';
import type { Row } from '../store/database';

/**
 * The identity URL of a user. Real orgs answer `https://login.salesforce.com/id/<org>/<user>`; the local
 * org names itself instead, because clients fetch this URL (jsforce's identity(), the sf CLI) and the
 * real login host is out of reach. jsforce only reads the last two path segments of it.
 */
export function identityUrl(org: LocalOrg, userId: string): string {
  return `${org.instanceUrl}/id/${org.orgId}/${userId}`;
}

/** The `urls` block of identity and userinfo; `{version}` stays a placeholder unless a version is asked for. */
export function identityUrls(org: LocalOrg, userId: string, version?: string): Record<string, string> {
  const base = org.instanceUrl;
  const org15 = org.orgId.slice(0, 15);
  const v = version ?? '{version}';
  const data = `${base}/services/data/v${v}`;
  return {
    enterprise: `${base}/services/Soap/c/${v}/${org15}`,
    metadata: `${base}/services/Soap/m/${v}/${org15}`,
    partner: `${base}/services/Soap/u/${v}/${org15}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${base}/services/Soap/T/${v}/${org15}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${base}/${userId}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: base,
  };
}

/** Offset of a time zone from UTC in milliseconds at `at` (Salesforce's `utcOffset`). */
export function utcOffsetMs(timeZone: string, at: Date): number {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
    if (!match) return 0;
    return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
  } catch {
    return 0;
  }
}

function photos(org: LocalOrg, userId: string) {
  return {
    picture: `${org.instanceUrl}/profilephoto/005/F?user=${userId}`,
    thumbnail: `${org.instanceUrl}/profilephoto/005/T?user=${userId}`,
  };
}

const localeTag = (sfLocale: unknown) => String(sfLocale ?? 'en_US');
const displayName = (user: Row) => user.Name ?? [user.FirstName, user.LastName].filter(Boolean).join(' ');

/** `GET /id/<org>/<user>`: the identity service's JSON document. */
export function identityDocument(org: LocalOrg, user: Row, version?: string): Record<string, unknown> {
  const organization = org.db.get('Organization', org.orgId);
  return {
    id: identityUrl(org, user.Id),
    asserted_user: true,
    user_id: user.Id,
    organization_id: org.orgId,
    username: user.Username,
    nick_name: user.CommunityNickname ?? null,
    display_name: displayName(user),
    email: user.Email,
    email_verified: true,
    first_name: user.FirstName ?? null,
    last_name: user.LastName,
    timezone: user.TimeZoneSidKey,
    photos: photos(org, user.Id),
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: organization?.Country ?? null,
    addr_zip: null,
    mobile_phone: null,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: identityUrls(org, user.Id, version),
    active: user.IsActive === true,
    user_type: String(user.UserType ?? 'Standard').toUpperCase(),
    language: user.LanguageLocaleKey,
    locale: localeTag(user.LocaleSidKey),
    utcOffset: utcOffsetMs(String(user.TimeZoneSidKey ?? 'GMT'), org.now()),
    last_modified_date: user.LastModifiedDate ?? null,
    is_app_installed: true,
  };
}

/** `GET /services/oauth2/userinfo`: OpenID Connect claims plus Salesforce's own. */
export function userInfoDocument(org: LocalOrg, user: Row, integrationUser: boolean): Record<string, unknown> {
  const organization = org.db.get('Organization', org.orgId);
  return {
    sub: identityUrl(org, user.Id),
    user_id: user.Id,
    organization_id: org.orgId,
    preferred_username: user.Username,
    nickname: user.CommunityNickname ?? null,
    name: displayName(user),
    email: user.Email,
    email_verified: true,
    given_name: user.FirstName ?? null,
    family_name: user.LastName,
    zoneinfo: user.TimeZoneSidKey,
    photos: photos(org, user.Id),
    profile: `${org.instanceUrl}/${user.Id}`,
    picture: photos(org, user.Id).picture,
    address: { country: organization?.Country ?? null },
    is_salesforce_integration_user: integrationUser,
    urls: identityUrls(org, user.Id),
    active: user.IsActive === true,
    user_type: String(user.UserType ?? 'Standard').toUpperCase(),
    language: user.LanguageLocaleKey,
    locale: localeTag(user.LocaleSidKey),
    utcOffset: utcOffsetMs(String(user.TimeZoneSidKey ?? 'GMT'), org.now()),
    updated_at: String(user.LastModifiedDate ?? '')
      .replace(/\.\d{3}\+0000$/, 'Z')
      .replace(/\+0000$/, 'Z'),
  };
}
