import {
  createdTokenSchema,
  createTokenRequest,
  idParams,
  loginRequest,
  loginResponse,
  meResponse,
  problemSchema,
  tokenSchema,
  userTokenParams,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../lib/errors.js';
import {
  type Guard,
  principalOf,
  SESSION_COOKIE,
  type SessionCookieOptions,
  setSessionCookie,
} from '../../plugins/auth.js';
import type { PeopleService } from '../people/people.service.js';
import type { AuthService } from './auth.service.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  429: problemSchema,
};

export function authRoutes(
  app: FastifyInstance,
  auth: AuthService,
  people: PeopleService,
  guard: Guard,
  options: SessionCookieOptions,
) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/auth/login', {
    schema: {
      tags: ['Sign-in'],
      summary: 'Sign in with e-mail and password (sets the session cookie)',
      body: loginRequest,
      response: { 200: loginResponse, ...errors },
    },
    handler: async (req, reply) => {
      const { sessionId, csrfToken, user } = await auth.login(req.body.email, req.body.password, req.ip);
      setSessionCookie(reply, sessionId, options);
      return { user, csrfToken };
    },
  });

  r.post('/api/v1/auth/logout', {
    schema: { tags: ['Sign-in'], summary: 'End the cookie session', response: { 204: z.null(), ...errors } },
    onRequest: guard(null),
    handler: async (req, reply) => {
      const sessionId = req.cookies[SESSION_COOKIE];
      if (sessionId) await auth.logout(sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  });

  r.get('/api/v1/me', {
    schema: {
      tags: ['Sign-in'],
      summary: 'The signed-in user and organisation',
      response: { 200: meResponse, ...errors },
    },
    onRequest: guard(null),
    handler: async (req) => {
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
    },
  });

  r.get('/api/v1/tokens', {
    schema: {
      tags: ['API tokens'],
      summary: 'Your personal API tokens (never their secret)',
      response: { 200: z.object({ items: z.array(tokenSchema) }), ...errors },
    },
    onRequest: guard(null),
    handler: async (req) => ({ items: await auth.listTokens(principalOf(req)) }),
  });

  r.post('/api/v1/tokens', {
    schema: {
      tags: ['API tokens'],
      summary:
        'Create a personal API token (console sign-in only, never with a bearer token); the token is shown only in this answer',
      body: createTokenRequest,
      response: { 201: createdTokenSchema, ...errors },
    },
    onRequest: guard(null),
    handler: async (req, reply) =>
      reply
        .status(201)
        .send(await auth.createTokenFromConsole(principalOf(req), req.body.name, req.body.scopes)),
  });

  r.get('/api/v1/users/:id/tokens', {
    schema: {
      tags: ['API tokens'],
      summary: "A user's personal API tokens, for admins of their organisation (never their secret)",
      params: idParams,
      response: { 200: z.object({ items: z.array(tokenSchema) }), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => ({ items: await auth.listUserTokens(principalOf(req), req.params.id) }),
  });

  r.delete('/api/v1/users/:id/tokens/:tokenId', {
    schema: {
      tags: ['API tokens'],
      summary: "Revoke a user's token (admins of their organisation)",
      params: userTokenParams,
      response: { 204: z.null(), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) => {
      await auth.revokeUserToken(principalOf(req), req.params.id, req.params.tokenId);
      return reply.status(204).send(null);
    },
  });

  r.delete('/api/v1/tokens/:id', {
    schema: {
      tags: ['API tokens'],
      summary: 'Revoke a token',
      params: idParams,
      response: { 204: z.null(), ...errors },
    },
    onRequest: guard(null),
    handler: async (req, reply) => {
      await auth.revokeToken(principalOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  });
}
