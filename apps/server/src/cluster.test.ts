import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDatabase, testConfig } from '../test/harness.js';
import { useReceivers } from '../test/receivers.js';
import { TestSocket, wsUrl } from '../test/sockets.js';
import { buildApp } from './app.js';
import { loadConfig } from './config/config.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HEARTBEAT_MS = 1000;

const receivers = useReceivers();

describeEachDatabase(
  'background work on several processes of one database',
  (t) => {
    it('sends every invitation and webhook once, and expires every case once, however the processes race', async () => {
      const N = 24;
      const org = await t.newOrg();
      await org.admin.webhooks.create({ url: `${receivers.http.url}/hook`, events: ['case.created'] });
      const cases = [];
      for (let i = 0; i < N; i++) cases.push(await org.admin.cases.create({ name: `Case ${i}` }));
      for (const [i, c] of cases.entries())
        await org.admin.cases.invite(c.code, { channel: 'email', to: `cust${i}@example.com` });

      // Three processes, each with its own connections, all claiming at the same moment, twice.
      const processes = [
        t.app,
        // SQLite serves one process by design; there the processes share its one connection.
        (await t.sibling({ ownConnection: t.kind === 'postgres' })).app,
        (await t.sibling({ ownConnection: t.kind === 'postgres' })).app,
      ];
      const rounds = async (work: (app: (typeof processes)[number]) => Promise<number>) => {
        let total = 0;
        for (let round = 0; round < 2; round++)
          for (const n of await Promise.all(processes.map(work))) total += n;
        return total;
      };
      expect(await rounds((app) => app.outbox.runOnce())).toBe(N);
      expect(await rounds((app) => app.webhookWorker.runOnce())).toBe(N);
      expect(receivers.smtp.received.flatMap((m) => m.to).sort()).toEqual(
        cases.map((_, i) => `cust${i}@example.com`).sort(),
      );
      const eventIds = receivers.http.requests.map((r) => r.headers['lifeline-event-id']);
      expect(eventIds).toHaveLength(N);
      expect(new Set(eventIds).size).toBe(N);

      t.clock.advance(86_400_000 + 1);
      expect(await rounds((app) => app.sweeper.sweep())).toBe(N);
      const expiredEvents = await t.db
        .selectFrom('case_events')
        .innerJoin('cases', 'cases.id', 'case_events.case_id')
        .select('cases.code')
        .where('case_events.org_id', '=', org.orgId)
        .where('case_events.type', '=', 'case.expired')
        .execute();
      expect(expiredEvents.map((e) => e.code).sort()).toEqual(cases.map((c) => c.code).sort());
    });
  },
  {
    config: () => {
      const { mail, delivery } = loadConfig({ SMTP_URL: receivers.smtp.url });
      return { mail, delivery, webhookAllowPrivate: true };
    },
  },
);

describeEachDatabase(
  'node heartbeats in cluster mode (Redis)',
  (t) => {
    /** A socket recorded for `app`'s process, as its hub would record it. */
    async function connectedThrough(app: typeof t.app, role: 'customer' | 'agent' = 'customer') {
      const org = await t.newOrg();
      const created = await org.admin.cases.create({ name: 'Printer offline', customer: { name: 'Cleo' } });
      const row = await t.db
        .selectFrom('cases')
        .select('id')
        .where('code', '=', created.code)
        .executeTakeFirstOrThrow();
      await app.services.live.join(row.id, randomUUID(), {
        role,
        userId: role === 'agent' ? org.adminId : null,
        name: 'Cleo',
      });
      return { org, created };
    }

    it('removes the sockets of a process that stopped beating, and the case shows the customer gone', async () => {
      const nodes = t.app.nodes;
      if (!nodes) throw new Error('cluster mode expected');
      // A process that records a customer's socket and then dies without a word (kill -9).
      const doomed = await t.sibling();
      const { org, created } = await connectedThrough(doomed.app);
      await doomed.app.nodes?.beat();
      expect((await org.admin.cases.get(created.code)).presence.customer).toBe(true);

      // While its heartbeat lasts, it is alive.
      await nodes.beat();
      expect(await nodes.reap()).toEqual([]);

      // Its heartbeat runs out (three periods); the survivor waits two more before it reaps.
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 3 + 200));
      expect(await nodes.reap()).toEqual([]);
      t.clock.advance(HEARTBEAT_MS * 2);
      expect(await nodes.reap()).toEqual([doomed.app.services.live.nodeId]);

      const seen = await org.admin.cases.get(created.code);
      expect(seen.presence.customer).toBe(false);
      const trail = (await org.admin.cases.events(created.code)).items.map((e) => e.type);
      expect(trail).toContain('session.left');
      // Nothing left to reap.
      expect(await nodes.reap()).toEqual([]);
      await doomed.stop();
    });

    it('has the sockets of a process taken for dead reconnect, so that they are recorded again', async () => {
      const nodes = t.app.nodes;
      if (!nodes) throw new Error('cluster mode expected');
      const org = await t.newOrg();
      const created = await org.admin.cases.create({ name: 'Printer offline', customer: { name: 'Cleo' } });
      const url = wsUrl(t.baseUrl, `/ws/session?token=${created.links.customer.split('/j/')[1] ?? ''}`);
      const customer = TestSocket.open(url);
      await customer.next('welcome');
      expect(await nodes.heal()).toEqual([]);

      // Another process took this one for dead (it was cut off from Redis) and removed its rows.
      const other = await t.sibling();
      await other.app.services.live.forgetNodes([t.app.services.live.nodeId]);
      expect((await org.admin.cases.get(created.code)).presence.customer).toBe(false);
      // Noticed once, acted on at the next beat: the socket is told to reconnect (1012).
      expect(await nodes.heal()).toEqual([]);
      expect(await nodes.heal()).toHaveLength(1);
      expect((await customer.closed).code).toBe(1012);

      // The page reconnects, and its join records it again.
      const again = TestSocket.open(url);
      await again.next('welcome');
      expect((await org.admin.cases.get(created.code)).presence.customer).toBe(true);
      expect(await nodes.heal()).toEqual([]);
      expect(await nodes.heal()).toEqual([]);
      await again.close();
      await other.stop();
    });

    it('keeps the sockets of a node whose heartbeat vanished only briefly, as when Redis restarts', async () => {
      const nodes = t.app.nodes;
      if (!nodes) throw new Error('cluster mode expected');
      const other = await t.sibling();
      const { org, created } = await connectedThrough(other.app);
      // No heartbeat at all yet (as right after Redis lost its keys): noticed, not reaped.
      expect(await nodes.reap()).toEqual([]);
      t.clock.advance(HEARTBEAT_MS);
      // It beats again within a period; the survivor forgets that it was missing.
      await other.app.nodes?.beat();
      expect(await nodes.reap()).toEqual([]);
      t.clock.advance(HEARTBEAT_MS * 5);
      expect(await nodes.reap()).toEqual([]);
      expect((await org.admin.cases.get(created.code)).presence.customer).toBe(true);
      await other.stop();
    });
  },
  { config: { redisUrl: REDIS_URL, nodeHeartbeatMs: HEARTBEAT_MS } },
);

describeEachDatabase(
  'rate limits in cluster mode (Redis)',
  (t) => {
    it('counts one allowance across processes: requests spread over two are refused after the fifth', async () => {
      const org = await t.newOrg();
      const module = await org.admin.modules.create({
        slug: `cluster-${randomUUID().slice(0, 8)}`,
        title: 'Cluster Help',
        fields: { name: 'off', email: 'off', description: 'off' },
      });
      const other = await t.sibling();
      // An address of this run only: the counters live in the shared Redis for 15 minutes.
      const address = `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      const url = `/api/v1/public/modules/${module.slug}/requests`;
      const headers = { 'content-type': 'application/json', 'x-forwarded-for': address };
      const onFirst = () => t.fetch(url, { method: 'POST', headers, body: '{}' }).then((r) => r.status);
      const onSecond = async () =>
        (await other.app.server.inject({ method: 'POST', url, headers, payload: '{}' })).statusCode;

      const statuses = [
        await onFirst(),
        await onSecond(),
        await onFirst(),
        await onSecond(),
        await onFirst(),
      ];
      expect(statuses).toEqual([201, 201, 201, 201, 201]);
      expect(await onSecond()).toBe(429);
      expect(await onFirst()).toBe(429);
      expect((await org.admin.cases.list({ source: 'module' })).items).toHaveLength(5);
      await other.stop();
    });
  },
  { config: { redisUrl: REDIS_URL, trustProxy: true } },
);

describe('node heartbeats', () => {
  it('are off on one machine (no Redis)', async () => {
    const database = await createTestDatabase('sqlite');
    const app = await buildApp({ config: testConfig(database.config), database: database.handle });
    expect(app.nodes).toBeUndefined();
    await app.server.close();
    await database.handle.destroy();
    await database.drop();
  });
});
