import { endpoints } from '@lifeline/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestOrg, type TestServer } from '../../../test/harness.js';
import { decodeQuotedPrintable, startHttpReceiver, startSmtpServer } from '../../../test/receivers.js';
import { loadConfig } from '../../config/config.js';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let twilio: Awaited<ReturnType<typeof startHttpReceiver>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  twilio = await startHttpReceiver({ status: 201, body: { sid: 'SM0123', status: 'queued' } });
});
afterAll(async () => {
  await smtp.close();
  await twilio.close();
});
beforeEach(() => {
  smtp.received.length = 0;
  twilio.reset();
});

const BACKOFF = 1000;
const SID = 'AC00000000000000000000000000000001';

/** The outbox rows of one organisation, straight from the database. */
const outboxOf = (t: TestServer, org: TestOrg) =>
  t.db.selectFrom('outbox_messages').selectAll().where('org_id', '=', org.orgId).execute();

describeEachDatabase(
  'invitations through SMTP and Twilio',
  (t) => {
    describe('e-mail', () => {
      it('queues the invitation (202), then the worker mails the link, code and escaped message', async () => {
        const org = await t.newOrg('Acme & <Sons>');
        const c = await org.admin.cases.create({ name: 'Printer offline' });
        const invitation = await org.admin.cases.invite(c.code, {
          channel: 'email',
          to: 'cleo@example.com',
          message: 'Hi Cleo, <script>alert(1)</script> see you soon',
        });
        expect(invitation).toMatchObject({
          caseCode: c.code,
          channel: 'email',
          to: 'cleo@example.com',
          status: 'queued',
          transport: 'smtp',
          error: null,
          attempts: 0,
          sentAt: null,
          createdBy: { type: 'user', id: org.adminId, name: 'Ada Admin' },
        });
        // Durable first: stored before any SMTP conversation.
        expect(smtp.received).toHaveLength(0);
        expect(await outboxOf(t, org)).toHaveLength(1);

        expect(await t.app.outbox.runOnce()).toBe(1);
        expect(smtp.received).toHaveLength(1);
        const mail = smtp.received[0];
        expect(mail?.from).toBe('support@lifeline.test');
        expect(mail?.to).toEqual(['cleo@example.com']);
        const raw = decodeQuotedPrintable(mail?.raw ?? '');
        expect(raw).toMatch(/^Subject: Acme & <Sons>: your remote support session\r?$/m);
        expect(raw).toMatch(/^To: cleo@example\.com\r?$/m);
        expect(raw).toContain('Content-Type: multipart/alternative');
        expect(raw).toContain('Content-Type: text/plain');
        expect(raw).toContain('Content-Type: text/html');
        const [text, html] = raw.split('Content-Type: text/html');
        expect(text).toContain(c.links.customer);
        expect(text).toContain(c.code);
        // The link comes first; the support page's address is there for typing the code instead.
        const supportUrl = c.links.customer.replace(/\/j\/[^/]+$/, '/support');
        expect(text).toContain(`Or go to ${supportUrl} and enter the session code ${c.code}.`);
        expect(text?.indexOf(c.links.customer)).toBeLessThan(text?.indexOf(supportUrl) ?? 0);
        expect(html).toContain(`<a href="${supportUrl}">${supportUrl}</a>`);
        expect(text).toContain('Ada Admin from Acme & <Sons> invites you');
        expect(text).toContain('Hi Cleo, <script>alert(1)</script> see you soon');
        expect(html).toContain(`href="${c.links.customer}"`);
        expect(html).toContain(`<strong>${c.code}</strong>`);
        expect(html).toContain('Acme &amp; &lt;Sons&gt;');
        expect(html).toContain('Hi Cleo, &lt;script&gt;alert(1)&lt;/script&gt; see you soon');
        expect(html).not.toContain('<script>');

        const [listed] = (await org.admin.cases.invitations(c.code)).items;
        expect(listed).toMatchObject({
          id: invitation.id,
          status: 'sent',
          attempts: 1,
          sentAt: new Date(t.clock.ms).toISOString(),
        });
        const events = (await org.admin.cases.events(c.code)).items;
        expect(events.map((e) => e.type)).toEqual(['case.created', 'invitation.queued', 'invitation.sent']);
        expect(events[2]).toMatchObject({
          actor: { type: 'system' },
          data: { invitationId: invitation.id, channel: 'email', to: 'cleo@example.com', attempts: 1 },
        });
        // Sent once: another run finds nothing to do.
        expect(await t.app.outbox.runOnce()).toBe(0);
        expect(smtp.received).toHaveLength(1);
      });

      it('retries after a 4xx SMTP reply with exponential backoff, and sends once', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        smtp.refuse('busy@example.com', [451, 451]);
        const invitation = await org.admin.cases.invite(c.code, { channel: 'email', to: 'busy@example.com' });

        await t.app.outbox.runOnce();
        let [row] = (await org.admin.cases.invitations(c.code)).items;
        expect(row).toMatchObject({ status: 'queued', attempts: 1 });
        expect(row?.error).toContain('451');

        // Not due before the first backoff has passed, due after it.
        t.clock.advance(BACKOFF - 1);
        expect(await t.app.outbox.runOnce()).toBe(0);
        t.clock.advance(1);
        expect(await t.app.outbox.runOnce()).toBe(1);
        // The second wait is twice as long.
        t.clock.advance(2 * BACKOFF - 1);
        expect(await t.app.outbox.runOnce()).toBe(0);
        t.clock.advance(1);
        expect(await t.app.outbox.runOnce()).toBe(1);

        [row] = (await org.admin.cases.invitations(c.code)).items;
        expect(row).toMatchObject({ id: invitation.id, status: 'sent', attempts: 3, error: null });
        expect(smtp.received.map((m) => m.to)).toEqual([['busy@example.com']]);
      });

      it('fails at once with the server’s reason on a 5xx reply', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        smtp.refuse('nobody@example.com', [550]);
        await org.admin.cases.invite(c.code, { channel: 'email', to: 'nobody@example.com' });

        await t.app.outbox.runOnce();
        t.clock.advance(100 * BACKOFF);
        expect(await t.app.outbox.runOnce()).toBe(0);
        const [row] = (await org.admin.cases.invitations(c.code)).items;
        expect(row).toMatchObject({ status: 'failed', attempts: 1, sentAt: null });
        expect(row?.error).toMatch(/^550 .*no such user/);
        const events = (await org.admin.cases.events(c.code)).items;
        expect(events.at(-1)).toMatchObject({
          type: 'invitation.failed',
          data: { error: row?.error, to: 'nobody@example.com' },
        });
        expect(smtp.received).toHaveLength(0);
      });

      it('gives up after the configured number of attempts', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        smtp.refuse('full@example.com', [452, 452, 452, 452]);
        await org.admin.cases.invite(c.code, { channel: 'email', to: 'full@example.com' });
        for (let i = 0; i < 5; i++) {
          await t.app.outbox.runOnce();
          t.clock.advance(100 * BACKOFF);
        }
        const [row] = (await org.admin.cases.invitations(c.code)).items;
        expect(row).toMatchObject({ status: 'failed', attempts: 3 });
        expect(row?.error).toContain('452');
      });

      it('does not send the link of a case that ended meanwhile', async () => {
        const org = await t.newOrg();
        const closed = await org.admin.cases.create({ name: 'closed' });
        const deleted = await org.admin.cases.create({ name: 'deleted' });
        smtp.refuse('late1@example.com', [451]);
        smtp.refuse('late2@example.com', [451]);
        await org.admin.cases.invite(closed.code, { channel: 'email', to: 'late1@example.com' });
        await org.admin.cases.invite(deleted.code, { channel: 'email', to: 'late2@example.com' });
        expect(await t.app.outbox.runOnce()).toBe(2);
        await org.admin.cases.close(closed.code);
        await org.admin.cases.delete(deleted.code);
        t.clock.advance(BACKOFF);
        expect(await t.app.outbox.runOnce()).toBe(2);
        const reason = 'The support session ended before the invitation was sent.';
        expect((await org.admin.cases.invitations(closed.code)).items[0]).toMatchObject({
          status: 'failed',
          error: reason,
        });
        expect((await org.admin.outbox.list()).items.map((m) => [m.caseCode, m.status, m.error])).toEqual(
          expect.arrayContaining([[deleted.code, 'failed', reason]]),
        );
        expect(smtp.received).toHaveLength(0);
      });

      it('has several workers (processes) send each message exactly once', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        const addresses = Array.from({ length: 6 }, (_, i) => `many${i}@example.com`);
        for (const to of addresses) await org.admin.cases.invite(c.code, { channel: 'email', to });
        const other = (await t.sibling()).app.outbox;
        const [a, b] = await Promise.all([t.app.outbox.runOnce(), other.runOnce()]);
        expect((a ?? 0) + (b ?? 0)).toBe(6);
        expect(smtp.received.flatMap((m) => m.to).sort()).toEqual([...addresses].sort());
      });
    });

    describe('SMS through the Twilio API', () => {
      it('normalises the number to E.164 and posts Twilio’s form with basic auth', async () => {
        const org = await t.newOrg('Acme');
        const c = await org.admin.cases.create({ name: 'x' });
        const invitation = await org.admin.cases.invite(c.code, {
          channel: 'sms',
          to: '030 1234567',
          message: 'Your agent is ready',
        });
        expect(invitation).toMatchObject({ to: '+49301234567', transport: 'twilio', status: 'queued' });

        await t.app.outbox.runOnce();
        expect(twilio.requests).toHaveLength(1);
        const request = twilio.requests[0];
        expect(request?.method).toBe('POST');
        expect(request?.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
        expect(request?.headers.authorization).toBe(
          `Basic ${Buffer.from(`${SID}:twilio-secret`).toString('base64')}`,
        );
        expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
        const form = new URLSearchParams(request?.body);
        expect(form.get('To')).toBe('+49301234567');
        expect(form.get('From')).toBe('+15005550006');
        expect(form.get('Body')).toBe(`Acme: Your agent is ready\n${c.links.customer} (code ${c.code})`);
        expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
          status: 'sent',
          attempts: 1,
        });
      });

      it('retries a 503 and a 429, then sends', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        twilio.answer(
          { status: 503, body: { code: 20503, message: 'Service unavailable' } },
          { status: 429, body: { code: 20429, message: 'Too Many Requests' } },
        );
        await org.admin.cases.invite(c.code, { channel: 'sms', to: '+49 30 1234568' });

        await t.app.outbox.runOnce();
        expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
          status: 'queued',
          error: 'Twilio error 20503: Service unavailable',
        });
        t.clock.advance(BACKOFF);
        await t.app.outbox.runOnce();
        expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
          status: 'queued',
          attempts: 2,
          error: 'Twilio error 20429: Too Many Requests',
        });
        t.clock.advance(2 * BACKOFF);
        await t.app.outbox.runOnce();
        expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
          status: 'sent',
          attempts: 3,
          error: null,
        });
        expect(twilio.requests).toHaveLength(3);
      });

      it('fails at once with Twilio’s code and message on a 4xx', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        twilio.answer({
          status: 400,
          body: {
            code: 21211,
            message: "The 'To' number +4930999999 is not a valid phone number.",
            more_info: 'https://www.twilio.com/docs/errors/21211',
            status: 400,
          },
        });
        await org.admin.cases.invite(c.code, { channel: 'sms', to: '+49 30 999999' });
        await t.app.outbox.runOnce();
        t.clock.advance(100 * BACKOFF);
        await t.app.outbox.runOnce();
        expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
          status: 'failed',
          attempts: 1,
          error: "Twilio error 21211: The 'To' number +4930999999 is not a valid phone number.",
        });
        expect(twilio.requests).toHaveLength(1);
      });
    });

    describe('refusals', () => {
      it('answers 400 for bad input and writes nothing', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        const bad = [
          [{ channel: 'sms', to: '12' }, 'to'],
          [{ channel: 'sms', to: '+49 30' }, 'to'],
          [{ channel: 'email', to: 'not-an-address' }, 'to'],
          [{ channel: 'fax', to: 'x' }, 'channel'],
          [{ channel: 'email', to: 'a@example.com', cc: 'b@example.com' }, 'cc'],
          [{ channel: 'email', to: 'a@example.com', message: 'x'.repeat(501) }, 'message'],
        ] as const;
        for (const [body, path] of bad) {
          const err = await apiError(
            org.admin.call(endpoints.cases.invite, { params: { code: c.code }, body: body as never }),
          );
          expect(err.status, JSON.stringify(body)).toBe(400);
          expect(err.problem.code).toBe('validation_failed');
          expect(err.problem.errors?.map((e) => e.path)).toContain(path);
        }
        expect(await outboxOf(t, org)).toEqual([]);
        expect((await org.admin.cases.events(c.code)).items.map((e) => e.type)).toEqual(['case.created']);
      });

      it('answers 409 for an ended case and 404 for another organisation’s, writing nothing', async () => {
        const org = await t.newOrg();
        const closed = await org.admin.cases.create({ name: 'x' });
        await org.admin.cases.close(closed.code);
        const err = await apiError(
          org.admin.cases.invite(closed.code, { channel: 'email', to: 'a@example.com' }),
        );
        expect(err.status).toBe(409);
        expect(err.code).toBe('case_ended');

        const other = await t.newOrg();
        const theirs = await other.admin.cases.create({ name: 'theirs' });
        const notFound = await apiError(
          org.admin.cases.invite(theirs.code, { channel: 'email', to: 'a@example.com' }),
        );
        expect(notFound.status).toBe(404);
        expect((await apiError(org.admin.cases.invitations(theirs.code))).status).toBe(404);
        expect(await outboxOf(t, org)).toEqual([]);
        expect(await outboxOf(t, other)).toEqual([]);
      });

      it('needs cases:write to invite, cases:read to list, admin for the outbox', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        const reader = await t.tokenClient(org.admin, ['cases:read']);
        const err = await apiError(reader.cases.invite(c.code, { channel: 'email', to: 'a@example.com' }));
        expect(err.code).toBe('insufficient_scope');
        expect((await reader.cases.invitations(c.code)).items).toEqual([]);
        const agent = await t.newAgent(org);
        expect((await apiError(agent.client.outbox.list())).status).toBe(403);
        expect((await org.admin.outbox.list()).items).toEqual([]);
      });
    });
  },
  {
    config: () => {
      const { mail, sms, smsDefaultRegion, delivery } = loadConfig({
        PUBLIC_URL: 'http://lifeline.test',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Acme Support <support@lifeline.test>',
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: twilio.url,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 'twilio-secret',
        TWILIO_FROM: '+15005550006',
        SMS_DEFAULT_REGION: 'DE',
        LIFELINE_DELIVERY_MAX_ATTEMPTS: '3',
        LIFELINE_DELIVERY_BACKOFF_SECONDS: String(BACKOFF / 1000),
      });
      return { mail, sms, smsDefaultRegion, delivery };
    },
  },
);
