import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NameDerivationError, deriveNames, isValidApiName, toApiNameWords } from '../../src/spec/names';

describe('deriveNames', () => {
  it('derives every org-visible name from the slug', () => {
    const n = deriveNames('billing-system', { usernameSuffix: 'Acme.Example', displayName: 'Billing system' });
    assert.equal(n.username, 'billing-system.integration@acme.example');
    assert.equal(n.permissionSetName, 'Onramp_Billing_System');
    assert.equal(n.appApiName, 'Onramp_Billing_System');
    assert.equal(n.permissionSetLabel, 'Onramp: Billing system');
    assert.equal(n.alias, 'billings');
    assert.equal(n.communityNickname, 'billing-system.integration');
    assert.deepEqual(n.secretNames, {
      privateKey: 'billing-system/private-key',
      consumerSecret: 'billing-system/consumer-secret',
    });
    assert.equal(n.marker, '[onramp:billing-system]');
  });

  it('is deterministic', () => {
    const a = deriveNames('warehouse', { usernameSuffix: 'acme.example' });
    const b = deriveNames('warehouse', { usernameSuffix: 'acme.example' });
    assert.deepEqual(a, b);
  });

  it('keeps digits as words and produces legal API names', () => {
    assert.equal(toApiNameWords('erp-2-eu'), 'Erp_2_Eu');
    const n = deriveNames('erp-2-eu', { usernameSuffix: 'acme.example' });
    assert.equal(n.permissionSetName, 'Onramp_Erp_2_Eu');
    assert.ok(isValidApiName(n.permissionSetName));
  });

  it('stays within Salesforce limits for the longest slug', () => {
    const slug = `a${'-b'.repeat(19)}c`.slice(0, 40);
    assert.equal(slug.length, 40);
    const n = deriveNames(slug, { usernameSuffix: 'x.io', displayName: 'D'.repeat(80) });
    assert.ok(n.permissionSetName.length <= 80);
    assert.ok(isValidApiName(n.permissionSetName), n.permissionSetName);
    assert.ok(n.alias.length <= 8);
    assert.ok(n.communityNickname.length <= 40);
    assert.ok(n.permissionSetLabel.length <= 80);
    assert.ok(n.appLabel.length <= 80);
  });

  it('uses the username override, lower-cased', () => {
    const n = deriveNames('billing', { usernameSuffix: 'acme.example', username: 'Billing.API@Acme.Example' });
    assert.equal(n.username, 'billing.api@acme.example');
  });

  it('refuses slugs that would produce illegal names, naming the path', () => {
    for (const bad of ['Billing', 'b', '1billing', 'billing-', 'bill--ing', 'bill_ing', 'x'.repeat(41)]) {
      assert.throws(
        () => deriveNames(bad, { usernameSuffix: 'acme.example' }),
        (e: unknown) => e instanceof NameDerivationError && e.path === 'name',
        bad,
      );
    }
  });

  it('refuses a suffix that is not domain-like', () => {
    assert.throws(
      () => deriveNames('billing', { usernameSuffix: 'not a domain' }),
      (e: unknown) => e instanceof NameDerivationError && e.path === 'usernameSuffix',
    );
  });

  it('refuses a derived username longer than 80 characters', () => {
    const suffix = `${'s'.repeat(60)}.example`;
    assert.throws(
      () => deriveNames('billing-system', { usernameSuffix: suffix }),
      (e: unknown) => e instanceof NameDerivationError && e.path === 'name' && /80/.test(e.message),
    );
  });
});

describe('isValidApiName', () => {
  it('applies the PermissionSet.Name rules', () => {
    assert.ok(isValidApiName('Onramp_Billing'));
    assert.ok(!isValidApiName('1Onramp'));
    assert.ok(!isValidApiName('Onramp__Billing'));
    assert.ok(!isValidApiName('Onramp_'));
    assert.ok(!isValidApiName('Onramp-Billing'));
    assert.ok(!isValidApiName('O'.repeat(81)));
  });
});
