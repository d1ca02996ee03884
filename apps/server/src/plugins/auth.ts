import { timingSafeEqual } from 'node:crypto';
import type { Scope } from '@lifeline/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../lib/errors.js';
import type { AuthService } from '../modules/auth/auth.service.js';
import { assertScope, type Principal } from '../modules/auth/principal.js';

export const SESSION_COOKIE = 'lifeline_session';

export interface SessionCookieOptions {
  secureCookies: boolean;
  sessionTtlMs: number;
}

/** The console's sign-in cookie, as every place that signs an agent in sets it. */
export function setSessionCookie(reply: FastifyReply, sessionId: string, options: SessionCookieOptions) {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    secure: options.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: Math.floor(options.sessionTtlMs / 1000),
  });
}
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Route guard: a bearer token wins over the cookie; cookie requests that change
 * state must echo the session's CSRF token in `x-csrf-token`.
 */
export function createGuard(auth: AuthService) {
  async function resolve(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match?.[1] ? await auth.authenticateToken(match[1]) : undefined;
      if (!principal) throw unauthenticated('The bearer token is invalid, revoked or expired.');
      return principal;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessionId ? await auth.authenticateSession(sessionId) : undefined;
    if (!session) throw unauthenticated();
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
        throw forbidden('csrf_failed', 'Send the csrfToken from sign-in in the x-csrf-token header.');
      }
    }
    return session;
  }

  return function guard(scope: Scope | null) {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const principal = await resolve(request);
      if (scope) assertScope(principal, scope);
      request.principal = principal;
    };
  };
}
export type Guard = ReturnType<typeof createGuard>;

/** The principal set by the guard; routes only call this behind one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated();
  return request.principal;
}
