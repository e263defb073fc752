import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, LEGACY_ORG_NAME, loadConfig, orgRef, orgSettings, usernameSuffixOf } from '../../src/config';

const org = (host: string, extra: Record<string, unknown> = {}) => ({
  instanceUrl: `https://${host}.my.salesforce.com`,
  username: `onramp@${host}.example`,
  consumerKey: '3MVG9onrampAdminApp',
  privateKeyPath: `${host}.pem`,
  ...extra,
});

const issuesOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  assert.fail('the configuration was accepted');
};

describe('many orgs in the configuration', () => {
  test('the single salesforce block (and ONRAMP_SF_*) is one org named default, the default org', () => {
    const { instanceUrl: _fromEnv, ...settings } = org('acme');
    const config = loadConfig({ ONRAMP_SF_INSTANCE_URL: 'https://env.my.salesforce.com' }, { salesforce: settings });
    assert.equal(config.defaultOrg, LEGACY_ORG_NAME);
    assert.deepEqual(Object.keys(config.orgs), ['default']);
    assert.equal(config.salesforce.instanceUrl, 'https://env.my.salesforce.com');
    assert.equal(config.salesforce.kind, 'production');
    assert.equal(config.salesforce.audience, 'https://login.salesforce.com');
    assert.equal(orgRef(config), undefined);
    assert.equal(orgRef(config, 'default'), undefined);
  });

  test('named orgs: a sandbox of a production org gets the test.salesforce.com audience; refs name non-default orgs', () => {
    const config = loadConfig(
      {},
      {
        defaultOrg: 'production',
        orgs: {
          production: org('acme'),
          uat: org('acme--uat.sandbox', { kind: 'sandbox', sandboxOf: 'production', usernameSuffix: 'uat.acme.com' }),
        },
      },
    );
    assert.equal(config.salesforce.name, 'production');
    assert.equal(config.orgs.uat!.audience, 'https://test.salesforce.com');
    assert.equal(config.orgs.uat!.sandboxOf, 'production');
    assert.equal(orgRef(config, 'production'), undefined);
    assert.equal(orgRef(config, 'uat'), 'uat');
    assert.equal(usernameSuffixOf(config, 'uat'), 'uat.acme.com');
    assert.equal(usernameSuffixOf(config), 'acme.example');
    assert.throws(
      () => orgSettings(config, 'staging'),
      /unknown org "staging": onramp is configured for production, uat/,
    );
  });

  test('the salesforce block beside named orgs is the default org, under defaultOrg when it is given', () => {
    const config = loadConfig({}, { salesforce: org('acme'), orgs: { uat: org('uat', { kind: 'sandbox' }) } });
    assert.equal(config.defaultOrg, 'default');
    assert.deepEqual(Object.keys(config.orgs).sort(), ['default', 'uat']);
    const named = loadConfig({}, { defaultOrg: 'prod', salesforce: org('acme'), orgs: { uat: org('uat') } });
    assert.equal(named.salesforce.name, 'prod');
    assert.equal(named.orgs.prod!.instanceUrl, 'https://acme.my.salesforce.com');
  });

  test('a loaded configuration written out loads again to the same orgs (tests and tools write it so)', () => {
    for (const given of [
      { salesforce: org('acme') },
      { defaultOrg: 'production', orgs: { production: org('acme'), uat: org('uat', { kind: 'sandbox' }) } },
    ]) {
      const config = loadConfig({}, given);
      const again = loadConfig({}, JSON.parse(JSON.stringify(config)) as Record<string, unknown>);
      // Where each org was configured may read differently (the default org is also the salesforce block).
      const settings = (c: typeof config) => Object.values(c.orgs).map(({ configPath: _configPath, ...rest }) => rest);
      assert.deepEqual(settings(again), settings(config));
      assert.equal(again.defaultOrg, config.defaultOrg);
    }
  });

  test('wrong org settings are refused naming the field', () => {
    assert.deepEqual(
      issuesOf(() =>
        loadConfig(
          {},
          {
            defaultOrg: 'production',
            orgs: {
              production: org('acme'),
              uat: org('uat', { kind: 'sandbox', sandboxOf: 'prod' }),
              qa: org('qa', { kind: 'sandbox', sandboxOf: 'uat' }),
              dev: org('dev', { sandboxOf: 'production' }),
            },
          },
        ),
      ),
      [
        'orgs.uat.sandboxOf: names no configured org (configured: production, uat, qa, dev)',
        'orgs.qa.sandboxOf: uat is not a production org',
        'orgs.dev.sandboxOf: only a sandbox (kind: sandbox) belongs to a production org',
      ],
    );
    assert.deepEqual(
      issuesOf(() => loadConfig({}, { orgs: { production: org('acme'), uat: org('uat') } })),
      [
        'defaultOrg (ONRAMP_DEFAULT_ORG): must name the org a command without --org acts on (configured: production, uat)',
      ],
    );
    assert.deepEqual(
      issuesOf(() => loadConfig({}, { defaultOrg: 'prod', orgs: { production: org('acme') } })),
      ['defaultOrg (ONRAMP_DEFAULT_ORG): names no configured org (configured: production)'],
    );
    assert.deepEqual(
      issuesOf(() => loadConfig({}, { orgs: { Prod_1: org('acme') } })).map((i) => i.split(':')[0]),
      ['orgs.Prod_1'],
    );
    assert.deepEqual(
      issuesOf(() => loadConfig({}, { orgs: { uat: { ...org('uat'), kind: 'scratch', instanceUrl: 'x' } } })),
      [
        'orgs.uat.kind: must be production or sandbox',
        "orgs.uat.instanceUrl: must be the org's My Domain URL, e.g. https://acme.my.salesforce.com",
      ],
    );
    assert.deepEqual(
      issuesOf(() => loadConfig({}, { salesforce: org('acme'), orgs: { default: org('other') } })),
      ['orgs.default: the salesforce block (ONRAMP_SF_*) is already the org named default; name one of them otherwise'],
    );
  });

  test('with neither a salesforce block nor orgs, each Salesforce setting is reported with its variable', () => {
    const issues = issuesOf(() => loadConfig({}, {}));
    assert.ok(
      issues.includes(
        "salesforce.instanceUrl (ONRAMP_SF_INSTANCE_URL): must be the org's My Domain URL, e.g. https://acme.my.salesforce.com",
      ),
      issues.join('\n'),
    );
  });
});
