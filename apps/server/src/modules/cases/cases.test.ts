import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase } from '../../../test/harness.js';

describeEachDatabase('service cases API', (t) => {
  describe('POST /api/v1/cases', () => {
    it('creates a new case in the default group with a session code, secret link and 24-hour expiry', async () => {
      const org = await t.newOrg();
      const created = await org.admin.cases.create({
        name: 'Printer offline',
        customer: { name: 'Cleo Customer' },
      });

      expect(created).toMatchObject({
        name: 'Printer offline',
        type: 'remote_control',
        status: 'new',
        source: 'manual',
        groupId: org.groupId,
        assigneeId: null,
        customer: { name: 'Cleo Customer', email: null, phone: null },
        presence: { agent: false, customer: false },
        createdBy: { type: 'user', id: org.adminId, name: 'Ada Admin' },
        createdAt: new Date(t.clock.ms).toISOString(),
        expiresAt: new Date(t.clock.ms + 86_400_000).toISOString(),
        closedAt: null,
      });
      expect(created.code).toMatch(/^s\d{2}-\d{3}-\d{3}$/);
      expect(created.links.agent).toBe(`http://lifeline.test/session/${created.code}`);
      const token = created.links.customer.split('/j/')[1] ?? '';
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(created.links.customer).not.toContain(created.code.slice(1));
      expect(await org.admin.cases.get(created.code)).toEqual({ ...created, outcome: null });
    });

    it('marks cases created with a bearer token as source "api" and keeps every given field', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Bea Agent');
      const api = await t.tokenClient(org.admin);
      const fields = {
        type: 'ar',
        description: 'Router LEDs blink red',
        assigneeId: agent.id,
        customer: { name: 'Cleo', email: 'cleo@example.com', phone: '+49 30 1234567' },
        external: {
          system: 'c4c',
          type: 'ServiceRequest',
          id: '4711',
          url: 'https://crm.example.com/sr/4711',
        },
        waitingMessage: 'An expert joins in a minute.',
      } as const;
      const created = await api.cases.create({ name: 'Camera check', ...fields });
      expect(created).toMatchObject({ ...fields, name: 'Camera check', source: 'api' });
      const events = await api.cases.events(created.code);
      expect(events.items.map((e) => e.type)).toEqual(['case.created', 'case.assigned']);
      expect(events.items[1]?.data).toEqual({ from: null, to: agent.id });
    });

    it('answers 400 with every invalid field and writes nothing', async () => {
      const org = await t.newOrg();
      const anonymous = await t.fetch('/api/v1/cases', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '', type: 'video', colour: 'red' }),
      });
      expect(anonymous.status).toBe(401);

      const api = await t.tokenClient(org.admin);
      const err = await apiError(api.cases.create({ name: ' ', type: 'video' as 'ar' }));
      expect(err.status).toBe(400);
      expect(err.problem).toMatchObject({
        code: 'validation_failed',
        title: 'Validation failed',
        status: 400,
      });
      expect(err.problem.errors?.map((e) => e.path).sort()).toEqual(['name', 'type']);
      expect(err.headers.get('content-type')).toContain('application/problem+json');

      const unknown = await apiError(api.cases.create({ name: 'x', colour: 'red' } as { name: string }));
      expect(unknown.problem.errors).toEqual([{ path: 'colour', message: 'is not a known field' }]);

      const tooLong = await apiError(api.cases.create({ name: 'x'.repeat(201) }));
      expect(tooLong.problem.errors?.[0]?.path).toBe('name');

      const badEmail = await apiError(api.cases.create({ name: 'x', customer: { email: 'not-an-address' } }));
      expect(badEmail.problem.errors?.[0]?.path).toBe('customer.email');

      expect((await api.cases.list()).items).toEqual([]);
      expect(
        await t.db.selectFrom('case_events').select('id').where('org_id', '=', org.orgId).execute(),
      ).toEqual([]);
    });

    it('refuses a group or assignee of another organisation with 400', async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const otherAgent = await t.newAgent(other);
      const badGroup = await apiError(org.admin.cases.create({ name: 'x', groupId: other.groupId }));
      expect(badGroup.problem.errors).toEqual([
        { path: 'groupId', message: 'is not a group of your organisation' },
      ]);
      const badAssignee = await apiError(org.admin.cases.create({ name: 'x', assigneeId: otherAgent.id }));
      expect(badAssignee.status).toBe(400);
      expect(badAssignee.problem.errors?.[0]?.path).toBe('assigneeId');
      expect((await org.admin.cases.list()).items).toHaveLength(0);
    });

    it('answers 400 for malformed JSON and 415 for a body that is not JSON', async () => {
      const org = await t.newOrg();
      const { token } = await org.admin.tokens.create({ name: 'raw', scopes: ['cases:write'] });
      const auth = { authorization: `Bearer ${token}` };
      const malformed = await t.fetch('/api/v1/cases', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: '{"name": ',
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ code: 'invalid_json' });
      const text = await t.fetch('/api/v1/cases', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...auth },
        body: 'name=x',
      });
      expect(text.status).toBe(415);
      expect(await text.json()).toMatchObject({ code: 'unsupported_media_type' });
    });
  });

  describe('GET /api/v1/cases', () => {
    it('lists newest first with cursor pagination', async () => {
      const org = await t.newOrg();
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push((await org.admin.cases.create({ name: `Case ${i}` })).code);
        t.clock.advance(1000);
      }
      const first = await org.admin.cases.list({ limit: 2 });
      expect(first.items.map((c) => c.code)).toEqual([codes[4], codes[3]]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await org.admin.cases.list({ limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.items.map((c) => c.code)).toEqual([codes[2], codes[1]]);
      const third = await org.admin.cases.list({ limit: 2, cursor: second.nextCursor ?? '' });
      expect(third.items.map((c) => c.code)).toEqual([codes[0]]);
      expect(third.nextCursor).toBeNull();
    });

    it('shows every change to the queue at once, however often the same page was asked for', async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const page = async () => (await org.admin.cases.list({ status: ['new'] })).items.map((c) => c.name);
      expect(await page()).toEqual([]);
      const a = await org.admin.cases.create({ name: 'a' });
      expect(await page()).toEqual(['a']);
      await org.admin.cases.update(a.code, { name: 'a2' });
      expect(await page()).toEqual(['a2']);
      await other.admin.cases.create({ name: 'elsewhere' });
      expect(await page()).toEqual(['a2']);
      const b = await org.admin.cases.create({ name: 'b' });
      await org.admin.cases.close(a.code);
      expect(await page()).toEqual(['b']);
      await org.admin.cases.delete(b.code);
      expect(await page()).toEqual([]);
    });

    it('keeps the creation order of cases created in the same millisecond', async () => {
      const org = await t.newOrg();
      const a = await org.admin.cases.create({ name: 'first' });
      const b = await org.admin.cases.create({ name: 'second' });
      expect((await org.admin.cases.list()).items.map((c) => c.code)).toEqual([b.code, a.code]);
    });

    it('filters by status, group, assignee ("me"), source, external record and search text', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const group2 = await org.admin.groups.create('Second level');
      const api = await t.tokenClient(org.admin);
      const printer = await org.admin.cases.create({ name: 'Printer jam', customer: { name: 'Zoe Zimmer' } });
      const vpn = await api.cases.create({ name: 'VPN down', groupId: group2.id, assigneeId: agent.id });
      const crm = await api.cases.create({
        name: 'From CRM',
        external: { system: 'c4c', type: 'ServiceRequest', id: '4711' },
        customer: { email: 'Kim@Example.com' },
      });
      await org.admin.cases.close(crm.code);

      const codes = async (q: Parameters<typeof org.admin.cases.list>[0]) =>
        (await org.admin.cases.list(q)).items.map((c) => c.code).sort();
      expect(await codes({ status: ['closed'] })).toEqual([crm.code]);
      expect(await codes({ status: ['new', 'closed'] })).toEqual([printer.code, vpn.code, crm.code].sort());
      expect(await codes({ groupId: group2.id })).toEqual([vpn.code]);
      expect(await codes({ assigneeId: agent.id })).toEqual([vpn.code]);
      expect((await agent.client.cases.list({ assigneeId: 'me' })).items.map((c) => c.code)).toEqual([
        vpn.code,
      ]);
      expect(await codes({ source: 'manual' })).toEqual([printer.code]);
      expect(await codes({ externalSystem: 'c4c', externalId: '4711' })).toEqual([crm.code]);
      expect(await codes({ externalSystem: 'c4c', externalId: '4712' })).toEqual([]);
      expect(await codes({ q: 'printer' })).toEqual([printer.code]);
      expect(await codes({ q: 'zimmer' })).toEqual([printer.code]);
      expect(await codes({ q: 'kim@example' })).toEqual([crm.code]);
      expect(await codes({ q: vpn.code })).toEqual([vpn.code]);
      expect(await codes({ q: vpn.code.replaceAll('-', '').slice(1) })).toEqual([vpn.code]);
      expect(await codes({ q: '100%_' })).toEqual([]);
    });

    it('answers 400 for an unknown filter, a bad status, a bad limit or a forged cursor', async () => {
      const org = await t.newOrg();
      const status = await apiError(org.admin.cases.list({ status: ['done' as 'new'] }));
      expect(status.problem.errors?.[0]?.path).toMatch(/^status/);
      expect((await apiError(org.admin.cases.list({ limit: 0 }))).status).toBe(400);
      expect((await apiError(org.admin.cases.list({ limit: 201 }))).status).toBe(400);
      const cursor = await apiError(org.admin.cases.list({ cursor: 'bm90LWEtY3Vyc29y' }));
      expect(cursor.problem.code).toBe('invalid_cursor');
      const unknown = await apiError(org.admin.cases.list({ colour: 'red' } as object));
      expect(unknown.problem.errors).toEqual([{ path: 'colour', message: 'is not a known field' }]);
    });

    it("never shows another organisation's cases", async () => {
      const org = await t.newOrg();
      const other = await t.newOrg('Other Inc');
      const secret = await other.admin.cases.create({ name: 'Secret' });
      expect((await org.admin.cases.list()).items).toEqual([]);
      expect((await org.admin.cases.list({ q: secret.code })).items).toEqual([]);
      expect((await apiError(org.admin.cases.get(secret.code))).status).toBe(404);
      expect((await apiError(org.admin.cases.update(secret.code, { name: 'Mine' }))).status).toBe(404);
      expect((await apiError(org.admin.cases.close(secret.code))).status).toBe(404);
      expect((await apiError(org.admin.cases.delete(secret.code))).status).toBe(404);
      expect((await apiError(org.admin.cases.events(secret.code))).status).toBe(404);
      expect(await org.admin.cases.bulkDelete([secret.code])).toEqual({
        deleted: 0,
        notFound: [secret.code],
      });
      expect(await other.admin.cases.get(secret.code)).toMatchObject({ name: 'Secret', status: 'new' });
    });
  });

  describe('GET /api/v1/cases/{code}', () => {
    it('answers 404 for an unknown code and 400 for a malformed one', async () => {
      const org = await t.newOrg();
      const missing = await apiError(org.admin.cases.get('s00-000-000'));
      expect(missing.status).toBe(404);
      expect(missing.problem.code).toBe('not_found');
      const malformed = await apiError(org.admin.cases.get('12345678'));
      expect(malformed.status).toBe(400);
    });

    it('answers 401 without credentials and 401 for a wrong token', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      expect((await apiError(t.client().cases.get(c.code))).status).toBe(401);
      expect((await apiError(t.client('llt_nope').cases.get(c.code))).status).toBe(401);
    });
  });

  describe('PATCH /api/v1/cases/{code}', () => {
    it('changes fields and records what changed, and who, in the audit trail', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Bea Agent');
      const c = await org.admin.cases.create({
        name: 'Old',
        customer: { name: 'Cleo', phone: '+1 555 0100' },
      });
      t.clock.advance(5000);
      const changedAt = new Date(t.clock.ms).toISOString();
      const updated = await org.admin.cases.update(c.code, {
        name: 'New',
        description: 'More detail',
        assigneeId: agent.id,
        customer: { email: 'cleo@example.com', phone: null },
      });
      expect(updated).toMatchObject({
        name: 'New',
        description: 'More detail',
        assigneeId: agent.id,
        customer: { name: 'Cleo', email: 'cleo@example.com', phone: null },
        updatedAt: changedAt,
      });
      const events = (await org.admin.cases.events(c.code)).items;
      expect(events.map((e) => e.type)).toEqual(['case.created', 'case.updated', 'case.assigned']);
      expect(events[1]?.actor).toEqual({ type: 'user', id: org.adminId, name: 'Ada Admin' });
      expect(events[1]?.data).toEqual({
        changes: {
          name: { from: 'Old', to: 'New' },
          description: { from: null, to: 'More detail' },
          'customer.email': { from: null, to: 'cleo@example.com' },
          'customer.phone': { from: '+1 555 0100', to: null },
        },
      });
      const unassigned = await agent.client.cases.update(c.code, { assigneeId: null });
      expect(unassigned.assigneeId).toBeNull();
    });

    it('answers 400 for an empty or invalid body and changes nothing', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Keep me' });
      expect((await apiError(org.admin.cases.update(c.code, {}))).status).toBe(400);
      expect((await apiError(org.admin.cases.update(c.code, { name: '' }))).status).toBe(400);
      const status = await apiError(org.admin.cases.update(c.code, { status: 'closed' } as object));
      expect(status.problem.errors).toEqual([{ path: 'status', message: 'is not a known field' }]);
      const group = await apiError(org.admin.cases.update(c.code, { name: 'Changed', groupId: 'nope' }));
      expect(group.status).toBe(400);
      expect(await org.admin.cases.get(c.code)).toEqual({ ...c, outcome: null });
      expect((await org.admin.cases.events(c.code)).items).toHaveLength(1);
    });

    it('answers 409 for a closed case', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      await org.admin.cases.close(c.code);
      const err = await apiError(org.admin.cases.update(c.code, { name: 'y' }));
      expect(err.status).toBe(409);
      expect(err.problem.code).toBe('case_ended');
    });
  });

  describe('POST /api/v1/cases/{code}/close', () => {
    it('closes the case, records who closed it, and is idempotent', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      t.clock.advance(60_000);
      const closedAt = new Date(t.clock.ms).toISOString();
      const closed = await org.admin.cases.close(c.code);
      expect(closed).toMatchObject({
        status: 'closed',
        closedAt,
        closedBy: { type: 'user', id: org.adminId, name: 'Ada Admin' },
      });
      t.clock.advance(1000);
      expect(await org.admin.cases.close(c.code)).toEqual(closed);
      const types = (await org.admin.cases.events(c.code)).items.map((e) => e.type);
      expect(types).toEqual(['case.created', 'case.closed']);
    });

    it('lets the assignee and the creator close, and refuses other agents with 403', async () => {
      const org = await t.newOrg();
      const creator = await t.newAgent(org, 'Creator');
      const assignee = await t.newAgent(org, 'Assignee');
      const bystander = await t.newAgent(org, 'Bystander');
      const byCreator = await creator.client.cases.create({ name: 'mine' });
      const assigned = await org.admin.cases.create({ name: 'theirs', assigneeId: assignee.id });

      const refused = await apiError(bystander.client.cases.close(byCreator.code));
      expect(refused.status).toBe(403);
      expect(refused.problem.code).toBe('not_allowed');
      expect((await org.admin.cases.get(byCreator.code)).status).toBe('new');

      expect((await creator.client.cases.close(byCreator.code)).status).toBe('closed');
      expect((await assignee.client.cases.close(assigned.code)).status).toBe('closed');
    });

    it('allows a new case for the same CRM record after closing', async () => {
      const org = await t.newOrg();
      const external = { system: 'c4c', type: 'ServiceRequest', id: '99' };
      const first = await org.admin.cases.create({ name: 'first', external });
      await org.admin.cases.close(first.code);
      const second = await org.admin.cases.create({ name: 'second', external });
      expect(second.code).not.toBe(first.code);
      const open = await org.admin.cases.list({ externalSystem: 'c4c', externalId: '99', status: ['new'] });
      expect(open.items.map((c) => c.code)).toEqual([second.code]);
    });
  });

  describe('DELETE /api/v1/cases/{code}', () => {
    it('deletes the case and its audit trail; the code then answers 404', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      await org.admin.cases.delete(c.code);
      expect((await apiError(org.admin.cases.get(c.code))).status).toBe(404);
      expect((await apiError(org.admin.cases.delete(c.code))).status).toBe(404);
      expect(
        await t.db.selectFrom('case_events').select('id').where('org_id', '=', org.orgId).execute(),
      ).toEqual([]);
    });

    it('refuses an agent who did not create the case with 403', async () => {
      const org = await t.newOrg();
      const bystander = await t.newAgent(org);
      const c = await org.admin.cases.create({ name: 'x' });
      expect((await apiError(bystander.client.cases.delete(c.code))).status).toBe(403);
      expect((await org.admin.cases.get(c.code)).code).toBe(c.code);
    });

    it('still refuses an agent who assigned the case to themselves', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const c = await org.admin.cases.create({ name: 'x' });
      const refused = await apiError(agent.client.cases.delete(c.code));
      expect(refused.problem.code).toBe('not_allowed');
      await agent.client.cases.update(c.code, { assigneeId: agent.id });
      const again = await apiError(agent.client.cases.delete(c.code));
      expect(again.status).toBe(403);
      expect(again.problem.detail).toContain('created');
      expect((await org.admin.cases.get(c.code)).assigneeId).toBe(agent.id);
    });

    it('lets the agent who created the case delete it', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const own = await agent.client.cases.create({ name: 'own' });
      await agent.client.cases.delete(own.code);
      expect((await apiError(org.admin.cases.get(own.code))).status).toBe(404);
    });
  });

  describe('POST /api/v1/cases/bulk-delete', () => {
    it('deletes the found cases and lists the codes it did not find', async () => {
      const org = await t.newOrg();
      const a = await org.admin.cases.create({ name: 'a' });
      const b = await org.admin.cases.create({ name: 'b' });
      const keep = await org.admin.cases.create({ name: 'keep' });
      const result = await org.admin.cases.bulkDelete([a.code, b.code, a.code, 's99-999-999']);
      expect(result).toEqual({ deleted: 2, notFound: ['s99-999-999'] });
      expect((await org.admin.cases.list()).items.map((c) => c.code)).toEqual([keep.code]);
    });

    it('deletes nothing when one of the cases may not be deleted by the caller', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const own = await agent.client.cases.create({ name: 'own' });
      const foreign = await org.admin.cases.create({ name: 'foreign' });
      const err = await apiError(agent.client.cases.bulkDelete([own.code, foreign.code]));
      expect(err.status).toBe(403);
      expect(err.problem.detail).toContain(foreign.code);
      expect((await org.admin.cases.list()).items).toHaveLength(2);
    });

    it('refuses cases the agent assigned to themselves but did not create, deleting nothing', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const own = await agent.client.cases.create({ name: 'own' });
      const taken = await org.admin.cases.create({ name: 'taken' });
      await agent.client.cases.update(taken.code, { assigneeId: agent.id });
      const err = await apiError(agent.client.cases.bulkDelete([own.code, taken.code]));
      expect(err.status).toBe(403);
      expect(err.problem.detail).toContain(taken.code);
      expect(err.problem.detail).not.toContain(own.code);
      expect((await org.admin.cases.list()).items).toHaveLength(2);
    });

    it('answers 400 for no codes, more than 500, or a malformed code', async () => {
      const org = await t.newOrg();
      expect((await apiError(org.admin.cases.bulkDelete([]))).status).toBe(400);
      const many = Array.from({ length: 501 }, (_, i) => `s00-000-${String(i % 1000).padStart(3, '0')}`);
      expect((await apiError(org.admin.cases.bulkDelete(many))).status).toBe(400);
      const bad = await apiError(org.admin.cases.bulkDelete(['nope']));
      expect(bad.problem.errors?.[0]?.path).toBe('codes.0');
    });
  });

  describe('GET /api/v1/cases/{code}/events', () => {
    it('pages through the audit trail oldest first', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'v0' });
      for (let i = 1; i <= 4; i++) await org.admin.cases.update(c.code, { name: `v${i}` });
      const first = await org.admin.cases.events(c.code, { limit: 3 });
      expect(first.items.map((e) => e.type)).toEqual(['case.created', 'case.updated', 'case.updated']);
      const rest = await org.admin.cases.events(c.code, { limit: 3, cursor: first.nextCursor ?? '' });
      expect(
        rest.items.map((e) => (e.data as { changes: { name: { to: string } } }).changes.name.to),
      ).toEqual(['v3', 'v4']);
      expect(rest.nextCursor).toBeNull();
    });
  });

  describe('scopes', () => {
    it('refuses writes with a read-only token (403) and leaves the case unchanged', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      const reader = await t.tokenClient(org.admin, ['cases:read']);
      expect((await reader.cases.get(c.code)).code).toBe(c.code);
      const err = await apiError(reader.cases.close(c.code));
      expect(err.status).toBe(403);
      expect(err.problem.code).toBe('insufficient_scope');
      expect((await apiError(reader.cases.create({ name: 'y' }))).status).toBe(403);
      expect((await org.admin.cases.get(c.code)).status).toBe('new');
    });

    it('refuses reads with a token that only has reports:read', async () => {
      const org = await t.newOrg();
      const reports = await t.tokenClient(org.admin, ['reports:read']);
      expect((await apiError(reports.cases.list())).status).toBe(403);
    });
  });
});
