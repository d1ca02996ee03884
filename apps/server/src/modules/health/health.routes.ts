import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseHandle } from '../../db/database.js';

const health = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()).optional(),
});

export function healthRoutes(app: FastifyInstance, database: DatabaseHandle, isShuttingDown: () => boolean) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/healthz', {
    schema: { tags: ['Operations'], summary: 'Liveness: the process answers', response: { 200: health } },
    logLevel: 'warn',
    handler: async () => ({ status: 'ok' as const }),
  });

  r.get('/readyz', {
    schema: {
      tags: ['Operations'],
      summary: 'Readiness: the database answers and the process is not shutting down',
      response: { 200: health, 503: health },
    },
    logLevel: 'warn',
    handler: async (_req, reply) => {
      if (isShuttingDown())
        return reply.status(503).send({ status: 'unavailable', checks: { process: 'shutting down' } });
      try {
        await database.ping();
        return { status: 'ok' as const, checks: { database: 'ok' } };
      } catch (err) {
        return reply
          .status(503)
          .send({ status: 'unavailable', checks: { database: (err as Error).message } });
      }
    },
  });
}
