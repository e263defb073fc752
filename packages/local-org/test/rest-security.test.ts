import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningLocalOrg } from '../src/server';
import { adminConnection, integrationUser, rejection, startOrg } from './rest-fixture';

describe('REST API: object and field-level security of the running user', () => {
  let running: RunningLocalOrg;
  let token: string;
  before(async () => {
    running = await startOrg();
    token = integrationUser(running).accessToken;
  });
  after(async () => {
    await running.close();
  });

  it('lets an integration user read only what its permission set grants', async () => {
    const conn = adminConnection(running, token);
    const accounts = await conn.query<{ Name: string; Phone: string }>('SELECT Name, Phone FROM Account ORDER BY Name');
    assert.equal(accounts.totalSize, 3);
    assert.equal(accounts.records[0].Name, 'Acme Corporation');
    assert.equal(accounts.records[0].Phone, '+1 555 0100');

    const website = await rejection(conn.query('SELECT Name, Website FROM Account'));
    assert.equal(website.errorCode, 'INVALID_FIELD');
    assert.match(website.message, /No such column 'Website' on entity 'Account'/);
    for (const type of ['Contact', 'Campaign']) {
      const err = await rejection(conn.query(`SELECT Id FROM ${type}`));
      assert.equal(err.errorCode, 'INVALID_TYPE', type);
    }
    const hidden = await rejection(conn.sobject('Contact').describe());
    assert.equal(hidden.errorCode, 'NOT_FOUND');
  });

  it('describes objects as the user sees them', async () => {
    const conn = adminConnection(running, token);
    const global = await conn.describeGlobal();
    const names = global.sobjects.map((s) => s.name);
    assert.ok(names.includes('Account'));
    assert.ok(!names.includes('Contact') && !names.includes('Campaign'));
    const d = await conn.sobject('Account').describe();
    assert.equal(d.createable, false);
    assert.equal(d.updateable, false);
    const fields = d.fields.map((f) => f.name);
    assert.ok(fields.includes('Name') && fields.includes('Phone'));
    assert.ok(!fields.includes('Website'));
    assert.equal(d.fields.find((f) => f.name === 'Phone')?.updateable, false);
  });

  it('refuses writes without edit access with INSUFFICIENT_ACCESS_OR_READONLY', async () => {
    const conn = adminConnection(running, token);
    const acme = running.org.db.find('Account', (a) => a.Name === 'Acme Corporation')!;
    const update = await rejection(conn.sobject('Account').update({ Id: acme.Id, Phone: '+1 555 9999' }));
    assert.equal(update.errorCode, 'INSUFFICIENT_ACCESS_OR_READONLY');
    const create = await rejection(conn.sobject('Account').create({ Name: 'Not allowed' }));
    assert.equal(create.errorCode, 'INSUFFICIENT_ACCESS_OR_READONLY');
    assert.equal(running.org.db.get('Account', acme.Id)?.Phone, '+1 555 0100');
    const website = await rejection(conn.sobject('Account').retrieve(acme.Id, { fields: ['Website'] } as never));
    assert.equal(website.errorCode, 'INVALID_FIELD');
  });
});
