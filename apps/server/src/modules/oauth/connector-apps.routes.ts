import {
  connectorAppSchema,
  createConnectorAppRequest,
  createdConnectorAppSchema,
  idParams,
  problemSchema,
  updateConnectorAppRequest,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { ConnectorAppsService } from './connector-apps.service.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const tags = ['Connector apps'];

/** Admins only: a connector app acts for any agent of the organisation who allows it. */
export function connectorAppsRoutes(app: FastifyInstance, apps: ConnectorAppsService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/connector-apps', {
    schema: {
      tags,
      summary: 'Connector apps (OAuth clients) of your organisation',
      response: { 200: z.object({ items: z.array(connectorAppSchema) }), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => ({ items: await apps.list(principalOf(req)) }),
  });

  r.post('/api/v1/connector-apps', {
    schema: {
      tags,
      summary: 'Register a connector app; the answer carries its client secret, shown only this once',
      body: createConnectorAppRequest,
      response: { 201: createdConnectorAppSchema, ...errors, 409: problemSchema },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) => reply.status(201).send(await apps.create(principalOf(req), req.body)),
  });

  r.get('/api/v1/connector-apps/:id', {
    schema: {
      tags,
      summary: 'One connector app, with its connector URLs',
      params: idParams,
      response: { 200: connectorAppSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => apps.get(principalOf(req), req.params.id),
  });

  r.patch('/api/v1/connector-apps/:id', {
    schema: {
      tags,
      summary: 'Change the name, redirect URIs or allowed origins of a connector app',
      params: idParams,
      body: updateConnectorAppRequest,
      response: { 200: connectorAppSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => apps.update(principalOf(req), req.params.id, req.body),
  });

  r.delete('/api/v1/connector-apps/:id', {
    schema: {
      tags,
      summary: 'Remove a connector app; every token it was given stops working at once',
      params: idParams,
      response: { 204: z.null(), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) => {
      await apps.delete(principalOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  });
}
