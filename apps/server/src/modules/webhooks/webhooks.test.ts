import { endpoints, type WebhookEventType } from '@lifeline/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestOrg, type TestServer } from '../../../test/harness.js';
import { type ReceivedRequest, startHttpReceiver, startSmtpServer } from '../../../test/receivers.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';
import { loadConfig } from '../../config/config.js';
import { verifySignature } from './signature.js';

let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  receiver = await startHttpReceiver({ status: 204 });
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await receiver.close();
  await smtp.close();
});
beforeEach(() => receiver.reset());

const BACKOFF = 1000;
const ALL_CASE_EVENTS: WebhookEventType[] = [
  'case.created',
  'case.status_changed',
  'case.assigned',
  'case.closed',
  'case.expired',
  'case.deleted',
];

interface Delivered {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown> & { case?: { code: string; status: string } };
}

/** Checks the headers and signature of a received delivery and returns its parsed body. */
function opened(request: ReceivedRequest | undefined, secret: string, t: TestServer): Delivered {
  if (!request) throw new Error('no request received');
  expect(request.method).toBe('POST');
  expect(request.headers['content-type']).toBe('application/json');
  const signature = String(request.headers['lifeline-signature']);
  expect(verifySignature(secret, signature, request.body, Math.floor(t.clock.ms / 1000))).toBe(true);
  expect(verifySignature(`${secret}x`, signature, request.body, Math.floor(t.clock.ms / 1000))).toBe(false);
  const body = JSON.parse(request.body) as Delivered;
  expect(request.headers['lifeline-event-id']).toBe(body.id);
  expect(request.headers['lifeline-event-type']).toBe(body.type);
  return body;
}

async function endpoint(org: TestOrg, events: WebhookEventType[] = ALL_CASE_EVENTS, path = '/hook') {
  return org.admin.webhooks.create({ url: `${receiver.url}${path}`, events });
}

describeEachDatabase(
  'webhooks',
  (t) => {
    describe('endpoints (admin CRUD)', () => {
      it('creates an endpoint with a secret shown once, lists, changes and deletes it', async () => {
        const org = await t.newOrg();
        const created = await org.admin.webhooks.create({
          url: 'https://crm.example.com/lifeline',
          events: ['case.created', 'case.closed', 'case.created'],
          description: 'CRM sync',
        });
        expect(created).toMatchObject({
          url: 'https://crm.example.com/lifeline',
          events: ['case.created', 'case.closed'],
          enabled: true,
          description: 'CRM sync',
          consecutiveFailures: 0,
          disabledReason: null,
        });
        expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

        const listed = await org.admin.webhooks.list();
        expect(listed).toHaveLength(1);
        expect(listed[0]).not.toHaveProperty('secret');
        const raw = await (
          await t.fetch(`/api/v1/webhooks/${created.id}`, { headers: { cookie: '' } })
        ).json();
        expect(raw).not.toHaveProperty('secret');

        const changed = await org.admin.webhooks.update(created.id, {
          events: ['connection.started'],
          enabled: false,
        });
        expect(changed).toMatchObject({ events: ['connection.started'], enabled: false });
        await org.admin.webhooks.delete(created.id);
        expect((await apiError(org.admin.webhooks.get(created.id))).status).toBe(404);
      });

      it('refuses bad input with 400, non-admins with 403, another organisation’s endpoint with 404', async () => {
        const org = await t.newOrg();
        for (const [body, path] of [
          [{ url: 'ftp://example.com', events: ['case.created'] }, 'url'],
          [{ url: 'https://example.com', events: ['case.exploded'] }, 'events.0'],
          [{ url: 'https://example.com', events: [] }, 'events'],
          [{ url: 'https://example.com', events: ['case.created'], secret: 'mine' }, 'secret'],
        ] as const) {
          const err = await apiError(org.admin.call(endpoints.webhooks.create, { body: body as never }));
          expect(err.status).toBe(400);
          expect(err.problem.errors?.map((e) => e.path)).toContain(path);
        }
        expect(await org.admin.webhooks.list()).toEqual([]);

        const agent = await t.newAgent(org);
        expect((await apiError(agent.client.webhooks.list())).status).toBe(403);
        const mine = await endpoint(org);
        const other = await t.newOrg();
        expect((await apiError(other.admin.webhooks.get(mine.id))).status).toBe(404);
        expect((await apiError(other.admin.webhooks.deliveries(mine.id))).status).toBe(404);
        expect((await apiError(other.admin.webhooks.delete(mine.id))).status).toBe(404);
      });

      it('refuses a bad change with a 400 problem and leaves the endpoint as it was', async () => {
        const org = await t.newOrg();
        const hook = await org.admin.webhooks.create({
          url: 'https://crm.example.com/lifeline',
          events: ['case.created'],
          description: 'CRM sync',
        });
        const { secret: _secret, ...before } = hook;
        for (const body of [
          { enabled: false, url: 'ftp://crm.example.com' },
          { enabled: false, events: [] },
          { enabled: false, events: ['case.exploded'] },
          { enabled: 'no' },
          { description: 'x'.repeat(201) },
          {},
        ]) {
          const err = await apiError(
            org.admin.call(endpoints.webhooks.update, { params: { id: hook.id }, body: body as never }),
          );
          expect(err.status, JSON.stringify(body)).toBe(400);
          expect(err.headers.get('content-type')).toContain('application/problem+json');
          expect(await org.admin.webhooks.get(hook.id), JSON.stringify(body)).toEqual(before);
        }
      });
    });

    describe('case lifecycle events', () => {
      it('delivers signed events for create, assign, close, expiry and delete, each once', async () => {
        const org = await t.newOrg();
        const agent = await t.newAgent(org);
        const hook = await endpoint(org);
        const onlyClosed = await endpoint(org, ['case.closed'], '/closed-only');

        const closed = await org.admin.cases.create({ name: 'Printer', assigneeId: agent.id });
        await org.admin.cases.close(closed.code);
        const deleted = await org.admin.cases.create({ name: 'Mistake' });
        await org.admin.cases.delete(deleted.code);
        t.clock.advance(1);
        const expiring = await org.admin.cases.create({ name: 'Slow' });
        await org.admin.cases.update(expiring.code, { name: 'Slow customer' });
        t.clock.advance(2 * 3_600_000);
        await t.app.sweeper.sweep();
        // Nothing is sent from the request or the sweep itself.
        expect(receiver.requests).toHaveLength(0);

        expect(await t.app.webhookWorker.runOnce()).toBe(10);
        expect(await t.app.webhookWorker.runOnce()).toBe(0);
        const toHook = receiver.requests
          .filter((r) => r.url === '/hook')
          .map((r) => opened(r, hook.secret, t));
        const summary = toHook
          .map((b) => `${b.type} ${b.data.case?.code}`)
          .sort()
          .join('\n');
        expect(summary).toBe(
          [
            `case.assigned ${closed.code}`,
            `case.closed ${closed.code}`,
            `case.created ${closed.code}`,
            `case.created ${deleted.code}`,
            `case.created ${expiring.code}`,
            `case.deleted ${deleted.code}`,
            `case.expired ${expiring.code}`,
            `case.status_changed ${closed.code}`,
            `case.status_changed ${expiring.code}`,
          ]
            .sort()
            .join('\n'),
        );
        expect(new Set(toHook.map((b) => b.id)).size).toBe(9);
        const statusChanges = toHook.filter((b) => b.type === 'case.status_changed');
        expect(statusChanges.map((b) => [b.data.from, b.data.to]).sort()).toEqual([
          ['new', 'closed'],
          ['new', 'expired'],
        ]);
        const close = toHook.find((b) => b.type === 'case.closed');
        expect(close?.data.case).toMatchObject({ code: closed.code, status: 'closed' });
        expect(close?.data.actor).toEqual({ type: 'user', id: org.adminId, name: 'Ada Admin' });
        expect(toHook.find((b) => b.type === 'case.assigned')?.data).toMatchObject({
          from: null,
          to: agent.id,
        });

        const closedOnly = receiver.requests
          .filter((r) => r.url === '/closed-only')
          .map((r) => opened(r, onlyClosed.secret, t));
        expect(closedOnly.map((b) => b.type)).toEqual(['case.closed']);
        // One event, one id, whichever endpoint receives it.
        expect(closedOnly[0]?.id).toBe(close?.id);

        const log = await org.admin.webhooks.deliveries(hook.id, { limit: 200 });
        expect(log.items).toHaveLength(9);
        expect(
          log.items.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 204),
        ).toBe(true);
      });

      it('queues nothing for organisations without endpoints, or for refused changes', async () => {
        const org = await t.newOrg();
        const hook = await endpoint(org);
        const other = await t.newOrg();
        await other.admin.cases.create({ name: 'elsewhere' });
        const c = await org.admin.cases.create({ name: 'x' });
        t.clock.advance(2 * 3_600_000);
        expect((await apiError(org.admin.cases.close(c.code))).status).toBe(409);
        await t.app.webhookWorker.runOnce();
        expect(receiver.requests.map((r) => opened(r, hook.secret, t).type)).toEqual(['case.created']);
      });

      it('announces the status changes and remote connections of a live session', async () => {
        const org = await t.newOrg();
        const agent = await t.newAgent(org);
        const hook = await endpoint(org, ['case.status_changed', 'connection.started', 'connection.ended']);
        const created = await agent.client.cases.create({ name: 'Live' });
        const token = created.links.customer.split('/j/')[1] ?? '';
        const customer = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}`));
        await customer.next('welcome');
        const agentSocket = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), {
          cookie: agent.client.sessionCookie() ?? '',
        });
        const { you } = await agentSocket.next('welcome');
        customer.send({ type: 'consent', decision: 'allow', agent: you });
        customer.send({ type: 'sharing', state: 'active' });
        await expect.poll(async () => (await agent.client.cases.connections(created.code)).length).toBe(1);
        await customer.close();
        await expect
          .poll(async () => (await agent.client.cases.get(created.code)).presence.customer)
          .toBe(false);
        await agentSocket.close();
        await t.app.webhookWorker.runOnce();
        const bodies = receiver.requests.map((r) => opened(r, hook.secret, t));
        expect(bodies.map((b) => [b.type, b.data.case?.status])).toEqual([
          ['case.status_changed', 'pending'],
          ['case.status_changed', 'in_progress'],
          ['connection.started', 'in_progress'],
          ['connection.ended', 'in_progress'],
        ]);
      });

      it("sends the session's file and clipboard transfers with case.closed, and no event of their own", async () => {
        const org = await t.newOrg();
        const agent = await t.newAgent(org, 'Ada Agent');
        const hook = await endpoint(org, ['case.closed']);
        const created = await agent.client.cases.create({ name: 'Files' });
        const token = created.links.customer.split('/j/')[1] ?? '';
        const customer = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}`));
        await customer.next('welcome');
        const agentSocket = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?case=${created.code}`), {
          cookie: agent.client.sessionCookie() ?? '',
        });
        const { you } = await agentSocket.next('welcome');
        customer.send({ type: 'consent', decision: 'allow', agent: you });
        await agentSocket.next('consent');
        agentSocket.send({
          type: 'transfer',
          transfer: {
            kind: 'file',
            direction: 'to_customer',
            result: 'declined',
            name: 'setup.exe',
            bytes: 2048,
          },
        });
        agentSocket.send({
          type: 'transfer',
          transfer: { kind: 'clipboard', direction: 'from_customer', characters: 7 },
        });
        await expect
          .poll(async () =>
            (await agent.client.cases.events(created.code, { limit: 50 })).items.some(
              (e) => e.type === 'clipboard.read',
            ),
          )
          .toBe(true);
        await agent.client.cases.close(created.code, {
          note: 'Sent the installer; the customer declined it.',
        });
        await Promise.all([customer.close(), agentSocket.close()]);
        await t.app.webhookWorker.runOnce();
        const bodies = receiver.requests.map((r) => opened(r, hook.secret, t));
        expect(bodies.map((b) => b.type)).toEqual(['case.closed']);
        expect(bodies[0]?.data.outcome).toMatchObject({
          note: 'Sent the installer; the customer declined it.',
          transfers: [
            {
              agent: { id: agent.id, name: 'Ada Agent' },
              kind: 'file',
              direction: 'to_customer',
              name: 'setup.exe',
              bytes: 2048,
              result: 'declined',
              cancelledBy: null,
            },
            { kind: 'clipboard', direction: 'from_customer', name: null, characters: 7, result: 'delivered' },
          ],
        });
      });

      it('announces invitation.sent with the invitation, in the transaction that records it', async () => {
        const org = await t.newOrg();
        const hook = await endpoint(org, ['invitation.sent', 'invitation.failed']);
        const c = await org.admin.cases.create({ name: 'x' });
        const invitation = await org.admin.cases.invite(c.code, { channel: 'email', to: 'cleo@example.com' });
        await t.app.outbox.runOnce();
        await t.app.webhookWorker.runOnce();
        const bodies = receiver.requests.map((r) => opened(r, hook.secret, t));
        expect(bodies.map((b) => b.type)).toEqual(['invitation.sent']);
        expect(bodies[0]?.data.invitation).toMatchObject({
          id: invitation.id,
          caseCode: c.code,
          status: 'sent',
          to: 'cleo@example.com',
        });
      });
    });

    it('announces the audit events other modules hand to onCaseEvents in their transaction', async () => {
      const org = await t.newOrg();
      const hook = await endpoint(org, ['case.status_changed', 'connection.started']);
      const c = await org.admin.cases.create({ name: 'x' });
      const row = await t.db
        .selectFrom('cases')
        .selectAll()
        .where('code', '=', c.code)
        .executeTakeFirstOrThrow();
      const event = (type: string, data: object) => ({
        case_id: row.id,
        org_id: org.orgId,
        type,
        actor_type: 'customer' as const,
        actor_id: null,
        actor_name: 'Cleo',
        data: JSON.stringify(data),
        created_at: t.clock.ms,
      });
      await t.db
        .transaction()
        .execute((trx) =>
          t.app.services.webhooks.onCaseEvents(trx, [
            event('case.status_changed', { from: 'new', to: 'pending' }),
            event('connection.started', { agentName: 'Ada Admin' }),
            event('session.joined', {}),
          ]),
        );
      // Rolled back with its transaction: nothing is announced.
      await t.db
        .transaction()
        .execute(async (trx) => {
          await t.app.services.webhooks.onCaseEvents(trx, [event('connection.started', {})]);
          throw new Error('rolled back');
        })
        .catch(() => {});
      await t.app.webhookWorker.runOnce();
      const bodies = receiver.requests.map((r) => opened(r, hook.secret, t));
      expect(bodies.map((b) => [b.type, b.data.case?.code]).sort()).toEqual([
        ['case.status_changed', c.code],
        ['connection.started', c.code],
      ]);
      expect(bodies.find((b) => b.type === 'connection.started')?.data).toMatchObject({
        actor: { type: 'customer', id: null, name: 'Cleo' },
        agentName: 'Ada Admin',
      });
    });

    describe('retries', () => {
      it('retries 5xx and 429 with backoff, keeping the event id, then delivers', async () => {
        const org = await t.newOrg();
        const hook = await endpoint(org, ['case.created']);
        receiver.answer({ status: 503, body: { error: 'maintenance' } }, { status: 429 });
        await org.admin.cases.create({ name: 'x' });

        await t.app.webhookWorker.runOnce();
        let [delivery] = (await org.admin.webhooks.deliveries(hook.id)).items;
        expect(delivery).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastStatusCode: 503,
          lastError: 'HTTP 503',
          nextAttemptAt: new Date(t.clock.ms + BACKOFF).toISOString(),
        });
        expect(await t.app.webhookWorker.runOnce()).toBe(0);
        t.clock.advance(BACKOFF);
        await t.app.webhookWorker.runOnce();
        [delivery] = (await org.admin.webhooks.deliveries(hook.id)).items;
        expect(delivery).toMatchObject({
          status: 'pending',
          attempts: 2,
          lastStatusCode: 429,
          lastError: 'HTTP 429',
          nextAttemptAt: new Date(t.clock.ms + 2 * BACKOFF).toISOString(),
        });
        t.clock.advance(2 * BACKOFF);
        await t.app.webhookWorker.runOnce();
        [delivery] = (await org.admin.webhooks.deliveries(hook.id)).items;
        expect(delivery).toMatchObject({
          status: 'delivered',
          attempts: 3,
          lastError: null,
          nextAttemptAt: null,
        });
        const ids = receiver.requests.map((r) => opened(r, hook.secret, t).id);
        expect(ids).toHaveLength(3);
        expect(new Set(ids)).toEqual(new Set([delivery?.eventId]));
        expect((await org.admin.webhooks.get(hook.id)).consecutiveFailures).toBe(0);
      });

      it('fails a delivery at once on a 4xx answer, with its status only (the receiver’s body is not kept)', async () => {
        const org = await t.newOrg();
        const hook = await endpoint(org, ['case.created']);
        receiver.answer({ status: 410, body: { message: 'gone for good' } });
        await org.admin.cases.create({ name: 'x' });
        await t.app.webhookWorker.runOnce();
        t.clock.advance(100 * BACKOFF);
        expect(await t.app.webhookWorker.runOnce()).toBe(0);
        expect((await org.admin.webhooks.deliveries(hook.id)).items[0]).toMatchObject({
          status: 'failed',
          attempts: 1,
          lastStatusCode: 410,
          lastError: 'HTTP 410',
        });
      });

      it('disables an endpoint after consecutive failures, failing what it had pending', async () => {
        const org = await t.newOrg();
        const hook = await endpoint(org, ['case.created']);
        receiver.answer({ status: 500 }, { status: 500 }, { status: 500 });
        await org.admin.cases.create({ name: 'a' });
        await t.app.webhookWorker.runOnce();
        t.clock.advance(BACKOFF);
        await t.app.webhookWorker.runOnce();
        expect((await org.admin.webhooks.get(hook.id)).consecutiveFailures).toBe(2);
        // A different delivery failing counts too: the endpoint, not the event, is failing.
        await org.admin.cases.create({ name: 'b' });
        await t.app.webhookWorker.runOnce();

        const disabled = await org.admin.webhooks.get(hook.id);
        expect(disabled.enabled).toBe(false);
        expect(disabled.disabledReason).toMatch(
          /^Disabled after 3 failed attempts in a row; the last: HTTP 500/,
        );
        const log = (await org.admin.webhooks.deliveries(hook.id)).items;
        expect(log.map((d) => d.status)).toEqual(['failed', 'failed']);
        expect(receiver.requests).toHaveLength(3);

        // Disabled: new events are not queued for it.
        await org.admin.cases.create({ name: 'c' });
        expect((await org.admin.webhooks.deliveries(hook.id)).items).toHaveLength(2);
        // Enabled again: counting starts afresh and events flow.
        const enabled = await org.admin.webhooks.update(hook.id, { enabled: true });
        expect(enabled).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
        await org.admin.cases.create({ name: 'd' });
        await t.app.webhookWorker.runOnce();
        expect((await org.admin.webhooks.deliveries(hook.id)).items[0]).toMatchObject({
          status: 'delivered',
        });
      });
    });
  },
  {
    config: () => {
      const { mail, delivery, webhookDisableAfter } = loadConfig({
        SMTP_URL: smtp.url,
        LIFELINE_DELIVERY_MAX_ATTEMPTS: '4',
        LIFELINE_DELIVERY_BACKOFF_SECONDS: String(BACKOFF / 1000),
        LIFELINE_WEBHOOK_DISABLE_AFTER: '3',
      });
      // The receivers listen on loopback.
      return { mail, delivery, webhookDisableAfter, caseTtlMs: 2 * 3_600_000, webhookAllowPrivate: true };
    },
  },
);
