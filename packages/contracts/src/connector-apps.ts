import { z } from 'zod';
import { id, timestamp } from './common.js';

/** The connector pages' own OAuth client is the app's client id with this suffix (public, PKCE, no secret). */
export const PAGES_CLIENT_SUFFIX = '.pages';
export const pagesClientIdOf = (appClientId: string) => appClientId + PAGES_CLIENT_SUFFIX;
/** The connector app a client id belongs to, whether it names the app's own client or its pages'. */
export const appClientIdOf = (clientId: string) =>
  clientId.endsWith(PAGES_CLIENT_SUFFIX) ? clientId.slice(0, -PAGES_CLIENT_SUFFIX.length) : clientId;
/** Where the provider sends the agent back after the sign-in tab; the page hands the code to its opener. */
export const CONNECTOR_CALLBACK_PATH = '/connector/callback';

/** Where a CRM sends the agent back after authorising (its own server-side OAuth use). */
const redirectUri = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000)
  .refine((u) => !u.includes('#'), 'must not contain a fragment');

/** An origin a CRM page runs on, e.g. `https://my123.crm.ondemand.com` — scheme, host and port only. */
export const webOrigin = z
  .string()
  .trim()
  .max(300)
  .refine((value) => {
    try {
      const u = new URL(value);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'must be an origin like https://crm.example.com (no path)')
  .transform((value) => new URL(value).origin);

const uniqueList = <T extends z.ZodType<string>>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .transform((v) => [...new Set(v)]);

export const createConnectorAppRequest = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100),
    redirectUris: uniqueList(redirectUri, 20).default([]),
    allowedOrigins: uniqueList(webOrigin, 20).pipe(z.array(z.string()).min(1, 'needs at least one origin')),
  })
  .meta({ id: 'CreateConnectorAppRequest' });
export type CreateConnectorAppRequest = z.input<typeof createConnectorAppRequest>;

export const updateConnectorAppRequest = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100),
    redirectUris: uniqueList(redirectUri, 20),
    allowedOrigins: uniqueList(webOrigin, 20).pipe(z.array(z.string()).min(1, 'needs at least one origin')),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, {
    message: 'at least one field is required',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateConnectorAppRequest' });
export type UpdateConnectorAppRequest = z.input<typeof updateConnectorAppRequest>;

/** Connector URLs with the placeholders each CRM fills in for the record on screen. */
export const connectorUrlsSchema = z
  .object({
    sapC4c: z.object({ case: z.string(), desktop: z.string() }),
    salesforce: z.object({ case: z.string(), desktop: z.string() }),
    serviceNow: z.object({ case: z.string(), desktop: z.string() }),
  })
  .meta({ id: 'ConnectorUrls' });
export type ConnectorUrls = z.infer<typeof connectorUrlsSchema>;

export const connectorAppSchema = z
  .object({
    id,
    name: z.string(),
    /** The OAuth client id; the connector pages take it as `client_id`. */
    clientId: z.string(),
    redirectUris: z.array(z.string()),
    allowedOrigins: z.array(z.string()),
    connectorUrls: connectorUrlsSchema,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'ConnectorApp' });
export type ConnectorApp = z.infer<typeof connectorAppSchema>;
/** Only the answer to create carries the client secret. */
export const createdConnectorAppSchema = connectorAppSchema
  .extend({ clientSecret: z.string() })
  .meta({ id: 'CreatedConnectorApp' });
export type CreatedConnectorApp = z.infer<typeof createdConnectorAppSchema>;

/** OAuth scopes a connector app may ask for; the same as personal API tokens. */
export const oauthScopeDescriptions = {
  'cases:read': 'See service cases of your organisation',
  'cases:write': 'Create, change, share and close service cases for you',
  'reports:read': 'Read connection reports',
  admin: 'Administer your organisation',
} as const;

/** What the sign-in and consent page shows during an OAuth authorisation. */
export const oauthInteractionSchema = z
  .object({
    uid: z.string(),
    prompt: z.enum(['login', 'consent']),
    app: z.object({ name: z.string(), clientId: z.string() }),
    organization: z.string(),
    scopes: z.array(z.object({ scope: z.string(), description: z.string() })),
    /** The agent already signed in (console cookie or this authorisation), or null. */
    user: z.object({ name: z.string(), email: z.string() }).nullable(),
  })
  .meta({ id: 'OAuthInteraction' });
export type OAuthInteraction = z.infer<typeof oauthInteractionSchema>;
export const oauthRedirect = z.object({ redirectTo: z.string() }).meta({ id: 'OAuthRedirect' });
