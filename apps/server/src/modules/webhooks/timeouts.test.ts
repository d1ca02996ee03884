import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness.js';
import { startHttpReceiver } from '../../../test/receivers.js';
import { loadConfig } from '../../config/config.js';

// Receivers that never answer: the only place with a short timeout, so that a
// slow machine cannot turn the other suites' answers into timeouts.
let silent: Awaited<ReturnType<typeof startHttpReceiver>>;
beforeAll(async () => {
  silent = await startHttpReceiver('hang');
});
afterAll(() => silent.close());

const BACKOFF = 1000;

describeEachDatabase(
  'delivery timeouts and unreachable providers',
  (t) => {
    it('retries a webhook that does not answer in time', async () => {
      const org = await t.newOrg();
      const hook = await org.admin.webhooks.create({ url: `${silent.url}/hook`, events: ['case.created'] });
      await org.admin.cases.create({ name: 'x' });
      await t.app.webhookWorker.runOnce();
      expect((await org.admin.webhooks.deliveries(hook.id)).items[0]).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastStatusCode: null,
        lastError: 'no answer within 0.3 s',
        nextAttemptAt: new Date(t.clock.ms + BACKOFF).toISOString(),
      });
    });

    it('retries an SMS the Twilio API does not answer in time', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      await org.admin.cases.invite(c.code, { channel: 'sms', to: '+49 30 1234567' });
      await t.app.outbox.runOnce();
      expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
        status: 'queued',
        attempts: 1,
        error: 'no answer within 0.3 s',
      });
    });

    it('retries e-mail while the SMTP server cannot be reached', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'x' });
      await org.admin.cases.invite(c.code, { channel: 'email', to: 'cleo@example.com' });
      await t.app.outbox.runOnce();
      const [invitation] = (await org.admin.cases.invitations(c.code)).items;
      expect(invitation).toMatchObject({ status: 'queued', attempts: 1 });
      expect(invitation?.error).toMatch(/ECONNREFUSED/);
      t.clock.advance(BACKOFF);
      await t.app.outbox.runOnce();
      expect((await org.admin.cases.invitations(c.code)).items[0]).toMatchObject({
        status: 'queued',
        attempts: 2,
      });
    });
  },
  {
    config: () => {
      const { mail, sms, delivery } = loadConfig({
        // Nothing listens on port 1.
        SMTP_URL: 'smtp://127.0.0.1:1',
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: silent.url,
        TWILIO_ACCOUNT_SID: 'AC1',
        TWILIO_AUTH_TOKEN: 't',
        TWILIO_FROM: '+15005550006',
        LIFELINE_DELIVERY_TIMEOUT_SECONDS: '0.3',
        LIFELINE_DELIVERY_BACKOFF_SECONDS: String(BACKOFF / 1000),
      });
      return { mail, sms, delivery, webhookAllowPrivate: true };
    },
  },
);
