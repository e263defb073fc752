import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from '../private-files';
import type { Identity } from './identity';

interface StoredToken {
  id: string;
  /** sha256 of the token: the file never holds a usable token. */
  hash: string;
  label: string;
  identity: Identity;
  createdAt: string;
  expiresAt: string;
}

export interface IssuedToken {
  id: string;
  token: string;
  label: string;
  expiresAt: string;
}

const PREFIX = 'onr_';
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Bearer tokens for the CLI and scripts, issued from the console to a signed-in person (docs/server.md
 * says why not the device flow). A token acts as the person with the groups they had when it was issued,
 * until it expires or is revoked; only its hash is kept, in an owner-only file.
 */
export class ApiTokens {
  private tokens: StoredToken[];

  constructor(
    private readonly file: string,
    private readonly days: number,
  ) {
    this.tokens = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredToken[]) : [];
  }

  async issue(identity: Identity, label: string): Promise<IssuedToken> {
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    const stored: StoredToken = {
      id: randomBytes(6).toString('hex'),
      hash: hashOf(token),
      label,
      identity,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.days * 86_400_000).toISOString(),
    };
    this.tokens.push(stored);
    await this.save();
    return { id: stored.id, token, label, expiresAt: stored.expiresAt };
  }

  /** The person a presented token acts as, if it is one of ours and still valid. */
  verify(token: string): Identity | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const hash = hashOf(token);
    const found = this.tokens.find((t) => t.hash === hash);
    return found && Date.parse(found.expiresAt) > Date.now() ? found.identity : undefined;
  }

  listFor(sub: string): Array<Omit<StoredToken, 'hash' | 'identity'>> {
    return this.tokens
      .filter((t) => t.identity.sub === sub)
      .map(({ id, label, createdAt, expiresAt }) => ({ id, label, createdAt, expiresAt }));
  }

  async revoke(sub: string, id: string): Promise<boolean> {
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => !(t.id === id && t.identity.sub === sub));
    if (this.tokens.length === before) return false;
    await this.save();
    return true;
  }

  private save(): Promise<void> {
    return writePrivateFile(this.file, JSON.stringify(this.tokens, null, 2));
  }
}
