import { endpoints, type TvError } from '@lifeline/contracts';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Guard } from '../../plugins/auth.js';
import { principalOf } from '../../plugins/auth.js';
import { problemOf } from '../../plugins/error-handler.js';
import { routeRegistrar } from '../../plugins/routes.js';
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
};
const internalError = { error: 'internal_error', error_code: 6 };

/**
 * TeamViewer's Web API for service cases (`/api/v1/sessions`), in a scope of
 * its own so that its errors take TeamViewer's body (`error`,
 * `error_description`) while Lifeline's own API keeps problem+json. Which
 * error gets which status is the one mapping of the rest of the API.
 */
export function teamViewerRoutes(app: FastifyInstance, guard: Guard, sessions: TeamViewerSessions) {
  app.register(async (scope) => {
    scope.setErrorHandler((err: FastifyError, request, reply) => {
      const problem = problemOf(err, request, reply);
      const fields = problem.errors?.map((e) => `${e.path} ${e.message}`).join('; ');
      const body: TvError = {
        ...(tvErrors[problem.status] ?? internalError),
        error_description: [problem.detail ?? problem.title, fields].filter(Boolean).join(' '),
      };
      return reply.status(problem.status).type('application/json').send(body);
    });
    const route = routeRegistrar(scope, guard);
    const tv = endpoints.teamViewerSessions;
    route(tv.create, async (req) => sessions.create(principalOf(req), req.body));
    route(tv.list, async (req) => sessions.list(principalOf(req), req.query));
    route(tv.get, async (req) => sessions.get(principalOf(req), req.params.code));
    route(tv.update, async (req) => {
      await sessions.update(principalOf(req), req.params.code, req.body);
    });
    route(tv.delete, async (req) => {
      await sessions.delete(principalOf(req), req.params.code);
    });
  });
}
