import type { OrgDatabase } from '../store/database';
import { makeId } from '../store/ids';

/**
 * Salesforce's sandbox name rule (Setup, "Create a Sandbox"): at most 10 characters, letters and digits,
 * beginning with a letter. The name becomes every copied username's suffix.
 */
export const SANDBOX_NAME = /^[A-Za-z][A-Za-z0-9]{0,9}$/;

/** The sandbox's Organization fields; OrganizationType stays the production org's edition, as in Salesforce. */
export const SANDBOX_INSTANCE_NAME = 'LO1S';

export function checkSandboxName(name: string): string {
  if (!SANDBOX_NAME.test(name)) {
    throw new Error(
      `sandboxName "${name}" is not a sandbox name: up to 10 letters and digits, beginning with a letter`,
    );
  }
  return name;
}

/**
 * Turns the org in `db` (a fresh seed, or a copy of a production org's state) into a sandbox of it, as a
 * sandbox copy does (Salesforce Help, "Sandbox Users and Contacts"): the sandbox is its own org (its own
 * Organization id, IsSandbox, a sandbox instance), every username gets `.<sandbox name>` appended, every
 * email but the creating administrator's gets `.invalid` appended, and nobody's production sessions
 * come along. Record ids are kept, as a sandbox copy keeps them.
 */
export function makeSandbox(
  db: OrgDatabase,
  input: { name: string; adminUserId: string },
): { orgId: string; adminUsername: string } {
  const { name, adminUserId } = input;
  const [production] = [...db.rows('Organization')];
  if (!production) throw new Error('the org has no Organization record to copy');
  const orgId = makeId('00D', 1, 'Ls');
  if (production.IsSandbox !== true) {
    db.delete('Organization', production.Id);
    db.insert('Organization', { ...production, Id: orgId, IsSandbox: true, InstanceName: SANDBOX_INSTANCE_NAME });
    for (const user of [...db.rows('User')]) {
      db.update('User', user.Id, {
        Username: `${String(user.Username)}.${name}`,
        ...(user.Id === adminUserId || !user.Email ? {} : { Email: `${String(user.Email)}.invalid` }),
      });
    }
    for (const session of [...db.rows('_Session')]) db.delete('_Session', session.Id);
    const bootstrap = db.get('_Bootstrap', 'bootstrap');
    if (bootstrap) db.update('_Bootstrap', 'bootstrap', { username: `${String(bootstrap.username)}.${name}` });
  }
  const admin = db.get('User', adminUserId);
  return { orgId, adminUsername: String(admin?.Username) };
}
