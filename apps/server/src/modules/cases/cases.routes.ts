import {
  bulkDeleteRequest,
  bulkDeleteResponse,
  caseEventSchema,
  caseParams,
  caseSchema,
  createCaseRequest,
  listCasesQuery,
  page,
  paginationQuery,
  problemSchema,
  updateCaseRequest,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { CasesService } from './cases.service.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};
const tags = ['Cases'];

export function casesRoutes(app: FastifyInstance, cases: CasesService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/cases', {
    schema: {
      tags,
      summary: 'Create a service case',
      body: createCaseRequest,
      response: { 201: caseSchema, ...errors },
    },
    onRequest: guard('cases:write'),
    handler: async (req, reply) => {
      const p = principalOf(req);
      // An OAuth token belongs to a connector app: what it creates comes from a CRM.
      const source = p.via === 'cookie' ? 'manual' : p.via === 'oauth' ? 'connector' : 'api';
      return reply.status(201).send(await cases.create(p, req.body, source));
    },
  });

  r.get('/api/v1/cases', {
    schema: {
      tags,
      summary: 'List service cases, newest first',
      querystring: listCasesQuery,
      response: { 200: page(caseSchema), ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => cases.list(principalOf(req), req.query),
  });

  r.post('/api/v1/cases/bulk-delete', {
    schema: {
      tags,
      summary: 'Delete several service cases at once',
      body: bulkDeleteRequest,
      response: { 200: bulkDeleteResponse, ...errors },
    },
    onRequest: guard('cases:write'),
    handler: async (req) => cases.bulkDelete(principalOf(req), req.body.codes),
  });

  r.get('/api/v1/cases/:code', {
    schema: {
      tags,
      summary: 'Get one service case',
      params: caseParams,
      response: { 200: caseSchema, ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => cases.get(principalOf(req), req.params.code),
  });

  r.patch('/api/v1/cases/:code', {
    schema: {
      tags,
      summary: 'Change a service case',
      params: caseParams,
      body: updateCaseRequest,
      response: { 200: caseSchema, ...errors },
    },
    onRequest: guard('cases:write'),
    handler: async (req) => cases.update(principalOf(req), req.params.code, req.body),
  });

  r.post('/api/v1/cases/:code/close', {
    schema: {
      tags,
      summary: 'Close a service case',
      params: caseParams,
      response: { 200: caseSchema, ...errors },
    },
    onRequest: guard('cases:write'),
    handler: async (req) => cases.close(principalOf(req), req.params.code),
  });

  r.delete('/api/v1/cases/:code', {
    schema: {
      tags,
      summary: 'Delete a service case',
      params: caseParams,
      response: { 204: z.null(), ...errors },
    },
    onRequest: guard('cases:write'),
    handler: async (req, reply) => {
      await cases.delete(principalOf(req), req.params.code);
      return reply.status(204).send(null);
    },
  });

  r.get('/api/v1/cases/:code/events', {
    schema: {
      tags,
      summary: "A service case's audit trail, oldest first",
      params: caseParams,
      querystring: z.strictObject(paginationQuery),
      response: { 200: page(caseEventSchema), ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => cases.events(principalOf(req), req.params.code, req.query),
  });
}
