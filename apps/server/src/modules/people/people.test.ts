import type { Group, User } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, PASSWORD, type TestOrg } from '../../../test/harness.js';

describeEachDatabase('users and groups API', (t) => {
  /** A raw request with an admin bearer token, to see status codes the typed client hides. */
  async function adminFetch(org: TestOrg, path: string, method: string, body?: unknown) {
    const { token } = await org.admin.tokens.create({ name: 'raw', scopes: ['admin', 'cases:read'] });
    return t.fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  const emails = async (org: TestOrg) => (await org.admin.users.list()).map((u) => u.email).sort();

  describe('POST /api/v1/users', () => {
    it("adds a user (201) in the organisation's first group, who can then sign in", async () => {
      const org = await t.newOrg();
      t.clock.advance(1000);
      const later = await org.admin.groups.create('A-Team');

      const res = await adminFetch(org, '/api/v1/users', 'POST', {
        email: 'Nina.New@Example.com',
        name: 'Nina New',
        password: 'a fine long password',
      });
      expect(res.status).toBe(201);
      const user = (await res.json()) as User;
      expect(user).toEqual({
        id: expect.any(String),
        email: 'nina.new@example.com',
        name: 'Nina New',
        role: 'agent',
        active: true,
        defaultGroupId: org.groupId,
        groupIds: [org.groupId],
        createdAt: new Date(t.clock.ms).toISOString(),
      });
      expect((await org.admin.users.get(user.id)).groupIds).toEqual([org.groupId]);
      expect((await org.admin.groups.list()).find((g) => g.id === org.groupId)?.memberIds).toContain(user.id);
      expect((await org.admin.groups.list()).find((g) => g.id === later.id)?.memberIds).toEqual([]);

      const nina = await t.signIn('nina.new@example.com', 'a fine long password');
      const me = await nina.me();
      expect(me.user.id).toBe(user.id);
      expect(me.organization.id).toBe(org.orgId);
      expect(me.scopes).not.toContain('admin');
    });

    it('puts the user in the given default group and role', async () => {
      const org = await t.newOrg();
      const tier2 = await org.admin.groups.create('Tier 2');
      const user = await org.admin.users.create({
        email: 'boss@example.net',
        name: 'Bo Boss',
        password: PASSWORD,
        role: 'admin',
        defaultGroupId: tier2.id,
      });
      expect(user).toMatchObject({ role: 'admin', defaultGroupId: tier2.id, groupIds: [tier2.id] });
      expect((await (await t.signIn('boss@example.net')).me()).scopes).toContain('admin');
    });

    it('answers 409 email_taken for an e-mail already in use, in this or another organisation', async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const agent = await t.newAgent(org);
      const before = await emails(org);

      const same = await apiError(
        org.admin.users.create({ email: agent.email.toUpperCase(), name: 'Twin', password: PASSWORD }),
      );
      expect(same.status).toBe(409);
      expect(same.problem.code).toBe('email_taken');

      // The e-mail address is what identifies a sign-in, so it is unique across organisations.
      const elsewhere = await apiError(
        other.admin.users.create({ email: agent.email, name: 'Twin', password: PASSWORD }),
      );
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.problem.code).toBe('email_taken');
      const adminsEmail = await apiError(
        other.admin.users.create({ email: org.adminEmail, name: 'Twin', password: PASSWORD }),
      );
      expect(adminsEmail.problem.code).toBe('email_taken');

      expect(await emails(org)).toEqual(before);
      expect((await other.admin.users.list()).map((u) => u.id)).toEqual([other.adminId]);
    });

    it('answers 400 for a weak password or other invalid fields, and adds nobody', async () => {
      const org = await t.newOrg();
      const weak = await apiError(
        org.admin.users.create({ email: 'weak@example.com', name: 'Weak', password: '123456789' }),
      );
      expect(weak.status).toBe(400);
      expect(weak.problem.code).toBe('validation_failed');
      expect(weak.problem.errors).toEqual([{ path: 'password', message: 'must be at least 10 characters' }]);

      const bad = await apiError(
        org.admin.users.create({
          email: 'not-an-email',
          name: ' ',
          password: PASSWORD,
          role: 'owner' as 'admin',
        }),
      );
      expect(bad.problem.errors?.map((e) => e.path).sort()).toEqual(['email', 'name', 'role']);
      const unknown = await apiError(
        org.admin.users.create({
          email: 'x@example.com',
          name: 'X',
          password: PASSWORD,
          active: false,
        } as never),
      );
      expect(unknown.problem.errors).toEqual([{ path: 'active', message: 'is not a known field' }]);

      expect(await emails(org)).toEqual([org.adminEmail]);
      expect((await apiError(t.client().auth.login('weak@example.com', '123456789'))).status).toBe(401);
    });

    it("answers 400 for another organisation's group as defaultGroupId", async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const err = await apiError(
        org.admin.users.create({
          email: 'stray@example.com',
          name: 'Stray',
          password: PASSWORD,
          defaultGroupId: other.groupId,
        }),
      );
      expect(err.status).toBe(400);
      expect(err.problem.errors).toEqual([
        { path: 'defaultGroupId', message: 'is not a group of your organisation' },
      ]);
      expect(await emails(org)).toEqual([org.adminEmail]);
      expect((await other.admin.groups.list())[0]?.memberIds).toEqual([other.adminId]);
    });
  });

  describe('agents', () => {
    it('read users and groups but get 403 for every change, which then does not happen', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const tier2 = await org.admin.groups.create('Tier 2');
      const a = agent.client;

      const users = await a.users.list();
      expect(users.map((u) => u.id).sort()).toEqual([org.adminId, agent.id].sort());
      expect((await a.users.get(org.adminId)).role).toBe('admin');
      expect((await a.groups.list()).map((g) => g.name)).toEqual(['Support', 'Tier 2']);

      const attempts = [
        () => a.users.create({ email: 'friend@example.com', name: 'Friend', password: PASSWORD }),
        () => a.users.update(agent.id, { role: 'admin' }),
        () => a.users.update(org.adminId, { active: false }),
        () => a.groups.create('Agents only'),
        () => a.groups.rename(tier2.id, 'Renamed'),
        () => a.groups.addMember(tier2.id, agent.id),
        () => a.groups.removeMember(org.groupId, org.adminId),
      ];
      for (const attempt of attempts) {
        const err = await apiError(attempt());
        expect(err.status).toBe(403);
        expect(err.problem.code).toBe('insufficient_scope');
      }

      expect(await emails(org)).toEqual([org.adminEmail, agent.email].sort());
      expect(await a.me()).toMatchObject({ user: { role: 'agent', active: true } });
      expect(await org.admin.users.get(org.adminId)).toMatchObject({ active: true });
      expect(await org.admin.groups.list()).toEqual([
        expect.objectContaining({
          name: 'Support',
          memberIds: expect.arrayContaining([org.adminId, agent.id]),
        }),
        expect.objectContaining({ name: 'Tier 2', memberIds: [] }),
      ]);
    });
  });

  describe('PATCH /api/v1/users/{id}', () => {
    it('changes name, role, default group and password', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Old Name');
      const tier2 = await org.admin.groups.create('Tier 2');
      t.clock.advance(1000);

      const updated = await org.admin.users.update(agent.id, {
        name: 'New Name',
        defaultGroupId: tier2.id,
        password: 'a brand new password',
      });
      expect(updated).toMatchObject({
        id: agent.id,
        name: 'New Name',
        role: 'agent',
        defaultGroupId: tier2.id,
      });
      // The new default group is joined; the old membership stays.
      expect([...updated.groupIds].sort()).toEqual([org.groupId, tier2.id].sort());

      expect((await apiError(t.client().auth.login(agent.email, PASSWORD))).status).toBe(401);
      const signedIn = await t.signIn(agent.email, 'a brand new password');
      expect((await signedIn.me()).user.name).toBe('New Name');

      const promoted = await org.admin.users.update(agent.id, { role: 'admin' });
      expect(promoted.role).toBe('admin');
      expect((await signedIn.me()).scopes).toContain('admin');
    });

    it('answers 400 for an empty body or a field that cannot be changed', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      expect((await apiError(org.admin.users.update(agent.id, {}))).status).toBe(400);
      const email = await apiError(org.admin.users.update(agent.id, { email: 'new@example.com' } as never));
      expect(email.problem.errors).toEqual([{ path: 'email', message: 'is not a known field' }]);
      const weak = await apiError(org.admin.users.update(agent.id, { password: 'short' }));
      expect(weak.problem.errors?.[0]?.path).toBe('password');
      expect((await org.admin.users.get(agent.id)).email).toBe(agent.email);
      await t.signIn(agent.email);
    });

    it('answers 409 last_admin for demoting or deactivating the last active admin, and changes nothing', async () => {
      const org = await t.newOrg();
      const demote = await apiError(org.admin.users.update(org.adminId, { role: 'agent' }));
      expect(demote.status).toBe(409);
      expect(demote.problem.code).toBe('last_admin');
      const deactivate = await apiError(org.admin.users.update(org.adminId, { active: false }));
      expect(deactivate.status).toBe(409);
      expect(deactivate.problem.code).toBe('last_admin');
      const both = await apiError(org.admin.users.update(org.adminId, { name: 'Renamed', role: 'agent' }));
      expect(both.problem.code).toBe('last_admin');

      expect(await org.admin.users.get(org.adminId)).toMatchObject({
        name: 'Ada Admin',
        role: 'admin',
        active: true,
      });
      expect((await org.admin.me()).scopes).toContain('admin');

      // An inactive admin does not count.
      const second = await t.newAgent(org, 'Second Admin', 'admin');
      await org.admin.users.update(second.id, { active: false });
      expect((await apiError(org.admin.users.update(org.adminId, { role: 'agent' }))).problem.code).toBe(
        'last_admin',
      );

      // With another active admin, stepping down works.
      await org.admin.users.update(second.id, { active: true });
      expect((await org.admin.users.update(org.adminId, { role: 'agent' })).role).toBe('agent');
      expect((await org.admin.me()).scopes).not.toContain('admin');
      const secondAdmin = await t.signIn(second.email);
      expect((await apiError(secondAdmin.users.update(second.id, { active: false }))).problem.code).toBe(
        'last_admin',
      );
    });

    it('lets only one of two admins demoting each other at once succeed', async () => {
      const org = await t.newOrg();
      const second = await t.newAgent(org, 'Second Admin', 'admin');
      const results = await Promise.allSettled([
        org.admin.users.update(second.id, { role: 'agent', password: 'another password 1' }),
        second.client.users.update(org.adminId, { role: 'agent' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected');
      // Refused as the last admin (409), or — when the other demotion landed first — as no admin any more
      // (403), or signed out by it (401): the first request sets the second admin a new password, which
      // ends that admin's sessions.
      expect(['409 last_admin', '403 insufficient_scope', '401 unauthenticated']).toContain(
        `${(refused as PromiseRejectedResult).reason.status} ${(refused as PromiseRejectedResult).reason.code}`,
      );
      const admins = await t.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', org.orgId)
        .where('role', '=', 'admin')
        .where('active', '=', 1)
        .execute();
      expect(admins).toHaveLength(1);
    });

    it("answers 404 for another organisation's user and 400 for its group as defaultGroupId", async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const agent = await t.newAgent(org);

      expect((await apiError(org.admin.users.get(other.adminId))).status).toBe(404);
      const patch = await apiError(
        org.admin.users.update(other.adminId, { name: 'Hijacked', role: 'agent' }),
      );
      expect(patch.status).toBe(404);
      expect(patch.problem.code).toBe('not_found');
      expect(await other.admin.users.get(other.adminId)).toMatchObject({ name: 'Ada Admin', role: 'admin' });

      const group = await apiError(org.admin.users.update(agent.id, { defaultGroupId: other.groupId }));
      expect(group.status).toBe(400);
      expect(group.problem.errors?.[0]?.path).toBe('defaultGroupId');
      expect(await org.admin.users.get(agent.id)).toMatchObject({
        defaultGroupId: org.groupId,
        groupIds: [org.groupId],
      });
      expect((await other.admin.groups.list())[0]?.memberIds).toEqual([other.adminId]);

      expect((await apiError(org.admin.users.get('no-such-user'))).status).toBe(404);
    });
  });

  describe('groups', () => {
    it('creates (201), lists, and renames groups; a taken name answers 409', async () => {
      const org = await t.newOrg();
      const res = await adminFetch(org, '/api/v1/groups', 'POST', { name: '  Tier 2  ' });
      expect(res.status).toBe(201);
      const tier2 = (await res.json()) as Group;
      expect(tier2).toEqual({
        id: expect.any(String),
        name: 'Tier 2',
        memberIds: [],
        createdAt: new Date(t.clock.ms).toISOString(),
      });
      expect((await org.admin.groups.list()).map((g) => g.name)).toEqual(['Support', 'Tier 2']);

      const duplicate = await apiError(org.admin.groups.create('Tier 2'));
      expect(duplicate.status).toBe(409);
      expect(duplicate.problem.code).toBe('group_name_taken');

      const renamed = await org.admin.groups.rename(tier2.id, 'Escalations');
      expect(renamed).toEqual({ ...tier2, name: 'Escalations' });
      const taken = await apiError(org.admin.groups.rename(tier2.id, 'Support'));
      expect(taken.status).toBe(409);
      expect(taken.problem.code).toBe('group_name_taken');
      expect((await org.admin.groups.list()).map((g) => g.name)).toEqual(['Escalations', 'Support']);

      // Names are per organisation.
      const other = await t.newOrg('Other Inc');
      expect((await other.admin.groups.create('Escalations')).name).toBe('Escalations');

      expect((await apiError(org.admin.groups.create(''))).status).toBe(400);
      expect((await apiError(org.admin.groups.rename(tier2.id, '   '))).status).toBe(400);
    });

    it("adds and removes members, but not from a user's default group (409)", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const tier2 = await org.admin.groups.create('Tier 2');

      const added = await org.admin.groups.addMember(tier2.id, agent.id);
      expect(added.memberIds).toEqual([agent.id]);
      // Adding twice changes nothing.
      expect((await org.admin.groups.addMember(tier2.id, agent.id)).memberIds).toEqual([agent.id]);
      expect([...(await org.admin.users.get(agent.id)).groupIds].sort()).toEqual(
        [org.groupId, tier2.id].sort(),
      );

      const removed = await org.admin.groups.removeMember(tier2.id, agent.id);
      expect(removed.memberIds).toEqual([]);
      expect((await org.admin.users.get(agent.id)).groupIds).toEqual([org.groupId]);

      const refused = await apiError(org.admin.groups.removeMember(org.groupId, agent.id));
      expect(refused.status).toBe(409);
      expect(refused.problem.code).toBe('default_group');
      expect((await org.admin.users.get(agent.id)).groupIds).toEqual([org.groupId]);

      // Once the default group is another one, leaving the first works.
      await org.admin.users.update(agent.id, { defaultGroupId: tier2.id });
      expect((await org.admin.groups.removeMember(org.groupId, agent.id)).memberIds).toEqual([org.adminId]);
      expect(await org.admin.users.get(agent.id)).toMatchObject({
        defaultGroupId: tier2.id,
        groupIds: [tier2.id],
      });
    });

    it("answers 404 for another organisation's group and 400 for its user as a new member", async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const agent = await t.newAgent(org);
      const otherAgent = await t.newAgent(other);

      const rename = await apiError(org.admin.groups.rename(other.groupId, 'Mine now'));
      expect(rename.status).toBe(404);
      expect(rename.problem.code).toBe('not_found');
      expect((await apiError(org.admin.groups.addMember(other.groupId, agent.id))).status).toBe(404);
      expect((await apiError(org.admin.groups.removeMember(other.groupId, other.adminId))).status).toBe(404);
      expect((await apiError(org.admin.groups.rename('no-such-group', 'x'))).status).toBe(404);

      const foreignMember = await apiError(org.admin.groups.addMember(org.groupId, otherAgent.id));
      expect(foreignMember.status).toBe(400);
      expect(foreignMember.problem.errors).toEqual([
        { path: 'userId', message: 'is not a user of your organisation' },
      ]);
      expect((await apiError(org.admin.groups.removeMember(org.groupId, otherAgent.id))).status).toBe(404);

      expect((await org.admin.groups.list())[0]?.memberIds.sort()).toEqual([org.adminId, agent.id].sort());
      expect(await other.admin.groups.list()).toEqual([
        expect.objectContaining({
          id: other.groupId,
          name: 'Support',
          memberIds: expect.arrayContaining([other.adminId, otherAgent.id]),
        }),
      ]);
      expect((await other.admin.users.get(otherAgent.id)).groupIds).toEqual([other.groupId]);
    });
  });
});
