import {
  caseParams,
  createInvitationRequest,
  invitationSchema,
  listOutboxQuery,
  outboxMessageSchema,
  page,
  paginationQuery,
  problemSchema,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { InvitationsService } from './invitations.service.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};

export function invitationsRoutes(app: FastifyInstance, invitations: InvitationsService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/cases/:code/invitations', {
    schema: {
      tags: ['Cases'],
      summary: 'Send the customer link by e-mail or SMS',
      description:
        'Answers 202 with the invitation queued; its `status` becomes `sent` or `failed` (with the provider’s reason in `error`) once the outbox worker has delivered it. Without a configured provider it stays `queued` with transport `local`, readable in the outbox.',
      params: caseParams,
      body: createInvitationRequest,
      response: { 202: invitationSchema, ...errors },
    },
    onRequest: guard('cases:write'),
    handler: async (req, reply) =>
      reply.status(202).send(await invitations.create(principalOf(req), req.params.code, req.body)),
  });

  r.get('/api/v1/cases/:code/invitations', {
    schema: {
      tags: ['Cases'],
      summary: "A service case's invitations with their delivery state, newest first",
      params: caseParams,
      querystring: z.strictObject(paginationQuery),
      response: { 200: page(invitationSchema), ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => invitations.list(principalOf(req), req.params.code, req.query),
  });

  r.get('/api/v1/outbox', {
    schema: {
      tags: ['Outbox'],
      summary: 'Every e-mail and SMS of your organisation, as sent or as kept locally, newest first',
      querystring: listOutboxQuery,
      response: { 200: page(outboxMessageSchema), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => invitations.outbox(principalOf(req), req.query),
  });
}
