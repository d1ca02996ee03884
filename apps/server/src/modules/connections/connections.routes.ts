import {
  caseParams,
  connectionSchema,
  connectionsReportQuery,
  page,
  problemSchema,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { ConnectionsService } from './connections.service.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Remote connections of one case (case detail) and of the organisation (SPEC §8 reports). */
export function connectionsRoutes(app: FastifyInstance, connections: ConnectionsService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/cases/:code/connections', {
    schema: {
      tags: ['Cases'],
      summary: "A service case's remote connections, newest first",
      params: caseParams,
      response: { 200: z.object({ items: z.array(connectionSchema) }), ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => connections.ofCase(principalOf(req), req.params.code),
  });

  r.get('/api/v1/reports/connections', {
    schema: {
      tags: ['Reports'],
      summary: 'Remote connections of the organisation, newest first, by start time',
      querystring: connectionsReportQuery,
      response: { 200: page(connectionSchema), ...errors },
    },
    onRequest: guard('reports:read'),
    handler: async (req) => connections.report(principalOf(req), req.query),
  });
}
