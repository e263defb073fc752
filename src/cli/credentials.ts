import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../private-files';

/** One API token per server URL, so a developer's `onramp dev` token and their company's server token coexist. */
export interface StoredCredential {
  token: string;
  email: string;
  savedAt: string;
}
type Credentials = Record<string, StoredCredential>;

/**
 * Where `onramp login` keeps tokens: ONRAMP_CREDENTIALS, else `$XDG_CONFIG_HOME/onramp/credentials.json`
 * (`~/.config/onramp/credentials.json`). Per user, not per project: a token is a person's, and a project
 * directory gets committed, copied and shared. Owner-only (0600), like an SSH key.
 */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONRAMP_CREDENTIALS) return env.ONRAMP_CREDENTIALS;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'onramp', 'credentials.json');
}

function readAll(file: string): Credentials {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  } catch (error) {
    throw new Error(
      `${file} is not a credentials file onramp wrote (${(error as Error).message}); delete it and sign in again`,
      { cause: error },
    );
  }
}

export function storedCredential(server: string, env: NodeJS.ProcessEnv = process.env): StoredCredential | undefined {
  return readAll(credentialsFile(env))[server];
}

export async function saveCredential(server: string, credential: StoredCredential, env = process.env): Promise<string> {
  const file = credentialsFile(env);
  await writePrivateFile(file, JSON.stringify({ ...readAll(file), [server]: credential }, null, 2));
  return file;
}

/** Forgets the token for `server`; true when there was one. */
export async function forgetCredential(server: string, env = process.env): Promise<boolean> {
  const file = credentialsFile(env);
  const { [server]: gone, ...rest } = readAll(file);
  if (!gone) return false;
  await writePrivateFile(file, JSON.stringify(rest, null, 2));
  return true;
}
