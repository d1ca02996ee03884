import {
  type Endpoint,
  type EndpointBody,
  type EndpointParams,
  type EndpointQuery,
  type EndpointReply,
  isMediaBody,
  problemSchema,
  problemStatuses,
  successStatuses,
} from '@lifeline/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, LogLevel } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guard } from './auth.js';

export type RouteRequest<E extends Endpoint> = FastifyRequest<{
  Params: EndpointParams<E>;
  Querystring: EndpointQuery<E>;
  Body: EndpointBody<E>;
}>;

/**
 * A route's handler: it returns the body of the endpoint's success status (set
 * before it runs), or the reply when it sent something else itself.
 */
export type RouteHandler<E extends Endpoint> = (
  req: RouteRequest<E>,
  reply: FastifyReply,
) => EndpointReply<E> extends undefined
  ? Promise<void> | Promise<FastifyReply>
  : Promise<EndpointReply<E> | FastifyReply>;

export type Route = <E extends Endpoint>(
  endpoint: E,
  handler: RouteHandler<E>,
  options?: { logLevel?: LogLevel },
) => void;

/** `/api/v1/cases/{code}` → `/api/v1/cases/:code` */
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Fastify hands a request without a body to validation as `null`: where the
 * declaration makes the body optional, that is the same as leaving it out.
 */
function bodySchemaOf(body: z.ZodType): z.ZodType {
  return body.safeParse(undefined).success ? z.preprocess((v) => v ?? undefined, body) : body;
}

function schemaOf(e: Endpoint): FastifySchema {
  const response: Record<number, z.ZodType> = {};
  for (const status of successStatuses(e)) {
    const body = e.responses[status];
    if (body === null) response[status] = z.null();
    else if (body !== undefined && !isMediaBody(body)) response[status] = body;
  }
  const notReady = e.responses[503];
  if (notReady && !isMediaBody(notReady)) response[503] = notReady;
  for (const status of problemStatuses(e)) response[status] ??= e.problemBody?.schema ?? problemSchema;
  return {
    ...(e.params ? { params: e.params } : {}),
    ...(e.query ? { querystring: e.query } : {}),
    ...(e.body ? { body: bodySchemaOf(e.body) } : {}),
    response,
  };
}

/**
 * Registers routes from their endpoint declarations: method, path, schemas and
 * the guard the declared access needs come from the declaration, so a route
 * file adds only the handler. `metrics` access is checked by its handler.
 */
export function routeRegistrar(app: FastifyInstance, guard: Guard): Route {
  return (endpoint, handler, options = {}) => {
    const [success] = successStatuses(endpoint);
    const access = endpoint.access;
    const route = (scope: FastifyInstance) =>
      scope.withTypeProvider<ZodTypeProvider>().route({
        method: endpoint.method,
        url: fastifyPath(endpoint.path),
        schema: schemaOf(endpoint),
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
        ...(access === 'public' || access === 'metrics'
          ? {}
          : { onRequest: guard(access === 'signedIn' ? null : access) }),
        handler: async (req, reply) => {
          if (success) reply.code(success);
          const result = await handler(req as unknown as RouteRequest<typeof endpoint>, reply);
          if (result === reply) return reply;
          return success === 204 ? reply.send(null) : result;
        },
      });
    const upload = endpoint.upload;
    if (!upload) {
      route(app);
      return;
    }
    // A raw body: its own scope, so every other route still takes JSON only.
    app.register(async (scope) => {
      for (const type of upload.mediaTypes) {
        scope.addContentTypeParser(
          type.endsWith('/*') ? new RegExp(`^${type.slice(0, -1).replace('/', '\\/')}`) : type,
          { parseAs: 'buffer', bodyLimit: upload.maxBytes },
          (_req, body, done) => done(null, body),
        );
      }
      route(scope);
    });
  };
}
