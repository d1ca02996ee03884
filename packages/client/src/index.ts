import {
  type ApiToken,
  type BulkDeleteResponse,
  bulkDeleteResponse,
  type Case,
  type CaseEvent,
  type Connection,
  type ConnectorApp,
  type CreateCaseRequest,
  type CreateConnectorAppRequest,
  type CreatedApiToken,
  type CreatedConnectorApp,
  type CreatedWebhook,
  type CreateInvitationRequest,
  type CreateModuleRequest,
  type CreateTokenRequest,
  type CreateUserRequest,
  type CreateWebhookRequest,
  caseEventSchema,
  caseSchema,
  connectionSchema,
  connectorAppSchema,
  createdConnectorAppSchema,
  createdTokenSchema,
  createdWebhookSchema,
  type Group,
  groupSchema,
  type Invitation,
  invitationSchema,
  type JoinInfo,
  joinInfoSchema,
  type ListCasesQuery,
  type ListOutboxQuery,
  loginResponse,
  type Me,
  type ModuleRequest,
  meResponse,
  moduleRequestResponse,
  moduleSchema,
  outboxMessageSchema,
  type Problem,
  type PublicModule,
  page,
  problemSchema,
  publicModuleSchema,
  type QuickSupportModule,
  tokenSchema,
  type UpdateCaseRequest,
  type UpdateConnectorAppRequest,
  type UpdateModuleRequest,
  type UpdateUserRequest,
  type UpdateWebhookRequest,
  type User,
  userSchema,
  type Webhook,
  webhookDeliverySchema,
  webhookSchema,
} from '@lifeline/contracts';
import { z } from 'zod';

/** A non-2xx answer, with the RFC 9457 problem the server sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly headers: Headers,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }
  get code() {
    return this.problem.code;
  }
}

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

type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

function toSearch(query: Query | undefined) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const SAFE = new Set(['GET', 'HEAD']);

export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Outside a browser the cookie jar is ours to keep.
  let cookie: string | undefined;
  let csrfToken: string | undefined;

  async function request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | null,
    init: { body?: unknown; query?: Query; raw?: { body: Uint8Array | Blob; contentType: string } } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.raw) headers['content-type'] = init.raw.contentType;
    const token = typeof options.token === 'function' ? options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (cookie) headers.cookie = cookie;
    if (csrfToken && !SAFE.has(method)) headers['x-csrf-token'] = csrfToken;
    const res = await doFetch(`${baseUrl}${path}${toSearch(init.query)}`, {
      method,
      headers,
      body: init.raw
        ? (init.raw.body as NonNullable<RequestInit['body']>)
        : init.body === undefined
          ? null
          : JSON.stringify(init.body),
      credentials: options.credentials ?? 'same-origin',
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0];
    if (!res.ok) {
      const body: unknown = await res.json().catch(() => undefined);
      const parsed = problemSchema.safeParse(body);
      throw new ApiError(
        res.status,
        parsed.success
          ? parsed.data
          : { type: 'about:blank', title: res.statusText, status: res.status, code: 'http_error' },
        res.headers,
      );
    }
    if (res.status === 204 || schema === null) return undefined as T;
    return schema.parse(await res.json());
  }

  const casePath = (code: string) => `/api/v1/cases/${encodeURIComponent(code)}`;

  return {
    request,
    /** The signed-in session's cookie, for realtime sockets opened outside a browser. */
    sessionCookie: () => cookie,
    auth: {
      async login(email: string, password: string) {
        const result = await request('POST', '/api/v1/auth/login', loginResponse, {
          body: { email, password },
        });
        csrfToken = result.csrfToken;
        return result;
      },
      async logout() {
        await request('POST', '/api/v1/auth/logout', null);
        cookie = undefined;
        csrfToken = undefined;
      },
    },
    async me(): Promise<Me> {
      const me = await request('GET', '/api/v1/me', meResponse);
      if (me.csrfToken) csrfToken = me.csrfToken;
      return me;
    },
    tokens: {
      list: async (): Promise<ApiToken[]> =>
        (await request('GET', '/api/v1/tokens', items(tokenSchema))).items,
      create: (body: CreateTokenRequest): Promise<CreatedApiToken> =>
        request('POST', '/api/v1/tokens', createdTokenSchema, { body }),
      revoke: (id: string) => request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`, null),
    },
    cases: {
      create: (body: CreateCaseRequest): Promise<Case> =>
        request('POST', '/api/v1/cases', caseSchema, { body }),
      list: (query: ListCasesQuery = {}) =>
        request('GET', '/api/v1/cases', page(caseSchema), { query: query as Query }),
      get: (code: string): Promise<Case> => request('GET', casePath(code), caseSchema),
      update: (code: string, body: UpdateCaseRequest): Promise<Case> =>
        request('PATCH', casePath(code), caseSchema, { body }),
      close: (code: string): Promise<Case> => request('POST', `${casePath(code)}/close`, caseSchema),
      delete: (code: string) => request('DELETE', casePath(code), null),
      bulkDelete: (codes: string[]): Promise<BulkDeleteResponse> =>
        request('POST', '/api/v1/cases/bulk-delete', bulkDeleteResponse, { body: { codes } }),
      events: (code: string, query: { limit?: number; cursor?: string } = {}) =>
        request('GET', `${casePath(code)}/events`, page(caseEventSchema), { query }),
      connections: async (code: string): Promise<Connection[]> =>
        (await request('GET', `${casePath(code)}/connections`, items(connectionSchema))).items,
      /** Sends the customer link; answers with the invitation queued for delivery. */
      invite: (code: string, body: CreateInvitationRequest): Promise<Invitation> =>
        request('POST', `${casePath(code)}/invitations`, invitationSchema, { body }),
      invitations: (code: string, query: { limit?: number; cursor?: string } = {}) =>
        request('GET', `${casePath(code)}/invitations`, page(invitationSchema), { query }),
    },
    reports: {
      connections: (query: { from?: string; to?: string; limit?: number; cursor?: string } = {}) =>
        request('GET', '/api/v1/reports/connections', page(connectionSchema), { query }),
    },
    /** Admins: endpoints that receive signed event notifications (docs/WEBHOOKS.md). */
    webhooks: {
      list: async (): Promise<Webhook[]> =>
        (await request('GET', '/api/v1/webhooks', items(webhookSchema))).items,
      get: (id: string): Promise<Webhook> =>
        request('GET', `/api/v1/webhooks/${encodeURIComponent(id)}`, webhookSchema),
      /** The answer's `secret` is shown only here. */
      create: (body: CreateWebhookRequest): Promise<CreatedWebhook> =>
        request('POST', '/api/v1/webhooks', createdWebhookSchema, { body }),
      update: (id: string, body: UpdateWebhookRequest): Promise<Webhook> =>
        request('PATCH', `/api/v1/webhooks/${encodeURIComponent(id)}`, webhookSchema, { body }),
      delete: (id: string) => request('DELETE', `/api/v1/webhooks/${encodeURIComponent(id)}`, null),
      deliveries: (id: string, query: { limit?: number; cursor?: string } = {}) =>
        request('GET', `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries`, page(webhookDeliverySchema), {
          query,
        }),
    },
    /** Admins: OAuth clients for CRM connectors, with their connector URLs (docs/CONNECTORS.md). */
    connectorApps: {
      list: async (): Promise<ConnectorApp[]> =>
        (await request('GET', '/api/v1/connector-apps', items(connectorAppSchema))).items,
      get: (id: string): Promise<ConnectorApp> =>
        request('GET', `/api/v1/connector-apps/${encodeURIComponent(id)}`, connectorAppSchema),
      /** The answer's `clientSecret` is shown only here. */
      create: (body: CreateConnectorAppRequest): Promise<CreatedConnectorApp> =>
        request('POST', '/api/v1/connector-apps', createdConnectorAppSchema, { body }),
      update: (id: string, body: UpdateConnectorAppRequest): Promise<ConnectorApp> =>
        request('PATCH', `/api/v1/connector-apps/${encodeURIComponent(id)}`, connectorAppSchema, { body }),
      delete: (id: string) => request('DELETE', `/api/v1/connector-apps/${encodeURIComponent(id)}`, null),
    },
    /** Admins: every e-mail and SMS, including those kept in the local outbox. */
    outbox: {
      list: (query: ListOutboxQuery = {}) =>
        request('GET', '/api/v1/outbox', page(outboxMessageSchema), { query: query as Query }),
    },
    /** Admins: QuickSupport modules, the branded pages where customers ask for help. */
    modules: {
      list: async (): Promise<QuickSupportModule[]> =>
        (await request('GET', '/api/v1/modules', items(moduleSchema))).items,
      get: (id: string): Promise<QuickSupportModule> =>
        request('GET', `/api/v1/modules/${encodeURIComponent(id)}`, moduleSchema),
      create: (body: CreateModuleRequest): Promise<QuickSupportModule> =>
        request('POST', '/api/v1/modules', moduleSchema, { body }),
      update: (id: string, body: UpdateModuleRequest): Promise<QuickSupportModule> =>
        request('PATCH', `/api/v1/modules/${encodeURIComponent(id)}`, moduleSchema, { body }),
      delete: (id: string) => request('DELETE', `/api/v1/modules/${encodeURIComponent(id)}`, null),
      /** The image's bytes; its type is read from them, whatever `contentType` says. */
      uploadLogo: (id: string, image: Uint8Array | Blob, contentType: string): Promise<QuickSupportModule> =>
        request('PUT', `/api/v1/modules/${encodeURIComponent(id)}/logo`, moduleSchema, {
          raw: { body: image, contentType },
        }),
      removeLogo: (id: string): Promise<QuickSupportModule> =>
        request('DELETE', `/api/v1/modules/${encodeURIComponent(id)}/logo`, moduleSchema),
    },
    /** A module's public page, as the customer's browser uses it; no credentials. */
    quickSupport: {
      page: (slug: string): Promise<PublicModule> =>
        request('GET', `/api/v1/public/modules/${encodeURIComponent(slug)}`, publicModuleSchema),
      request: (slug: string, body: ModuleRequest) =>
        request(
          'POST',
          `/api/v1/public/modules/${encodeURIComponent(slug)}/requests`,
          moduleRequestResponse,
          {
            body,
          },
        ),
    },
    /** Public lookups a customer's page makes; no credentials. */
    join: {
      byToken: (token: string): Promise<JoinInfo> =>
        request('GET', `/api/v1/join/${encodeURIComponent(token)}`, joinInfoSchema),
      byCode: (code: string): Promise<JoinInfo> =>
        request('POST', '/api/v1/join/by-code', joinInfoSchema, { body: { code } }),
    },
    users: {
      list: async (): Promise<User[]> => (await request('GET', '/api/v1/users', items(userSchema))).items,
      get: (id: string): Promise<User> =>
        request('GET', `/api/v1/users/${encodeURIComponent(id)}`, userSchema),
      create: (body: CreateUserRequest): Promise<User> =>
        request('POST', '/api/v1/users', userSchema, { body }),
      update: (id: string, body: UpdateUserRequest): Promise<User> =>
        request('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, userSchema, { body }),
      /** Admins: a user's personal API tokens, and revoking one. */
      tokens: async (id: string): Promise<ApiToken[]> =>
        (await request('GET', `/api/v1/users/${encodeURIComponent(id)}/tokens`, items(tokenSchema))).items,
      revokeToken: (id: string, tokenId: string) =>
        request(
          'DELETE',
          `/api/v1/users/${encodeURIComponent(id)}/tokens/${encodeURIComponent(tokenId)}`,
          null,
        ),
    },
    groups: {
      list: async (): Promise<Group[]> => (await request('GET', '/api/v1/groups', items(groupSchema))).items,
      create: (name: string): Promise<Group> =>
        request('POST', '/api/v1/groups', groupSchema, { body: { name } }),
      rename: (id: string, name: string): Promise<Group> =>
        request('PATCH', `/api/v1/groups/${encodeURIComponent(id)}`, groupSchema, { body: { name } }),
      addMember: (id: string, userId: string): Promise<Group> =>
        request('POST', `/api/v1/groups/${encodeURIComponent(id)}/members`, groupSchema, {
          body: { userId },
        }),
      removeMember: (id: string, userId: string): Promise<Group> =>
        request(
          'DELETE',
          `/api/v1/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
          groupSchema,
        ),
    },
  };
}

export type LifelineClient = ReturnType<typeof createClient>;
export type { Case, CaseEvent, Invitation };
