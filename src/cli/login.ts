import { Command } from 'commander';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { SEEDED_PASSWORD } from '../server/idp/people';
import { OnrampApi, serverUrl } from './api-client';
import { forgetCredential, saveCredential } from './credentials';
import { HttpAgent } from './http-agent';
import type { CliIo } from './io';
import { CliError, EXIT, messageOf, printJson, reportFailure } from './shared';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Me {
  email: string;
  roles: string[];
}

/** Refuses to send the seeded password to a provider that is not on this machine (a company's IdP). */
export function loopbackOnly(server: string, provider: URL): void {
  if (!LOOPBACK.has(provider.hostname))
    throw new CliError(
      `--person signs in with onramp dev's seeded password, which only its embedded provider on loopback accepts; ` +
        `${server} signs in at ${provider.origin}: run \`onramp login\` and paste a token from ${server}/tokens`,
      EXIT.usage,
    );
}

/**
 * `onramp dev` only: signs `email` in at the embedded provider with the seeded password, a real
 * authorization-code sign-in through the console, and has the console issue a token as for anyone who
 * signs in there. The password goes only to a provider on loopback: a company's IdP never sees it.
 */
export async function seededPersonToken(server: string, email: string): Promise<string> {
  const agent = new HttpAgent();
  const home = await agent.signIn({ url: server }, email, SEEDED_PASSWORD, (provider) =>
    loopbackOnly(server, provider),
  );
  const page = await home.text();
  if (!agent.url.startsWith(server))
    throw new CliError(`the sign-in of ${email} failed (unknown person or wrong password)`, EXIT.usage);
  if (home.status === 403)
    throw new CliError(`${email} signed in, but is in none of the groups onramp gives a role to`, EXIT.refused);
  const label = `onramp login --person on ${hostname()}`;
  const issued = await agent.postForm(`${server}/tokens`, { label, _csrf: HttpAgent.csrfOf(page) }, 'application/json');
  if (issued.status !== 201) throw new CliError(`${server}/tokens did not issue a token (${issued.status})`);
  return ((await issued.json()) as { token: string }).token;
}

async function pastedToken(io: CliIo, server: string): Promise<string> {
  io.stderr(`Open ${server}/tokens, sign in, issue a token for this machine and paste it here:`);
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) if (line.trim()) return line.trim();
  } finally {
    lines.close();
  }
  throw new CliError('no token was pasted', EXIT.usage);
}

/** `onramp login` and `onramp logout`: the bearer token the other commands send, kept per server (docs/server.md). */
export function loginCommands(io: CliIo): Command[] {
  const login = new Command('login')
    .description(
      "sign in to the onramp server: paste a token from the console's /tokens page (or, on onramp dev, --person)",
    )
    .option('--person <email>', "onramp dev only: sign in as one of the embedded provider's seeded people")
    .option(
      '--token <token>',
      'a token issued on /tokens (it shows in the process list and shell history: prefer pasting it, or ONRAMP_TOKEN)',
    )
    .option('--json', 'print { server, email, roles, credentialsFile } as one JSON line')
    .action(async (options: { person?: string; token?: string; json?: boolean }) => {
      try {
        const server = serverUrl();
        let token: string;
        try {
          if (options.person && options.token)
            throw new CliError('give either --person or --token, not both', EXIT.usage);
          // A token given (flag, then environment) is checked and saved as it is; otherwise one is pasted.
          const given = options.token?.trim() || process.env.ONRAMP_TOKEN?.trim();
          token = options.person
            ? await seededPersonToken(server, options.person)
            : given || (await pastedToken(io, server));
        } catch (error) {
          if (error instanceof CliError) throw error;
          throw new CliError(
            `cannot sign in at ${server}: ${messageOf((error as { cause?: unknown }).cause ?? error)}`,
          );
        }
        const me = await new OnrampApi(server, token).get<Me>('/api/me');
        const file = await saveCredential(server, { token, email: me.email, savedAt: new Date().toISOString() });
        if (options.json) printJson(io, { server, email: me.email, roles: me.roles, credentialsFile: file });
        else io.stdout(`Signed in to ${server} as ${me.email} (${me.roles.join(', ')}); token saved in ${file}.`);
      } catch (error) {
        reportFailure(io, 'login', error);
      }
    });
  const logout = new Command('logout')
    .description("forget the token saved for the server (revoke it on the console's /tokens page)")
    .action(async () => {
      try {
        const server = serverUrl();
        const forgot = await forgetCredential(server);
        io.stdout(
          forgot
            ? `Forgot the token for ${server}; revoke it at ${server}/tokens.`
            : `No token was saved for ${server}.`,
        );
      } catch (error) {
        reportFailure(io, 'logout', error);
      }
    });
  return [login, logout];
}
