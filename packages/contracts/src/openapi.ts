import { z } from 'zod';
import { problemSchema } from './common.js';
import { oauthScopeDescriptions } from './connector-apps.js';
import {
  type Endpoint,
  isMediaBody,
  type ProblemStatus,
  problemStatuses,
  type ResponseBody,
  successStatuses,
} from './endpoint.js';
import { allEndpoints } from './endpoints/index.js';
import { webhookEventType, webhookPayloads } from './webhooks.js';

/**
 * The OpenAPI 3.1 document, generated from the endpoint declarations. Named
 * schemas (`.meta({ id })`) become components; request schemas are written as
 * they are accepted (defaults optional), responses as they are sent.
 */

type Json = Record<string, unknown>;

const problemName: Record<ProblemStatus, string> = {
  400: 'BadRequest',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

const problemText: Record<ProblemStatus, string> = {
  400: 'The request is not valid (`validation_failed` lists each field, `invalid_json`, `bad_request`).',
  401: 'Not signed in, or the token is invalid, revoked or expired.',
  403: 'Signed in, but not allowed: a missing scope or role, or a cookie request without its CSRF token.',
  404: 'Not found (also for another organisation’s records).',
  409: 'Conflicts with the current state (an ended case, a name or address already in use).',
  410: 'The case behind this link or code has ended.',
  413: 'The request body is too large.',
  415: 'The request body has a media type this endpoint does not take.',
  429: 'Too many attempts; wait as long as `Retry-After` says.',
  503: 'The database is not reachable right now; nothing was changed. Try again after `Retry-After`.',
};

const successText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'Done; no content',
  503: 'Not ready',
};

const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
};

const binary = { type: 'string', format: 'binary' };

function refsTo(value: unknown, rename: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => refsTo(v, rename));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      const name = decodeURIComponent(v.slice('#/$defs/'.length));
      out[k] = `#/components/schemas/${rename.get(name) ?? name}`;
    } else out[k] = refsTo(v, rename);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

class Schemas {
  readonly components: Record<string, unknown> = {};

  /** The JSON Schema of `schema` as sent (`output`) or as accepted (`input`); named parts become components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const {
      $schema: _,
      $defs,
      ...root
    } = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as Json & { $defs?: Record<string, unknown> };
    const defs = Object.entries($defs ?? {});
    // A named schema reads differently as input (defaults optional, transforms' inputs): its own component.
    const rename = new Map<string, string>();
    for (const [name] of defs) {
      const existing = this.components[name];
      const own = refsTo(Object.fromEntries(defs)[name], new Map());
      rename.set(
        name,
        existing === undefined || same(existing, own) || io === 'output' ? name : `${name}Input`,
      );
    }
    for (const [name, def] of defs) {
      const target = rename.get(name) ?? name;
      const body = refsTo(def, rename);
      const existing = this.components[target];
      if (existing !== undefined && !same(existing, body))
        throw new Error(`Two different schemas are named ${target}`);
      this.components[target] = body;
    }
    return refsTo(root, rename) as Json;
  }
}

function parameters(schemas: Schemas, object: z.ZodObject | undefined, where: 'path' | 'query') {
  if (!object) return [];
  const json = schemas.convert(object, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function response(schemas: Schemas, status: number, body: ResponseBody) {
  if (body === null) return { description: successText[status] ?? 'OK' };
  if (isMediaBody(body))
    return {
      description: body.description,
      content: Object.fromEntries(body.mediaTypes.map((t) => [t, { schema: binary }])),
    };
  return {
    description: successText[status] ?? 'OK',
    content: { 'application/json': { schema: schemas.convert(body, 'output') } },
  };
}

const SIGNED_IN = [{ bearer: [] }, { cookie: [] }];

function security(e: Endpoint) {
  switch (e.access) {
    case 'public':
      return [];
    case 'signedIn':
      return SIGNED_IN;
    case 'metrics':
      // Without METRICS_TOKEN, a local scraper needs no credentials.
      return [{ metricsToken: [] }, {}];
    default:
      return [{ oauth2: [e.access] }, ...SIGNED_IN];
  }
}

function operation(schemas: Schemas, e: Endpoint): Json {
  const responses: Json = {};
  for (const status of successStatuses(e))
    responses[status] = response(schemas, status, e.responses[status] ?? null);
  const other = e.problemBody;
  for (const status of problemStatuses(e))
    responses[status] = other
      ? {
          description: problemText[status],
          content: { [other.mediaType]: { schema: schemas.convert(other.schema, 'output') } },
        }
      : { $ref: `#/components/responses/${problemName[status]}` };
  const ready = e.responses[503];
  if (ready !== undefined) responses[503] = response(schemas, 503, ready);
  const params = [...parameters(schemas, e.params, 'path'), ...parameters(schemas, e.query, 'query')];
  return {
    operationId: e.operationId,
    summary: e.summary,
    description: e.description,
    tags: [...e.tags],
    security: security(e),
    ...(params.length ? { parameters: params } : {}),
    ...(e.body
      ? {
          requestBody: {
            // A body the declaration makes optional (`.optional()`) may be left out.
            required: !e.body.safeParse(undefined).success,
            content: { 'application/json': { schema: schemas.convert(e.body, 'input') } },
          },
        }
      : {}),
    ...(e.upload
      ? {
          requestBody: {
            required: true,
            description: e.upload.description,
            content: Object.fromEntries(e.upload.mediaTypes.map((t) => [t, { schema: binary }])),
          },
        }
      : {}),
    responses,
  };
}

const webhookHeaders = [
  [
    'Lifeline-Event-Id',
    'The event’s id (= `id` in the body): the same on every retry and for every endpoint.',
  ],
  ['Lifeline-Event-Type', 'The event type (= `type` in the body).'],
  ['Lifeline-Delivery-Id', 'This delivery (one per endpoint and event).'],
  [
    'Lifeline-Signature',
    '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.rawBody" keyed with the endpoint’s secret>`.',
  ],
] as const;

function webhooks(schemas: Schemas): Json {
  const out: Json = {};
  for (const type of webhookEventType.options) {
    out[type] = {
      post: {
        operationId: `webhook${type.replace(/(^|[._])(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
        summary: `The \`${type}\` notification`,
        description:
          'POSTed to every enabled endpoint subscribed to this event, signed; retried with backoff until a 2xx (docs/WEBHOOKS.md).',
        tags: ['Webhooks'],
        parameters: webhookHeaders.map(([name, description]) => ({
          name,
          in: 'header',
          required: true,
          description,
          schema: { type: 'string' },
        })),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: schemas.convert(webhookPayloads[type], 'output') } },
        },
        responses: {
          '2XX': { description: 'Received; answer quickly and do the work afterwards.' },
          default: { description: 'Any other answer: retried (5xx, 408, 429) or failed at once (others).' },
        },
      },
    };
  }
  return out;
}

/** Every problem answer: RFC 9457 `application/problem+json`, as the error handler sends it. */
function problemResponses(schemas: Schemas) {
  const schema = schemas.convert(problemSchema, 'output');
  return Object.fromEntries(
    (Object.keys(problemName).map(Number) as ProblemStatus[]).map((status) => [
      problemName[status],
      {
        description: problemText[status],
        ...(status === 429 || status === 503 ? { headers: retryAfter } : {}),
        content: { 'application/problem+json': { schema } },
      },
    ]),
  );
}

export function openApiDocument(): Json {
  const schemas = new Schemas();
  const problems = problemResponses(schemas);
  const paths: Record<string, Json> = {};
  for (const e of allEndpoints) {
    if (e.internal) continue;
    const ops = paths[e.path] ?? {};
    ops[e.method.toLowerCase()] = operation(schemas, e);
    paths[e.path] = ops;
  }
  const hooks = webhooks(schemas);
  const tags = [
    ...new Set(
      Object.values(paths).flatMap((ops) =>
        Object.values(ops).flatMap((o) => (o as { tags: string[] }).tags),
      ),
    ),
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lifeline API',
      version: '1.0.0',
      description:
        'Remote-support service cases. Integrators send `Authorization: Bearer <token>` (a personal API token, or an OAuth access token of a connector app); the console uses the session cookie plus `x-csrf-token`. Errors are RFC 9457 `application/problem+json` with a stable `code`.',
    },
    tags: tags.map((name) => ({ name })),
    paths,
    webhooks: hooks,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas.components).sort(([a], [b]) => a.localeCompare(b))),
      responses: problems,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal API token (`llt_…`, with the scopes it was made with) or an OAuth access token of a connector app.',
        },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'lifeline_session',
          description:
            'The console’s session; state-changing requests also send its CSRF token in `x-csrf-token`.',
        },
        oauth2: {
          type: 'oauth2',
          description: 'Connector apps: authorisation code with PKCE (S256).',
          flows: {
            authorizationCode: {
              authorizationUrl: '/oauth/auth',
              tokenUrl: '/oauth/token',
              refreshUrl: '/oauth/token',
              scopes: oauthScopeDescriptions,
            },
          },
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The operator’s METRICS_TOKEN.',
        },
      },
    },
  };
}
