import { endpoints } from '@lifeline/contracts';
import type { DatabaseHandle } from '../../db/database.js';
import type { Route } from '../../plugins/routes.js';

export function healthRoutes(route: Route, database: DatabaseHandle, isShuttingDown: () => boolean) {
  const quiet = { logLevel: 'warn' as const };
  route(endpoints.operations.health, async () => ({ status: 'ok' as const }), quiet);

  route(
    endpoints.operations.ready,
    async (_req, reply) => {
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
    quiet,
  );
}
