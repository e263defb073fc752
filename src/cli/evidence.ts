import { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { quarterOf } from '../evidence/quarter';
import { runWithServer } from './api-client';
import { loadEvidenceSigner, rotateEvidenceKey } from '../evidence/pack';
import { verifyEvidencePack, type TrustAnchor } from '../evidence/verify';
import { loadJwks, publicJwkOf, thumbprintOf } from '../signoff';
import { reportError, type CliIo } from './io';
import { CliError, EXIT, messageOf, printJson, runWithSession } from './shared';

function verifyCommand(io: CliIo): Command {
  return new Command('verify')
    .description("verify a pack offline: the manifest's signature under a key you trust, and every file's SHA-256")
    .argument('<pack>', 'the ZIP `onramp evidence` or the console produced')
    .option('--jwks <file>', "onramp's evidence JWKS, obtained from onramp's operators (the trust anchor)")
    .option('--pin <thumbprint>', "the signing key's RFC 7638 thumbprint, obtained from onramp's operators")
    .option('--json', 'print the verdict as JSON')
    .action(async (pack: string, options: { jwks?: string; pin?: string; json?: boolean }) => {
      const command = 'evidence verify';
      if (!options.jwks === !options.pin) {
        reportError(io, command, 'give exactly one trust anchor: --jwks <file> or --pin <thumbprint>', EXIT.usage);
        return;
      }
      let anchor: TrustAnchor;
      let bytes: Buffer;
      try {
        anchor = options.jwks
          ? { jwks: loadJwks(options.jwks, 'trusted evidence JWKS') }
          : { thumbprint: options.pin! };
        bytes = await readFile(pack);
      } catch (error) {
        reportError(io, command, messageOf(error), EXIT.usage);
        return;
      }
      const verdict = await verifyEvidencePack(bytes, anchor);
      // `--json` after the subcommand is also taken by `evidence` itself: io.json sees it either way.
      if (options.json || io.json) printJson(io, verdict);
      else if (verdict.ok)
        io.stdout(
          `verified: ${verdict.files} file(s) of ${verdict.integration} ${verdict.quarter}, signed by ${verdict.signer!.kid} (thumbprint ${verdict.signer!.thumbprint})`,
        );
      else io.stderr(`NOT verified:\n${verdict.problems.map((p) => `  ${p}`).join('\n')}`);
      io.setExitCode(verdict.ok ? EXIT.ok : EXIT.failure);
    });
}

function keyCommand(io: CliIo): Command {
  return new Command('key')
    .description("show the evidence signing key's id and thumbprint (what auditors pin), or rotate it")
    .option('--rotate', 'make a new key; its public half joins the JWKS, where the old ones stay')
    .option('--json', 'print JSON')
    .action((options: { rotate?: boolean; json?: boolean }) =>
      runWithSession(io, 'evidence key', async (session) => {
        const files = session.config.evidence;
        const key = options.rotate ? await rotateEvidenceKey(files) : loadEvidenceSigner(files).key;
        const shown = { kid: key.kid, thumbprint: await thumbprintOf(publicJwkOf(key)), jwksFile: files.jwksFile };
        if (options.json || io.json) printJson(io, shown);
        else io.stdout(`${options.rotate ? 'new ' : ''}evidence key ${shown.kid}, thumbprint ${shown.thumbprint}`);
        return EXIT.ok;
      }),
    );
}

/** `onramp evidence NAME --out pack.zip` and `onramp evidence verify pack.zip` (docs/evidence.md). */
export function evidenceCommand(io: CliIo): Command {
  return (
    new Command('evidence')
      .description("an integration's evidence pack for a quarter: a ZIP of JSON, CSV and HTML with a signed manifest")
      .argument('[name]', 'integration name')
      .option('--quarter <quarter>', 'the quarter, e.g. 2026Q4 (default: the current one)')
      .option(
        '--campaign <id>',
        "an access review campaign's pack instead (docs/reviews.md), e.g. onramp:review:2026Q4",
      )
      // Not commander's requiredOption: that would be demanded of `evidence verify` too.
      .option('--out <file>', 'where to write the ZIP (required)')
      .option('--json', 'print JSON')
      .action(
        (name: string | undefined, options: { quarter?: string; campaign?: string; out?: string; json?: boolean }) =>
          runWithServer(io, 'evidence', async (api) => {
            const out = options.out;
            if (!out) throw new CliError('--out <file> is required: where to write the ZIP', EXIT.usage);
            if (!name === !options.campaign)
              throw new CliError('name an integration or give --campaign <id>, not both', EXIT.usage);
            const quarter = options.quarter ? `?quarter=${encodeURIComponent(options.quarter)}` : '';
            // The server collects and signs (it holds the evidence key); the CLI only saves what it answers.
            const pack = await api.bytes(
              options.campaign
                ? `/api/reviews/${encodeURIComponent(options.campaign)}/evidence`
                : `/api/integrations/${encodeURIComponent(name!)}/evidence${quarter}`,
            );
            await writeFile(out, pack, { mode: 0o600 });
            const quarterLabel = options.quarter ?? quarterOf(new Date()).label;
            const of = options.campaign ? { campaign: options.campaign } : { integration: name, quarter: quarterLabel };
            if (options.json) printJson(io, { ok: true, ...of, out });
            else io.stdout(`wrote ${out}: the evidence of ${options.campaign ?? `${name} for ${quarterLabel}`}`);
            return EXIT.ok;
          }),
      )
      .addCommand(verifyCommand(io))
      .addCommand(keyCommand(io))
  );
}
