import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.js';
import { BAD_TEXT_MESSAGE, badTextPath } from '../lib/text.js';

/** Paths whose last segment is a customer link token: `/j/{token}` and its API look-up. */
const SECRET_PATH = /^(\/j\/|\/api\/v1\/join\/(?!by-code(?:[/?#]|$)))[^/?#]+/;
/** Query parameters that carry a secret: the session socket's link token, OAuth codes and tokens. */
const SECRET_PARAMS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token_hint',
  'code',
  'client_secret',
]);

/** The URL as it may be logged: link tokens and secret query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(SECRET_PATH, '$1[redacted]');
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        // An undecodable name is logged as it came.
      }
      return eq >= 0 && SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * What every request goes through, whatever its route: JSON bodies (an empty
 * one is no body), text every database can store, and one log line without secrets.
 * Fastify's own request logging must be off (`disableRequestLogging`).
 */
export function registerRequestHandling(app: FastifyInstance) {
  // Many HTTP clients send `Content-Type: application/json` on a POST or DELETE without a body.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    if (text === '') return done(null, undefined);
    return json(req, text, done);
  });

  app.addHook('preValidation', async (req) => {
    // Socket upgrades are checked by the hub, which answers with a close code rather than a problem document.
    if (req.ws) return;
    for (const [where, value] of [
      ['body', req.body],
      ['params', req.params],
      ['querystring', req.query],
    ] as const) {
      const path = badTextPath(value);
      if (path === undefined) continue;
      throw new AppError(400, 'validation_failed', 'Validation failed', `The ${where} is not valid.`, {
        errors: [{ path: path || where, message: BAD_TEXT_MESSAGE }],
      });
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        url: redactUrl(req.url),
        ip: req.ip,
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });
}
