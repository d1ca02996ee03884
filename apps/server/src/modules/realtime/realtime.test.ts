import { createHmac } from 'node:crypto';
import { closeCodes } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestServer } from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';

const TURN_SECRET = 'a-long-coturn-shared-secret';

async function scene(t: TestServer, type: 'remote_control' | 'ar' = 'remote_control') {
  const org = await t.newOrg();
  const agent = await t.newAgent(org, 'Alex Agent');
  const created = await agent.client.cases.create({
    name: 'Printer offline',
    type,
    customer: { name: 'Cleo' },
  });
  const token = created.links.customer.split('/j/')[1] ?? '';
  const customer = () => TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}`));
  const agentSocket = (cookie = agent.client.sessionCookie() ?? '', origin?: string) =>
    TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), {
      cookie,
      ...(origin ? { origin } : {}),
    });
  return { org, agent, created, token, customer, agentSocket };
}

describeEachDatabase(
  'realtime session hub',
  (t) => {
    describe('GET /ws/session', () => {
      it('moves the case new → pending → in_progress as the customer and then the agent connect', async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        expect(created.status).toBe('new');

        const c = customer();
        const welcome = await c.next('welcome');
        expect(welcome).toMatchObject({
          role: 'customer',
          session: { code: created.code, status: 'pending', organization: { name: 'Acme Support' } },
          presence: { agent: false, customer: true },
          consent: 'pending',
        });
        expect((await agent.client.cases.get(created.code)).presence).toEqual({
          agent: false,
          customer: true,
        });

        const a = agentSocket();
        expect(await a.next('welcome')).toMatchObject({
          role: 'agent',
          session: { status: 'in_progress' },
          presence: { agent: true, customer: true, agentName: 'Alex Agent' },
        });
        await expect
          .poll(() => c.received.filter((m) => m.type === 'presence').at(-1))
          .toEqual({ type: 'presence', presence: { agent: true, customer: true, agentName: 'Alex Agent' } });
        const seen = await agent.client.cases.get(created.code);
        expect(seen).toMatchObject({ status: 'in_progress', presence: { agent: true, customer: true } });
        // Connecting to an unassigned case takes it.
        expect(seen.assigneeId).toBe(agent.id);

        await c.close();
        await expect
          .poll(async () => (await agent.client.cases.get(created.code)).presence)
          .toEqual({
            agent: true,
            customer: false,
          });
        await a.close();
        await expect
          .poll(async () => (await agent.client.cases.get(created.code)).presence)
          .toEqual({ agent: false, customer: false });
        // Status never goes back.
        expect((await agent.client.cases.get(created.code)).status).toBe('in_progress');

        const types = (await agent.client.cases.events(created.code, { limit: 50 })).items.map((e) => e.type);
        expect(types).toEqual([
          'case.created',
          'session.joined',
          'case.status_changed',
          'session.joined',
          'case.assigned',
          'case.status_changed',
          'connection.started',
          'session.left',
          'connection.ended',
          'session.left',
        ]);
      });

      it('shows presence changes in a queue page that was read before them', async () => {
        const { agent, created, customer } = await scene(t);
        expect((await agent.client.cases.list()).items.map((c) => c.status)).toEqual(['new']);
        const c = customer();
        await c.next('welcome');
        const [listed] = (await agent.client.cases.list()).items;
        expect(listed).toMatchObject({ code: created.code, status: 'pending', presence: { customer: true } });
        await c.close();
      });

      it('relays signalling from the customer only after "Allow"', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');

        const offer = { type: 'signal', description: { type: 'offer', sdp: 'v=0 fake' } };
        c.send(offer);
        expect(await c.next('error')).toMatchObject({ code: 'not_ready' });

        c.send({ type: 'consent', decision: 'allow' });
        expect(await a.next('consent')).toEqual({ type: 'consent', state: 'allowed' });
        c.send(offer);
        expect(await a.next('signal')).toEqual(offer);
        // Signals were relayed once consent existed, never the refused one before it.
        expect(a.received.filter((m) => m.type === 'signal')).toHaveLength(1);

        const answer = { type: 'signal', description: { type: 'answer', sdp: 'v=0 answer' } };
        a.send(answer);
        expect(await c.next('signal')).toEqual(answer);
        await Promise.all([a.close(), c.close()]);
      });

      it('relays a control request to the customer and its answer to the agent, each from its own side only', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');

        a.send({ type: 'control', action: 'request' });
        expect(await c.next('control')).toEqual({ type: 'control', action: 'request' });
        c.send({ type: 'control-state', state: 'granted' });
        expect(await a.next('control-state')).toEqual({ type: 'control-state', state: 'granted' });
        // Only the customer grants control, only the agent asks for it.
        a.send({ type: 'control-state', state: 'granted' });
        expect(await a.next('error')).toMatchObject({ code: 'not_allowed' });
        c.send({ type: 'control', action: 'request' });
        expect(await c.next('error')).toMatchObject({ code: 'not_allowed' });
        a.send({ type: 'control', action: 'take-over' });
        expect(await a.next('error')).toMatchObject({ code: 'invalid_message' });
        await Promise.all([a.close(), c.close()]);
      });

      it('records "Deny" and tells the agent', async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');
        c.send({ type: 'consent', decision: 'deny' });
        expect(await a.next('consent')).toEqual({ type: 'consent', state: 'denied' });
        await expect
          .poll(async () =>
            (await agent.client.cases.events(created.code, { limit: 50 })).items.map((e) => e.type),
          )
          .toContain('consent.denied');
        await Promise.all([a.close(), c.close()]);
      });

      it('refuses malformed and unknown messages without harming the session', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');

        c.send('not json');
        expect(await c.next('error')).toMatchObject({ code: 'invalid_message' });
        c.send({ type: 'teleport' });
        expect(await c.next('error')).toMatchObject({ code: 'invalid_message' });
        a.send({
          type: 'annotate',
          annotation: { kind: 'arrow', id: 'x', from: { x: 2, y: 0 }, to: { x: 0, y: 0 }, color: '#ff0000' },
        });
        expect((await a.next('error')).message).toContain('annotation.from.x');
        // A customer may not draw, an agent may not consent.
        c.send({ type: 'clear-annotations' });
        expect(await c.next('error')).toMatchObject({ code: 'not_allowed' });
        a.send({ type: 'consent', decision: 'allow' });
        expect(await a.next('error')).toMatchObject({ code: 'not_allowed' });

        c.send({ type: 'chat', text: 'Still there?' });
        expect(await a.next('chat')).toMatchObject({ from: 'customer', name: 'Cleo', text: 'Still there?' });
        const arrow = {
          kind: 'arrow',
          id: 'a1',
          from: { x: 0.1, y: 0.2 },
          to: { x: 0.5, y: 0.5 },
          color: '#ff0000',
        };
        a.send({ type: 'annotate', annotation: arrow });
        expect(await c.next('annotate')).toEqual({ type: 'annotate', annotation: arrow });
        await Promise.all([a.close(), c.close()]);
      });

      it('ends both sockets when the case is closed, and the link then answers 410', async () => {
        const { agent, created, token, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');

        await agent.client.cases.close(created.code);
        expect(await c.next('ended')).toEqual({ type: 'ended', reason: 'closed' });
        expect(await a.next('ended')).toEqual({ type: 'ended', reason: 'closed' });
        expect((await c.closed).code).toBe(closeCodes.gone);
        expect((await apiError(t.client().join.byToken(token))).status).toBe(410);

        const again = customer();
        expect(await again.next('ended')).toEqual({ type: 'ended', reason: 'closed' });
        expect((await again.closed).code).toBe(closeCodes.gone);
      });

      it('ends the session when the case is deleted', async () => {
        const { agent, created, customer } = await scene(t);
        const c = customer();
        await c.next('welcome');
        await agent.client.cases.delete(created.code);
        expect(await c.next('ended')).toEqual({ type: 'ended', reason: 'deleted' });
      });

      it('ends the session when the case expires, by the sweep', async () => {
        const { created, customer } = await scene(t);
        const c = customer();
        await c.next('welcome');
        t.clock.advance(Date.parse(created.expiresAt) - t.clock.now() + 1);
        await t.app.sweeper.sweep();
        expect(await c.next('ended')).toEqual({ type: 'ended', reason: 'expired' });
      });

      it('replaces an older connection of the same partner, and asks the customer again', async () => {
        const { customer, agentSocket } = await scene(t);
        const first = customer();
        await first.next('welcome');
        first.send({ type: 'consent', decision: 'allow' });
        const a = agentSocket();
        await a.next('welcome');
        const second = customer();
        expect(await second.next('welcome')).toMatchObject({ consent: 'pending' });
        expect(await first.next('ended')).toEqual({ type: 'ended', reason: 'replaced' });
        await expect
          .poll(() => a.received.filter((m) => m.type === 'consent').at(-1))
          .toEqual({
            type: 'consent',
            state: 'pending',
          });
        await Promise.all([a.close(), second.close()]);
      });

      it("closes a stranger's token, another organisation's case, and unauthenticated agents", async () => {
        const { created } = await scene(t);
        const stranger = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${'x'.repeat(32)}`));
        expect((await stranger.closed).code).toBe(closeCodes.notFound);

        const otherOrg = await t.newOrg('Other Org');
        const outsider = await t.newAgent(otherOrg);
        const foreign = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), {
          cookie: outsider.client.sessionCookie() ?? '',
        });
        expect((await foreign.closed).code).toBe(closeCodes.notFound);

        const anonymous = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`));
        expect((await anonymous.closed).code).toBe(closeCodes.unauthenticated);
      });

      it('refuses a cookie socket opened by a foreign page', async () => {
        const { agentSocket } = await scene(t);
        const hijack = agentSocket(undefined, 'https://evil.example');
        expect((await hijack.closed).code).toBe(closeCodes.forbiddenOrigin);
      });

      it('hands out coturn shared-secret credentials for the case, and the relay-only policy', async () => {
        const { created, customer } = await scene(t);
        const c = customer();
        const { iceServers, iceTransportPolicy } = await c.next('welcome');
        expect(iceTransportPolicy).toBe('relay');
        expect(iceServers[0]).toEqual({ urls: ['stun:stun.lifeline.test:3478'] });
        const turn = iceServers[1];
        const expiry = Math.floor(t.clock.now() / 1000) + 600;
        expect(turn?.username).toBe(`${expiry}:${created.code}`);
        expect(turn?.credential).toBe(
          createHmac('sha1', TURN_SECRET).update(`${expiry}:${created.code}`).digest('base64'),
        );
        await c.close();
      });
    });

    describe('GET /ws/console', () => {
      it('streams case changes of the organisation, and only of it', async () => {
        const { org, agent, created, customer } = await scene(t);
        const other = await t.newOrg('Other Org');
        const consoleSocket = TestSocket.open(wsUrl(t.baseUrl, '/ws/console'), {
          cookie: agent.client.sessionCookie() ?? '',
        });
        const otherConsole = TestSocket.open(wsUrl(t.baseUrl, '/ws/console'), {
          cookie: other.admin.sessionCookie() ?? '',
        });
        await Promise.all([consoleSocket.next('ready'), otherConsole.next('ready')]);

        const c = customer();
        await c.next('welcome');
        await expect
          .poll(() =>
            consoleSocket.received.some(
              (m) => m.type === 'case.changed' && m.case.code === created.code && m.case.status === 'pending',
            ),
          )
          .toBe(true);
        const fresh = await org.admin.cases.create({ name: 'Made elsewhere' });
        await expect
          .poll(() =>
            consoleSocket.received.some((m) => m.type === 'case.changed' && m.case.code === fresh.code),
          )
          .toBe(true);
        await org.admin.cases.delete(fresh.code);
        expect(await consoleSocket.next('case.deleted')).toEqual({ type: 'case.deleted', code: fresh.code });
        expect(otherConsole.received).toEqual([{ type: 'ready' }]);
        await Promise.all([c.close(), consoleSocket.close(), otherConsole.close()]);
      });
    });
  },
  {
    config: {
      ice: {
        stunUrls: ['stun:stun.lifeline.test:3478'],
        turnUrls: ['turn:turn.lifeline.test:3478'],
        turnSecret: TURN_SECRET,
        turnTtlMs: 600_000,
        transportPolicy: 'relay',
      },
    },
  },
);
