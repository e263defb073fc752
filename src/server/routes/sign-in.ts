import type { FastifyInstance } from 'fastify';
import { clearSessionCookie, setSessionCookie } from '../auth';
import type { ServerContext } from '../context';
import { ApiError } from '../errors';
import { signedOutPage } from '../views/pages';
import { recordSignIn } from '../../observability/server-metrics';

/** Only a path on this server: an open redirect through `returnTo` would lend onramp's name to phishing. */
const localPath = (value: unknown) => (typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/');

/** Sign-in (authorization code + PKCE), the callback, sign-out (RP-initiated where the provider offers it). */
export function signInRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/login', async (request, reply) => {
    const { url, login } = await ctx.oidc.start(localPath((request.query as { returnTo?: unknown }).returnTo));
    const session = ctx.sessions.create();
    session.login = login;
    setSessionCookie(reply, session, ctx.secureCookies);
    return reply.redirect(url);
  });

  app.get('/auth/callback', async (request, reply) => {
    const session = request.session;
    if (!session?.login)
      throw new ApiError(400, 'no-login', 'no sign-in is under way in this browser; start again at /login');
    const login = session.login;
    delete session.login;
    let signedIn;
    try {
      signedIn = await ctx.oidc.finish(new URL(request.url, ctx.publicUrl), login);
    } catch (error) {
      recordSignIn('failed');
      throw new ApiError(
        400,
        'sign-in-failed',
        `sign-in failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const next = ctx.sessions.signIn(session, signedIn.identity, signedIn.idToken);
    setSessionCookie(reply, next, ctx.secureCookies);
    recordSignIn('succeeded');
    request.log.info({ sub: signedIn.identity.sub, email: signedIn.identity.email }, 'signed in');
    return reply.redirect(login.returnTo);
  });

  app.post('/logout', async (request, reply) => {
    const idToken = request.session?.idToken;
    if (request.session) ctx.sessions.destroy(request.session.id);
    clearSessionCookie(reply);
    return reply.redirect(ctx.oidc.logoutUrl(idToken, `${ctx.publicUrl}/signed-out`) ?? '/signed-out', 303);
  });

  app.get('/signed-out', async (_request, reply) => reply.type('text/html').send(signedOutPage()));
}
