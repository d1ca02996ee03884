import {
  createdWebhookSchema,
  createWebhookRequest,
  idParams,
  listDeliveriesQuery,
  page,
  problemSchema,
  updateWebhookRequest,
  webhookDeliverySchema,
  webhookSchema,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { WebhooksService } from './webhooks.service.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
};
const tags = ['Webhooks'];

/** Admins only: endpoints receive every case of the organisation. */
export function webhooksRoutes(app: FastifyInstance, webhooks: WebhooksService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/webhooks', {
    schema: {
      tags,
      summary: 'Webhook endpoints of your organisation',
      response: { 200: z.object({ items: z.array(webhookSchema) }), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => ({ items: await webhooks.list(principalOf(req)) }),
  });

  r.post('/api/v1/webhooks', {
    schema: {
      tags,
      summary: 'Add a webhook endpoint; the answer carries its signing secret, shown only this once',
      body: createWebhookRequest,
      response: { 201: createdWebhookSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) => reply.status(201).send(await webhooks.create(principalOf(req), req.body)),
  });

  r.get('/api/v1/webhooks/:id', {
    schema: {
      tags,
      summary: 'One webhook endpoint',
      params: idParams,
      response: { 200: webhookSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => webhooks.get(principalOf(req), req.params.id),
  });

  r.patch('/api/v1/webhooks/:id', {
    schema: {
      tags,
      summary: 'Change a webhook endpoint; enabling it again resets its failure count',
      params: idParams,
      body: updateWebhookRequest,
      response: { 200: webhookSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => webhooks.update(principalOf(req), req.params.id, req.body),
  });

  r.delete('/api/v1/webhooks/:id', {
    schema: {
      tags,
      summary: 'Remove a webhook endpoint and its delivery log',
      params: idParams,
      response: { 204: z.null(), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) => {
      await webhooks.delete(principalOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  });

  r.get('/api/v1/webhooks/:id/deliveries', {
    schema: {
      tags,
      summary: "An endpoint's delivery log, newest first",
      params: idParams,
      querystring: listDeliveriesQuery,
      response: { 200: page(webhookDeliverySchema), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => webhooks.deliveries(principalOf(req), req.params.id, req.query),
  });
}
