import type { User } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, PASSWORD, type TestServer } from '../../../test/harness.js';
import { PRINCIPAL_TTL_MS } from './principal-cache.js';

const MINUTE = 60_000;

const json = (body: unknown, headers: Record<string, string> = {}, method = 'POST') => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Signs in with a raw request, as a browser would, and keeps what the console keeps. */
async function browserLogin(t: TestServer, email: string, password = PASSWORD) {
  const res = await t.fetch('/api/v1/auth/login', json({ email, password }));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { user: User; csrfToken: string };
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  expect(cookie).toMatch(/^lifeline_session=.+/);
  return { res, body, setCookie, cookie, csrfToken: body.csrfToken };
}

describeEachDatabase('sign-in and API tokens', (t) => {
  describe('POST /api/v1/auth/login', () => {
    it('answers 200 with the user and a CSRF token and sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const org = await t.newOrg();
      const { body, res, setCookie, cookie } = await browserLogin(t, org.adminEmail);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(body.user).toEqual({
        id: org.adminId,
        email: org.adminEmail,
        name: 'Ada Admin',
        role: 'admin',
        active: true,
        defaultGroupId: org.groupId,
        groupIds: [org.groupId],
        createdAt: expect.any(String),
      });
      expect(Buffer.from(body.csrfToken, 'base64url').length).toBeGreaterThanOrEqual(16);

      const attributes = setCookie
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      expect(attributes).toContain('httponly');
      expect(attributes).toContain('samesite=lax');
      expect(attributes).toContain('path=/');
      expect(attributes).toContain(`max-age=${12 * 3600}`);
      // Served over plain http here, so a Secure cookie would never come back.
      expect(attributes).not.toContain('secure');

      const me = await t.fetch('/api/v1/me', { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: User }).user.id).toBe(org.adminId);

      // Only a digest of the session id is stored.
      const sessionId = cookie.slice('lifeline_session='.length);
      const rows = await t.db.selectFrom('sessions').selectAll().where('user_id', '=', org.adminId).execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(sessionId);
    });

    it('gives every sign-in its own session and CSRF token', async () => {
      const org = await t.newOrg();
      const first = await browserLogin(t, org.adminEmail);
      const second = await browserLogin(t, org.adminEmail);
      expect(second.cookie).not.toBe(first.cookie);
      expect(second.csrfToken).not.toBe(first.csrfToken);
    });

    it('answers 401 unauthenticated alike for a wrong password and an unknown e-mail', async () => {
      const org = await t.newOrg();
      const wrong = await apiError(t.client().auth.login(org.adminEmail, 'not the password'));
      const unknown = await apiError(t.client().auth.login('nobody@example.com', PASSWORD));
      expect(wrong.status).toBe(401);
      expect(wrong.problem.code).toBe('unauthenticated');
      expect(unknown.status).toBe(401);
      expect({ ...unknown.problem, instance: undefined }).toEqual({ ...wrong.problem, instance: undefined });
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect(unknown.headers.get('set-cookie')).toBeNull();
    });

    it('treats the e-mail address case-insensitively', async () => {
      const org = await t.newOrg();
      const shouting = await t.signIn(org.adminEmail.toUpperCase());
      expect((await shouting.me()).user.email).toBe(org.adminEmail);
      const mixed = org.adminEmail.replace(/^admin/, 'AdMiN');
      expect((await (await t.signIn(mixed)).me()).user.id).toBe(org.adminId);
    });

    it('answers 400 for an unknown field or a missing password', async () => {
      const org = await t.newOrg();
      const extra = await t.fetch(
        '/api/v1/auth/login',
        json({ email: org.adminEmail, password: PASSWORD, rememberMe: true }),
      );
      expect(extra.status).toBe(400);
      expect(await extra.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: 'rememberMe', message: 'is not a known field' }],
      });
      expect(extra.headers.get('set-cookie')).toBeNull();
      const missing = await t.fetch('/api/v1/auth/login', json({ email: org.adminEmail }));
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('password');
    });

    it('answers 429 with Retry-After after 10 failed attempts, refusing even the right password for 15 minutes', async () => {
      const org = await t.newOrg();
      const bystander = await t.newAgent(org);
      for (let i = 0; i < 10; i++) {
        const err = await apiError(t.client().auth.login(org.adminEmail, `wrong password ${i}`));
        expect(err.status).toBe(401);
      }
      const limited = await apiError(t.client().auth.login(org.adminEmail, PASSWORD));
      expect(limited.status).toBe(429);
      expect(limited.problem.code).toBe('rate_limited');
      expect(limited.headers.get('retry-after')).toBe('900');
      // Other accounts signing in from the same address are not locked out.
      expect((await (await t.signIn(bystander.email)).me()).user.id).toBe(bystander.id);

      t.clock.advance(14 * MINUTE);
      const stillLimited = await apiError(t.client().auth.login(org.adminEmail.toUpperCase(), PASSWORD));
      expect(stillLimited.status).toBe(429);
      expect(stillLimited.headers.get('retry-after')).toBe('60');

      t.clock.advance(MINUTE);
      const admin = await t.signIn(org.adminEmail);
      expect((await admin.me()).user.id).toBe(org.adminId);
    });

    it('starts counting failed attempts afresh after a successful sign-in', async () => {
      const org = await t.newOrg();
      for (let i = 0; i < 5; i++) await apiError(t.client().auth.login(org.adminEmail, 'typo typo typo'));
      await t.signIn(org.adminEmail);
      for (let i = 0; i < 9; i++) {
        expect((await apiError(t.client().auth.login(org.adminEmail, 'typo typo typo'))).status).toBe(401);
      }
      expect((await (await t.signIn(org.adminEmail)).me()).user.id).toBe(org.adminId);
    });

    it('refuses a deactivated user, and ends their sessions and tokens', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const api = await t.tokenClient(agent.client, ['cases:read']);
      expect((await api.me()).user.id).toBe(agent.id);

      const deactivated = await org.admin.users.update(agent.id, { active: false });
      expect(deactivated.active).toBe(false);

      expect((await apiError(agent.client.me())).status).toBe(401);
      expect((await apiError(agent.client.cases.list())).status).toBe(401);
      expect((await apiError(api.me())).status).toBe(401);
      expect((await apiError(api.cases.list())).status).toBe(401);
      const signIn = await apiError(t.client().auth.login(agent.email, PASSWORD));
      expect(signIn.status).toBe(401);
      expect(signIn.problem.code).toBe('unauthenticated');

      // Reactivated, the user signs in again; the old session and the old token stay ended.
      await org.admin.users.update(agent.id, { active: true });
      const again = await t.signIn(agent.email);
      expect((await again.me()).user.id).toBe(agent.id);
      expect((await apiError(agent.client.me())).status).toBe(401);
      expect((await apiError(api.me())).status).toBe(401);
      expect(await again.tokens.list()).toEqual([]);
    });

    it('ends every cookie session of a user whose password an admin resets; their tokens keep working', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const elsewhere = await t.signIn(agent.email);
      const api = await t.tokenClient(agent.client, ['cases:read']);
      await org.admin.users.update(agent.id, { password: 'reset by the admin' });
      expect((await apiError(agent.client.me())).status).toBe(401);
      expect((await apiError(elsewhere.me())).status).toBe(401);
      expect((await api.me()).user.id).toBe(agent.id);
      expect((await apiError(t.signIn(agent.email))).status).toBe(401);
      expect((await (await t.signIn(agent.email, 'reset by the admin')).me()).user.id).toBe(agent.id);
      // The admin's own sessions are untouched.
      expect((await org.admin.me()).user.id).toBe(org.adminId);
    });
  });

  describe('sessions', () => {
    it('end 12 hours after sign-in, while API tokens keep working', async () => {
      const org = await t.newOrg();
      const { cookie } = await browserLogin(t, org.adminEmail);
      const api = await t.tokenClient(org.admin, ['cases:read']);
      t.clock.advance(12 * 60 * MINUTE - 1);
      expect((await t.fetch('/api/v1/me', { headers: { cookie } })).status).toBe(200);
      t.clock.advance(1);
      const expired = await t.fetch('/api/v1/me', { headers: { cookie } });
      expect(expired.status).toBe(401);
      expect((await apiError(org.admin.me())).status).toBe(401);
      expect((await api.me()).user.id).toBe(org.adminId);
    });
  });

  describe('POST /api/v1/auth/logout', () => {
    it('ends the session: the cookie stops working, other sessions keep working', async () => {
      const org = await t.newOrg();
      const session = await browserLogin(t, org.adminEmail);
      const other = await browserLogin(t, org.adminEmail);

      const res = await t.fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('set-cookie')).toMatch(/^lifeline_session=;/);

      const after = await t.fetch('/api/v1/me', { headers: { cookie: session.cookie } });
      expect(after.status).toBe(401);
      expect(await after.json()).toMatchObject({ code: 'unauthenticated' });
      expect((await t.fetch('/api/v1/me', { headers: { cookie: other.cookie } })).status).toBe(200);
    });

    it('works through the client and needs the CSRF token', async () => {
      const org = await t.newOrg();
      const session = await browserLogin(t, org.adminEmail);
      const forged = await t.fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { cookie: session.cookie },
      });
      expect(forged.status).toBe(403);
      expect((await t.fetch('/api/v1/me', { headers: { cookie: session.cookie } })).status).toBe(200);

      await org.admin.auth.logout();
      expect((await apiError(org.admin.me())).status).toBe(401);
      expect((await t.fetch('/api/v1/auth/logout', { method: 'POST' })).status).toBe(401);
    });
  });

  describe('GET /api/v1/me', () => {
    it("answers with the user, the organisation and the role's scopes", async () => {
      const org = await t.newOrg('Me Corp');
      const agent = await t.newAgent(org, 'Alex Agent');

      const asAgent = await agent.client.me();
      expect(asAgent.user).toMatchObject({
        id: agent.id,
        email: agent.email,
        name: 'Alex Agent',
        role: 'agent',
      });
      expect(asAgent.organization).toEqual({ id: org.orgId, name: 'Me Corp' });
      expect([...asAgent.scopes].sort()).toEqual(['cases:read', 'cases:write', 'reports:read']);

      const asAdmin = await org.admin.me();
      expect(asAdmin.user.id).toBe(org.adminId);
      expect(asAdmin.organization).toEqual({ id: org.orgId, name: 'Me Corp' });
      expect([...asAdmin.scopes].sort()).toEqual(['admin', 'cases:read', 'cases:write', 'reports:read']);
    });

    it('gives a cookie session its csrf token back, so a reloaded page can still write', async () => {
      const org = await t.newOrg();
      const res = await t.fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: org.adminEmail, password: PASSWORD }),
      });
      const { csrfToken } = (await res.json()) as { csrfToken: string };
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const me = (await (await t.fetch('/api/v1/me', { headers: { cookie } })).json()) as {
        csrfToken?: string;
      };
      expect(me.csrfToken).toBe(csrfToken);
      const viaToken = await (await t.tokenClient(org.admin, ['cases:read'])).me();
      expect(viaToken.csrfToken).toBeUndefined();
    });

    it("answers a token's own scopes, not its user's", async () => {
      const org = await t.newOrg();
      const reader = await t.tokenClient(org.admin, ['cases:read']);
      const me = await reader.me();
      expect(me.user.id).toBe(org.adminId);
      expect(me.scopes).toEqual(['cases:read']);
    });

    it('answers 401 without credentials or with bad ones', async () => {
      const anonymous = await apiError(t.client().me());
      expect(anonymous.status).toBe(401);
      expect(anonymous.problem.code).toBe('unauthenticated');
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      expect((await t.fetch('/api/v1/me', { headers: { cookie: 'lifeline_session=forged' } })).status).toBe(
        401,
      );
      expect((await t.fetch('/api/v1/me', { headers: { authorization: 'Bearer llt_forged' } })).status).toBe(
        401,
      );
      expect((await t.fetch('/api/v1/me', { headers: { authorization: 'Basic YTpi' } })).status).toBe(401);
    });
  });

  describe('CSRF', () => {
    it('refuses a cookie-authenticated POST without or with a wrong x-csrf-token (403) and creates nothing', async () => {
      const org = await t.newOrg();
      const { cookie, csrfToken } = await browserLogin(t, org.adminEmail);
      const other = await browserLogin(t, org.adminEmail);

      const missing = await t.fetch('/api/v1/cases', json({ name: 'Forged' }, { cookie }));
      expect(missing.status).toBe(403);
      expect(await missing.json()).toMatchObject({ status: 403, code: 'csrf_failed' });
      const wrong = await t.fetch(
        '/api/v1/cases',
        json({ name: 'Forged' }, { cookie, 'x-csrf-token': 'guess' }),
      );
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toMatchObject({ code: 'csrf_failed' });
      // Another session's token is just as wrong.
      const crossed = await t.fetch(
        '/api/v1/cases',
        json({ name: 'Forged' }, { cookie, 'x-csrf-token': other.csrfToken }),
      );
      expect(crossed.status).toBe(403);
      expect((await org.admin.cases.list()).items).toEqual([]);

      const right = await t.fetch(
        '/api/v1/cases',
        json({ name: 'Real' }, { cookie, 'x-csrf-token': csrfToken }),
      );
      expect(right.status).toBe(201);
      expect((await org.admin.cases.list()).items.map((c) => c.name)).toEqual(['Real']);
    });

    it('refuses a cookie-authenticated PATCH and DELETE without x-csrf-token and changes nothing', async () => {
      const org = await t.newOrg();
      const token = await org.admin.tokens.create({ name: 'keep me', scopes: ['cases:read'] });
      const { cookie } = await browserLogin(t, org.adminEmail);

      const patch = await t.fetch(
        `/api/v1/users/${org.adminId}`,
        json({ name: 'Mallory' }, { cookie }, 'PATCH'),
      );
      expect(patch.status).toBe(403);
      expect(await patch.json()).toMatchObject({ code: 'csrf_failed' });
      const del = await t.fetch(`/api/v1/tokens/${token.id}`, { method: 'DELETE', headers: { cookie } });
      expect(del.status).toBe(403);
      expect(await del.json()).toMatchObject({ code: 'csrf_failed' });

      expect((await org.admin.users.get(org.adminId)).name).toBe('Ada Admin');
      expect((await org.admin.tokens.list()).map((x) => x.id)).toEqual([token.id]);
      expect((await t.client(token.token).me()).user.id).toBe(org.adminId);
    });

    it('lets cookie-authenticated GETs through without the header', async () => {
      const org = await t.newOrg();
      await org.admin.cases.create({ name: 'Visible' });
      const { cookie } = await browserLogin(t, org.adminEmail);
      const res = await t.fetch('/api/v1/cases', { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: { name: string }[] }).items.map((c) => c.name)).toEqual([
        'Visible',
      ]);
    });

    it('needs no CSRF header for bearer-token requests', async () => {
      const org = await t.newOrg();
      const { token } = await org.admin.tokens.create({ name: 'integration', scopes: ['cases:write'] });
      const res = await t.fetch(
        '/api/v1/cases',
        json({ name: 'From CRM' }, { authorization: `Bearer ${token}` }),
      );
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ name: 'From CRM', source: 'api' });
    });
  });

  describe('POST /api/v1/tokens', () => {
    it('answers 201 with the token once; GET /api/v1/tokens lists it without the secret', async () => {
      const org = await t.newOrg();
      const { cookie, csrfToken } = await browserLogin(t, org.adminEmail);
      const res = await t.fetch(
        '/api/v1/tokens',
        json(
          { name: 'CRM connector', scopes: ['cases:read', 'cases:write', 'cases:read'] },
          {
            cookie,
            'x-csrf-token': csrfToken,
          },
        ),
      );
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; token: string };
      expect(created).toEqual({
        id: expect.any(String),
        name: 'CRM connector',
        scopes: ['cases:read', 'cases:write'],
        createdAt: new Date(t.clock.ms).toISOString(),
        lastUsedAt: null,
        token: expect.stringMatching(/^llt_[A-Za-z0-9_-]{40,}$/),
      });

      const listed = await org.admin.tokens.list();
      expect(listed).toEqual([
        {
          id: created.id,
          name: 'CRM connector',
          scopes: ['cases:read', 'cases:write'],
          createdAt: new Date(t.clock.ms).toISOString(),
          lastUsedAt: null,
        },
      ]);
      const raw = await t.fetch('/api/v1/tokens', { headers: { cookie } });
      expect(await raw.text()).not.toContain(created.token.slice(4));

      // The token works, and its use is recorded.
      t.clock.advance(MINUTE);
      expect((await t.client(created.token).me()).user.id).toBe(org.adminId);
      expect((await org.admin.tokens.list())[0]?.lastUsedAt).toBe(new Date(t.clock.ms).toISOString());
    });

    it('refuses scopes beyond the caller (403 insufficient_scope) and creates nothing', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const err = await apiError(
        agent.client.tokens.create({ name: 'sneaky', scopes: ['cases:read', 'admin'] }),
      );
      expect(err.status).toBe(403);
      expect(err.problem.code).toBe('insufficient_scope');
      expect(await agent.client.tokens.list()).toEqual([]);
    });

    it('refuses any bearer token with 403 console_session_required and creates nothing', async () => {
      const org = await t.newOrg();
      const admin = await t.tokenClient(org.admin, ['cases:read', 'cases:write', 'reports:read', 'admin']);
      for (const scopes of [['cases:read'], ['cases:write']] as const) {
        const err = await apiError(admin.tokens.create({ name: 'minted', scopes: [...scopes] }));
        expect(err.status).toBe(403);
        expect(err.problem.code).toBe('console_session_required');
        expect(err.problem.detail).toContain('console');
      }
      expect((await org.admin.tokens.list()).map((x) => x.name)).toEqual(['test']);
      // The same request with the console's cookie and CSRF token works.
      expect((await org.admin.tokens.create({ name: 'minted', scopes: ['cases:read'] })).name).toBe('minted');
    });

    it('answers 400 for no scopes, an unknown scope or an empty name, and creates nothing', async () => {
      const org = await t.newOrg();
      const empty = await apiError(org.admin.tokens.create({ name: 'x', scopes: [] }));
      expect(empty.status).toBe(400);
      expect(empty.problem.errors?.[0]?.path).toBe('scopes');
      const unknown = await apiError(
        org.admin.tokens.create({ name: 'x', scopes: ['cases:delete' as 'admin'] }),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.problem.errors?.[0]?.path).toMatch(/^scopes/);
      const noName = await apiError(org.admin.tokens.create({ name: '', scopes: ['cases:read'] }));
      expect(noName.status).toBe(400);
      expect(noName.problem.errors?.[0]?.path).toBe('name');
      expect((await apiError(org.admin.tokens.create({ name: '   ', scopes: ['cases:read'] }))).status).toBe(
        400,
      );
      expect(await org.admin.tokens.list()).toEqual([]);
    });

    it('stores only a digest of the token', async () => {
      const org = await t.newOrg();
      const created = await org.admin.tokens.create({ name: 'digest', scopes: ['cases:read'] });
      const rows = await t.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.token_hash).toEqual(expect.any(String));
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(created.token);
      expect(stored).not.toContain(created.token.slice(4));
    });

    it('takes the admin scope away from a token whose user is demoted to agent', async () => {
      const org = await t.newOrg();
      const second = await t.newAgent(org, 'Second Admin', 'admin');
      const { token } = await second.client.tokens.create({
        name: 'provisioning',
        scopes: ['cases:read', 'admin'],
      });
      const api = t.client(token);
      const added = await api.users.create({
        email: 'new-hire@example.com',
        name: 'New Hire',
        password: PASSWORD,
      });
      expect(added.role).toBe('agent');

      await org.admin.users.update(second.id, { role: 'agent' });
      const refused = await apiError(
        api.users.create({ email: 'another-hire@example.com', name: 'Another', password: PASSWORD }),
      );
      expect(refused.status).toBe(403);
      expect(refused.problem.code).toBe('insufficient_scope');
      expect((await api.me()).scopes).toEqual(['cases:read']);
      expect((await org.admin.users.list()).map((u) => u.email)).not.toContain('another-hire@example.com');
    });
  });

  describe('DELETE /api/v1/tokens/{id}', () => {
    it('revokes the token: it then answers 401, and a second revoke 404', async () => {
      const org = await t.newOrg();
      const created = await org.admin.tokens.create({ name: 'old', scopes: ['cases:read'] });
      const api = t.client(created.token);
      expect((await api.me()).user.id).toBe(org.adminId);

      await org.admin.tokens.revoke(created.id);
      const revoked = await apiError(api.me());
      expect(revoked.status).toBe(401);
      expect(revoked.problem.code).toBe('unauthenticated');
      expect(await org.admin.tokens.list()).toEqual([]);

      const again = await apiError(org.admin.tokens.revoke(created.id));
      expect(again.status).toBe(404);
      expect(again.problem.code).toBe('not_found');
    });

    it("acts under the user's new name at once when a token used just before is used again", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Alex Agent');
      const api = await t.tokenClient(agent.client);
      expect((await api.cases.create({ name: 'before' })).createdBy.name).toBe('Alex Agent');

      await org.admin.users.update(agent.id, { name: 'Alex Renamed' });
      expect((await api.cases.create({ name: 'after' })).createdBy.name).toBe('Alex Renamed');
    });

    it('honours a revoke written by another process within PRINCIPAL_TTL_MS', async () => {
      const org = await t.newOrg();
      const created = await org.admin.tokens.create({ name: 'elsewhere', scopes: ['cases:read'] });
      const api = t.client(created.token);
      expect((await api.me()).user.id).toBe(org.adminId);

      await t.db
        .updateTable('api_tokens')
        .set({ revoked_at: t.clock.ms })
        .where('id', '=', created.id)
        .execute();
      // This process cannot know yet: the documented delay of the principal cache.
      t.clock.advance(PRINCIPAL_TTL_MS - 1);
      expect((await api.me()).user.id).toBe(org.adminId);
      t.clock.advance(1);
      expect((await apiError(api.me())).status).toBe(401);
    });

    it("answers 404 for another user's token and leaves it working", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const other = await t.newOrg('Other Inc');
      const agentToken = await agent.client.tokens.create({ name: 'mine', scopes: ['cases:read'] });
      const foreignToken = await other.admin.tokens.create({ name: 'theirs', scopes: ['cases:read'] });

      expect((await apiError(org.admin.tokens.revoke(agentToken.id))).status).toBe(404);
      expect((await apiError(org.admin.tokens.revoke(foreignToken.id))).status).toBe(404);
      expect((await t.client(agentToken.token).me()).user.id).toBe(agent.id);
      expect((await t.client(foreignToken.token).me()).user.id).toBe(other.adminId);
      expect(await org.admin.tokens.list()).toEqual([]);
    });
  });
  describe('GET and DELETE /api/v1/users/{id}/tokens', () => {
    it("lets an admin list and revoke a user's tokens; the token then answers 401", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const created = await agent.client.tokens.create({ name: 'crm', scopes: ['cases:read'] });
      const api = t.client(created.token);
      expect((await api.me()).user.id).toBe(agent.id);

      const listed = await org.admin.users.tokens(agent.id);
      expect(listed).toEqual([
        {
          id: created.id,
          name: 'crm',
          scopes: ['cases:read'],
          createdAt: created.createdAt,
          lastUsedAt: expect.any(String),
        },
      ]);
      expect(JSON.stringify(listed)).not.toContain(created.token.slice(4));

      await org.admin.users.revokeToken(agent.id, created.id);
      expect((await apiError(api.me())).status).toBe(401);
      expect(await org.admin.users.tokens(agent.id)).toEqual([]);
      expect((await apiError(org.admin.users.revokeToken(agent.id, created.id))).status).toBe(404);
    });

    it('refuses agents (403) and answers 404 for users and tokens of another organisation, changing nothing', async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Corp');
      const agent = await t.newAgent(org);
      const colleague = await t.newAgent(org, 'Colleague');
      const theirs = await colleague.client.tokens.create({ name: 'theirs', scopes: ['cases:read'] });

      const asAgent = await apiError(agent.client.users.tokens(colleague.id));
      expect(asAgent.status).toBe(403);
      expect((await apiError(agent.client.users.revokeToken(colleague.id, theirs.id))).status).toBe(403);

      expect((await apiError(other.admin.users.tokens(colleague.id))).status).toBe(404);
      expect((await apiError(other.admin.users.revokeToken(colleague.id, theirs.id))).status).toBe(404);
      // A token id under the wrong user of one's own organisation is not found either.
      expect((await apiError(org.admin.users.revokeToken(agent.id, theirs.id))).status).toBe(404);

      expect((await t.client(theirs.token).me()).user.id).toBe(colleague.id);
      expect((await org.admin.users.tokens(colleague.id)).map((x) => x.id)).toEqual([theirs.id]);
    });
  });
});

describeEachDatabase(
  'sign-in behind https',
  (t) => {
    it('marks the session cookie Secure when PUBLIC_URL is https', async () => {
      const org = await t.newOrg();
      const { setCookie } = await browserLogin(t, org.adminEmail);
      const attributes = setCookie.split(';').map((a) => a.trim().toLowerCase());
      expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    });
  },
  { config: { publicUrl: 'https://lifeline.test' } },
);
