import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writePrivateFile } from '../private-files';
import { generateSigningKey, loadJwks, loadSigningKey, thumbprintOf, trustKey } from '../signoff';
import type { CliIo } from './io';
import { CliError, EXIT, printJson, reportFailure, runWithSession, type ExitCode } from './shared';

interface KeyOptions {
  key?: string;
  jwks?: string;
  add?: string;
  retire?: string;
  json?: boolean;
}

/**
 * `onramp signoff-key`: the approval service's signing key, and the steps of its rotation
 * (docs/signoff.md, "Key rotation"). Run where the server's key files are; nothing goes through the server,
 * whose key this is.
 */
export function signoffKeyCommand(io: CliIo): Command {
  return new Command('signoff-key')
    .description("the approval service's signing key: list the trusted keys, add the next one, retire an old one")
    .option(
      '--add <file>',
      'make a new key in <file> (never over an existing file) and trust it in the JWKS; point signoff.keyFile at it once the requests started before have left approval',
    )
    .option('--retire <kid>', 'stop trusting a key: requests signed with it can no longer be approved')
    .option('--key <file>', "the server's signing key file (instead of signoff.keyFile of onramp's configuration)")
    .option('--jwks <file>', "the workers' JWKS file (instead of signoff.jwksFile)")
    .option('--json', 'print JSON')
    .action(async (options: KeyOptions) => {
      if (!options.key && !options.jwks) {
        await runWithSession(io, 'signoff-key', ({ config }) => keyStep(io, config.signoff, options));
        return;
      }
      try {
        if (!options.key || !options.jwks) throw new CliError('--key and --jwks go together', EXIT.usage);
        io.setExitCode(await keyStep(io, { keyFile: options.key, jwksFile: options.jwks }, options));
      } catch (error) {
        reportFailure(io, 'signoff-key', error);
      }
    });
}

async function keyStep(
  io: CliIo,
  { keyFile, jwksFile }: { keyFile: string; jwksFile: string },
  options: KeyOptions,
): Promise<ExitCode> {
  if (options.add && options.retire)
    throw new CliError('--add and --retire are different steps of a rotation: run them apart', EXIT.usage);
  const signing = existsSync(keyFile) ? loadSigningKey(keyFile).kid : undefined;
  let added: string | undefined;
  if (options.add) {
    if (existsSync(options.add))
      throw new CliError(`--add ${options.add}: the file exists, and a signing key is never overwritten`, EXIT.usage);
    const key = generateSigningKey();
    await writePrivateFile(options.add, `${JSON.stringify(key, null, 2)}\n`);
    await trustKey(jwksFile, key, 'sign-off JWKS');
    added = key.kid;
  }
  const signsNow = signing ?? (options.add === keyFile ? added : undefined);
  if (options.retire) await retire(jwksFile, options.retire, signsNow);
  const keys = await Promise.all(
    loadJwks(jwksFile).keys.map(async (k) => ({
      kid: k.kid,
      thumbprint: await thumbprintOf(k),
      signing: k.kid === signsNow,
    })),
  );
  if (options.json || io.json) printJson(io, { keyFile, jwksFile, added, retired: options.retire, keys });
  else {
    if (added) io.stdout(`added ${added} (private key in ${options.add}); trusted in ${jwksFile}`);
    if (options.retire) io.stdout(`retired ${options.retire}: no longer trusted in ${jwksFile}`);
    for (const k of keys) io.stdout(`${k.signing ? '* ' : '  '}${k.kid}  ${k.thumbprint}`);
    io.stdout(`* signs now (${keyFile}); workers trust every key listed (${jwksFile})`);
  }
  return EXIT.ok;
}

async function retire(jwksFile: string, kid: string, signing: string | undefined): Promise<void> {
  if (kid === signing)
    throw new CliError(
      `--retire ${kid}: the server signs with it (signoff.keyFile); point it at the new key first`,
      EXIT.usage,
    );
  const jwks = loadJwks(jwksFile);
  if (!jwks.keys.some((k) => k.kid === kid))
    throw new CliError(`--retire ${kid}: no such key in ${jwksFile}`, EXIT.usage);
  const keys = jwks.keys.filter((k) => k.kid !== kid);
  // A JWKS with no key makes every worker refuse to start: the rotation's next key must be trusted first.
  if (keys.length === 0)
    throw new CliError(`--retire ${kid}: it is the last key ${jwksFile} trusts; add the next one first`, EXIT.usage);
  await writePrivateFile(jwksFile, `${JSON.stringify({ keys }, null, 2)}\n`);
}
