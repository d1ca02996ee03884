import { allScopes, type CreatedConnectorApp } from '@lifeline/contracts';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestServer } from '../../../test/harness.js';
import { authorize, newApp, PUBLIC_URL, pkce } from '../../../test/oauth.js';

const ISSUER = new URL(`${PUBLIC_URL}/oauth`);

/** The relying parties fetch the public URL; the server answers on loopback. */
const loopback = (t: TestServer) => (url: string, init: RequestInit) =>
  fetch(url.replace(PUBLIC_URL, t.baseUrl), init);

/** A CRM back end with oauth4webapi: the app's confidential client, code + PKCE, then refreshes. */
async function backEnd(t: TestServer, app: CreatedConnectorApp, email: string, scope = 'cases:read') {
  const options = { [oauth.customFetch]: loopback(t), [oauth.allowInsecureRequests]: true };
  // RFC 8414 discovery: /.well-known/oauth-authorization-server/oauth for the issuer /oauth.
  const as = await oauth.processDiscoveryResponse(
    ISSUER,
    await oauth.discoveryRequest(ISSUER, { ...options, algorithm: 'oauth2' }),
  );
  const client: oauth.Client = { client_id: app.clientId };
  const auth = oauth.ClientSecretBasic(app.clientSecret);
  const redirectUri = app.redirectUris[0] ?? '';
  const state = oauth.generateRandomState();
  const { verifier, challenge } = pkce();
  const callback = await authorize(t, app, email, { scope, challenge, confidential: { redirectUri, state } });
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, options),
  );
  const refresh = async (refreshToken: string) =>
    oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options),
    );
  return { as, tokens, refresh };
}

/** What a refused refresh throws: the token endpoint's `error`. */
async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the token endpoint to refuse').toBeInstanceOf(oauth.ResponseBodyError);
  return (err as oauth.ResponseBodyError).error;
}

describeEachDatabase(
  'OAuth provider with standard relying parties (oauth4webapi, openid-client)',
  (t) => {
    it('serves RFC 8414 metadata that lists the API scopes, at both well-known places', async () => {
      const org = await t.newOrg();
      const { as } = await backEnd(t, await newApp(org), org.adminEmail);
      expect(as.issuer).toBe(ISSUER.href);
      expect(as.scopes_supported).toEqual(expect.arrayContaining([...allScopes, 'openid', 'offline_access']));
      expect(as.code_challenge_methods_supported).toEqual(['S256']);
      const underIssuer = await t.fetch('/oauth/.well-known/oauth-authorization-server');
      expect(await underIssuer.json()).toEqual(as);
      const openid = await t.fetch('/oauth/.well-known/openid-configuration');
      expect(((await openid.json()) as { scopes_supported: string[] }).scopes_supported).toEqual(
        as.scopes_supported,
      );
    });

    it("rotates a CRM back end's refresh token, and a used one coming back revokes the whole grant", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const app = await newApp(org);
      const { tokens, refresh } = await backEnd(t, app, agent.email);
      const first = tokens.refresh_token ?? '';
      expect(first).not.toBe('');

      const rotated = await refresh(first);
      expect(rotated.refresh_token).toBeDefined();
      expect(rotated.refresh_token).not.toBe(first);
      expect((await t.client(rotated.access_token).me()).user.id).toBe(agent.id);

      // The old refresh token again: a copy is in someone else's hands. Refused, and everything of the grant ends.
      expect(await refusal(refresh(first))).toBe('invalid_grant');
      expect(await refusal(refresh(rotated.refresh_token ?? ''))).toBe('invalid_grant');
      expect((await apiError(t.client(rotated.access_token).me())).status).toBe(401);
      expect((await apiError(t.client(tokens.access_token).me())).status).toBe(401);
    });

    it('signs an agent in with OpenID Connect: ID token, userinfo, then an API token by resource', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Olivia Oidc');
      const app = await newApp(org);
      const config = await oidc.discovery(ISSUER, app.clientId, app.clientSecret, undefined, {
        [oidc.customFetch]: loopback(t),
        execute: [oidc.allowInsecureRequests],
      });
      expect(config.serverMetadata().userinfo_endpoint).toMatch(/\/oauth\/me$/);
      const redirectUri = app.redirectUris[0] ?? '';
      const state = oidc.randomState();
      const verifier = oidc.randomPKCECodeVerifier();
      const callback = await authorize(t, app, agent.email, {
        scope: 'openid profile email cases:read',
        challenge: await oidc.calculatePKCECodeChallenge(verifier),
        confidential: { redirectUri, state },
      });
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(tokens.scope?.split(' ')).toContain('openid');
      expect(tokens.claims()?.sub).toBe(agent.id);
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, agent.id);
      expect(userinfo).toMatchObject({ sub: agent.id, name: 'Olivia Oidc', email: agent.email });
      // That token is for userinfo only; the API wants one for its own resource (RFC 8707).
      expect((await apiError(t.client(tokens.access_token).me())).status).toBe(401);
      const api = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', {
        resource: `${PUBLIC_URL}/api`,
      });
      expect((await t.client(api.access_token).me()).user.id).toBe(agent.id);
      expect(api.scope?.split(' ')).toEqual(['cases:read']);
    });
  },
  { config: { publicUrl: PUBLIC_URL } },
);
