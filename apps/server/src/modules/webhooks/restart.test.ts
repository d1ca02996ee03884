import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness.js';
import { useReceivers } from '../../../test/receivers.js';
import { loadConfig } from '../../config/config.js';

const receivers = useReceivers();

const BACKOFF = 1000;
const eventIds = () => receivers.http.requests.map((r) => r.headers['lifeline-event-id']);

describeEachDatabase(
  'a server restart during delivery',
  (t) => {
    it('loses no webhook delivery or invitation: a new process finishes the retries', async () => {
      const org = await t.newOrg();
      const hook = await org.admin.webhooks.create({
        url: `${receivers.http.url}/hook`,
        events: ['case.created'],
      });
      const c = await org.admin.cases.create({ name: 'x' });
      receivers.smtp.refuse('later@example.com', [421]);
      const invitation = await org.admin.cases.invite(c.code, { channel: 'email', to: 'later@example.com' });
      receivers.http.answer({ status: 503 });

      // The first process makes the first attempts, both fail transiently, and it stops.
      const first = await t.sibling({ ownConnection: true });
      await first.app.webhookWorker.runOnce();
      await first.app.outbox.runOnce();
      await first.stop();
      expect(receivers.http.requests).toHaveLength(1);
      expect(receivers.smtp.received).toHaveLength(0);

      // A new process on the same database picks up where it stopped.
      const second = await t.sibling({ ownConnection: true });
      t.clock.advance(BACKOFF);
      expect(await second.app.webhookWorker.runOnce()).toBe(1);
      expect(await second.app.outbox.runOnce()).toBe(1);
      expect(await second.app.webhookWorker.runOnce()).toBe(0);
      expect(await second.app.outbox.runOnce()).toBe(0);

      const [delivery] = (await org.admin.webhooks.deliveries(hook.id)).items;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(eventIds()).toEqual([delivery?.eventId, delivery?.eventId]);
      expect(receivers.smtp.received.map((m) => m.to)).toEqual([['later@example.com']]);
      expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
        id: invitation.id,
        status: 'sent',
        attempts: 2,
      });
      await second.stop();
    });

    it('takes over a delivery from a process that died mid-attempt, with the same event id', async () => {
      const org = await t.newOrg();
      const hook = await org.admin.webhooks.create({
        url: `${receivers.http.url}/hook`,
        events: ['case.created'],
      });
      await org.admin.cases.create({ name: 'x' });
      let release = () => {};
      // Its answer, a failure, arrives only after another process has delivered the event.
      receivers.http.answer({ status: 500, after: new Promise<void>((resolve) => (release = resolve)) });

      // The first process sends, and gets no answer before it "dies".
      const first = await t.sibling({ ownConnection: true });
      const stalled = first.app.webhookWorker.runOnce();
      await receivers.http.received(1);

      // Another process leaves the delivery alone while the lease lasts, then takes it over.
      const second = await t.sibling({ ownConnection: true });
      expect(await second.app.webhookWorker.runOnce()).toBe(0);
      t.clock.advance(60_000);
      expect(await second.app.webhookWorker.runOnce()).toBe(1);

      // The first process's late result must not overwrite the second's.
      release();
      await stalled;
      await first.stop();
      const [delivery] = (await org.admin.webhooks.deliveries(hook.id)).items;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });
      expect((await org.admin.webhooks.get(hook.id)).consecutiveFailures).toBe(0);
      // Sent twice at most, as the same event: the receiver de-duplicates on the id.
      expect(eventIds()).toEqual([delivery?.eventId, delivery?.eventId]);
      expect(receivers.http.requests[0]?.body).toBe(receivers.http.requests[1]?.body);
      await second.stop();
    });
  },
  {
    config: () => {
      const { mail, delivery } = loadConfig({
        SMTP_URL: receivers.smtp.url,
        // Long enough that the stalled attempt above cannot time out on a busy machine.
        LIFELINE_DELIVERY_TIMEOUT_SECONDS: '10',
        LIFELINE_DELIVERY_BACKOFF_SECONDS: String(BACKOFF / 1000),
      });
      return { mail, delivery, webhookAllowPrivate: true };
    },
  },
);
