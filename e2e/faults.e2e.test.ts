import { createClient, type LifelineClient } from '@lifeline/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../apps/server/test/harness.js';
import { TestSocket, wsUrl } from '../apps/server/test/sockets.js';
import {
  ADMIN,
  type LifelineProcess,
  type PrivatePostgres,
  type PrivateRedis,
  privatePostgres,
  privateRedis,
  query,
  startLifeline,
} from './cluster-kit.js';

/**
 * Two Lifeline processes on a PostgreSQL and a Redis of this test's own, which
 * it restarts under them. The processes are never restarted: they must
 * recover by themselves and lose nothing that was committed.
 */
describe('faults: Redis and PostgreSQL restart under a running cluster', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let a: LifelineProcess;
  let b: LifelineProcess;
  let apiA: LifelineClient;
  let apiB: LifelineClient;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, LIFELINE_NODE_HEARTBEAT_SECONDS: '1' };
    a = await startLifeline({ ...env, LIFELINE_NODE_ID: 'node-a' });
    b = await startLifeline({ ...env, LIFELINE_NODE_ID: 'node-b' });
    apiA = createClient({ baseUrl: a.url });
    apiB = createClient({ baseUrl: b.url });
    await apiA.auth.login(ADMIN, PASSWORD);
    await apiB.auth.login(ADMIN, PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.kill();
    postgres?.destroy();
  });

  /** A customer socket on process A and the agent's on process B, both welcomed. */
  async function sessionAcross() {
    const created = await apiA.cases.create({ name: 'Across a fault', customer: { name: 'Cleo' } });
    const token = created.links.customer.split('/j/')[1] ?? '';
    const customer = TestSocket.open(wsUrl(a.url, `/ws/session?token=${token}`));
    await customer.next('welcome');
    const agent = TestSocket.open(wsUrl(b.url, `/ws/session?case=${created.code}`), {
      cookie: apiB.sessionCookie() ?? '',
    });
    const { you } = await agent.next('welcome');
    // The customer allows and shares: that starts the remote connection the faults must end.
    customer.send({ type: 'consent', decision: 'allow', agent: you });
    customer.send({ type: 'sharing', state: 'active' });
    await expect
      .poll(async () => (await apiA.cases.connections(created.code)).length, { timeout: 10_000 })
      .toBe(1);
    return { created, customer, agent };
  }

  /** Chat from the agent (process B) reaches the customer (process A): signalling crosses Redis. */
  async function relayed(customer: TestSocket, agent: TestSocket, text: string) {
    agent.send({ type: 'chat', text });
    for (;;) {
      const m = await customer.next('chat', 10_000);
      if (m.text === text) return;
    }
  }

  it('relays between processes again after Redis restarts (and loses its data), without restarting them', async () => {
    const { created, customer, agent } = await sessionAcross();
    await relayed(customer, agent, 'before the restart');

    await redis.kill();
    // While Redis is down the API still works: cases live in PostgreSQL.
    const during = await apiB.cases.create({ name: 'Made while Redis was down' });
    await redis.start();

    // The subscriptions come back by themselves; a message may wait in ioredis's offline queue meanwhile.
    await expect
      .poll(
        async () => {
          const text = `after the restart ${Date.now()}`;
          agent.send({ type: 'chat', text });
          await new Promise((r) => setTimeout(r, 300));
          return customer.received.some((m) => m.type === 'chat' && m.text === text);
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
    // Heartbeats are written again, so neither process takes the other for dead.
    await new Promise((r) => setTimeout(r, 3500));
    const presence = (await apiA.cases.get(created.code)).presence;
    expect(presence).toEqual({ agent: true, customer: true });
    expect((await apiA.cases.get(during.code)).name).toBe('Made while Redis was down');
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/lifeline_redis_reconnects_total\{node="node-a"\} [1-9]/);
    expect(metrics).toMatch(/lifeline_nodes_reaped_total\{node="node-a"\} 0/);
    await Promise.all([customer.close(), agent.close()]);
  });

  it('answers again after PostgreSQL restarts, with every committed case and event still there', async () => {
    const { created, customer, agent } = await sessionAcross();
    const committed = await apiA.cases.create({ name: 'Committed before the restart' });

    postgres.stop();
    // During the outage: refused with a problem (never a hang), and not ready.
    const down = await fetch(`${b.url}/api/v1/cases/${committed.code}`, {
      headers: { cookie: apiB.sessionCookie() ?? '' },
    });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(await down.json()).toMatchObject({ code: 'service_unavailable' });
    expect((await fetch(`${a.url}/readyz`)).status).toBe(503);
    // Signalling does not touch the database: the session goes on.
    await relayed(customer, agent, 'during the database outage');
    postgres.start();

    // The pools open new connections on the next request; no process restart.
    await expect.poll(async () => (await fetch(`${a.url}/readyz`)).status, { timeout: 20_000 }).toBe(200);
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 20_000 }).toBe(200);
    expect((await apiB.cases.get(committed.code)).name).toBe('Committed before the restart');
    expect((await apiA.cases.get(created.code)).status).toBe('in_progress');
    const after = await apiB.cases.create({ name: 'Made after the restart' });
    expect((await apiA.cases.get(after.code)).name).toBe('Made after the restart');
    const events = await query<{ type: string }>(
      postgres.url,
      'select e.type from case_events e join cases c on c.id = e.case_id where c.code = $1 order by e.id',
      [created.code],
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['case.created', 'session.joined', 'connection.started']),
    );
    await relayed(customer, agent, 'after the database came back');
    await Promise.all([customer.close(), agent.close()]);
  });
  it('shows the customer gone when their process is killed and they do not come back (node heartbeats)', async () => {
    const { created, customer, agent } = await sessionAcross();
    expect((await apiB.cases.get(created.code)).presence).toEqual({ agent: true, customer: true });

    // Process A dies with the customer's socket; the customer does not reconnect (closed the tab).
    await a.kill();
    await customer.closed;
    // B sees A's heartbeat run out (3 s), waits two more beats, and removes A's rows as if the customer left.
    await expect
      .poll(async () => (await apiB.cases.get(created.code)).presence, { timeout: 20_000, interval: 500 })
      .toEqual({ agent: true, customer: false });
    await expect
      .poll(() => agent.received.some((m) => m.type === 'presence' && !m.presence.customer), {
        timeout: 5_000,
      })
      .toBe(true);
    const trail = (await apiB.cases.events(created.code)).items.map((e) => e.type);
    expect(trail).toEqual(expect.arrayContaining(['session.left', 'connection.ended']));
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/lifeline_nodes_reaped_total\{node="node-b"\} [1-9]/);
    await agent.close();
  });
});
