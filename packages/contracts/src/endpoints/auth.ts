import { z } from 'zod';
import {
  createdTokenSchema,
  createTokenRequest,
  loginRequest,
  loginResponse,
  meResponse,
  tokenSchema,
  userTokenParams,
} from '../auth.js';
import { idParams } from '../common.js';
import { defineEndpoint } from '../endpoint.js';

export const auth = {
  login: defineEndpoint({
    method: 'POST',
    path: '/api/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in with e-mail and password',
    description:
      'Sets the http-only session cookie and answers the CSRF token to send in `x-csrf-token` with every state-changing request of this session. Attempts are rate-limited per address and per account.',
    tags: ['Sign-in'],
    access: 'public',
    body: loginRequest,
    responses: { 200: loginResponse },
    problems: [401, 429],
  }),
  logout: defineEndpoint({
    method: 'POST',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    summary: 'End the cookie session',
    description: 'Ends the session and closes its open sockets; the cookie is cleared.',
    tags: ['Sign-in'],
    access: 'signedIn',
    responses: { 204: null },
    problems: [],
  }),
  me: defineEndpoint({
    method: 'GET',
    path: '/api/v1/me',
    operationId: 'getMe',
    summary: 'The signed-in user and organisation',
    description:
      'Who the credentials belong to and what they may do; a cookie session also gets its CSRF token back (a reloaded page has lost it).',
    tags: ['Sign-in'],
    access: 'signedIn',
    responses: { 200: meResponse },
    problems: [404],
  }),
};

export const tokens = {
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/tokens',
    operationId: 'listTokens',
    summary: 'Your personal API tokens',
    description: 'Name, scopes and last use of each token; never the token itself.',
    tags: ['API tokens'],
    access: 'signedIn',
    responses: { 200: z.object({ items: z.array(tokenSchema) }) },
    problems: [],
  }),
  create: defineEndpoint({
    method: 'POST',
    path: '/api/v1/tokens',
    operationId: 'createToken',
    summary: 'Create a personal API token',
    description:
      'Only from a signed-in console session (cookie and CSRF token), never with another bearer token. The token is shown only in this answer.',
    tags: ['API tokens'],
    access: 'signedIn',
    body: createTokenRequest,
    responses: { 201: createdTokenSchema },
    problems: [],
  }),
  listOfUser: defineEndpoint({
    method: 'GET',
    path: '/api/v1/users/{id}/tokens',
    operationId: 'listUserTokens',
    summary: "A user's personal API tokens",
    description:
      'For admins of the user’s organisation: name, scopes and last use of each of the user’s tokens; never the token itself.',
    tags: ['API tokens'],
    access: 'admin',
    params: idParams,
    responses: { 200: z.object({ items: z.array(tokenSchema) }) },
    problems: [404],
  }),
  revokeOfUser: defineEndpoint({
    method: 'DELETE',
    path: '/api/v1/users/{id}/tokens/{tokenId}',
    operationId: 'revokeUserToken',
    summary: "Revoke a user's personal API token",
    description:
      'For admins of the user’s organisation. The token stops working at once, and sockets opened with it are closed.',
    tags: ['API tokens'],
    access: 'admin',
    params: userTokenParams,
    responses: { 204: null },
    problems: [404],
  }),
  revoke: defineEndpoint({
    method: 'DELETE',
    path: '/api/v1/tokens/{id}',
    operationId: 'revokeToken',
    summary: 'Revoke a personal API token',
    description: 'The token stops working at once, and sockets opened with it are closed.',
    tags: ['API tokens'],
    access: 'signedIn',
    params: idParams,
    responses: { 204: null },
    problems: [404],
  }),
};
