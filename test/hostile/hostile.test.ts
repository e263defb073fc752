// Hostile input: a corpus of bad specs (test/hostile/corpus/, one file per case, expectations in the
// table below) and bad commands. Each gets a clear error that names the field, and the local org's write
// counter shows that nothing was written. A second part proves that values placed into SOQL are escaped:
// hostile values go through prepareOnboarding and the salesforce modules and match only literally.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { approve, prepareOnboarding, startOnboarding } from '../../src/client/onboarding';
import { CodecKeyError, loadKeyRing } from '../../src/codec/key-ring';
import { ConfigError, loadConfig } from '../../src/config';
import { LocalOrgAdmin } from '@onramp/local-org';
import { revokeAppTokens } from '../../src/salesforce/apps';
import { readOrgFacts } from '../../src/salesforce/spec-checks';
import { orgFindings } from '../../src/spec/org-findings';
import { removePermissionSetLicense } from '../../src/salesforce/licenses';
import { deletePermissionSet, unassignPermissionSet } from '../../src/salesforce/permission-sets';
import { findUserByUsername, retireUser } from '../../src/salesforce/users';
import { approveUpdate, onboardingWorkflowId } from '../../src/shared/messages';
import { DEV_PEOPLE } from '../../src/signoff';
import type { ValidationIssue } from '../../src/spec/plan';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { approveByPolicy } from '../onboarding/helpers';

const CORPUS_DIR = join(__dirname, 'corpus');
const BILLING = readFileSync('examples/billing.yaml', 'utf8');
const SPEC_FIELD_RULE = 'must use lower-case letters, digits and single hyphens';

/** file → the spec path the error must name and what it must say. */
const CORPUS: Record<string, [path: string, message: RegExp]> = {
  'yaml-bad-indent': ['', /malformed YAML: .* at line 13, column 9/],
  'yaml-tab-indent': ['', /malformed YAML: Tabs are not allowed as indentation at line 14/],
  'yaml-unclosed-quote': ['', /malformed YAML: Missing closing "quote/],
  'yaml-unclosed-flow-sequence': ['', /malformed YAML: Flow sequence .* end with a \] at line 16/],
  'yaml-duplicate-key': ['', /malformed YAML: Map keys must be unique at line 5/],
  'yaml-not-a-mapping': ['', /the spec must be a mapping of keys, got a list/],
  'yaml-empty': ['', /the file is empty/],
  'yaml-two-documents': ['', /more than one YAML document/],
  'wrong-api-version': ['apiVersion', /must be onramp\/v1/],
  'wrong-kind': ['kind', /must be Integration/],
  'unknown-object': ['access.objects[1].name', /the org has no object Nonexistent__c/],
  'unsupported-object': ['access.objects[1].name', /Campaign is not available to the Salesforce Integration license/],
  'unknown-field': ['access.fields[0].name', /Opportunity has no field Nope__c/],
  'unknown-apex-class': ['access.apexClasses[0]', /the org has no Apex class NoSuchClass/],
  'name-soql-injection': ['name', new RegExp(SPEC_FIELD_RULE)],
  'name-like-wildcards': ['name', new RegExp(SPEC_FIELD_RULE)],
  'name-backslash': ['name', new RegExp(SPEC_FIELD_RULE)],
  'name-too-long': ['name', /must be at most 40 characters/],
  'name-uppercase': ['name', new RegExp(SPEC_FIELD_RULE)],
  'object-name-injection': ['access.objects[1].name', /must be an object API name/],
  'field-name-injection': ['access.fields[0].name', /must be Object.Field/],
  'apex-class-injection': ['access.apexClasses[0]', /must be an Apex class name/],
  'approver-backslash': ['approvers[0]', /must be an email address or a handle/],
  'approver-soql-injection': ['approvers[0]', /must be an email address or a handle/],
  'requested-by-injection': ['requestedBy', /must be an email address or a handle/],
  'display-name-too-long': ['displayName', /must be at most 80 characters/],
  'owner-too-long': ['owner', /must be at most 254 characters/],
  'username-too-long': ['user.username', /must be at most 80 characters/],
  'last-name-too-long': ['user.lastName', /must be at most 80 characters/],
  'callback-http': ['app.callbackUrls[0]', /must use https/],
  'callback-http-localhost': ['app.callbackUrls[0]', /http:\/\/localhost is refused/],
  'callback-wildcard': ['app.callbackUrls[0]', /wildcards are not allowed/],
  'callback-fragment': ['app.callbackUrls[0]', /must not contain a fragment/],
  'callback-credentials': ['app.callbackUrls[0]', /must not contain credentials/],
  'full-scope-without-justification': [
    'app.fullScopeJustification',
    /full scope needs a justification of at least 20 characters/,
  ],
  'full-scope-short-justification': [
    'app.fullScopeJustification',
    /full scope needs a justification of at least 20 characters/,
  ],
  'username-password-flow': ['app.flow', /username-password flow is refused/],
  'unknown-flow': ['app.flow', /unknown flow "saml"/],
  'unknown-scope': ['app.scopes[0]', /unknown OAuth scope "apii"/],
  'approvals-required-exceeds-approvers': ['approvalsRequired', /is 3 but only 2 distinct approver\(s\) are listed/],
  'approvals-required-zero': ['approvalsRequired', /must be at least 1/],
  'duplicate-approver': ['approvers[1]', /duplicate approver \(same as approvers\[0\]\)/],
  'bad-duration': ['approvalTimeout', /must be a duration such as 90m, 72h, 7d or 2w/],
  'duration-too-long': ['approvalTimeout', /at most 90d/],
  'duration-zero': ['approvalTimeout', /must be more than 0/],
  'ip-range-bad-address': ['app.trustedIpRanges[0].start', /must be an IPv4 address/],
  'ip-range-reversed': ['app.trustedIpRanges[0].end', /must not be lower than start \(10.0.0.20\)/],
  'ip-range-cidr': ['app.trustedIpRanges[0].start', /must be an IPv4 address/],
  'typo-top-level-key': ['aprovers', /unknown key "aprovers"; did you mean "approvers"\?/],
  'typo-app-key': ['app.scope', /unknown key "scope"; did you mean "scopes"\?/],
  'typo-object-key': ['access.objects[0].right', /unknown key "right"; did you mean "rights"\?/],
  'certificate-validity-too-long': ['app.certificateValidityDays', /must be at most 825/],
  'certificate-with-client-credentials': ['app.certificateValidityDays', /only applies to jwt-bearer/],
  'right-without-dependency': ['access.objects[2].rights', /delete requires read, edit/],
  'field-object-not-granted': ['access.fields[0].name', /needs read on Contact/],
  'session-timeout-not-offered': ['app.sessionTimeoutMinutes', /must be one of 15, 30, 60/],
  'ip-policy-unknown': ['app.ipPolicy', /must be one of enforce, relax/],
  'duplicate-object': ['access.objects[1].name', /Account is already granted at access.objects\[0\]/],
};

const errorsOf = (issues: ValidationIssue[]) => issues.filter((i) => i.severity === 'error');
const show = (issues: ValidationIssue[]) =>
  errorsOf(issues)
    .map((i) => `${i.path}: ${i.message}`)
    .join('\n');
/** A refused update, with the failure type and a message naming the culprit. */
const refused = (type: string, message: RegExp) => (error: unknown) => {
  const cause = (error as { cause?: { type?: string; message?: string } }).cause;
  return cause?.type === type && message.test(cause.message ?? '');
};

describe('hostile input', () => {
  let stack: OnrampStack;
  let orgAdmin: LocalOrgAdmin;

  before(async () => {
    stack = await startOnrampStack();
    orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    // One integration already onboarded (duplicate, finished-workflow cases), one awaiting approval.
    const billing = await startOnboarding(
      stack.client,
      stack.config,
      await prepareOnboarding({ text: BILLING }, stack.config, await stack.admin()),
      stack.signoff.submission(),
    );
    await approveByPolicy(stack, 'billing');
    await billing.result();
    await startOnboarding(
      stack.client,
      stack.config,
      await prepareOnboarding(
        { text: BILLING.replace('name: billing', 'name: ledger') },
        stack.config,
        await stack.admin(),
      ),
      stack.signoff.submission(),
    );
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
  });

  /** Runs a hostile action with the org's counters zeroed and checks that it wrote nothing. */
  async function writesNothing<T>(action: () => Promise<T>): Promise<T> {
    await orgAdmin.resetCalls();
    const result = await action();
    const calls = await orgAdmin.calls();
    assert.equal(calls.writes, 0, `org writes: ${JSON.stringify(calls.writesByEndpoint)}`);
    return result;
  }

  test('the corpus holds at least 40 specs and the table covers exactly them', () => {
    const files = readdirSync(CORPUS_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort();
    assert.ok(files.length >= 40, `${files.length} corpus files`);
    assert.deepEqual(files, Object.keys(CORPUS).sort());
  });

  for (const [file, [path, message]] of Object.entries(CORPUS)) {
    test(`spec ${file}: refused at ${path || 'the file'}, nothing written`, async () => {
      await writesNothing(async () => {
        const prepared = await prepareOnboarding(
          { path: join(CORPUS_DIR, `${file}.yaml`) },
          stack.config,
          await stack.admin(),
        );
        assert.ok(
          errorsOf(prepared.issues).some((i) => i.path === path && message.test(i.message)),
          `expected ${path}: ${message}, got:\n${show(prepared.issues)}`,
        );
        await assert.rejects(
          startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission()),
          /the spec has errors/,
        );
      });
    });
  }

  test('command: a spec file that does not exist', async () => {
    const prepared = await writesNothing(() =>
      prepareOnboarding({ path: join(CORPUS_DIR, 'missing.yaml') }, stack.config, stack.admin() as never),
    );
    assert.match(show(prepared.issues), /cannot read .*missing\.yaml/);
  });

  test('command: onboarding an integration that is already onboarded', async () => {
    await writesNothing(async () => {
      const prepared = await prepareOnboarding({ text: BILLING }, stack.config, await stack.admin());
      const errors = show(prepared.issues);
      assert.match(errors, /^(name|user\.username): .*billing\.integration@integrations\.acme\.example/m);
      assert.match(errors, /name: a permission set named Onramp_Billing already exists/);
      assert.match(errors, /name: an app named Onramp_Billing already exists/);
      await assert.rejects(
        startOnboarding(stack.client, stack.config, prepared, stack.signoff.submission()),
        /the spec has errors/,
      );
      // Even bypassing the checks, the finished workflow's id cannot start again.
      const ledger = await prepareOnboarding(
        { text: BILLING.replace('name: billing', 'name: ledger') },
        stack.config,
        await stack.admin(),
      );
      await assert.rejects(
        stack.client.workflow.start('onboardIntegration', {
          taskQueue: stack.config.temporal.taskQueue,
          workflowId: onboardingWorkflowId('billing'),
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [{ integration: ledger.resolved!, plan: ledger.plan!, onboardingId: 'again' }],
        }),
        WorkflowExecutionAlreadyStartedError,
      );
    });
  });

  test('command: approval by someone who is not an approver', async () => {
    await writesNothing(() =>
      assert.rejects(
        approve(
          stack.client,
          'ledger',
          stack.signoff.decision({
            sub: "mallory' OR 1=1",
            email: "mallory' OR 1=1@evil.example",
            groups: ["' OR 1=1"],
          }),
        ),
        refused('NotAnApprover', /mallory' OR 1=1@evil\.example is not among/),
      ),
    );
  });

  test('command: self-approval by the requester (any casing)', async () => {
    await writesNothing(() =>
      assert.rejects(
        approve(
          stack.client,
          'ledger',
          stack.signoff.decision({ ...DEV_PEOPLE.requester, email: 'JDoe@Acme.Example' }),
        ),
        refused('SelfApproval', /requested this onboarding and cannot decide on it/),
      ),
    );
  });

  test('command: approval without a signed statement (raw update, any approver)', async () => {
    const handle = stack.client.workflow.getHandle(onboardingWorkflowId('ledger'));
    for (const approver of ['   ', '', 'security@acme.example']) {
      const raw = () => handle.executeUpdate(approveUpdate, { args: [{ approver }], updateId: `raw:${approver}` });
      await writesNothing(() => assert.rejects(raw(), refused('SignatureRefused', /no signed statement/)));
    }
  });

  test('command: approval of a finished workflow', async () => {
    await writesNothing(() =>
      assert.rejects(
        approve(
          stack.client,
          'billing',
          stack.signoff.decision({ sub: 'carol', email: 'carol@acme.example', groups: ['security@acme.example'] }),
        ),
        /workflow execution already completed|no longer awaiting approval/,
      ),
    );
  });

  test('command: approval of an integration that was never requested', async () => {
    await writesNothing(() =>
      assert.rejects(approve(stack.client, 'nobody', stack.signoff.decision('securityApprover')), /not found/i),
    );
  });

  test('bad config: each problem names the setting and its variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-hostile-'));
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '{}\n');
    const issues = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig({ ONRAMP_CONFIG: empty, ...env });
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.issues.join('\n');
      }
      assert.fail('the configuration was accepted');
    };
    const missing = issues({});
    for (const variable of [
      'ONRAMP_SF_INSTANCE_URL',
      'ONRAMP_SF_USERNAME',
      'ONRAMP_SF_CONSUMER_KEY',
      'ONRAMP_SF_PRIVATE_KEY_PATH',
    ]) {
      assert.match(missing, new RegExp(`salesforce\\.\\w+ \\(${variable}\\): `), 'each missing setting named');
    }
    const valid = {
      ONRAMP_SF_USERNAME: 'admin@acme.example',
      ONRAMP_SF_CONSUMER_KEY: '3MVG9-consumer-key',
      ONRAMP_SF_PRIVATE_KEY_PATH: '/keys/onramp.pem',
    };
    assert.match(
      issues({ ...valid, ONRAMP_SF_INSTANCE_URL: 'acme.my.salesforce.com' }),
      /salesforce\.instanceUrl \(ONRAMP_SF_INSTANCE_URL\): must be the org's My Domain URL/,
    );
    assert.match(
      issues({ ...valid, ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com', ONRAMP_SF_LOGIN_URL: 'not a url' }),
      /salesforce\.loginUrl \(ONRAMP_SF_LOGIN_URL\)/,
    );
    assert.match(
      issues({ ...valid, ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com', ONRAMP_SF_API_VERSION: '62' }),
      /salesforce\.apiVersion \(ONRAMP_SF_API_VERSION\): must look like 62\.0/,
    );
    assert.match(
      issues({
        ...valid,
        ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
        ONRAMP_SF_USERNAME_SUFFIX: "acme' OR 1=1",
      }),
      /salesforce\.usernameSuffix \(ONRAMP_SF_USERNAME_SUFFIX\): must be a domain-like suffix/,
    );
    assert.match(
      issues({ ...valid, ONRAMP_SF_INSTANCE_URL: 'https://acme.my.salesforce.com', ONRAMP_CODEC_TOKEN: 'short' }),
      /codec\.serverToken \(ONRAMP_CODEC_TOKEN\): must be at least 32 characters/,
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'salesforce: [unclosed\n');
    assert.throws(
      () => loadConfig({ ONRAMP_CONFIG: broken }),
      (e: unknown) => e instanceof ConfigError && e.message.includes('broken.yaml'),
    );
    assert.throws(
      () => loadKeyRing({ keys: 'k1=notakey' }),
      (e: unknown) =>
        e instanceof CodecKeyError && /ONRAMP_CODEC_KEYS: each entry must be id:base64key/.test(e.message),
    );
  });
});

describe('values placed into SOQL are escaped', () => {
  let stack: OnrampStack;
  let orgAdmin: LocalOrgAdmin;
  const QUOTED = "o'brien@acme.example";
  const LOOKALIKE = 'obrien@acme.example';
  const BACKSLASH = 'back\\slash@acme.example';
  const WILDCARDS = 'a_b%c@acme.example';
  const INJECTIONS = ["x' OR Username != '", "x\\' OR Username != \\'", "' OR Name LIKE '%", "x') OR (Id != '"];

  before(async () => {
    stack = await startOnrampStack();
    orgAdmin = new LocalOrgAdmin(stack.org.instanceUrl);
    for (const username of [QUOTED, LOOKALIKE, BACKSLASH, WILDCARDS, 'axbyc@acme.example']) {
      await orgAdmin.insertRecord('User', {
        Username: username,
        LastName: 'Hostile',
        Email: 'h@acme.example',
        Alias: 'host',
        IsActive: true,
        FederationIdentifier: `foreign:${username}`,
      });
    }
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
  });

  test('user lookups match quotes, backslashes, % and _ literally, and injections match nobody', async () => {
    const conn = await stack.admin();
    await orgAdmin.resetCalls();
    for (const username of [QUOTED, LOOKALIKE, BACKSLASH, WILDCARDS])
      assert.equal((await findUserByUsername(conn, username))?.Username, username);
    assert.equal(await findUserByUsername(conn, 'a%@acme.example'), undefined, '% is not a wildcard in =');
    for (const injection of INJECTIONS) assert.equal(await findUserByUsername(conn, injection), undefined, injection);
    assert.equal((await orgAdmin.calls()).writes, 0);
  });

  test('undo steps given hostile names find nothing and touch nothing', async () => {
    const conn = await stack.admin();
    const before = stack.org.org.snapshot();
    await orgAdmin.resetCalls();
    for (const injection of INJECTIONS) {
      assert.equal(await deletePermissionSet(conn, injection, '[onramp:x]'), 'absent');
      assert.equal(await unassignPermissionSet(conn, injection, '[onramp:x]'), 0);
      for (const kind of ['connected-app', 'external-client-app'] as const) {
        const owner = { appMarker: '[onramp:x]', username: injection, userMarker: 'onramp:x:y' };
        assert.equal(await revokeAppTokens(conn, { kind, apiName: injection }, owner), 0);
      }
      // An Id column compared with a non-id is refused as Salesforce does, quoting the literal whole.
      await assert.rejects(removePermissionSetLicense(conn, injection, injection), (e: unknown) =>
        (e as Error).message.includes(`invalid ID field: ${injection}`),
      );
      assert.equal(await retireUser(conn, injection, 'onramp:x:y'), 'absent');
    }
    // A foreign user whose name has a quote is found exactly, and refused rather than adopted.
    await assert.rejects(retireUser(conn, QUOTED, 'onramp:x:y'), /not created by this onboarding/);
    assert.equal((await orgAdmin.calls()).writes, 0);
    assert.deepEqual(stack.org.org.snapshot().tables.User, before.tables.User);
  });

  test('prepareOnboarding: a username with a quote finds exactly that user; an injection finds none', async () => {
    const specWith = (username: string) => ({
      text: BILLING.replace('approvalsRequired: 1', `approvalsRequired: 1\nuser:\n  username: "${username}"`),
    });
    await orgAdmin.resetCalls();
    const taken = await prepareOnboarding(specWith(QUOTED), stack.config, await stack.admin());
    assert.deepEqual(
      errorsOf(taken.issues).map((i) => [i.path, i.message]),
      [['user.username', `a user ${QUOTED} already exists; choose another username with user.username`]],
    );
    const injected = await prepareOnboarding(specWith("x'or'1'='1@acme.example"), stack.config, await stack.admin());
    assert.deepEqual(errorsOf(injected.issues), [], show(injected.issues));
    assert.equal((await orgAdmin.calls()).writes, 0);
  });

  test('spec-checks on values the schema would refuse: Apex class names with SOQL in them match nothing', async () => {
    const prepared = await prepareOnboarding({ text: BILLING }, stack.config, await stack.admin());
    const resolved = structuredClone(prepared.resolved!);
    resolved.access.apexClasses = ["BillingSync') OR Name != ('", 'BillingSync\\', 'Billing%'];
    await orgAdmin.resetCalls();
    const checks = orgFindings(resolved, await readOrgFacts(await stack.admin(), resolved));
    assert.deepEqual(
      checks.issues.filter((i) => i.code === 'unknown-apex-class').map((i) => i.path),
      ['access.apexClasses[0]', 'access.apexClasses[1]', 'access.apexClasses[2]'],
    );
    assert.equal((await orgAdmin.calls()).writes, 0);
  });
});
