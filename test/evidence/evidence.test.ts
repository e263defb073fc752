// Evidence packs on the real Temporal server, the local org and the embedded IdP: an auditor downloads the
// pack of an onboarded integration from the server, `onramp evidence` writes the same kind of pack, the
// manifest verifies offline under a pinned thumbprint or a trusted JWKS, changing any file (each, in turn)
// or adding one or re-signing with another key makes verification fail, and no secret is in it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { readAuditReport } from '../../src/audit/report-files';
import { startAudit } from '../../src/client/audit';
import { REGISTRY_LIST_QUERY } from '../../src/client/registry';
import { MANIFEST, SIGNATURE, packEvidence, type Manifest } from '../../src/evidence/pack';
import { quarterOf } from '../../src/evidence/quarter';
import { collectEvidence } from '../../src/evidence/collect';
import { verifyEvidencePack } from '../../src/evidence/verify';
import { generateSigningKey, loadJwks, loadSigningKey, publicJwkOf, thumbprintOf } from '../../src/signoff/keys';
import type { AuditInput } from '../../src/workflows/audit';
import { HttpAgent, useConsoleStack } from '../helpers/console-stack';
import { needlesFor, scanForSecrets, storeNeedles } from '../helpers/secret-scan';
import { seededPersonToken } from '../../src/cli/login';
import { onramp, withEnv } from '../cli/helpers';
import { approveByPolicy, captureAccessTokens, specText, startSpec } from '../onboarding/helpers';

describe('evidence packs', () => {
  const running = useConsoleStack();
  let zipBytes: Buffer;
  let thumbprint: string;
  let accessTokens: Set<string>;

  const audit = async (input: AuditInput = {}) => {
    const { stack } = running;
    const summary = await (await startAudit(stack.client, stack.config, input)).result();
    return (await readAuditReport(stack.config.audit.dir, summary.runId))!;
  };

  before(async () => {
    const { stack } = running;
    accessTokens = captureAccessTokens(stack);
    const { handle } = await startSpec(stack, specText('billing', 'billing'));
    await approveByPolicy(stack, 'billing', 'reviewed the plan');
    await handle.result();
    for (let i = 0; i < 100 && (await stack.client.workflow.count(REGISTRY_LIST_QUERY)).count < 1; i++)
      await new Promise((r) => setTimeout(r, 100));
    // One audit finds the owner gone from a directory export, the next (the directory fixed) no longer does.
    const directory = join(stack.workDir, 'directory.json');
    writeFileSync(
      directory,
      JSON.stringify({ source: 'scim export', exportedAt: '2026-12-01T00:00:00Z', people: [], groups: [] }),
    );
    stack.config.owners.directoryFile = directory;
    try {
      await audit();
    } finally {
      stack.config.owners.directoryFile = undefined;
    }
    await audit();
    thumbprint = await thumbprintOf(publicJwkOf(loadSigningKey(stack.config.evidence.keyFile)));
  });

  test('an auditor downloads the pack from the server; people without the auditor or admin role cannot', async () => {
    const { server } = running;
    const requester = new HttpAgent();
    await requester.signIn(server, 'jdoe@acme.example');
    const refused = await requester.request(`${server.url}/api/integrations/billing/evidence`);
    assert.equal(refused.status, 403);

    const auditor = new HttpAgent();
    await auditor.signIn(server, 'auditor@acme.example');
    const page = await (await auditor.request(`${server.url}/requests/billing`)).text();
    assert.match(page, /href="\/api\/integrations\/billing\/evidence"/);
    const badQuarter = await auditor.request(`${server.url}/api/integrations/billing/evidence?quarter=2026-4`);
    assert.equal(badQuarter.status, 400);
    const response = await auditor.request(`${server.url}/api/integrations/billing/evidence`);
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('content-type'), 'application/zip');
    zipBytes = Buffer.from(await response.arrayBuffer());

    const zip = await JSZip.loadAsync(zipBytes);
    const manifest = JSON.parse(await zip.file(MANIFEST)!.async('string')) as Manifest;
    assert.equal(manifest.integration, 'billing');
    assert.equal(manifest.generatedBy, 'auditor@acme.example');
    assert.equal(manifest.quarter.label, quarterOf(new Date()).label);
    const read = async (path: string) => JSON.parse(await zip.file(path)!.async('string'));

    // The signed statements, verified, with the approvers' identities from the IdP.
    const approvals = await read('approvals/approvals.json');
    assert.equal(approvals.request.verified, true);
    assert.equal(approvals.request.claims.requester.email, 'jdoe@acme.example');
    assert.deepEqual(
      approvals.decisions.map((d: { verified: boolean; claims: { approver: { email: string } } }) => [
        d.verified,
        d.claims.approver.email,
      ]),
      [
        [true, 'alice@acme.example'],
        [true, 'bob@acme.example'],
      ],
    );
    const plan = await read('verification/verification.json');
    assert.equal(plan.planDigest, approvals.request.claims.planDigest);
    assert.equal(plan.verification.loginHistory.status, 'Success');
    assert.ok(plan.verification.outOfScope.length > 0, 'the refused reads are in');
    assert.equal(
      (await read('spec/approved-spec.json')).spec.purpose,
      'Issues invoices from closed opportunities and syncs their status back.',
    );
    const register = await read('register/owner-register.json');
    assert.equal(register.owner, 'billing-team@acme.example');
    assert.equal(register.attestation, 'none recorded for this quarter');
    // The first audit's finding, marked as no longer found by the second.
    const findings = await read('findings/findings.json');
    assert.deepEqual(
      findings.map((f: { finding: { kind: string }; status: string }) => [
        f.finding.kind,
        /^no longer found by audit /.test(f.status),
      ]),
      [['owner-unknown', true]],
    );
    assert.match(await zip.file('runbook.md')!.async('string'), /runbook/i);
    assert.match(await zip.file('report.html')!.async('string'), /SOC2-CC6\.2/);
    assert.match(await zip.file('approvals/approvals.csv')!.async('string'), /"alice@acme.example"/);
    assert.ok((await zip.file('controls.csv')!.async('string')).includes('"spec/approved-spec.json","SOC2-CC6.3"'));
  });

  test('the manifest verifies offline under a pinned thumbprint or a trusted JWKS, and with the CLI', async () => {
    const { stack } = running;
    const pinned = await verifyEvidencePack(zipBytes, { thumbprint });
    assert.deepEqual(pinned.problems, []);
    assert.ok(pinned.ok && pinned.files >= 10);
    const trusted = await verifyEvidencePack(zipBytes, { jwks: loadJwks(stack.config.evidence.jwksFile) });
    assert.ok(trusted.ok, trusted.problems.join('\n'));

    const file = join(stack.workDir, 'pack.zip');
    writeFileSync(file, zipBytes);
    const cli = await onramp('evidence', 'verify', file, '--pin', thumbprint);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^verified: \d+ file\(s\) of billing/);
    const noAnchor = await onramp('evidence', 'verify', file);
    assert.equal(noAnchor.code, 2);
    assert.match(noAnchor.stderr + noAnchor.stdout, /trust anchor/);
  });

  test('changing any file of the pack, adding one, or re-signing with another key fails verification', async () => {
    const original = await JSZip.loadAsync(zipBytes);
    const paths = Object.keys(original.files).filter((p) => !original.files[p]!.dir);
    assert.ok(paths.includes(MANIFEST) && paths.includes(SIGNATURE));
    for (const path of paths) {
      const zip = await JSZip.loadAsync(zipBytes);
      const text = await zip.file(path)!.async('string');
      // One character changed, as a careless or a deliberate edit would.
      const changed = text.replace(/[0-9a-f]/, (c) => (c === '0' ? '1' : '0'));
      assert.notEqual(changed, text, `${path} has something to change`);
      zip.file(path, changed);
      const verdict = await verifyEvidencePack(await zip.generateAsync({ type: 'uint8array' }), { thumbprint });
      assert.equal(verdict.ok, false, `a changed ${path} must not verify`);
    }
    const added = await JSZip.loadAsync(zipBytes);
    added.file('extra.txt', 'slipped in');
    const addedVerdict = await verifyEvidencePack(await added.generateAsync({ type: 'uint8array' }), { thumbprint });
    assert.deepEqual(addedVerdict.problems, ['extra.txt: not listed in the manifest']);

    // A forger re-packs the evidence under a key of their own, embedded in the pack: the pin refuses it.
    const { stack } = running;
    const forger = generateSigningKey('onramp-forged');
    const data = await collectEvidence(stack.client, stack.config, 'billing', quarterOf(new Date()), 'forger');
    const forged = await packEvidence(data, { key: forger, jwks: { keys: [publicJwkOf(forger)] } });
    const forgedVerdict = await verifyEvidencePack(forged, { thumbprint });
    assert.equal(forgedVerdict.ok, false);
    assert.match(
      forgedVerdict.problems.join('\n'),
      /signed by key onramp-forged, which keys\/evidence-jwks.json does not hold|not the pinned/,
    );
    assert.ok((await verifyEvidencePack(forged, { thumbprint: await thumbprintOf(publicJwkOf(forger)) })).ok);
  });

  test('onramp evidence writes a pack that verifies; neither pack holds a secret', async () => {
    const { stack } = running;
    const out = join(stack.workDir, 'cli-pack.zip');
    const { server } = running;
    const auditor = await seededPersonToken(server.url, 'auditor@acme.example');
    const asAuditor = { ONRAMP_SERVER: server.url, ONRAMP_TOKEN: auditor };
    const run = await withEnv(asAuditor, () =>
      onramp('evidence', 'billing', '--quarter', quarterOf(new Date()).label, '--out', out),
    );
    assert.equal(run.code, 0, run.stderr);
    const requester = await seededPersonToken(server.url, 'jdoe@acme.example');
    const refused = await withEnv({ ...asAuditor, ONRAMP_TOKEN: requester }, () =>
      onramp('evidence', 'billing', '--out', join(stack.workDir, 'refused.zip')),
    );
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /neither an auditor nor an admin/);
    const badQuarter = await withEnv(asAuditor, () =>
      onramp('evidence', 'billing', '--quarter', 'Q4', '--out', join(stack.workDir, 'bad.zip')),
    );
    assert.equal(badQuarter.code, 2);
    assert.match(badQuarter.stderr, /quarter: must be a quarter such as 2026Q4/);
    const cliPack = readFileSync(out);
    assert.ok((await verifyEvidencePack(cliPack, { thumbprint })).ok);

    const needles = [
      ...(await storeNeedles(stack.secrets)),
      ...[...accessTokens].map((t) => ({ kind: 'access-token' as const, text: t })),
      ...needlesFor('private-key', loadSigningKey(stack.config.evidence.keyFile).jwk.d),
      ...needlesFor('private-key', loadSigningKey(stack.config.signoff.keyFile).jwk.d),
    ];
    assert.ok(needles.some((n) => n.kind === 'private-key') && needles.some((n) => n.kind === 'consumer-secret'));
    assert.ok(accessTokens.size > 0, 'the verification obtained tokens to look for');
    for (const [name, bytes] of [
      ['server pack', zipBytes],
      ['cli pack', cliPack],
    ] as const) {
      const zip = await JSZip.loadAsync(bytes);
      const texts = await Promise.all(
        Object.keys(zip.files)
          .filter((p) => !zip.files[p]!.dir)
          .map(async (p) => ({ where: `${name}: ${p}`, text: await zip.file(p)!.async('string') })),
      );
      assert.deepEqual(scanForSecrets(texts, needles), []);
    }
  });

  test('after a key rotation, earlier packs still verify under the JWKS and their pin; new packs carry the new key', async () => {
    const { stack } = running;
    const rotated = await withEnv({ ONRAMP_CONFIG: stack.configFile }, () =>
      onramp('evidence', 'key', '--rotate', '--json'),
    );
    assert.equal(rotated.code, 0, rotated.stderr);
    const { kid, thumbprint: newThumbprint } = JSON.parse(rotated.stdout) as { kid: string; thumbprint: string };
    assert.notEqual(newThumbprint, thumbprint);
    const jwks = loadJwks(stack.config.evidence.jwksFile);
    assert.equal(jwks.keys.length, 2, 'the old public key stays');
    assert.ok((await verifyEvidencePack(zipBytes, { jwks })).ok);
    assert.ok((await verifyEvidencePack(zipBytes, { thumbprint })).ok);

    const out = join(stack.workDir, 'after-rotation.zip');
    const auditor = await seededPersonToken(running.server.url, 'auditor@acme.example');
    const run = await withEnv({ ONRAMP_SERVER: running.server.url, ONRAMP_TOKEN: auditor }, () =>
      onramp('evidence', 'billing', '--out', out),
    );
    assert.equal(run.code, 0, run.stderr);
    const fresh = await verifyEvidencePack(readFileSync(out), { thumbprint: newThumbprint });
    assert.ok(fresh.ok && fresh.signer?.kid === kid, fresh.problems.join('\n'));
    assert.equal((await verifyEvidencePack(readFileSync(out), { thumbprint })).ok, false);
  });
});
