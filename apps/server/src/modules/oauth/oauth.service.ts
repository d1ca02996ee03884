import { generateKeyPair, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import {
  allScopes,
  appClientIdOf,
  CONNECTOR_CALLBACK_PATH,
  type OAuthInteraction,
  oauthScopeDescriptions,
  PAGES_CLIENT_SUFFIX,
  type Scope,
} from '@lifeline/contracts';
import type { AdapterPayload, Configuration, KoaContextWithOIDC, default as Provider } from 'oidc-provider';
import type { Deps } from '../../lib/deps.js';
import { forbidden, notFound } from '../../lib/errors.js';
import { sha256 } from '../../lib/random.js';
import type { AuthService, OAuthAccessToken } from '../auth/auth.service.js';
import { databaseAdapter } from './adapter.js';
import { oauthErrorPage } from './error-page.js';
import { OAuthRepository } from './oauth.repository.js';

/** Where the provider is mounted; its issuer is `${PUBLIC_URL}/oauth`. */
export const OAUTH_PATH = '/oauth';

const EXPIRED_RECORDS_SWEEP_MS = 60 * 60_000;

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The OAuth 2.0 authorisation server (oidc-provider, mounted under /oauth):
 * discovery, authorisation code with PKCE, refresh tokens, revocation. Its
 * records live in our database; sign-in reuses Lifeline's users; the access
 * tokens it issues are opaque and accepted by the REST API with their scopes.
 */
export class OAuthService {
  readonly repo: OAuthRepository;
  readonly issuer: string;
  /** The resource indicator of Lifeline's REST API: the audience of every access token. */
  readonly apiResource: string;
  private built: Promise<Provider> | undefined;
  private lastSweep = 0;

  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
  ) {
    this.repo = new OAuthRepository(deps.database.db);
    this.issuer = `${deps.config.publicUrl}${OAUTH_PATH}`;
    this.apiResource = `${deps.config.publicUrl}/api`;
  }

  /** Makes the API accept OAuth access tokens; the provider itself is built when first needed. */
  start() {
    this.auth.useOAuthTokens((token) => this.lookupAccessToken(token));
  }

  /**
   * The provider, built on first use: loading it and making the keys costs
   * time that the CLI, and servers nobody signs in to through OAuth, need not pay.
   */
  private provider(): Promise<Provider> {
    this.built ??= this.build().catch((err: unknown) => {
      this.built = undefined;
      throw err;
    });
    return this.built;
  }

  /** Reads (or creates once, for every process) the keys, then builds the provider. */
  private async build(): Promise<Provider> {
    const { default: Provider, errors } = await import('oidc-provider');
    const { config, clock } = this.deps;
    const jwks =
      config.oauth.jwks ?? JSON.parse(await this.repo.ensureKey('jwks', await newJwks(), clock.now()));
    const cookieKeys =
      config.oauth.cookieKeys ??
      (JSON.parse(
        await this.repo.ensureKey('cookies', JSON.stringify([newSecret()]), clock.now()),
      ) as string[]);

    const Adapter = databaseAdapter(this.repo, clock, {
      clients: (clientId) => this.clientMetadata(clientId),
      revoked: () => this.auth.forgetOAuthTokens(),
    });
    const configuration: Configuration = {
      adapter: Adapter,
      jwks,
      cookies: { keys: cookieKeys },
      findAccount: async (_ctx, sub) => {
        const user = await this.repo.findAccount(sub);
        if (user?.active !== 1) return undefined;
        return { accountId: sub, claims: () => ({ sub, name: user.name, email: user.email }) };
      },
      claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
      scopes: ['openid', 'offline_access'],
      features: {
        devInteractions: { enabled: false },
        // A client revokes only what was issued to it; another client's token is answered 200 and left alone
        // (RFC 7009 §2.2: the token is invalid for that client).
        revocation: {
          enabled: true,
          allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
        },
        resourceIndicators: {
          enabled: true,
          // Every authorisation is for the REST API, whether or not the client names it.
          defaultResource: () => this.apiResource,
          // An OpenID sign-in (scope `openid`) gets an access token for the userinfo endpoint, as
          // OIDC relying parties expect; it asks for an API token with `resource` (RFC 8707), e.g. on refresh.
          useGrantedResource: (_ctx, model) => !(model as { scopes: Set<string> }).scopes.has('openid'),
          getResourceServerInfo: (_ctx, resource) => {
            if (resource !== this.apiResource) throw new errors.InvalidTarget();
            return {
              scope: allScopes.join(' '),
              audience: this.apiResource,
              accessTokenTTL: config.oauth.accessTokenTtlSeconds,
              accessTokenFormat: 'opaque',
            };
          },
        },
      },
      // Authorisation code with PKCE only, for public and confidential clients alike (OAuth 2.1).
      responseTypes: ['code'],
      pkce: { required: () => true },
      clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
      // Tokens outlive the provider's browser session: the CRM frame keeps working after the tab closes.
      expiresWithSession: () => false,
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      // Every client's refresh token is single-use, confidential ones too: presenting a used one again
      // (a stolen copy, or the thief's after the owner refreshed) revokes the whole grant.
      rotateRefreshToken: true,
      ttl: {
        AccessToken: config.oauth.accessTokenTtlSeconds,
        AuthorizationCode: 60,
        Interaction: 30 * 60,
        Session: 14 * 86_400,
        Grant: config.oauth.refreshTokenTtlSeconds,
        RefreshToken: config.oauth.refreshTokenTtlSeconds,
        IdToken: 3600,
      },
      // Browsers send Origin even on same-origin POSTs. The connector pages call the token endpoint from
      // Lifeline's own origin; no other web page may use it (CRM back ends send no Origin at all).
      clientBasedCORS: (_ctx, origin) => origin === new URL(config.publicUrl).origin,
      interactions: { url: (_ctx, interaction) => `${OAUTH_PATH}/interaction/${interaction.uid}` },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = oauthErrorPage(out.error, out.error_description);
      },
    };
    const provider = new Provider(this.issuer, configuration);
    provider.proxy = config.trustProxy;
    // Secrets are stored as SHA-256 digests, like personal API tokens; compare the digest of what was sent.
    const compare = (stored: string | undefined, sent: string) => {
      const a = Buffer.from(stored ?? '');
      const b = Buffer.from(sha256(sent));
      return a.length === b.length && a.equals(b);
    };
    Object.defineProperty(provider.Client.prototype, 'compareClientSecret', {
      value(this: { clientSecret?: string }, sent: string) {
        return compare(this.clientSecret, sent);
      },
    });
    // The API's scopes are resource scopes, which the provider does not list by itself.
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
        const metadata = ctx.body as { scopes_supported: string[] };
        metadata.scopes_supported = [...new Set([...metadata.scopes_supported, ...allScopes])];
      }
    });
    provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) =>
      this.deps.logger.error({ err }, 'oauth provider error'),
    );
    return provider;
  }

  /** The provider's request handler (a Koa app), for requests under /oauth with that prefix removed. */
  async handle(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) {
    const provider = await this.provider();
    let url = req.url ?? '/';
    // RFC 8414 authorization server metadata: the same document as OpenID discovery. The provider
    // derives its endpoints' URLs from the original URL, so the rewrite goes there too.
    if (url.split('?')[0] === `${OAUTH_PATH}/.well-known/oauth-authorization-server`)
      url = `${OAUTH_PATH}/.well-known/openid-configuration`;
    req.originalUrl = url;
    req.url = url.slice(OAUTH_PATH.length) || '/';
    void this.sweepExpired();
    return provider.callback()(req, res);
  }

  private async sweepExpired() {
    const now = this.deps.clock.now();
    if (now - this.lastSweep < EXPIRED_RECORDS_SWEEP_MS) return;
    this.lastSweep = now;
    await this.repo
      .deleteExpiredRecords(now)
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not delete expired OAuth records'));
  }

  async lookupAccessToken(token: string): Promise<OAuthAccessToken | undefined> {
    // Opaque tokens are 43 URL-safe characters; anything else is not worth a query.
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
    const at = await (await this.provider()).AccessToken.find(token);
    if (!at?.accountId || at.isExpired || at.aud !== this.apiResource) return undefined;
    return {
      id: sha256(token),
      userId: at.accountId,
      scopes: (at.scope ?? '').split(' ').filter(Boolean),
      lifetimeMs: at.remainingTTL * 1000,
    };
  }

  /** The provider's view of a connector app: its confidential client, or the public one of its pages. */
  private async clientMetadata(clientId: string): Promise<AdapterPayload | undefined> {
    const pages = clientId.endsWith(PAGES_CLIENT_SUFFIX);
    const app = await this.repo.findAppByClientId(appClientIdOf(clientId));
    if (!app) return undefined;
    if (pages) {
      return {
        client_id: clientId,
        client_name: app.name,
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${this.deps.config.publicUrl}${CONNECTOR_CALLBACK_PATH}`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      };
    }
    const redirectUris = JSON.parse(app.redirect_uris) as string[];
    // Without a redirect URI the confidential client cannot be used; only the pages can.
    if (redirectUris.length === 0) return undefined;
    return {
      client_id: clientId,
      client_secret: app.secret_hash,
      client_name: app.name,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    };
  }

  // --- the sign-in and consent page ----------------------------------------------------------

  /** What the page shows; the console cookie's user is offered so a signed-in agent need not type again. */
  async interaction(
    req: IncomingMessage,
    res: ServerResponse,
    consoleUser: { userId: string } | undefined,
  ): Promise<OAuthInteraction> {
    const interaction = await (await this.provider()).interactionDetails(req, res);
    const { app, org } = await this.appOf(interaction);
    const userId = interaction.session?.accountId ?? consoleUser?.userId;
    const user = userId ? await this.repo.findAccount(userId) : undefined;
    const requested = String(interaction.params.scope ?? '')
      .split(' ')
      .filter((s): s is Scope => Object.hasOwn(oauthScopeDescriptions, s));
    return {
      uid: interaction.uid,
      prompt: interaction.prompt.name === 'login' ? 'login' : 'consent',
      app: { name: app.name, clientId: app.client_id },
      organization: org,
      scopes: requested.map((scope) => ({ scope, description: oauthScopeDescriptions[scope] })),
      user:
        user && user.active === 1 && user.org_id === app.org_id
          ? { name: user.name, email: user.email }
          : null,
    };
  }

  /** Completes the login prompt for `userId`, who must belong to the app's organisation. */
  async login(req: IncomingMessage, res: ServerResponse, userId: string): Promise<string> {
    const provider = await this.provider();
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.prompt.name !== 'login')
      throw forbidden('wrong_step', 'This sign-in step is already done.');
    const { app } = await this.appOf(interaction);
    const user = await this.repo.findAccount(userId);
    if (user?.org_id !== app.org_id) {
      throw forbidden('other_organization', `${app.name} is registered for another organisation.`);
    }
    return provider.interactionResult(
      req,
      res,
      { login: { accountId: userId } },
      { mergeWithLastSubmission: false },
    );
  }

  /** "Allow": grants the requested scopes to the app for the signed-in agent. */
  async allow(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const provider = await this.provider();
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.prompt.name !== 'consent') throw forbidden('wrong_step', 'Sign in first.');
    const accountId = interaction.session?.accountId;
    const clientId = String(interaction.params.client_id);
    if (!accountId) throw forbidden('wrong_step', 'Sign in first.');
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) throw notFound('The authorisation');
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionResult(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  /** "Deny": the app gets `access_denied` and nothing else. */
  async deny(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const provider = await this.provider();
    await provider.interactionDetails(req, res);
    return provider.interactionResult(
      req,
      res,
      { error: 'access_denied', error_description: 'The agent did not allow the app to act for them.' },
      { mergeWithLastSubmission: false },
    );
  }

  private async appOf(interaction: Interaction) {
    const clientId = String(interaction.params.client_id ?? '');
    const app = await this.repo.findAppByClientId(appClientIdOf(clientId));
    if (!app) throw notFound('The connector app');
    const org = await this.repo.organizationName(app.org_id);
    return { app, org: org ?? '' };
  }
}

async function newJwks() {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return JSON.stringify({
    keys: [{ ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }],
  });
}

const newSecret = () => randomBytes(32).toString('base64url');
