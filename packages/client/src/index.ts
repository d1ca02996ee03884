import {
  type CloseCaseRequest,
  type CreateCaseRequest,
  type CreateConnectorAppRequest,
  type CreateInvitationRequest,
  type CreateModuleRequest,
  type CreateTokenRequest,
  type CreateUserRequest,
  type CreateWebhookRequest,
  type Endpoint,
  type EndpointInput,
  type EndpointResult,
  endpoints,
  isMediaBody,
  type ListCasesQuery,
  type ListOutboxQuery,
  type ModuleRequest,
  problemSchema,
  type StartRecordingRequest,
  successStatuses,
  type UpdateCaseRequest,
  type UpdateConnectorAppRequest,
  type UpdateModuleRequest,
  type UpdateRecordingSettingsRequest,
  type UpdateUserRequest,
  type UpdateWebhookRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import { ApiError, apiError, type Query, urlOf } from './core.js';

export { ApiError };

export interface ClientOptions {
  /** e.g. `http://localhost:8080` */
  baseUrl: string;
  /**
   * A personal API token or OAuth access token; without it, call `auth.login` for a cookie session.
   * A function is asked before every request (OAuth access tokens are replaced when refreshed).
   */
  token?: string | (() => string | undefined);
  /** `omit` for pages that must never ride on cookies (the CRM connector frames). Default `same-origin`. */
  credentials?: 'omit' | 'same-origin' | 'include';
  fetch?: typeof fetch;
}

/** Problems are parsed strictly here; anything else becomes a plain `http_error`. */
const readProblem = (body: unknown) => {
  const parsed = problemSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
};

const SAFE = new Set(['GET', 'HEAD']);
type Paging = { limit?: number; cursor?: string };

/**
 * The typed client of the REST API. Every call goes through `call(endpoint,
 * input)` with an endpoint declared in `@lifeline/contracts`: method, path,
 * input types and the schema its answer is parsed with come from there.
 */
export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Outside a browser the cookie jar is ours to keep.
  let cookie: string | undefined;
  let csrfToken: string | undefined;

  async function call<E extends Endpoint>(endpoint: E, input: EndpointInput<E>): Promise<EndpointResult<E>> {
    const { params, query, body, upload } = input as {
      params?: Record<string, string>;
      query?: Query;
      body?: unknown;
      upload?: { body: Uint8Array | Blob; contentType: string };
    };
    const method = endpoint.method;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (upload) headers['content-type'] = upload.contentType;
    const token = typeof options.token === 'function' ? options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (cookie) headers.cookie = cookie;
    if (csrfToken && !SAFE.has(method)) headers['x-csrf-token'] = csrfToken;
    const res = await doFetch(urlOf(baseUrl, endpoint, params, query), {
      method,
      headers,
      body: upload
        ? (upload.body as NonNullable<RequestInit['body']>)
        : body === undefined
          ? null
          : JSON.stringify(body),
      credentials: options.credentials ?? 'same-origin',
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0];
    if (!res.ok) throw await apiError(res, readProblem);
    const schema =
      endpoint.responses[res.status as 200] ?? endpoint.responses[successStatuses(endpoint)[0] ?? 200];
    if (schema === null || schema === undefined || res.status === 204) return undefined as EndpointResult<E>;
    if (isMediaBody(schema)) return (await res.blob()) as EndpointResult<E>;
    return (schema as z.ZodType).parse(await res.json()) as EndpointResult<E>;
  }

  const items = async <T>(answer: Promise<{ items: T[] }>) => (await answer).items;
  const { cases, tokens, webhooks, connectorApps, modules, quickSupport, join, users, groups } = endpoints;

  return {
    call,
    /** The signed-in session's cookie, for realtime sockets opened outside a browser. */
    sessionCookie: () => cookie,
    auth: {
      async login(email: string, password: string) {
        const result = await call(endpoints.auth.login, { body: { email, password } });
        csrfToken = result.csrfToken;
        return result;
      },
      async logout() {
        await call(endpoints.auth.logout, {});
        cookie = undefined;
        csrfToken = undefined;
      },
    },
    async me() {
      const me = await call(endpoints.auth.me, {});
      if (me.csrfToken) csrfToken = me.csrfToken;
      return me;
    },
    tokens: {
      list: () => items(call(tokens.list, {})),
      create: (body: CreateTokenRequest) => call(tokens.create, { body }),
      revoke: (id: string) => call(tokens.revoke, { params: { id } }),
    },
    cases: {
      create: (body: CreateCaseRequest) => call(cases.create, { body }),
      list: (query: ListCasesQuery = {}) => call(cases.list, { query }),
      get: (code: string) => call(cases.get, { params: { code } }),
      update: (code: string, body: UpdateCaseRequest) => call(cases.update, { params: { code }, body }),
      close: (code: string, body?: CloseCaseRequest) => call(cases.close, { params: { code }, body }),
      delete: (code: string) => call(cases.delete, { params: { code } }),
      bulkDelete: (codes: string[]) => call(cases.bulkDelete, { body: { codes } }),
      events: (code: string, query: Paging = {}) => call(cases.events, { params: { code }, query }),
      connections: (code: string) => items(call(cases.connections, { params: { code } })),
      /** Sends the customer link; answers with the invitation queued for delivery. */
      invite: (code: string, body: CreateInvitationRequest) => call(cases.invite, { params: { code }, body }),
      invitations: (code: string, query: Paging = {}) => call(cases.invitations, { params: { code }, query }),
    },
    /** Session recordings (docs/ARCHITECTURE.md, "How a recording is written"). */
    recordings: {
      settings: () => call(endpoints.recordings.settings, {}),
      updateSettings: (body: UpdateRecordingSettingsRequest) =>
        call(endpoints.recordings.updateSettings, { body }),
      list: (code: string) => items(call(endpoints.recordings.list, { params: { code } })),
      start: (code: string, body: StartRecordingRequest) =>
        call(endpoints.recordings.start, { params: { code }, body }),
      /** Chunk `seq` (from 0, in order) of what MediaRecorder gave. */
      chunk: (code: string, id: string, seq: number, bytes: Uint8Array | Blob) =>
        call(endpoints.recordings.chunk, {
          params: { code, id, seq },
          upload: { body: bytes, contentType: 'video/webm' },
        }),
      finish: (code: string, id: string) => call(endpoints.recordings.finish, { params: { code, id } }),
      download: (code: string, id: string) => call(endpoints.recordings.download, { params: { code, id } }),
    },
    reports: {
      connections: (query: { from?: string; to?: string } & Paging = {}) =>
        call(endpoints.reports.connections, { query }),
    },
    /** Admins: endpoints that receive signed event notifications (docs/WEBHOOKS.md). */
    webhooks: {
      list: () => items(call(webhooks.list, {})),
      get: (id: string) => call(webhooks.get, { params: { id } }),
      /** The answer's `secret` is shown only here. */
      create: (body: CreateWebhookRequest) => call(webhooks.create, { body }),
      update: (id: string, body: UpdateWebhookRequest) => call(webhooks.update, { params: { id }, body }),
      delete: (id: string) => call(webhooks.delete, { params: { id } }),
      deliveries: (id: string, query: Paging = {}) => call(webhooks.deliveries, { params: { id }, query }),
    },
    /** Admins: OAuth clients for CRM connectors, with their connector URLs (docs/CONNECTORS.md). */
    connectorApps: {
      list: () => items(call(connectorApps.list, {})),
      get: (id: string) => call(connectorApps.get, { params: { id } }),
      /** The answer's `clientSecret` is shown only here. */
      create: (body: CreateConnectorAppRequest) => call(connectorApps.create, { body }),
      update: (id: string, body: UpdateConnectorAppRequest) =>
        call(connectorApps.update, { params: { id }, body }),
      delete: (id: string) => call(connectorApps.delete, { params: { id } }),
    },
    /** Admins: every e-mail and SMS, including those kept in the local outbox. */
    outbox: {
      list: (query: ListOutboxQuery = {}) => call(endpoints.outbox.list, { query }),
    },
    /** Admins: QuickSupport modules, the branded pages where customers ask for help. */
    modules: {
      list: () => items(call(modules.list, {})),
      get: (id: string) => call(modules.get, { params: { id } }),
      create: (body: CreateModuleRequest) => call(modules.create, { body }),
      update: (id: string, body: UpdateModuleRequest) => call(modules.update, { params: { id }, body }),
      delete: (id: string) => call(modules.delete, { params: { id } }),
      /** The image's bytes; its type is read from them, whatever `contentType` says. */
      uploadLogo: (id: string, image: Uint8Array | Blob, contentType: string) =>
        call(modules.uploadLogo, { params: { id }, upload: { body: image, contentType } }),
      removeLogo: (id: string) => call(modules.removeLogo, { params: { id } }),
    },
    /** A module's public page, as the customer's browser uses it; no credentials. */
    quickSupport: {
      page: (slug: string) => call(quickSupport.page, { params: { slug } }),
      request: (slug: string, body: ModuleRequest) => call(quickSupport.request, { params: { slug }, body }),
    },
    /** Public lookups a customer's page makes; no credentials. */
    join: {
      byToken: (token: string) => call(join.byToken, { params: { token } }),
      byCode: (code: string) => call(join.byCode, { body: { code } }),
    },
    users: {
      list: () => items(call(users.list, {})),
      get: (id: string) => call(users.get, { params: { id } }),
      create: (body: CreateUserRequest) => call(users.create, { body }),
      update: (id: string, body: UpdateUserRequest) => call(users.update, { params: { id }, body }),
      /** Admins: a user's personal API tokens, and revoking one. */
      tokens: (id: string) => items(call(tokens.listOfUser, { params: { id } })),
      revokeToken: (id: string, tokenId: string) => call(tokens.revokeOfUser, { params: { id, tokenId } }),
    },
    groups: {
      list: () => items(call(groups.list, {})),
      create: (name: string) => call(groups.create, { body: { name } }),
      rename: (id: string, name: string) => call(groups.rename, { params: { id }, body: { name } }),
      addMember: (id: string, userId: string) => call(groups.addMember, { params: { id }, body: { userId } }),
      removeMember: (id: string, userId: string) => call(groups.removeMember, { params: { id, userId } }),
    },
  };
}

export type LifelineClient = ReturnType<typeof createClient>;
export type { Case, CaseEvent, Invitation } from '@lifeline/contracts';
