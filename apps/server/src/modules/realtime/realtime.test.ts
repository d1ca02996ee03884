import { createHmac } from 'node:crypto';
import { closeCodes } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestServer } from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';

const DATA_ONLY_SDP = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n';
const VIDEO_SDP = `${DATA_ONLY_SDP}m=video 9 UDP/TLS/RTP/SAVPF 96\r\n`;

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

/**
 * Closes `old` `pause` ms after `moving` asked to take its connection over, and checks that the agent
 * `moving` ends up as (the same connection moved, or, the old socket gone first, one joined afresh)
 * is present to the customer `c` and reached by the customer's signalling.
 */
async function closeAroundMove(c: TestSocket, old: TestSocket, moving: TestSocket, pause: number) {
  await new Promise((resolve) => setTimeout(resolve, pause));
  await old.close();
  const welcome = await moving.next('welcome');
  await expect
    .poll(() => c.received.filter((m) => m.type === 'presence').at(-1))
    .toMatchObject({ presence: { agents: [{ id: welcome.you }] } });
  const offer = { type: 'signal', peer: `p${pause}`, description: { type: 'offer', sdp: DATA_ONLY_SDP } };
  c.send({ ...offer, to: welcome.you });
  expect(await moving.next('signal')).toEqual(offer);
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
        const agentWelcome = await a.next('welcome');
        const alex = { id: agentWelcome.you, userId: agent.id, name: 'Alex Agent', consent: 'pending' };
        expect(agentWelcome).toMatchObject({
          role: 'agent',
          session: { status: 'in_progress' },
          presence: { agent: true, customer: true, agentName: 'Alex Agent', agents: [alex] },
          consent: 'pending',
        });
        await expect
          .poll(() => c.received.filter((m) => m.type === 'presence').at(-1))
          .toEqual({
            type: 'presence',
            presence: { agent: true, customer: true, agentName: 'Alex Agent', agents: [alex] },
          });
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
          'session.left',
          'session.left',
        ]);
        // Both online is not a remote connection: the customer never allowed anything.
        expect(await agent.client.cases.connections(created.code)).toEqual([]);
      });

      it('starts the remote connection when the allowed customer starts sharing, not when both are online', async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        const trail = async () =>
          (await agent.client.cases.events(created.code, { limit: 50 })).items
            .map((e) => e.type)
            .filter((type) => type.startsWith('connection.') || type.startsWith('consent.'));

        t.clock.advance(5_000);
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');
        // Allowed, but nothing is shared yet (the browser's picker is still open).
        expect(await trail()).toEqual(['consent.allowed']);
        expect(await agent.client.cases.connections(created.code)).toEqual([]);

        t.clock.advance(2_000);
        c.send({ type: 'sharing', state: 'active' });
        await expect.poll(trail).toEqual(['consent.allowed', 'connection.started']);
        const [started] = await agent.client.cases.connections(created.code);
        expect(started).toMatchObject({
          agent: { id: agent.id, name: 'Alex Agent' },
          startedAt: new Date(t.clock.now()).toISOString(),
          endedAt: null,
        });

        // "Stop sharing" ends it; sharing again is a new connection.
        t.clock.advance(30_000);
        c.send({ type: 'sharing', state: 'off' });
        await expect.poll(trail).toEqual(['consent.allowed', 'connection.started', 'connection.ended']);
        c.send({ type: 'sharing', state: 'active' });
        await expect
          .poll(trail)
          .toEqual(['consent.allowed', 'connection.started', 'connection.ended', 'connection.started']);
        const ended = (await agent.client.cases.events(created.code, { limit: 50 })).items.find(
          (e) => e.type === 'connection.ended',
        );
        expect(ended?.data).toEqual({ durationSeconds: 30 });

        // The customer leaving ends the running one.
        await c.close();
        await expect
          .poll(async () =>
            (await agent.client.cases.connections(created.code)).map((x) => x.endedAt !== null),
          )
          .toEqual([true, true]);
        await a.close();
      });

      it('records each chat message in the audit trail as chat.message, by its sender', async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        // An agent not allowed yet may still chat: that is recorded too.
        a.send({ type: 'chat', text: 'Hello Cleo, may I see your screen?' });
        await c.next('chat');
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');
        c.send({ type: 'chat', text: 'Yes, one moment.' });
        await a.next('chat');
        const chats = async () =>
          (await agent.client.cases.events(created.code, { limit: 50 })).items.filter(
            (e) => e.type === 'chat.message',
          );
        await expect.poll(async () => (await chats()).length).toBe(2);
        const [first, second] = await chats();
        expect(first).toMatchObject({
          actor: { type: 'user', id: agent.id, name: 'Alex Agent' },
          data: { role: 'agent', text: 'Hello Cleo, may I see your screen?' },
        });
        expect(second).toMatchObject({
          actor: { type: 'customer', name: 'Cleo' },
          data: { role: 'customer', text: 'Yes, one moment.' },
        });
        // A refused (malformed) message is neither relayed nor recorded.
        c.send({ type: 'chat', text: '' });
        expect(await c.next('error')).toMatchObject({ code: 'invalid_message' });
        expect(await chats()).toHaveLength(2);
        await Promise.all([c.close(), a.close()]);
      });

      it("closes with the agent's note: the outcome carries it with the transcript, also in the case.closed event", async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');
        a.send({ type: 'chat', text: 'Try restarting the printer.' });
        await c.next('chat');
        const open = await agent.client.cases.get(created.code);
        expect(open.outcome).toBeNull();
        await expect
          .poll(async () =>
            (await agent.client.cases.events(created.code, { limit: 50 })).items.some(
              (e) => e.type === 'chat.message',
            ),
          )
          .toBe(true);

        // A note too long is refused and closes nothing.
        const tooLong = await apiError(agent.client.cases.close(created.code, { note: 'x'.repeat(4001) }));
        expect(tooLong.status).toBe(400);
        expect((await agent.client.cases.get(created.code)).status).not.toBe('closed');

        const closed = await agent.client.cases.close(created.code, { note: 'Printer driver reinstalled.' });
        const outcome = {
          note: 'Printer driver reinstalled.',
          transcript: [
            {
              from: 'agent',
              name: 'Alex Agent',
              text: 'Try restarting the printer.',
              at: expect.any(String),
            },
          ],
        };
        expect(closed).toMatchObject({ status: 'closed', outcome });
        expect(await agent.client.cases.get(created.code)).toMatchObject({ outcome });
        const closing = (await agent.client.cases.events(created.code, { limit: 50 })).items.find(
          (e) => e.type === 'case.closed',
        );
        expect(closing?.data).toMatchObject({ outcome });
        await Promise.all([c.close(), a.close()]);
      });

      it("records the agent's reports of file and clipboard transfers, only from an allowed agent and only well-formed, and lists them in the outcome", async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        const report = {
          kind: 'file',
          direction: 'to_customer',
          result: 'delivered',
          name: 'report.pdf',
          bytes: 1_234_567,
        };
        const transferEvents = async () =>
          (await agent.client.cases.events(created.code, { limit: 100 })).items.filter(
            (e) => e.type.startsWith('file.') || e.type.startsWith('clipboard.'),
          );

        // Before the customer allows this agent there is nothing to report.
        a.send({ type: 'transfer', transfer: report });
        expect(await a.next('error')).toMatchObject({ code: 'not_allowed' });
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');
        // The customer's page does not report.
        c.send({ type: 'transfer', transfer: report });
        expect(await c.next('error')).toMatchObject({ code: 'not_allowed' });
        // Malformed reports: the clipboard's text itself, a cancel without who, a negative size.
        a.send({
          type: 'transfer',
          transfer: { kind: 'clipboard', direction: 'to_customer', text: 'secret' },
        });
        expect(await a.next('error')).toMatchObject({ code: 'invalid_message' });
        a.send({ type: 'transfer', transfer: { ...report, result: 'cancelled' } });
        expect((await a.next('error')).message).toContain('transfer.cancelledBy');
        a.send({ type: 'transfer', transfer: { ...report, bytes: -1 } });
        expect(await a.next('error')).toMatchObject({ code: 'invalid_message' });

        a.send({ type: 'transfer', transfer: report });
        a.send({
          type: 'transfer',
          transfer: {
            kind: 'file',
            direction: 'from_customer',
            result: 'cancelled',
            cancelledBy: 'customer',
            name: 'log.txt',
            bytes: 42,
          },
        });
        a.send({
          type: 'transfer',
          transfer: { kind: 'clipboard', direction: 'to_customer', characters: 12 },
        });
        a.send({
          type: 'transfer',
          transfer: { kind: 'clipboard', direction: 'from_customer', characters: 42 },
        });
        await expect.poll(async () => (await transferEvents()).length, { timeout: 5_000 }).toBe(4);
        const events = await transferEvents();
        expect(events.map((e) => e.type)).toEqual([
          'file.transferred',
          'file.transferred',
          'clipboard.pasted',
          'clipboard.read',
        ]);
        expect(events[0]).toMatchObject({
          actor: { type: 'user', id: agent.id, name: 'Alex Agent' },
          data: {
            role: 'agent',
            direction: 'to_customer',
            result: 'delivered',
            name: 'report.pdf',
            bytes: 1_234_567,
          },
        });
        expect(events[3]?.data).toEqual({ role: 'agent', direction: 'from_customer', characters: 42 });
        // Nothing reaches the customer: the report is for the audit trail.
        expect(new Set(c.received.map((m) => m.type))).toEqual(
          new Set(['welcome', 'status', 'presence', 'error']),
        );

        const { outcome } = await agent.client.cases.close(created.code);
        const alex = { id: agent.id, name: 'Alex Agent' };
        const transfers = [
          {
            agent: alex,
            kind: 'file',
            direction: 'to_customer',
            name: 'report.pdf',
            bytes: 1_234_567,
            characters: null,
            result: 'delivered',
            cancelledBy: null,
          },
          {
            agent: alex,
            kind: 'file',
            direction: 'from_customer',
            name: 'log.txt',
            bytes: 42,
            characters: null,
            result: 'cancelled',
            cancelledBy: 'customer',
          },
          {
            agent: alex,
            kind: 'clipboard',
            direction: 'to_customer',
            name: null,
            bytes: null,
            characters: 12,
            result: 'delivered',
            cancelledBy: null,
          },
          {
            agent: alex,
            kind: 'clipboard',
            direction: 'from_customer',
            name: null,
            bytes: null,
            characters: 42,
            result: 'delivered',
            cancelledBy: null,
          },
        ];
        expect(outcome?.transfers).toMatchObject(transfers);
        expect(outcome?.transfers.map((x) => x.at)).toEqual([
          events[0]?.createdAt,
          events[1]?.createdAt,
          events[2]?.createdAt,
          events[3]?.createdAt,
        ]);
        const closing = (await agent.client.cases.events(created.code, { limit: 100 })).items.find(
          (e) => e.type === 'case.closed',
        );
        expect(closing?.data).toMatchObject({ outcome: { transfers } });
        await Promise.all([c.close(), a.close()]);
      });

      it('caps the transfer reports one socket may write', async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');
        const paste = { kind: 'clipboard', direction: 'to_customer', characters: 1 };
        for (let i = 0; i < 35; i++) a.send({ type: 'transfer', transfer: paste });
        await expect.poll(() => a.received.filter((m) => m.type === 'error').length).toBe(5);
        expect(a.received.at(-1)).toMatchObject({ code: 'too_many' });
        const pasted = async () =>
          (await agent.client.cases.events(created.code, { limit: 100 })).items.filter(
            (e) => e.type === 'clipboard.pasted',
          ).length;
        // Thirty transactions one after the other: a shared machine may take a while.
        await expect.poll(pasted, { timeout: 10_000 }).toBe(30);
        await Promise.all([c.close(), a.close()]);
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

      it('relays a connection without media before "Allow", and media only after it', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');

        const dataOnly = { type: 'signal', peer: 'p1', description: { type: 'offer', sdp: DATA_ONLY_SDP } };
        const withVideo = { type: 'signal', peer: 'p1', description: { type: 'offer', sdp: VIDEO_SDP } };
        // Signalling names its agent.
        c.send(dataOnly);
        expect(await c.next('error')).toMatchObject({ code: 'not_ready' });
        c.send({ ...dataOnly, to: you });
        expect(await a.next('signal')).toEqual(dataOnly);
        c.send({ ...withVideo, to: you });
        expect(await c.next('error')).toMatchObject({
          code: 'not_ready',
          message: expect.stringContaining('allows'),
        });

        c.send({ type: 'consent', decision: 'allow', agent: you });
        expect(await a.next('consent')).toEqual({ type: 'consent', state: 'allowed' });
        c.send({ ...withVideo, to: you });
        expect(await a.next('signal')).toEqual(withVideo);
        // The refused offer with video never reached the agent.
        expect(a.received.filter((m) => m.type === 'signal')).toHaveLength(2);

        const answer = { type: 'signal', peer: 'p1', description: { type: 'answer', sdp: 'v=0 answer' } };
        a.send(answer);
        expect(await c.next('signal')).toEqual({ ...answer, from: you });
        // The agent answers; it never offers (an offer could ask for the customer's media).
        a.send({ type: 'signal', description: { type: 'offer', sdp: VIDEO_SDP } });
        expect(await a.next('error')).toMatchObject({ code: 'not_allowed' });
        await Promise.all([a.close(), c.close()]);
      });

      it('tells the agent before consent that the customer is on a phone, and only the customer says so', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        await a.next('welcome');
        c.send({ type: 'device', kind: 'phone' });
        expect(await a.next('device')).toEqual({ type: 'device', kind: 'phone' });
        // Only the customer's page says what it is, and only with a known kind.
        a.send({ type: 'device', kind: 'computer' });
        expect(await a.next('error')).toMatchObject({ code: 'not_allowed' });
        c.send({ type: 'device', kind: 'toaster' });
        expect(await c.next('error')).toMatchObject({ code: 'invalid_message' });
        expect(c.received.filter((m) => m.type === 'device')).toHaveLength(0);
        expect(a.received.filter((m) => m.type === 'device')).toHaveLength(1);
        await Promise.all([a.close(), c.close()]);
      });

      it('relays a control request to the customer and its answer to the agent, each from its own side only', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');

        // No control before the customer allows this agent.
        a.send({ type: 'control', action: 'request' });
        expect(await a.next('error')).toMatchObject({ code: 'not_allowed' });
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');
        a.send({ type: 'control', action: 'request' });
        expect(await c.next('control')).toEqual({ type: 'control', action: 'request', from: you });
        c.send({ type: 'control-state', state: 'granted', to: you });
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
        const { you } = await a.next('welcome');
        c.send({ type: 'consent', decision: 'deny', agent: you });
        expect(await a.next('consent')).toEqual({ type: 'consent', state: 'denied' });
        await expect
          .poll(async () =>
            (await agent.client.cases.events(created.code, { limit: 50 })).items.map((e) => e.type),
          )
          .toContain('consent.denied');
        await Promise.all([a.close(), c.close()]);
      });

      it('gives each agent only what the customer allowed that agent', async () => {
        const { org, agent, created, customer, agentSocket } = await scene(t);
        const colleague = await t.newAgent(org, 'Bea Boss');
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const alex = (await a.next('welcome')).you;
        c.send({ type: 'consent', decision: 'allow', agent: alex });
        await a.next('consent');

        // A colleague opening the same session is named to the customer and starts with nothing.
        const b = agentSocket(colleague.client.sessionCookie() ?? '');
        const bWelcome = await b.next('welcome');
        const bea = bWelcome.you;
        expect(bWelcome.consent).toBe('pending');
        expect(a.received.some((m) => m.type === 'ended')).toBe(false);
        await expect
          .poll(() => c.received.filter((m) => m.type === 'presence').at(-1))
          .toMatchObject({
            presence: {
              agents: [
                { id: alex, name: 'Alex Agent', consent: 'allowed' },
                { id: bea, userId: colleague.id, name: 'Bea Boss', consent: 'pending' },
              ],
            },
          });

        c.send({ type: 'chat', text: 'For Alex only' });
        expect(await a.next('chat')).toMatchObject({ text: 'For Alex only' });
        c.send({ type: 'sharing', state: 'active' });
        await a.next('sharing');
        c.send({ type: 'signal', to: bea, peer: 'p2', description: { type: 'offer', sdp: VIDEO_SDP } });
        expect(await c.next('error')).toMatchObject({ code: 'not_ready' });
        b.send({ type: 'pointer', at: { x: 0.5, y: 0.5 } });
        expect(await b.next('error')).toMatchObject({ code: 'not_allowed' });
        b.send({ type: 'control', action: 'request' });
        expect(await b.next('error')).toMatchObject({ code: 'not_allowed' });
        // Bea may introduce herself in the chat.
        b.send({ type: 'chat', text: 'Hello, I am the supervisor' });
        expect(await c.next('chat')).toMatchObject({ name: 'Bea Boss', text: 'Hello, I am the supervisor' });
        expect(b.received.filter((m) => ['chat', 'sharing', 'signal'].includes(m.type))).toEqual([]);

        c.send({ type: 'consent', decision: 'allow', agent: bea });
        expect(await b.next('consent')).toEqual({ type: 'consent', state: 'allowed' });
        c.send({ type: 'chat', text: 'Now both of you' });
        expect(await b.next('chat')).toMatchObject({ text: 'Now both of you' });
        c.send({ type: 'signal', to: bea, peer: 'p2', description: { type: 'offer', sdp: VIDEO_SDP } });
        expect(await b.next('signal')).toMatchObject({ peer: 'p2' });
        // Alex never saw the offer meant for Bea.
        expect(a.received.filter((m) => m.type === 'signal')).toEqual([]);

        const consents = (await agent.client.cases.events(created.code, { limit: 50 })).items.filter(
          (e) => e.type === 'consent.allowed',
        );
        expect(consents.map((e) => e.data)).toEqual([
          { caseType: 'remote_control', agent: { id: agent.id, name: 'Alex Agent' } },
          { caseType: 'remote_control', agent: { id: colleague.id, name: 'Bea Boss' } },
        ]);
        await Promise.all([a.close(), b.close(), c.close()]);
      });

      it('caps the consent changes and chat one socket may write, with a clear error, and records decisions not clicks', async () => {
        const { agent, created, customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        const consentEvents = async () =>
          (await agent.client.cases.events(created.code, { limit: 200 })).items.filter((e) =>
            e.type.startsWith('consent.'),
          ).length;

        // Repeating an answer is no new decision.
        for (let i = 0; i < 3; i++) c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');
        await expect.poll(consentEvents).toBe(1);

        // The burst left after those three: allow (a repeat again), deny, allow, deny, allow, deny, allow.
        for (let i = 0; i < 200; i++)
          c.send({ type: 'consent', decision: i % 2 ? 'deny' : 'allow', agent: you });
        const refused = await c.next('error');
        expect(refused).toMatchObject({
          code: 'too_many',
          message: expect.stringContaining('wait a moment'),
        });
        await expect.poll(() => c.received.filter((m) => m.type === 'error').length).toBe(193);
        expect(await consentEvents()).toBe(7);

        for (let i = 0; i < 30; i++) c.send({ type: 'chat', text: `message ${i}` });
        await expect.poll(() => c.received.filter((m) => m.type === 'error').length).toBe(203);
        expect(c.received.at(-1)).toMatchObject({ code: 'too_many' });

        // The budget refills with time.
        t.clock.advance(60_000);
        c.send({ type: 'chat', text: 'a minute later' });
        await expect
          .poll(() =>
            a.received
              .filter((m) => m.type === 'chat')
              .map((m) => (m as { text: string }).text)
              .at(-1),
          )
          .toBe('a minute later');
        await Promise.all([a.close(), c.close()]);
      });

      it('refuses malformed and unknown messages without harming the session', async () => {
        const { customer, agentSocket } = await scene(t);
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');

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
        a.send({ type: 'consent', decision: 'allow', agent: you });
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

      it('relays a freeze with its picture to the customer, and refuses one without it or with something else', async () => {
        const { customer, agentSocket } = await scene(t, 'ar');
        const c = customer();
        await c.next('welcome');
        const a = agentSocket();
        const { you } = await a.next('welcome');
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await a.next('consent');

        const frame = `data:image/jpeg;base64,${Buffer.from('a frozen frame').toString('base64')}`;
        a.send({ type: 'freeze', frozen: true });
        expect((await a.next('error')).message).toContain('frame');
        a.send({ type: 'freeze', frozen: true, frame: 'javascript:alert(1)' });
        expect((await a.next('error')).message).toContain('data URL');
        a.send({ type: 'freeze', frozen: true, frame: `data:image/jpeg;base64,${'A'.repeat(240_000)}` });
        expect((await a.next('error')).message).toContain('too large');
        a.send({ type: 'freeze', frozen: false, frame });
        expect(await a.next('error')).toMatchObject({ code: 'invalid_message' });
        expect(c.received.filter((m) => m.type === 'freeze')).toHaveLength(0);

        a.send({ type: 'freeze', frozen: true, frame });
        expect(await c.next('freeze')).toEqual({ type: 'freeze', frozen: true, frame });
        a.send({ type: 'freeze', frozen: false });
        await expect
          .poll(() => c.received.filter((m) => m.type === 'freeze').at(-1))
          .toEqual({ type: 'freeze', frozen: false });
        // Only the agent freezes.
        c.send({ type: 'freeze', frozen: true, frame });
        expect(await c.next('error')).toMatchObject({ code: 'not_allowed' });
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
        const a = agentSocket();
        const { you } = await a.next('welcome');
        first.send({ type: 'consent', decision: 'allow', agent: you });
        expect(await a.next('consent')).toEqual({ type: 'consent', state: 'allowed' });
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

      it('keeps the agent in the session whether the old socket closes before, during or after the move', async () => {
        const { agent, created, customer } = await scene(t);
        const cookie = agent.client.sessionCookie() ?? '';
        const socketAt = (query: string) =>
          TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}${query}`), { cookie });
        const c = customer();
        await c.next('welcome');
        for (const pause of [0, 1, 5, 20]) {
          const queued = socketAt('');
          const { you } = await queued.next('welcome');
          const tab = socketAt(`&resume=${you}`);
          await closeAroundMove(c, queued, tab, pause);
          expect((await agent.client.cases.get(created.code)).presence).toEqual({
            agent: true,
            customer: true,
          });
          await tab.close();
          await expect
            .poll(async () => (await agent.client.cases.get(created.code)).presence)
            .toEqual({ agent: false, customer: true });
        }
        await c.close();
      });

      it('refuses a standby socket for a link that opens no session', async () => {
        const { agent, created } = await scene(t);
        const unknown = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${'Zz9'.repeat(11)}&standby`));
        expect((await unknown.closed).code).toBe(closeCodes.notFound);
        await agent.client.cases.close(created.code);
        const token = created.links.customer.split('/j/')[1] ?? '';
        const ended = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}&standby`));
        expect(await ended.next('ended')).toEqual({ type: 'ended', reason: 'closed' });
      });

      it('keeps a standby socket out of the session until it sends "join", and records nothing if it never does', async () => {
        const { agent, created, token } = await scene(t);
        const standby = () => TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}&standby`));
        const trail = async () =>
          (await agent.client.cases.events(created.code, { limit: 50 })).items.map((e) => e.type);

        const left = standby();
        const ahead = standby();
        await new Promise((resolve) => setTimeout(resolve, 200));
        // Anything but "join" is answered, and changes nothing.
        ahead.send({ type: 'sharing', state: 'active' });
        expect(await ahead.next('error')).toMatchObject({ code: 'not_ready' });
        await left.close();
        expect((await agent.client.cases.get(created.code)).presence).toEqual({
          agent: false,
          customer: false,
        });
        expect(await trail()).toEqual(['case.created']);
        expect(ahead.received.filter((m) => m.type !== 'error')).toEqual([]);

        ahead.send({ type: 'join' });
        expect(await ahead.next('welcome')).toMatchObject({
          role: 'customer',
          session: { code: created.code, status: 'pending' },
          presence: { customer: true },
        });
        expect(await trail()).toEqual(['case.created', 'session.joined', 'case.status_changed']);
        await ahead.close();
      });

      it("moves an agent's connection to a new socket of theirs: same connection, the customer's answer kept, nobody sees it leave", async () => {
        const { org, agent, created, customer } = await scene(t);
        const socketOf = (who: { client: typeof agent.client }, resume: string) =>
          TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}&resume=${resume}`), {
            cookie: who.client.sessionCookie() ?? '',
          });
        const c = customer();
        await c.next('welcome');
        // The queue's socket, opened on "Connect" (a resume of nothing is an ordinary join).
        const queued = socketOf(agent, 'no-such-connection');
        const { you } = await queued.next('welcome');
        c.send({ type: 'consent', decision: 'allow', agent: you });
        await queued.next('consent');
        c.send({ type: 'sharing', state: 'active' });
        await queued.next('sharing');
        const trail = async () =>
          (await agent.client.cases.events(created.code, { limit: 50 })).items.map((e) => e.type);
        await expect.poll(async () => (await trail()).at(-1)).toBe('connection.started');
        const before = await trail();
        const presences = () => c.received.filter((m) => m.type === 'presence').length;
        const seen = presences();

        const tab = socketOf(agent, you);
        expect(await tab.next('welcome')).toMatchObject({ you, consent: 'allowed', sharing: 'active' });
        expect(await queued.closed).toMatchObject({ code: closeCodes.moved });
        c.send({ type: 'signal', to: you, peer: 'p1', description: { type: 'offer', sdp: VIDEO_SDP } });
        expect(await tab.next('signal')).toMatchObject({ description: { type: 'offer' } });
        c.send({ type: 'chat', text: 'Still there?' });
        expect(await tab.next('chat')).toMatchObject({ text: 'Still there?' });
        expect(c.received.some((m) => m.type === 'ended')).toBe(false);
        expect(presences()).toBe(seen);
        // The transcript follows the conversation into the audit trail.
        await expect.poll(trail).toEqual([...before, 'chat.message']);
        expect((await agent.client.cases.get(created.code)).presence).toEqual({
          agent: true,
          customer: true,
        });

        // Only that agent's own connection moves: a colleague naming it joins as themselves, asked afresh.
        const colleague = await t.newAgent(org, 'Bea Boss');
        const bea = socketOf(colleague, you);
        const beaWelcome = await bea.next('welcome');
        expect(beaWelcome.you).not.toBe(you);
        expect(beaWelcome).toMatchObject({ consent: 'pending', sharing: 'off' });
        await expect
          .poll(() => c.received.filter((m) => m.type === 'presence').at(-1))
          .toMatchObject({
            presence: {
              agents: [
                { id: you, consent: 'allowed' },
                { id: beaWelcome.you, consent: 'pending' },
              ],
            },
          });
        expect(tab.received.some((m) => m.type === 'ended')).toBe(false);

        // Leaving from the new socket is leaving.
        await Promise.all([tab.close(), bea.close()]);
        await expect
          .poll(async () => (await agent.client.cases.get(created.code)).presence)
          .toEqual({ agent: false, customer: true });
        expect((await trail()).filter((type) => type === 'session.left')).toHaveLength(2);
        await c.close();
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
        // Only the creation says it is one (consoles signal new work by it), not later changes.
        const aboutFresh = () =>
          consoleSocket.received.filter((m) => m.type === 'case.changed' && m.case.code === fresh.code);
        expect(aboutFresh()).toEqual([expect.objectContaining({ created: true })]);
        await org.admin.cases.update(fresh.code, { name: 'Renamed elsewhere' });
        await expect.poll(() => aboutFresh().length).toBe(2);
        expect(aboutFresh()[1]).not.toHaveProperty('created');
        // The session's changes of the older case were never creations.
        expect(
          consoleSocket.received.filter(
            (m) => m.type === 'case.changed' && m.case.code === created.code && 'created' in m,
          ),
        ).toEqual([]);
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

describeEachDatabase(
  'realtime session hub: two processes sharing Redis',
  (t) => {
    it("moves an agent's connection to a socket on the other process, which then holds it alone", async () => {
      const other = await t.listeningSibling();
      const { agent, created, customer } = await scene(t);
      const cookie = agent.client.sessionCookie() ?? '';
      const c = customer();
      await c.next('welcome');
      const queued = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), { cookie });
      const { you } = await queued.next('welcome');
      c.send({ type: 'consent', decision: 'allow', agent: you });
      await queued.next('consent');

      const tab = TestSocket.open(wsUrl(other.baseUrl, `/ws/session?case=${created.code}&resume=${you}`), {
        cookie,
      });
      expect(await tab.next('welcome')).toMatchObject({ you, consent: 'allowed' });
      expect(await queued.closed).toMatchObject({ code: closeCodes.moved });
      c.send({ type: 'chat', text: 'Across processes' });
      expect(await tab.next('chat')).toMatchObject({ text: 'Across processes' });
      expect((await agent.client.cases.get(created.code)).presence).toEqual({ agent: true, customer: true });
      await tab.close();

      // The old socket closing around the move, on the other process, ends nothing that moved.
      for (const pause of [0, 2, 10]) {
        const first = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), { cookie });
        const id = (await first.next('welcome')).you;
        const moving = TestSocket.open(
          wsUrl(other.baseUrl, `/ws/session?case=${created.code}&resume=${id}`),
          {
            cookie,
          },
        );
        await closeAroundMove(c, first, moving, pause);
        await moving.close();
        await expect
          .poll(async () => (await agent.client.cases.get(created.code)).presence)
          .toEqual({ agent: false, customer: true });
      }
      await c.close();
      await other.stop();
    });
  },
  { config: { redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' } },
);
