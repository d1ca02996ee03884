import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestServer } from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';

/** Agent and customer of a new case connect, the customer allows and shares for `seconds`, and leaves. */
async function connectOnce(
  t: TestServer,
  agent: { client: ReturnType<TestServer['client']> },
  seconds: number,
) {
  const created = await agent.client.cases.create({ name: 'Wi-Fi drops', type: 'ar' });
  const token = created.links.customer.split('/j/')[1] ?? '';
  const customer = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}`));
  await customer.next('welcome');
  const agentSocket = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), {
    cookie: agent.client.sessionCookie() ?? '',
  });
  const { you } = await agentSocket.next('welcome');
  customer.send({ type: 'consent', decision: 'allow', agent: you });
  customer.send({ type: 'sharing', state: 'active' });
  // The remote connection starts with the picture (SPEC: nothing is seen before consent).
  await expect.poll(async () => (await agent.client.cases.connections(created.code)).length).toBe(1);
  t.clock.advance(seconds * 1000);
  await customer.close();
  await expect.poll(async () => (await agent.client.cases.get(created.code)).presence.customer).toBe(false);
  await agentSocket.close();
  return created;
}

describeEachDatabase('remote connections', (t) => {
  describe('GET /api/v1/cases/{code}/connections', () => {
    it('lists each time the customer shared with the agent, with agent, type and duration', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org, 'Alex Agent');
      const created = await connectOnce(t, agent, 95);
      const [connection, ...rest] = await agent.client.cases.connections(created.code);
      expect(rest).toEqual([]);
      expect(connection).toMatchObject({
        caseCode: created.code,
        type: 'ar',
        agent: { id: agent.id, name: 'Alex Agent' },
        durationSeconds: 95,
      });
      expect(connection?.endedAt).not.toBeNull();
    });

    it("answers 404 for another organisation's case", async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const created = await connectOnce(t, agent, 1);
      const outsider = await t.newOrg('Other');
      expect((await apiError(outsider.admin.cases.connections(created.code))).status).toBe(404);
    });
  });

  describe('GET /api/v1/reports/connections', () => {
    it('reports the organisation’s connections newest first, filtered by start and paged', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const first = await connectOnce(t, agent, 10);
      const since = new Date(t.clock.now()).toISOString();
      t.clock.advance(1000);
      const second = await connectOnce(t, agent, 20);
      const third = await connectOnce(t, agent, 30);
      const other = await t.newOrg('Other');
      await connectOnce(t, await t.newAgent(other), 5);

      const all = await agent.client.reports.connections();
      expect(all.items.map((c) => c.caseCode)).toEqual([third.code, second.code, first.code]);
      const recent = await agent.client.reports.connections({ from: since });
      expect(recent.items.map((c) => c.caseCode)).toEqual([third.code, second.code]);

      const page1 = await agent.client.reports.connections({ limit: 2 });
      expect(page1.items).toHaveLength(2);
      const page2 = await agent.client.reports.connections({ limit: 2, cursor: page1.nextCursor ?? '' });
      expect(page2).toEqual({ items: [expect.objectContaining({ caseCode: first.code })], nextCursor: null });
    });

    it('refuses bad filters and tokens without reports:read', async () => {
      const org = await t.newOrg();
      const bad = await apiError(org.admin.reports.connections({ from: 'yesterday' }));
      expect(bad.status).toBe(400);
      expect(bad.problem.errors?.[0]?.path).toBe('from');
      const reader = await t.tokenClient(org.admin, ['cases:read']);
      expect((await apiError(reader.reports.connections())).status).toBe(403);
      expect((await apiError(t.client().reports.connections())).status).toBe(401);
    });
  });
});
