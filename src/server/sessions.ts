import { randomBytes } from 'node:crypto';
import type { Identity } from './identity';

/** A sign-in under way: what the callback must check (state, nonce) and prove (the PKCE verifier). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export interface Session {
  id: string;
  /** Sent back with every state-changing form or fetch; a cross-site page cannot read it. */
  csrfToken: string;
  expiresAt: number;
  identity?: Identity;
  /** Kept for RP-initiated logout (`id_token_hint`). */
  idToken?: string;
  login?: PendingLogin;
}

export const SESSION_COOKIE = 'onramp_session';
const SESSION_MS = 8 * 3600_000;

/**
 * Server-side sessions: the cookie carries only a random id (signed, HttpOnly, SameSite=Lax); who the
 * person is stays on the server, so signing out or a restart ends it for good. In memory: one server
 * process; a restart means signing in again.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(): Session {
    this.sweep();
    const session: Session = { id: token(), csrfToken: token(), expiresAt: Date.now() + SESSION_MS };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    const session = id ? this.sessions.get(id) : undefined;
    if (session && session.expiresAt > Date.now()) return session;
    if (id) this.sessions.delete(id);
    return undefined;
  }

  /** A new id and CSRF token once the person signed in, so an id planted before sign-in is worth nothing. */
  signIn(previous: Session, identity: Identity, idToken: string | undefined): Session {
    this.sessions.delete(previous.id);
    const session: Session = { ...this.create(), identity, ...(idToken ? { idToken } : {}) };
    this.sessions.set(session.id, session);
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

const token = () => randomBytes(32).toString('base64url');
