import { endpoints } from '@lifeline/contracts';
import { notFound } from '../../lib/errors.js';
import {
  principalOf,
  SESSION_COOKIE,
  type SessionCookieOptions,
  setSessionCookie,
} from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { PeopleService } from '../people/people.service.js';
import type { AuthService } from './auth.service.js';

export function authRoutes(
  route: Route,
  auth: AuthService,
  people: PeopleService,
  options: SessionCookieOptions,
) {
  route(endpoints.auth.login, async (req, reply) => {
    const { sessionId, csrfToken, user } = await auth.login(req.body.email, req.body.password, req.ip);
    setSessionCookie(reply, sessionId, options);
    return { user, csrfToken };
  });

  route(endpoints.auth.logout, async (req, reply) => {
    const sessionId = req.cookies[SESSION_COOKIE];
    if (sessionId) await auth.logout(sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  });

  route(endpoints.auth.me, async (req) => {
    const p = principalOf(req);
    const organization = await people.findOrganization(p.orgId);
    if (!organization) throw notFound('The organisation');
    return {
      user: await people.getUser(p.orgId, p.userId),
      organization,
      scopes: [...p.scopes],
      // A reloaded console page has lost the token it got at sign-in; only a same-origin page can read this.
      ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
    };
  });

  route(endpoints.tokens.list, async (req) => ({ items: await auth.listTokens(principalOf(req)) }));
  route(endpoints.tokens.create, async (req) =>
    auth.createTokenFromConsole(principalOf(req), req.body.name, req.body.scopes),
  );
  route(endpoints.tokens.listOfUser, async (req) => ({
    items: await auth.listUserTokens(principalOf(req), req.params.id),
  }));
  route(endpoints.tokens.revokeOfUser, async (req) => {
    await auth.revokeUserToken(principalOf(req), req.params.id, req.params.tokenId);
  });
  route(endpoints.tokens.revoke, async (req) => {
    await auth.revokeToken(principalOf(req), req.params.id);
  });
}
