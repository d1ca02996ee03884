import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../lib/errors.js';
import { isBrowserNavigation, NOT_FOUND_PAGE_CSP, notFoundPage, pageMeant } from './not-found-page.js';

const PROBLEM_BASE = 'https://lifeline.dev/problems/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { path: string; message: string }[];
}

function problem(status: number, code: string, title: string, detail?: string): ProblemBody {
  return { type: PROBLEM_BASE + code, title, status, code, ...(detail ? { detail } : {}) };
}

/**
 * The database cannot be reached right now (PostgreSQL restarting, network cut):
 * pg's connection-class SQLSTATEs (08…), admin shutdown and crash recovery
 * (57P01-57P03), socket errors, and the pool's "Connection terminated". Such a
 * request is refused whole (nothing was committed), and may simply be repeated.
 */
function databaseUnavailable(err: unknown) {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) ||
    (typeof e.message === 'string' && /Connection terminated|connect ECONNREFUSED/.test(e.message))
  );
}

/** Maps every error to one RFC 9457 problem response; 5xx details stay in the log, not in the answer. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const body = problemOf(err, request, reply);
    return reply.status(body.status).type('application/problem+json').send(body);
  });
  registerNotFoundHandler(app);
}

/**
 * The one mapping of errors to problems: AppError, validation, framework and
 * database errors. Headers an error carries (Retry-After) are set on `reply`.
 * Facades with another error shape (the TeamViewer-compatible API) reshape it.
 */
export function problemOf(err: FastifyError, request: FastifyRequest, reply: FastifyReply): ProblemBody {
  let body: ProblemBody;
  if (err instanceof AppError) {
    body = problem(err.status, err.code, err.title, err.detail);
    if (err.extra.errors) body.errors = err.extra.errors;
    for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
  } else if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const errors = err.validation.flatMap((v) => {
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const keys = (v.params as { keys?: unknown }).keys;
      if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
        return keys.map((k) => ({
          path: [path, String(k)].filter(Boolean).join('.'),
          message: 'is not a known field',
        }));
      }
      return [{ path: path || where, message: v.message ?? 'is invalid' }];
    });
    body = problem(400, 'validation_failed', 'Validation failed', `The ${where} is not valid.`);
    body.errors = errors;
  } else if (isResponseSerializationError(err)) {
    request.log.error({ err, issues: err.cause.issues }, 'response did not match its contract');
    body = problem(500, 'internal_error', 'Internal server error');
  } else if (
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (err.statusCode === 400 && err instanceof SyntaxError)
  ) {
    body = problem(400, 'invalid_json', 'Malformed JSON', 'The request body is not valid JSON.');
  } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    body = problem(400, 'invalid_json', 'Malformed JSON', 'The request body is empty but declared as JSON.');
  } else if (err.statusCode === 413) {
    body = problem(413, 'payload_too_large', 'Payload too large', 'The request body is too large.');
  } else if (err.statusCode === 415) {
    body = problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send JSON (application/json).');
  } else if (err.statusCode === 429) {
    body = problem(429, 'rate_limited', 'Too many requests', err.message);
  } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    body = problem(err.statusCode, 'bad_request', 'Bad request', err.message);
  } else if (databaseUnavailable(err)) {
    request.log.error({ err }, 'database unavailable');
    body = problem(
      503,
      'service_unavailable',
      'Service unavailable',
      'The database is not reachable; try again shortly.',
    );
    reply.header('retry-after', '5');
  } else {
    request.log.error({ err }, 'unhandled error');
    body = problem(500, 'internal_error', 'Internal server error');
  }
  body.instance = request.url;
  // RFC 9110: a 401 names the scheme that would be accepted (RFC 6750 for bearer tokens).
  if (body.status === 401)
    reply.header(
      'www-authenticate',
      request.headers.authorization === undefined
        ? 'Bearer realm="Lifeline"'
        : 'Bearer realm="Lifeline", error="invalid_token"',
    );
  return body;
}

function registerNotFoundHandler(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) => {
    if (isBrowserNavigation(request)) {
      const meant = pageMeant(request.url);
      if (meant) return reply.redirect(meant, 308);
      return reply
        .status(404)
        .header('content-security-policy', NOT_FOUND_PAGE_CSP)
        .type('text/html; charset=utf-8')
        .send(notFoundPage(request.url.split('?')[0] ?? ''));
    }
    const body = problem(
      404,
      'not_found',
      'Not found',
      `No route for ${request.method} ${request.url.split('?')[0]}.`,
    );
    return reply
      .status(404)
      .type('application/problem+json')
      .send({ ...body, instance: request.url });
  });
}

/**
 * Errors the router raises before any route or hook runs (a malformed URL, a
 * path segment over the router's length limit), so the error handler above
 * never sees them: rendered as the same problem documents.
 */
export function frameworkErrors(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | undefined {
  const body =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(414, 'uri_too_long', 'URI too long', 'A path segment of the URL is too long.')
      : err.code === 'FST_ERR_BAD_URL'
        ? problem(400, 'bad_url', 'Bad request', 'The URL is malformed.')
        : problem(500, 'internal_error', 'Internal server error');
  if (body.status >= 500) request.log.error({ err }, 'router error');
  return reply
    .status(body.status)
    .type('application/problem+json')
    .send({ ...body, instance: request.url });
}
