import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  describeEachDatabase,
  type TestServer,
  testConfig,
} from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';
import { buildApp } from '../../app.js';

const METRICS_TOKEN = 'a-long-metrics-scrape-token';

/** The value of one sample line, e.g. `lifeline_cases{status="new"}`, or undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function scrape(t: TestServer, headers: Record<string, string> = {}) {
  const res = await t.fetch('/metrics', { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describeEachDatabase('Prometheus metrics on loopback', (t) => {
  it('reports cases by status, live sockets, HTTP and signalling latency, and the outbox backlog', async () => {
    const org = await t.newOrg();
    const agent = await t.newAgent(org);
    // Workers do not run in these tests: every delivery to this endpoint stays in the backlog.
    await org.admin.webhooks.create({ url: 'https://crm.example.com/hook', events: ['case.created'] });
    const first = await agent.client.cases.create({ name: 'Printer offline', customer: { name: 'Cleo' } });
    await agent.client.cases.create({ name: 'Scanner jammed' });
    const closed = await agent.client.cases.create({ name: 'Already fixed' });
    await agent.client.cases.close(closed.code);
    // An e-mail invitation with no SMTP configured stays in the local outbox: no backlog.
    await agent.client.cases.invite(first.code, { channel: 'email', to: 'cleo@example.com' });

    const token = first.links.customer.split('/j/')[1] ?? '';
    const customer = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}`));
    await customer.next('welcome');
    customer.send({ type: 'chat', text: 'Hello?' });
    await expect
      .poll(async () =>
        sample((await scrape(t)).text, 'lifeline_signalling_message_duration_seconds_count', {
          type: 'chat',
        }),
      )
      .toBe(1);

    const { status, type, text } = await scrape(t);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(sample(text, 'lifeline_cases', { status: 'new' })).toBe(1);
    expect(sample(text, 'lifeline_cases', { status: 'pending' })).toBe(1);
    expect(sample(text, 'lifeline_cases', { status: 'closed' })).toBe(1);
    expect(sample(text, 'lifeline_live_sockets', { kind: 'customer' })).toBe(1);
    expect(sample(text, 'lifeline_live_sockets', { kind: 'agent' })).toBe(0);
    expect(sample(text, 'lifeline_outbox_backlog', { queue: 'invitations' })).toBe(0);
    expect(sample(text, 'lifeline_outbox_backlog', { queue: 'webhooks' })).toBe(3);
    expect(
      sample(text, 'lifeline_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/cases',
        status_code: '201',
      }),
    ).toBe(3);

    await customer.close();
    await expect
      .poll(async () => sample((await scrape(t)).text, 'lifeline_live_sockets', { kind: 'customer' }))
      .toBe(0);

    // Open cases are counted on every scrape; the history (a table scan) at most every 5 minutes.
    await agent.client.cases.close(first.code);
    const soon = (await scrape(t)).text;
    expect(sample(soon, 'lifeline_cases', { status: 'pending' })).toBe(0);
    expect(sample(soon, 'lifeline_cases', { status: 'closed' })).toBe(1);
    t.clock.advance(5 * 60_000);
    expect(sample((await scrape(t)).text, 'lifeline_cases', { status: 'closed' })).toBe(2);
  });

  it('refuses a scrape that came through a proxy, since the proxy would publish them', async () => {
    const proxied = await scrape(t, { 'x-forwarded-for': '203.0.113.7' });
    expect(proxied.status).toBe(403);
    expect(JSON.parse(proxied.text)).toMatchObject({ code: 'metrics_local_only' });
  });
});

describeEachDatabase(
  'Prometheus metrics with METRICS_TOKEN',
  (t) => {
    it('answers only to the bearer of the token', async () => {
      expect((await scrape(t)).status).toBe(401);
      expect((await scrape(t, { authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
      const ok = await scrape(t, {
        authorization: `Bearer ${METRICS_TOKEN}`,
        'x-forwarded-for': '203.0.113.7',
      });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('lifeline_cases');
    });
  },
  { config: { metricsToken: METRICS_TOKEN } },
);

describe('request ids', () => {
  it('keeps a plain x-request-id, echoes it, and writes it on every log line of the request', async () => {
    const lines: { reqId?: string; node?: string; msg?: string }[] = [];
    const logStream = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const database = await createTestDatabase('sqlite');
    const { server } = await buildApp({
      config: testConfig(database.config, { logLevel: 'info', nodeId: 'node-a' }),
      database: database.handle,
      logStream,
    });
    try {
      const kept = await server.inject({ url: '/api/v1/cases', headers: { 'x-request-id': 'nginx-4f2a9c' } });
      expect(kept.headers['x-request-id']).toBe('nginx-4f2a9c');
      const mine = lines.filter((l) => l.reqId === 'nginx-4f2a9c');
      expect(mine.map((l) => l.msg)).toEqual(['request completed']);
      expect(mine.every((l) => l.node === 'node-a')).toBe(true);

      // One that could forge log lines or flood them is replaced by an id of our own.
      const forged = await server.inject({
        url: '/api/v1/cases',
        headers: { 'x-request-id': 'x\nlevel=fatal msg="forged"' },
      });
      expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const fresh = await server.inject({ url: '/api/v1/cases' });
      expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(fresh.headers['x-request-id']).not.toBe(forged.headers['x-request-id']);
    } finally {
      await server.close();
      await database.handle.destroy();
      await database.drop();
    }
  });
});
