import type { EndpointResult, endpoints, ModuleRequest, Problem } from '@lifeline/contracts';
import { apiError, urlOf } from './core.js';

export { ApiError } from './core.js';

/**
 * The public calls a customer's page makes (join by link or code, a QuickSupport
 * module's page and request), without zod: these pages load before anything else
 * and must stay small (docs/PERFORMANCE.md, "Customer bundle"). Answers come from
 * the page's own server, which built them from the contract's schemas, so they are
 * typed by the contract and not parsed again; the full client (`@lifeline/client`)
 * parses every answer.
 */

type Route<E extends { method: string; path: string }> = Pick<E, 'method' | 'path'>;

// The endpoints' own method and path: `satisfies` holds each equal to its declaration in
// @lifeline/contracts (a type-only import), so a renamed path fails to compile here.
const routes = {
  joinByToken: { method: 'GET', path: '/api/v1/join/{token}' },
  joinByCode: { method: 'POST', path: '/api/v1/join/by-code' },
  modulePage: { method: 'GET', path: '/api/v1/public/modules/{slug}' },
  moduleRequest: { method: 'POST', path: '/api/v1/public/modules/{slug}/requests' },
} as const satisfies {
  joinByToken: Route<typeof endpoints.join.byToken>;
  joinByCode: Route<typeof endpoints.join.byCode>;
  modulePage: Route<typeof endpoints.quickSupport.page>;
  moduleRequest: Route<typeof endpoints.quickSupport.request>;
};

/** A problem as the server sends it (RFC 9457), checked by shape. */
export function readProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const p = body as Record<string, unknown>;
  if (
    typeof p.type !== 'string' ||
    typeof p.title !== 'string' ||
    typeof p.status !== 'number' ||
    typeof p.code !== 'string'
  ) {
    return undefined;
  }
  const errors = Array.isArray(p.errors)
    ? p.errors.filter(
        (e): e is { path: string; message: string } =>
          typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.message === 'string',
      )
    : undefined;
  return {
    type: p.type,
    title: p.title,
    status: p.status,
    code: p.code,
    ...(typeof p.detail === 'string' ? { detail: p.detail } : {}),
    ...(typeof p.instance === 'string' ? { instance: p.instance } : {}),
    ...(errors ? { errors } : {}),
  };
}

export interface PublicClientOptions {
  /** e.g. `http://localhost:8080` */
  baseUrl: string;
  fetch?: typeof fetch;
}

/** The customer pages' client: public endpoints only, no credentials of its own. */
export function createPublicClient(options: PublicClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function send<T>(
    route: { method: string; path: string },
    params: Record<string, string>,
    body?: unknown,
  ): Promise<T> {
    const res = await doFetch(urlOf(baseUrl, route, params), {
      method: route.method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
    });
    if (!res.ok) throw await apiError(res, readProblem);
    return (await res.json()) as T;
  }

  return {
    join: {
      byToken: (token: string) =>
        send<EndpointResult<typeof endpoints.join.byToken>>(routes.joinByToken, { token }),
      byCode: (code: string) =>
        send<EndpointResult<typeof endpoints.join.byCode>>(routes.joinByCode, {}, { code }),
    },
    quickSupport: {
      page: (slug: string) =>
        send<EndpointResult<typeof endpoints.quickSupport.page>>(routes.modulePage, { slug }),
      request: (slug: string, body: ModuleRequest) =>
        send<EndpointResult<typeof endpoints.quickSupport.request>>(routes.moduleRequest, { slug }, body),
    },
  };
}

export type PublicClient = ReturnType<typeof createPublicClient>;
