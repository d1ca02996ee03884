import { endpoints } from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import { AppError, unauthenticated } from '../../lib/errors.js';
import { SESSION_COOKIE, type SessionCookieOptions, setSessionCookie } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { AuthService } from '../auth/auth.service.js';
import { OAUTH_PATH, type OAuthService } from './oauth.service.js';

/** An interaction that expired or whose cookie is missing is the agent's to restart, not a server error. */
async function step<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // oidc-provider's SessionNotFound, recognised by name: the provider module is loaded lazily.
    if (err instanceof Error && err.name === 'SessionNotFound') {
      throw new AppError(
        400,
        'interaction_expired',
        'Sign-in expired',
        'This sign-in has expired. Close this tab and press "Login" in the connector again.',
      );
    }
    throw err;
  }
}

/**
 * The provider itself under /oauth (discovery, authorisation, token, revocation,
 * JWKS), and the JSON steps of its sign-in and consent page. The page lives at
 * `/oauth/interaction/:uid` so the provider's interaction cookie, which is
 * scoped to that path, reaches these steps.
 */
export async function oauthRoutes(
  app: FastifyInstance,
  route: Route,
  oauth: OAuthService,
  auth: AuthService,
  options: SessionCookieOptions,
) {
  await app.register(async (scope) => {
    // The provider reads form bodies itself; Fastify must leave the request stream alone.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.all(`${OAUTH_PATH}/*`, async (req, reply) => {
      reply.hijack();
      await oauth.handle(req.raw, reply.raw);
    });
    // RFC 8414 §3: for the issuer `PUBLIC_URL/oauth` the metadata's well-known URL puts the issuer's path last.
    scope.get(
      `/.well-known/oauth-authorization-server${OAUTH_PATH}`,
      { schema: { hide: true } },
      async (req, reply) => {
        reply.hijack();
        req.raw.url = `${OAUTH_PATH}/.well-known/oauth-authorization-server`;
        await oauth.handle(req.raw, reply.raw);
      },
    );
  });

  const consoleUser = async (sessionId: string | undefined) =>
    sessionId ? await auth.authenticateSession(sessionId) : undefined;
  const steps = endpoints.oauthInteraction;

  route(steps.details, async (req, reply) =>
    step(async () => oauth.interaction(req.raw, reply.raw, await consoleUser(req.cookies[SESSION_COOKIE]))),
  );

  route(steps.login, async (req, reply) =>
    step(async () => {
      const user = await auth.verifyCredentials(req.body.email, req.body.password, req.ip);
      // Refused for another organisation before any session exists: a refusal leaves no console cookie.
      const redirectTo = await oauth.login(req.raw, reply.raw, user.id);
      // A first-party tab: signing in here also opens the console, so "Join session" needs no second sign-in.
      setSessionCookie(reply, (await auth.openSession(user)).sessionId, options);
      return { redirectTo };
    }),
  );

  route(steps.continue, async (req, reply) =>
    step(async () => {
      const session = await consoleUser(req.cookies[SESSION_COOKIE]);
      if (!session) throw unauthenticated('Sign in with your e-mail and password.');
      return { redirectTo: await oauth.login(req.raw, reply.raw, session.userId) };
    }),
  );

  route(steps.allow, async (req, reply) =>
    step(async () => ({ redirectTo: await oauth.allow(req.raw, reply.raw) })),
  );
  route(steps.deny, async (req, reply) =>
    step(async () => ({ redirectTo: await oauth.deny(req.raw, reply.raw) })),
  );
}
