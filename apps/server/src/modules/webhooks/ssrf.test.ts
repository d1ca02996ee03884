import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  apiError,
  createTestDatabase,
  DATABASES,
  type TestOrg,
  TestServer,
  testConfig,
} from '../../../test/harness.js';
import { startHttpReceiver } from '../../../test/receivers.js';
import type { ResolvedAddress } from './webhook-http.js';

// The receiver stands for an internal service (a database admin page, cloud metadata).
let internalService: Awaited<ReturnType<typeof startHttpReceiver>>;
beforeAll(async () => {
  internalService = await startHttpReceiver({ status: 200, body: { secret: 'internal answer' } });
});
afterAll(() => internalService.close());
beforeEach(() => internalService.reset());

/** What the test's DNS answers for each name; the server asks it instead of the system's. */
const dnsAnswers = new Map<string, ResolvedAddress[]>();
const lookups: string[] = [];
const fakeDns = async (host: string) => {
  lookups.push(host);
  const answer = dnsAnswers.get(host);
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answer;
};

/** A server on one database, with the given allow-private setting and the fake DNS. */
function serverWith(kind: (typeof DATABASES)[number], allowPrivate: boolean) {
  const t = new TestServer(kind);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await t.start(database.handle, testConfig(database.config, { webhookAllowPrivate: allowPrivate }), 0, {
      resolve: fakeDns,
    });
  });
  afterAll(async () => {
    await t.stop();
    await database?.handle.destroy();
    await database?.drop();
  });
  return t;
}

const INTERNAL_URLS = [
  'http://127.0.0.1:8080/hook',
  'http://localhost/hook',
  'http://api.localhost/hook',
  'http://[::1]/hook',
  'http://0x7f000001/hook',
  'http://2130706433/hook',
  'http://0177.0.0.1/hook',
  'http://127.1/hook',
  'http://0.0.0.0/hook',
  'http://10.1.2.3/hook',
  'http://172.20.0.1/hook',
  'http://192.168.1.10/hook',
  'http://100.64.0.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fe80::1]/hook',
  'http://[fd12:3456::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:a9fe:a9fe]/hook',
];

describe.each(DATABASES)('webhook targets [%s]', (kind) => {
  describe('by default (LIFELINE_WEBHOOK_ALLOW_PRIVATE unset)', () => {
    const t = serverWith(kind, false);

    async function deliveryOf(org: TestOrg, hookId: string) {
      await org.admin.cases.create({ name: 'Printer' });
      await t.app.webhookWorker.runOnce();
      const [delivery] = (await org.admin.webhooks.deliveries(hookId)).items;
      return delivery;
    }

    it('refuses loopback, private, link-local and oddly spelled internal addresses when registered or changed', async () => {
      const org = await t.newOrg();
      for (const url of INTERNAL_URLS) {
        const err = await apiError(org.admin.webhooks.create({ url, events: ['case.created'] }));
        expect(err.status, url).toBe(400);
        expect(err.problem.errors, url).toEqual([
          {
            path: 'url',
            message: 'must not point at a loopback, private, link-local or other internal address',
          },
        ]);
      }
      expect(await org.admin.webhooks.list()).toEqual([]);
      const hook = await org.admin.webhooks.create({
        url: 'https://crm.example.com/hook',
        events: ['case.created'],
      });
      const err = await apiError(org.admin.webhooks.update(hook.id, { url: 'http://[::1]:9/hook' }));
      expect(err.status).toBe(400);
      expect((await org.admin.webhooks.get(hook.id)).url).toBe('https://crm.example.com/hook');
    });

    it('refuses at delivery a name that resolves to an internal address, and sends nothing', async () => {
      const org = await t.newOrg();
      const port = new URL(internalService.url).port;
      dnsAnswers.set('rebound.example.com', [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
      const hook = await org.admin.webhooks.create({
        url: `http://rebound.example.com:${port}/hook`,
        events: ['case.created'],
      });
      expect(await deliveryOf(org, hook.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastStatusCode: null,
        lastError:
          'refused: rebound.example.com resolves to 127.0.0.1, an internal address (LIFELINE_WEBHOOK_ALLOW_PRIVATE is off)',
      });
      expect(internalService.requests).toEqual([]);
    });

    it('checks again at every delivery: a stored internal target is refused too', async () => {
      const org = await t.newOrg();
      const hook = await org.admin.webhooks.create({
        url: 'https://crm.example.com/hook',
        events: ['case.created'],
      });
      // An endpoint stored before the rule, or by an operator who later turned the setting off.
      await t.db
        .updateTable('webhooks')
        .set({ url: `${internalService.url}/hook` })
        .where('id', '=', hook.id)
        .execute();
      expect(await deliveryOf(org, hook.id)).toMatchObject({
        status: 'failed',
        lastError: 'refused: 127.0.0.1, an internal address (LIFELINE_WEBHOOK_ALLOW_PRIVATE is off)',
      });
      expect(internalService.requests).toEqual([]);
    });
  });

  describe('with LIFELINE_WEBHOOK_ALLOW_PRIVATE=true', () => {
    const t = serverWith(kind, true);

    it('connects to the address it resolved and checked, once per attempt (pinned, no second look-up)', async () => {
      const org = await t.newOrg();
      const port = new URL(internalService.url).port;
      // Only the test's DNS knows this name: the request can only have gone where it answered.
      dnsAnswers.set('pinned.example.test', [{ address: '127.0.0.1', family: 4 }]);
      lookups.length = 0;
      const hook = await org.admin.webhooks.create({
        url: `http://pinned.example.test:${port}/hook`,
        events: ['case.created'],
      });
      await org.admin.cases.create({ name: 'Printer' });
      await t.app.webhookWorker.runOnce();
      expect((await org.admin.webhooks.deliveries(hook.id)).items[0]).toMatchObject({ status: 'delivered' });
      expect(lookups).toEqual(['pinned.example.test']);
      expect(internalService.requests).toHaveLength(1);
      expect(internalService.requests[0]?.headers.host).toBe(`pinned.example.test:${port}`);
    });

    it('does not follow a redirect, and keeps only the status of an answer, never its body', async () => {
      const org = await t.newOrg();
      const hook = await org.admin.webhooks.create({
        url: `${internalService.url}/hook`,
        events: ['case.created'],
      });
      internalService.answer({ status: 302, body: { to: '/elsewhere' } });
      await org.admin.cases.create({ name: 'Printer' });
      await t.app.webhookWorker.runOnce();
      const [redirected] = (await org.admin.webhooks.deliveries(hook.id)).items;
      expect(redirected).toMatchObject({
        status: 'failed',
        lastStatusCode: 302,
        lastError: 'HTTP 302 (redirects are not followed)',
      });
      expect(internalService.requests.map((r) => r.url)).toEqual(['/hook']);

      internalService.answer({ status: 400, body: { secret: 'internal answer' } });
      await org.admin.cases.create({ name: 'Scanner' });
      await t.app.webhookWorker.runOnce();
      const log = JSON.stringify((await org.admin.webhooks.deliveries(hook.id)).items);
      expect(log).toContain('"lastError":"HTTP 400"');
      expect(log).not.toContain('internal answer');
    });
  });
});
