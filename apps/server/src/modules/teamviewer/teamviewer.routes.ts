import {
  type TvError,
  tvCreateSessionRequest,
  tvError,
  tvListSessionsQuery,
  tvSession,
  tvSessionList,
  tvSessionParams,
  tvUpdateSessionRequest,
} from '@lifeline/contracts';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import { problemOf } from '../../plugins/error-handler.js';
import type { TeamViewerSessions } from './teamviewer.service.js';

/** TeamViewer's error names for the statuses Lifeline answers (docs/TEAMVIEWER-API.md). */
const tvErrors: Record<number, { error: string; error_code: number }> = {
  400: { error: 'invalid_request', error_code: 1 },
  401: { error: 'invalid_token', error_code: 2 },
  403: { error: 'insufficient_rights', error_code: 3 },
  404: { error: 'not_found', error_code: 4 },
  409: { error: 'invalid_request', error_code: 1 },
  410: { error: 'not_found', error_code: 4 },
  413: { error: 'invalid_request', error_code: 1 },
  415: { error: 'invalid_request', error_code: 1 },
  429: { error: 'rate_limit_reached', error_code: 5 },
  503: { error: 'internal_error', error_code: 6 },
};

const errors = { 400: tvError, 401: tvError, 403: tvError, 404: tvError, 409: tvError };
const tags = ['TeamViewer-compatible sessions'];

/**
 * TeamViewer's Web API for service cases (`/api/v1/sessions`), in its own
 * scope so that its errors take TeamViewer's body (`error`,
 * `error_description`) while Lifeline's own API keeps problem+json. The
 * mapping of errors to statuses is the one of the rest of the API.
 */
export async function teamViewerRoutes(app: FastifyInstance, sessions: TeamViewerSessions, guard: Guard) {
  await app.register(async (scope) => {
    scope.setErrorHandler((err: FastifyError, request, reply) => {
      const problem = problemOf(err, request, reply);
      const kind = tvErrors[problem.status] ?? { error: 'internal_error', error_code: 6 };
      const fields = problem.errors?.map((e) => `${e.path} ${e.message}`).join('; ');
      const body: TvError = {
        ...kind,
        error_description: [problem.detail ?? problem.title, fields].filter(Boolean).join(' '),
      };
      return reply.status(problem.status).type('application/json').send(body);
    });
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/api/v1/sessions', {
      schema: {
        tags,
        operationId: 'tvCreateSession',
        summary: 'Create a session (TeamViewer-compatible)',
        description:
          'Creates a service case from TeamViewer\'s session fields; `groupid` or `groupname` picks the group. A session without a name is called "Session for {end customer}" or after the first line of its description.',
        body: tvCreateSessionRequest,
        response: { 200: tvSession, ...errors },
      },
      onRequest: guard('cases:write'),
      handler: async (req) => sessions.create(principalOf(req), req.body),
    });

    r.get('/api/v1/sessions', {
      schema: {
        tags,
        operationId: 'tvListSessions',
        summary: 'List sessions (TeamViewer-compatible)',
        description:
          'Newest first, 100 a page; `next_offset` is the code of the first session of the next page, to pass back as `offset`.',
        querystring: tvListSessionsQuery,
        response: { 200: tvSessionList, ...errors },
      },
      onRequest: guard('cases:read'),
      handler: async (req) => sessions.list(principalOf(req), req.query),
    });

    r.get('/api/v1/sessions/:code', {
      schema: {
        tags,
        operationId: 'tvGetSession',
        summary: 'Get a session (TeamViewer-compatible)',
        description: 'One session by its code.',
        params: tvSessionParams,
        response: { 200: tvSession, ...errors },
      },
      onRequest: guard('cases:read'),
      handler: async (req) => sessions.get(principalOf(req), req.params.code),
    });

    r.put('/api/v1/sessions/:code', {
      schema: {
        tags,
        operationId: 'tvUpdateSession',
        summary: 'Change a session (TeamViewer-compatible)',
        description:
          'Changes the given fields. `state: "closed"` closes the session, `assigned_userid: "u0"` unassigns it. Answers 204.',
        params: tvSessionParams,
        body: tvUpdateSessionRequest,
        response: { 204: z.null(), ...errors },
      },
      onRequest: guard('cases:write'),
      handler: async (req, reply) => {
        await sessions.update(principalOf(req), req.params.code, req.body);
        return reply.status(204).send(null);
      },
    });

    r.delete('/api/v1/sessions/:code', {
      schema: {
        tags,
        operationId: 'tvDeleteSession',
        summary: 'Delete a session (TeamViewer-compatible)',
        description: 'Deletes the service case, under the same rule as deleting it in Lifeline. Answers 204.',
        params: tvSessionParams,
        response: { 204: z.null(), ...errors },
      },
      onRequest: guard('cases:write'),
      handler: async (req, reply) => {
        await sessions.delete(principalOf(req), req.params.code);
        return reply.status(204).send(null);
      },
    });
  });
}
