import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness.js';
import { startHttpReceiver } from '../../../test/receivers.js';
import { loadConfig } from '../../config/config.js';
import { PER_ENDPOINT } from './webhook-worker.js';

let healthy: Awaited<ReturnType<typeof startHttpReceiver>>;
beforeAll(async () => {
  healthy = await startHttpReceiver({ status: 204 });
});
afterAll(() => healthy.close());

describeEachDatabase(
  'an endpoint that does not answer',
  (t) => {
    it('holds only its own slots: the other endpoints get every event meanwhile', async () => {
      // Closed at the end of each run, to cut the connections it never answers.
      const hanging = await startHttpReceiver('hang');
      healthy.reset();
      const org = await t.newOrg();
      await org.admin.webhooks.create({ url: `${hanging.url}/hook`, events: ['case.created'] });
      await org.admin.webhooks.create({ url: `${healthy.url}/hook`, events: ['case.created'] });
      t.app.webhookWorker.start();
      try {
        await org.admin.cases.create({ name: 'First' });
        await healthy.received(1);
        await hanging.received(1);
        // The hanging endpoint still holds its first attempt; these must not wait for it.
        for (const name of ['Second', 'Third', 'Fourth']) await org.admin.cases.create({ name });
        await healthy.received(4);
        await hanging.received(PER_ENDPOINT);
        expect(healthy.requests).toHaveLength(4);
        // Bounded: the hanging endpoint never has more than its share in flight.
        expect(hanging.requests).toHaveLength(PER_ENDPOINT);
      } finally {
        // Their answers never come: cut the connections so the worker can stop.
        await hanging.close();
        await t.app.webhookWorker.stop();
      }
    });
  },
  {
    config: () => {
      const { delivery } = loadConfig({
        // Far longer than the test: the hanging attempts stay in flight throughout.
        LIFELINE_DELIVERY_TIMEOUT_SECONDS: '60',
        LIFELINE_DELIVERY_INTERVAL_SECONDS: '0.05',
      });
      return { delivery, webhookAllowPrivate: true };
    },
  },
);
