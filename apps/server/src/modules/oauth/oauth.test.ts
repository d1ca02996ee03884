import { type CreatedConnectorApp, endpoints } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, PASSWORD, type TestServer } from '../../../test/harness.js';
import { authorize, CALLBACK, CookieJar, newApp, PUBLIC_URL, pkce } from '../../../test/oauth.js';
import { PAGE_CSP } from '../../plugins/web.js';

async function tokenRequest(t: TestServer, form: Record<string, string>, basic?: string) {
  const res = await t.fetch('/oauth/token', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(basic ? { authorization: `Basic ${basic}` } : {}),
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string | number> };
}

/** Code + PKCE for the connector pages' public client, as the frame does it. */
async function connectorTokens(t: TestServer, app: CreatedConnectorApp, email: string, scope?: string) {
  const { verifier, challenge } = pkce();
  const callback = await authorize(t, app, email, { challenge, ...(scope ? { scope } : {}) });
  const { status, body } = await tokenRequest(t, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code') ?? '',
    redirect_uri: CALLBACK,
    client_id: `${app.clientId}.pages`,
    code_verifier: verifier,
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body as { access_token: string; refresh_token: string; expires_in: number; scope: string };
}

describeEachDatabase(
  'OAuth provider and connector apps',
  (t) => {
    it('publishes discovery with code + PKCE, refresh and revocation', async () => {
      const res = await t.fetch('/oauth/.well-known/openid-configuration');
      expect(res.status).toBe(200);
      const discovery = (await res.json()) as Record<string, unknown>;
      expect(discovery).toMatchObject({
        issuer: `${PUBLIC_URL}/oauth`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
      expect(discovery.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'refresh_token']),
      );
      expect(String(discovery.revocation_endpoint)).toMatch(/\/oauth\/token\/revocation$/);
    });

    it('lets an agent authorise the connector pages; the token acts for them with its scopes', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Alex Agent');
      const app = await newApp(org);
      expect(app.clientSecret).toMatch(/^llcs_/);
      expect(app.connectorUrls.salesforce.case).toContain(`client_id=${app.clientId}`);

      const tokens = await connectorTokens(t, app, agent.email);
      expect(tokens.scope.split(' ').sort()).toEqual(['cases:read', 'cases:write']);
      const crm = t.client(tokens.access_token);
      expect((await crm.me()).user.name).toBe('Alex Agent');
      const created = await crm.cases.create({
        name: 'Printer offline',
        external: { system: 'demo-crm', type: 'case', id: 'CASE-1' },
      });
      expect(created.source).toBe('connector');
      const found = await crm.cases.list({ externalSystem: 'demo-crm', externalId: 'CASE-1' });
      expect(found.items.map((c) => c.code)).toEqual([created.code]);
      // reports:read was not asked for, so the token does not carry it.
      expect((await apiError(crm.reports.connections())).code).toBe('insufficient_scope');
    });

    it('does not let an OAuth access token create a personal API token', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const tokens = await connectorTokens(t, app, org.adminEmail);
      const crm = t.client(tokens.access_token);
      const err = await apiError(crm.tokens.create({ name: 'forever', scopes: ['cases:read'] }));
      expect(err.status).toBe(403);
      expect(err.code).toBe('console_session_required');
      expect(await org.admin.tokens.list()).toEqual([]);
    });

    it("ends a user's OAuth tokens for good when they are deactivated", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const app = await newApp(org);
      const tokens = await connectorTokens(t, app, agent.email);
      expect((await t.client(tokens.access_token).me()).user.id).toBe(agent.id);

      await org.admin.users.update(agent.id, { active: false });
      await org.admin.users.update(agent.id, { active: true });
      expect((await apiError(t.client(tokens.access_token).me())).status).toBe(401);
      const refreshed = await tokenRequest(t, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: `${app.clientId}.pages`,
      });
      expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // Signing in and allowing the app again works as for anyone.
      expect((await t.client((await connectorTokens(t, app, agent.email)).access_token).me()).user.id).toBe(
        agent.id,
      );
    });

    it('never grants more than the role allows, and read-only tokens cannot write', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const app = await newApp(org);
      const tokens = await connectorTokens(t, app, agent.email, 'cases:read admin');
      const crm = t.client(tokens.access_token);
      expect((await apiError(crm.connectorApps.list())).status).toBe(403);
      const refused = await apiError(crm.cases.create({ name: 'Not allowed' }));
      expect(refused.status).toBe(403);
      expect(refused.code).toBe('insufficient_scope');
      expect((await crm.cases.list()).items).toEqual([]);
    });

    it('refuses a code with the wrong PKCE verifier, and a code used twice', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const { verifier, challenge } = pkce();
      const callback = await authorize(t, app, org.adminEmail, { challenge });
      const code = callback.searchParams.get('code') ?? '';
      const form = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: `${app.clientId}.pages`,
      };
      const wrong = await tokenRequest(t, { ...form, code_verifier: pkce().verifier });
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const right = await tokenRequest(t, { ...form, code_verifier: verifier });
      expect(right.status).toBe(200);
      // A code replayed is refused, and what it gave is taken back (RFC 6749 §4.1.2).
      const replayed = await tokenRequest(t, { ...form, code_verifier: verifier });
      expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect((await apiError(t.client(String(right.body.access_token)).me())).status).toBe(401);
    });

    it('tells the app access_denied when the agent denies', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const callback = await authorize(t, app, org.adminEmail, {
        challenge: pkce().challenge,
        decision: 'deny',
      });
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.get('code')).toBeNull();
      expect(callback.searchParams.get('state')).toBe('state-1');
    });

    it('refreshes (rotating the refresh token) and revokes', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const tokens = await connectorTokens(t, app, org.adminEmail);
      const refreshed = await tokenRequest(t, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: `${app.clientId}.pages`,
      });
      expect(refreshed.status).toBe(200);
      const next = refreshed.body as { access_token: string; refresh_token: string };
      expect(next.access_token).not.toBe(tokens.access_token);
      expect(next.refresh_token).not.toBe(tokens.refresh_token);
      expect((await t.client(next.access_token).me()).user.email).toBe(org.adminEmail);

      const revoke = await t.fetch('/oauth/token/revocation', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: next.access_token, client_id: `${app.clientId}.pages` }),
      });
      expect(revoke.status).toBe(200);
      expect((await apiError(t.client(next.access_token).me())).status).toBe(401);
    });

    it('accepts the confidential client with its secret, and only with it', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const { verifier, challenge } = pkce();
      const jar = new CookieJar();
      const query = new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: app.redirectUris[0] ?? '',
        scope: 'cases:read',
        state: 'x',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const first = await t.fetch(`/oauth/auth?${query}`, { redirect: 'manual' });
      jar.store(first);
      expect(first.headers.get('location')).toMatch(/\/oauth\/interaction\//);
      // The rest of the dance is the same as for the pages; here only the token endpoint's client auth differs.
      const basic = (secret: string) => Buffer.from(`${app.clientId}:${secret}`).toString('base64');
      const bad = await tokenRequest(
        t,
        {
          grant_type: 'authorization_code',
          code: 'nope',
          redirect_uri: app.redirectUris[0] ?? '',
          code_verifier: verifier,
        },
        basic('llcs_wrong'),
      );
      expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      const good = await tokenRequest(
        t,
        {
          grant_type: 'authorization_code',
          code: 'nope',
          redirect_uri: app.redirectUris[0] ?? '',
          code_verifier: verifier,
        },
        basic(app.clientSecret),
      );
      // Authenticated, so it gets as far as the (made-up) code.
      expect(good).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('ends every token of an app when it is deleted', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const tokens = await connectorTokens(t, app, org.adminEmail);
      await t.client(tokens.access_token).me();
      await org.admin.connectorApps.delete(app.id);
      expect((await apiError(t.client(tokens.access_token).me())).status).toBe(401);
      const refreshed = await tokenRequest(t, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: `${app.clientId}.pages`,
      });
      expect(refreshed.body.error).toBe('invalid_client');
    });

    it('does not let an agent of another organisation authorise the app', async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Corp');
      const app = await newApp(org);
      const { challenge } = pkce();
      const query = new URLSearchParams({
        client_id: `${app.clientId}.pages`,
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'cases:read',
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const jar = new CookieJar();
      const res = await t.fetch(`/oauth/auth?${query}`, { redirect: 'manual' });
      jar.store(res);
      const uid = /\/oauth\/interaction\/([^/?]+)$/.exec(res.headers.get('location') ?? '')?.[1];
      const login = await t.fetch(`/oauth/interaction/${uid}/login`, {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/json' },
        body: JSON.stringify({ email: other.adminEmail, password: PASSWORD }),
      });
      expect(login.status).toBe(403);
      expect(((await login.json()) as { code: string }).code).toBe('other_organization');
      // Refused, so no console session either: neither a cookie nor a stored session.
      expect(login.headers.getSetCookie().filter((c) => c.startsWith('lifeline_session='))).toEqual([]);
      const sessions = await t.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select('sessions.id_hash')
        .where('users.org_id', '=', other.orgId)
        .execute();
      // The one session is the harness's own sign-in of the other organisation's admin.
      expect(sessions).toHaveLength(1);
    });

    it('answers a clear 400 when the sign-in tab lost its interaction (expired or opened elsewhere)', async () => {
      for (const step of ['allow', 'deny']) {
        const res = await t.fetch(`/oauth/interaction/not-a-uid/${step}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { code: string }).code).toBe('interaction_expired');
      }
    });

    it('stores tokens only as digests, and sweeps records once they have expired', async () => {
      const org = await t.newOrg();
      const app = await newApp(org);
      const tokens = await connectorTokens(t, app, org.adminEmail);
      const rows = await t.db.selectFrom('oauth_records').select(['key', 'payload']).execute();
      for (const row of rows) {
        expect(row.key).not.toContain(tokens.access_token);
        expect(row.key).not.toContain(tokens.refresh_token);
        expect(row.payload).not.toContain(tokens.access_token);
        expect(row.payload).not.toContain(tokens.refresh_token);
      }
      const mine = () =>
        t.db
          .selectFrom('oauth_records')
          .select('key')
          .where('client_id', '=', `${app.clientId}.pages`)
          .execute();
      expect((await mine()).length).toBeGreaterThan(0);
      // Past the refresh token's life (14 days by default), the next request to the provider clears them.
      t.clock.advance(15 * 86_400_000);
      await t.fetch('/oauth/.well-known/openid-configuration');
      await expect.poll(async () => (await mine()).length).toBe(0);
    });

    describe('connector apps API', () => {
      it('refuses bad input and agents, and changes nothing', async () => {
        const org = await t.newOrg();
        const agent = await t.newAgent(org);
        const bad = [
          { name: '', allowedOrigins: ['https://crm.example.com'] },
          { name: 'CRM', allowedOrigins: [] },
          { name: 'CRM', allowedOrigins: ['https://crm.example.com/path'] },
          { name: 'CRM', allowedOrigins: ['javascript:alert(1)'] },
          { name: 'CRM', allowedOrigins: ['https://crm.example.com'], redirectUris: ['ftp://x'] },
          { name: 'CRM', allowedOrigins: ['https://crm.example.com'], secret: 'mine' },
        ];
        for (const body of bad) {
          const err = await apiError(org.admin.call(endpoints.connectorApps.create, { body: body as never }));
          expect(err.status, JSON.stringify(body)).toBe(400);
          expect(err.code).toBe('validation_failed');
        }
        const forbidden = await apiError(
          agent.client.connectorApps.create({ name: 'CRM', allowedOrigins: ['https://crm.example.com'] }),
        );
        expect(forbidden.status).toBe(403);
        expect(await org.admin.connectorApps.list()).toEqual([]);

        const app = await org.admin.connectorApps.create({
          name: 'CRM',
          allowedOrigins: ['https://crm.example.com/'],
        });
        expect(app.allowedOrigins).toEqual(['https://crm.example.com']);
        const patchErr = await apiError(org.admin.connectorApps.update(app.id, { allowedOrigins: ['nope'] }));
        expect(patchErr.status).toBe(400);
        const [stored] = await org.admin.connectorApps.list();
        expect(stored).toEqual(expect.objectContaining({ allowedOrigins: ['https://crm.example.com'] }));
        expect(stored).not.toHaveProperty('clientSecret');
        // Another organisation's app is not found.
        const other = await t.newOrg('Other Corp');
        expect((await apiError(other.admin.connectorApps.get(app.id))).status).toBe(404);
      });

      it('changes name, redirect URIs and origins in place; a bad redirect URI is a 400 problem and changes nothing', async () => {
        const org = await t.newOrg();
        const app = await org.admin.connectorApps.create({
          name: 'CRM',
          allowedOrigins: ['https://crm.example.com'],
          redirectUris: ['https://crm.example.com/oauth/callback'],
        });
        const before = await org.admin.connectorApps.get(app.id);

        for (const body of [
          { name: 'Renamed', redirectUris: ['not a url'] },
          { name: 'Renamed', redirectUris: ['https://crm.example.com/cb#frag'] },
          { name: 'Renamed', redirectUris: ['ftp://crm.example.com/cb'] },
          { name: 'Renamed', allowedOrigins: [] },
          { name: '   ' },
          {},
        ]) {
          const err = await apiError(
            org.admin.call(endpoints.connectorApps.update, { params: { id: app.id }, body: body as never }),
          );
          expect(err.status, JSON.stringify(body)).toBe(400);
          expect(err.headers.get('content-type')).toContain('application/problem+json');
          expect(err.problem.code).toBe('validation_failed');
          expect(await org.admin.connectorApps.get(app.id), JSON.stringify(body)).toEqual(before);
        }
        const bad = await apiError(org.admin.connectorApps.update(app.id, { redirectUris: ['not a url'] }));
        expect(bad.problem.errors?.map((e) => e.path)).toEqual(['redirectUris.0']);

        t.clock.advance(1000);
        const changed = await org.admin.connectorApps.update(app.id, {
          name: '  Service CRM ',
          redirectUris: [
            'https://crm.example.com/cb',
            'https://crm.example.com/cb',
            'http://localhost:8080/cb',
          ],
          allowedOrigins: ['https://crm.example.com/', 'https://other.example.com'],
        });
        expect(changed).toMatchObject({
          id: app.id,
          clientId: app.clientId,
          name: 'Service CRM',
          redirectUris: ['https://crm.example.com/cb', 'http://localhost:8080/cb'],
          allowedOrigins: ['https://crm.example.com', 'https://other.example.com'],
          createdAt: before.createdAt,
        });
        expect(changed.updatedAt > before.updatedAt).toBe(true);
        expect(await org.admin.connectorApps.get(app.id)).toEqual(changed);
        // The pages of the app may now be framed by the new origin too.
        const framed = await t.fetch(`/connector/case?client_id=${app.clientId}&record_id=1`);
        expect(framed.headers.get('content-security-policy')).toBe(
          `${PAGE_CSP}; frame-ancestors https://crm.example.com https://other.example.com`,
        );
      });

      it('lets only the registered origins frame the connector pages', async () => {
        const org = await t.newOrg();
        const app = await newApp(org);
        const framed = await t.fetch(`/connector/case?client_id=${app.clientId}&record_id=1`);
        expect(framed.headers.get('content-security-policy')).toBe(
          `${PAGE_CSP}; frame-ancestors http://crm.test:8090`,
        );
        for (const url of [
          '/connector/desktop?client_id=llc_unknown',
          '/connector/case',
          '/connector/callback',
        ]) {
          const res = await t.fetch(url);
          expect(res.headers.get('content-security-policy'), url).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
        }
      });
    });
  },
  { config: { publicUrl: PUBLIC_URL } },
);
