import type { z } from 'zod';
import type { Scope } from './auth.js';

/**
 * One HTTP endpoint, declared once: the server registers its route from it,
 * the typed client calls it, and the OpenAPI document is generated from it.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call: anyone (`public`), any signed-in caller (`signedIn`: cookie or
 * token, whatever its scopes), a caller holding a scope, or the operator's
 * metrics scraper (`metrics`: METRICS_TOKEN, else loopback only).
 */
export type Access = 'public' | 'signedIn' | Scope | 'metrics';

/** An answer that is not JSON: a file, an image, the metrics text. */
export interface MediaBody {
  mediaTypes: readonly string[];
  description: string;
}

/** A success answer's body: a JSON schema, `null` for none (204), or another media type. */
export type ResponseBody = z.ZodType | null | MediaBody;

/** Problems an endpoint documents beyond those its shape implies (see `problemStatuses`). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503;

export interface Endpoint {
  method: HttpMethod;
  /** OpenAPI style: `/api/v1/cases/{code}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tags: readonly string[];
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A raw request body instead of JSON (the one binary upload: a module's logo). */
  upload?: { mediaTypes: readonly string[]; maxBytes: number; description: string };
  responses: Readonly<Partial<Record<200 | 201 | 202 | 204 | 503, ResponseBody>>>;
  /** The endpoint's own refusals; validation, sign-in, body and database problems are implied. */
  problems: readonly ProblemStatus[];
  /** Answers without asking the database (liveness): no 503 for an unreachable database. */
  noDatabase?: true;
  /** Not part of the integrators' API (the OAuth sign-in page's steps): left out of the document. */
  internal?: true;
  /**
   * Problems in another shape than RFC 9457, for a facade whose clients read
   * that shape (the TeamViewer-compatible API); the statuses stay the same.
   */
  problemBody?: { schema: z.ZodType; mediaType: string };
}

export function defineEndpoint<const E extends Endpoint>(endpoint: E): E {
  return endpoint;
}

export const isMediaBody = (body: ResponseBody | undefined): body is MediaBody =>
  typeof body === 'object' && body !== null && 'mediaTypes' in body;

/** Every problem status an endpoint may answer, the declared ones and those its shape implies. */
export function problemStatuses(e: Endpoint): ProblemStatus[] {
  const all = new Set<ProblemStatus>(e.problems);
  if (e.params || e.query || e.body || e.upload) all.add(400);
  if (e.body || e.upload) {
    all.add(413);
    all.add(415);
  }
  if (e.access !== 'public') {
    all.add(401);
    all.add(403);
  }
  if (!e.noDatabase && e.responses[503] === undefined) all.add(503);
  return [...all].sort((a, b) => a - b);
}

/** The success statuses an endpoint answers with, lowest first. */
export function successStatuses(e: Endpoint): (200 | 201 | 202 | 204)[] {
  return (Object.keys(e.responses).map(Number) as (200 | 201 | 202 | 204 | 503)[])
    .filter((s): s is 200 | 201 | 202 | 204 => s < 300)
    .sort((a, b) => a - b);
}

/** The path with its parameters filled in, each encoded as one segment. */
export function pathOf(e: Pick<Endpoint, 'path'>, params: Record<string, string> = {}): string {
  return e.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${e.path}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

type SuccessKey<E extends Endpoint> = keyof E['responses'] & (200 | 201 | 202 | 204);
type BodyOut<B> = B extends z.ZodType ? z.output<B> : B extends null ? undefined : Blob;
type BodyIn<B> = B extends z.ZodType ? z.input<B> : B extends null ? undefined : never;

/** What a successful call answers, as the client receives it. */
export type EndpointResult<E extends Endpoint> = BodyOut<E['responses'][SuccessKey<E>]>;
/** What the server's handler returns for the success status (media bodies are sent by the handler itself). */
export type EndpointReply<E extends Endpoint> = BodyIn<E['responses'][SuccessKey<E>]>;

export type EndpointParams<E extends Endpoint> = E extends { params: infer P extends z.ZodType }
  ? z.output<P>
  : Record<string, never>;
export type EndpointQuery<E extends Endpoint> = E extends { query: infer Q extends z.ZodType }
  ? z.output<Q>
  : Record<string, never>;
export type EndpointBody<E extends Endpoint> = E extends { body: infer B extends z.ZodType }
  ? z.output<B>
  : E extends { upload: object }
    ? unknown
    : undefined;

/** A raw body for an `upload` endpoint. */
export interface Upload {
  body: Uint8Array | Blob;
  contentType: string;
}

/** What a caller passes: params, query and body as the endpoint declares them. */
export type EndpointInput<E extends Endpoint> = (E extends { params: infer P extends z.ZodType }
  ? { params: z.input<P> }
  : { params?: undefined }) &
  (E extends { query: infer Q extends z.ZodType } ? { query?: z.input<Q> } : { query?: undefined }) &
  (E extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: undefined }) &
  (E extends { upload: object } ? { upload: Upload } : { upload?: undefined });
