import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tvError, tvSession, tvSessionList } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase, type TestOrg, type TestServer } from '../../../test/harness.js';
import { TV_PAGE_SIZE, tvId } from './teamviewer.service.js';

const LIFECYCLE_SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../scripts/teamviewer-compat/session-lifecycle.mjs',
);

async function integration(t: TestServer) {
  const org = await t.newOrg();
  const { token } = await org.admin.tokens.create({ name: 'tv', scopes: ['cases:read', 'cases:write'] });
  const call = async (method: string, urlPath: string, body?: unknown) => {
    const res = await t.fetch(`/api/v1${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      json: text ? JSON.parse(text) : null,
    };
  };
  return { org, token, call, groupid: tvId('g', org.groupId) };
}

/**
 * `n` cases, oldest first. The first two and the last are created one by one, a
 * millisecond apart, so their order is certain; those between go in parallel.
 */
async function createMany(t: TestServer, org: TestOrg, n: number) {
  const one = async (name: string) => {
    t.clock.advance(1);
    return (await org.admin.cases.create({ name })).code;
  };
  const codes = [await one('c0'), await one('c1')];
  t.clock.advance(1);
  for (let i = 2; i < n - 1; i += 20) {
    const names = Array.from({ length: Math.min(20, n - 1 - i) }, (_, j) => `c${i + j}`);
    codes.push(
      ...(await Promise.all(names.map((name) => org.admin.cases.create({ name })))).map((c) => c.code),
    );
  }
  codes.push(await one(`c${n - 1}`));
  return codes;
}

const rowOf = (t: TestServer, code: string) =>
  t.db.selectFrom('cases').selectAll().where('code', '=', code).executeTakeFirstOrThrow();

describeEachDatabase('TeamViewer-compatible sessions API', (t) => {
  describe('POST /api/v1/sessions', () => {
    it('creates a session from TeamViewer’s fields and answers it in TeamViewer’s shape', async () => {
      const { call, groupid, org } = await integration(t);
      const res = await call('POST', '/sessions', {
        groupid,
        description: 'Printer offline\nsince this morning',
        end_customer: { name: 'Cleo Customer', email: 'cleo@example.com' },
        waiting_message: 'Please wait',
        custom_api: '{"ticket":"T-1"}',
      });
      expect(res.status).toBe(200);
      const session = tvSession.parse(res.json);
      expect(session).toMatchObject({
        state: 'open',
        online: false,
        groupid,
        groupname: 'Support',
        description: 'Printer offline\nsince this morning',
        end_customer: { name: 'Cleo Customer', email: 'cleo@example.com' },
        waiting_message: 'Please wait',
        custom_api: '{"ticket":"T-1"}',
      });
      expect(session.code).toMatch(/^s\d{2}-\d{3}-\d{3}$/);
      expect(Date.parse(session.valid_until) - Date.parse(session.created_at)).toBe(24 * 3600_000);
      const lifeline = await org.admin.cases.get(session.code);
      expect(lifeline).toMatchObject({
        name: 'Session for Cleo Customer',
        source: 'api',
        groupId: org.groupId,
      });
    });

    it('accepts the end customer as a plain string, a group by name, and names the case after the description', async () => {
      const { call, org } = await integration(t);
      const byName = await call('POST', '/sessions', { groupname: 'support', end_customer: 'Dan Doe' });
      expect(byName.status).toBe(200);
      expect(byName.json.end_customer).toEqual({ name: 'Dan Doe' });
      const byDescription = await call('POST', '/sessions', {
        groupname: 'Support',
        description: '\n  VPN broken \nmore',
      });
      expect((await org.admin.cases.get(byDescription.json.code)).name).toBe('VPN broken');
    });

    it('refuses bad input with TeamViewer’s error body and creates nothing', async () => {
      const { call, org, groupid } = await integration(t);
      const before = await t.db.selectFrom('cases').select('id').where('org_id', '=', org.orgId).execute();
      for (const body of [
        {},
        { groupid: 'g123' },
        { groupname: 'No such group' },
        { groupid, end_customer: { email: 'not-an-address' } },
        { groupid, custom_api: 'x'.repeat(4001) },
        { groupid, assigned_userid: tvId('u', '0194f0f0-0000-7000-8000-000000000000') },
      ]) {
        const res = await call('POST', '/sessions', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.type).toMatch(/^application\/json/);
        expect(tvError.parse(res.json)).toMatchObject({ error: 'invalid_request', error_code: 1 });
        expect(res.json.error_description.length).toBeGreaterThan(0);
      }
      const after = await t.db.selectFrom('cases').select('id').where('org_id', '=', org.orgId).execute();
      expect(after).toHaveLength(before.length);
    });

    it('answers 401 invalid_token without a valid token, and Lifeline’s own API stays problem+json', async () => {
      const res = await t.fetch('/api/v1/sessions', { headers: { authorization: 'Bearer nope' } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token', error_code: 2 });
      const own = await t.fetch('/api/v1/cases', { headers: { authorization: 'Bearer nope' } });
      expect(own.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  describe('GET /api/v1/sessions', () => {
    it('pages with offset = the next session code, newest first, and filters by state and assignee', {
      timeout: 90_000,
    }, async () => {
      const { call, groupid, org } = await integration(t);
      const codes: string[] = [];
      for (let i = 0; i < TV_PAGE_SIZE + 2; i++)
        codes.push((await org.admin.cases.create({ name: `c${i}` })).code);
      await org.admin.cases.close(codes[0] ?? '');
      const first = await call('GET', `/sessions?groupid=${groupid}`);
      const page1 = tvSessionList.parse(first.json);
      expect(page1.sessions).toHaveLength(TV_PAGE_SIZE);
      expect(page1.sessions[0]?.code).toBe(codes.at(-1));
      expect(page1.sessions_remaining).toBe(2);
      expect(page1.next_offset).toBe(codes[1]);
      const page2 = tvSessionList.parse(
        (await call('GET', `/sessions?groupid=${groupid}&offset=${page1.next_offset}`)).json,
      );
      expect(page2.sessions.map((s) => s.code)).toEqual([codes[1], codes[0]]);
      expect(page2).not.toHaveProperty('next_offset');
      expect(page2.sessions_remaining).toBe(0);

      const closed = tvSessionList.parse((await call('GET', '/sessions?state=closed')).json);
      expect(closed.sessions.map((s) => [s.code, s.state])).toEqual([[codes[0], 'closed']]);
      const open = tvSessionList.parse((await call('GET', '/sessions?state=open&full_list=true')).json);
      expect(open.sessions_remaining + open.sessions.length).toBe(TV_PAGE_SIZE + 1);
      const mine = tvSessionList.parse(
        (await call('GET', `/sessions?assigned_userid=${tvId('u', org.adminId)}`)).json,
      );
      expect(mine.sessions).toEqual([]);
    });

    it('refuses an unknown offset, a bad state and another organisation’s session', async () => {
      const { call } = await integration(t);
      expect((await call('GET', '/sessions?offset=s00-000-000')).status).toBe(404);
      expect((await call('GET', '/sessions?state=pending')).json.error).toBe('invalid_request');
      const other = await integration(t);
      const theirs = await other.call('POST', '/sessions', { groupid: other.groupid });
      const res = await call('GET', `/sessions/${theirs.json.code}`);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ error: 'not_found', error_code: 4 });
    });
  });

  describe('PUT /api/v1/sessions/{code}', () => {
    it('changes fields, assigns with assigned_at, unassigns with u0, closes with state closed, answering 204', async () => {
      const { call, groupid, org } = await integration(t);
      const agent = await t.newAgent(org as TestOrg, 'Alex Agent');
      const { json } = await call('POST', '/sessions', { groupid, end_customer: 'Cleo' });
      t.clock.advance(60_000);
      const assigned = await call('PUT', `/sessions/${json.code}`, {
        assigned_userid: tvId('u', agent.id),
        description: 'Now with details',
        custom_api: 'crm-42',
      });
      expect(assigned).toMatchObject({ status: 204, json: null });
      const read = tvSession.parse((await call('GET', `/sessions/${json.code}`)).json);
      expect(read).toMatchObject({
        assigned_userid: tvId('u', agent.id),
        assigned_at: new Date(t.clock.now()).toISOString(),
        description: 'Now with details',
        custom_api: 'crm-42',
      });
      expect((await call('PUT', `/sessions/${json.code}`, { assigned_userid: 'u0' })).status).toBe(204);
      expect((await rowOf(t, json.code)).assignee_id).toBeNull();
      expect((await call('PUT', `/sessions/${json.code}`, { state: 'closed' })).status).toBe(204);
      const closed = tvSession.parse((await call('GET', `/sessions/${json.code}`)).json);
      expect(closed.state).toBe('closed');
      expect(closed.closed_at).toBe(new Date(t.clock.now()).toISOString());
      const events = (await org.admin.cases.events(json.code)).items.map((e) => e.type);
      expect(events).toEqual([
        'case.created',
        'case.updated',
        'case.assigned',
        'case.assigned',
        'case.closed',
      ]);
    });

    it('changes nothing on a refused update (unknown assignee), and answers 409 for a closed session', async () => {
      const { call, groupid } = await integration(t);
      const { json } = await call('POST', '/sessions', { groupid, description: 'before' });
      const refused = await call('PUT', `/sessions/${json.code}`, {
        description: 'after',
        assigned_userid: tvId('u', '0194f0f0-0000-7000-8000-000000000000'),
      });
      expect(refused.status).toBe(400);
      expect((await rowOf(t, json.code)).description).toBe('before');
      await call('PUT', `/sessions/${json.code}`, { state: 'closed' });
      const late = await call('PUT', `/sessions/${json.code}`, { description: 'too late' });
      expect(late.status).toBe(409);
      expect(late.json.error).toBe('invalid_request');
    });
  });

  describe('DELETE /api/v1/sessions/{code}', () => {
    it('deletes the case; its link then answers 410', async () => {
      const { call, groupid } = await integration(t);
      const { json } = await call('POST', '/sessions', { groupid });
      expect((await call('DELETE', `/sessions/${json.code}`)).status).toBe(204);
      const token = json.end_customer_link.split('/j/')[1];
      expect((await t.fetch(`/api/v1/join/${token}`)).status).toBe(410);
      expect((await call('GET', `/sessions/${json.code}`)).status).toBe(404);
    });
  });

  describe('an integration written against TeamViewer’s documentation', () => {
    it('runs the whole session lifecycle on Lifeline with only the base URL and the token changed', {
      timeout: 90_000,
    }, async () => {
      const { token, groupid, org } = await integration(t);
      // More than one page already open, so the script has to follow next_offset.
      await createMany(t, org, TV_PAGE_SIZE);
      const { stdout } = await promisify(execFile)(process.execPath, [LIFECYCLE_SCRIPT], {
        env: {
          ...process.env,
          TV_API_BASE: `${t.baseUrl}/api/v1`,
          TV_API_TOKEN: token,
          TV_GROUP_ID: groupid,
          TV_ASSIGNEE_ID: tvId('u', org.adminId),
        },
      });
      const steps = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(steps.map((s) => s.step)).toEqual([
        'create',
        'create',
        'create',
        'list',
        'list',
        'listed',
        'read',
        'update',
        'assign',
        'read',
        'unassign',
        'close',
        'read',
        'delete',
      ]);
      expect(steps.find((s) => s.step === 'listed')).toEqual({ step: 'listed', allCreatedSeen: true });
      expect(steps.filter((s) => s.step === 'list').map((s) => s.count)).toEqual([TV_PAGE_SIZE, 3]);
      const reads = steps.filter((s) => s.step === 'read');
      expect(reads[0]).toMatchObject({ state: 'open', custom_api: '{"ticket":"T-1"}' });
      expect(reads[1]).toMatchObject({
        assigned_userid: tvId('u', org.adminId),
        description: 'Printer fixed, scanner next',
      });
      expect(reads[2]).toMatchObject({ state: 'closed' });
      expect(
        steps
          .filter((s) => ['update', 'assign', 'unassign', 'close', 'delete'].includes(String(s.step)))
          .map((s) => s.status),
      ).toEqual([204, 204, 204, 204, 204]);
    });
  });
});
