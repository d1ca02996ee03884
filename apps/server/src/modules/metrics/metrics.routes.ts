import { timingSafeEqual } from 'node:crypto';
import { endpoints } from '@lifeline/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import type { Route } from '../../plugins/routes.js';
import type { Metrics } from './metrics.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string) {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether the request may read the metrics. With METRICS_TOKEN, only a
 * bearer of that token, from anywhere. Without, only a scraper on this
 * machine talking to the process directly: a request that came through a
 * proxy (which adds X-Forwarded-For, as the nginx example does) is refused
 * even though its TCP peer is loopback, so the proxy cannot publish them.
 */
function allowed(req: FastifyRequest, token: string | undefined) {
  if (token) {
    const auth = req.headers.authorization ?? '';
    return auth.startsWith('Bearer ') && sameSecret(auth.slice(7), token);
  }
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !proxied && LOOPBACK.has(req.socket.remoteAddress ?? '');
}

export function metricsRoutes(
  app: FastifyInstance,
  route: Route,
  metrics: Metrics,
  token: string | undefined,
) {
  // Every answer, including refusals and 404s (their route is reported as "unmatched").
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  route(
    endpoints.operations.metrics,
    async (req, reply) => {
      if (!allowed(req, token)) {
        throw token
          ? unauthenticated('Send the METRICS_TOKEN as a bearer token.')
          : forbidden('metrics_local_only', 'Metrics answer only on loopback unless METRICS_TOKEN is set.');
      }
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
    { logLevel: 'warn' },
  );
}
