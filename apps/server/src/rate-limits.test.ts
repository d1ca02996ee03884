import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, PASSWORD, type TestServer } from '../test/harness.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BURST = 60;
/** FAILED_LOGINS_PER_ACCOUNT: what ten wrong passwords in a row may try. */
const ACCOUNT_ALLOWANCE = 10;

async function burstOfWrongPasswords(t: TestServer, email: string) {
  const answers = await Promise.all(
    Array.from({ length: BURST }, (_, i) =>
      t.fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: `wrong password ${i}` }),
      }),
    ),
  );
  return answers;
}

function loginBursts(t: TestServer) {
  it(`checks only ${ACCOUNT_ALLOWANCE} of ${BURST} parallel wrong passwords, as if they came one by one`, async () => {
    const org = await t.newOrg();
    const answers = await burstOfWrongPasswords(t, org.adminEmail);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(ACCOUNT_ALLOWANCE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(BURST - ACCOUNT_ALLOWANCE);
    for (const a of answers.filter((x) => x.status === 429))
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    // The allowance is used up: even the right password waits for the window to end.
    expect((await apiError(t.client().auth.login(org.adminEmail, PASSWORD))).status).toBe(429);
  });
}

describeEachDatabase('login bursts (one process)', loginBursts);
describeEachDatabase('login bursts (cluster mode: counted in Redis)', loginBursts, {
  config: { redisUrl: REDIS_URL },
});

describeEachDatabase('invitation limits', (t) => {
  describe('POST /api/v1/cases/{code}/invitations', () => {
    it('answers 429 with Retry-After after 10 invitations for one case in an hour, and queues nothing more', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer' });
      for (let i = 0; i < 10; i++)
        await org.admin.cases.invite(c.code, { channel: 'email', to: `c${i}@example.com` });
      const err = await apiError(
        org.admin.cases.invite(c.code, { channel: 'email', to: 'one-more@example.com' }),
      );
      expect(err.status).toBe(429);
      expect(err.problem.code).toBe('rate_limited');
      expect(err.headers.get('retry-after')).toBe('3600');
      expect((await org.admin.cases.invitations(c.code)).items).toHaveLength(10);

      t.clock.advance(3_600_000);
      await org.admin.cases.invite(c.code, { channel: 'email', to: 'next-hour@example.com' });
    });

    it('answers 429 after 30 invitations by one agent in an hour, whatever the cases', async () => {
      const org = await t.newOrg();
      const agent = await t.newAgent(org);
      const colleague = await t.newAgent(org, 'Colleague');
      let last = '';
      for (let n = 0; n < 10; n++) {
        const c = await agent.client.cases.create({ name: `Case ${n}` });
        last = c.code;
        for (let i = 0; i < 3; i++)
          await agent.client.cases.invite(c.code, { channel: 'sms', to: '+49 30 1234567' });
      }
      const fresh = await agent.client.cases.create({ name: 'Another' });
      const err = await apiError(
        agent.client.cases.invite(fresh.code, { channel: 'sms', to: '+49 30 1234567' }),
      );
      expect(err.status).toBe(429);
      expect(Number(err.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await agent.client.cases.invitations(fresh.code)).items).toEqual([]);
      // Another agent has an allowance of their own.
      await colleague.client.cases.invite(last, { channel: 'sms', to: '+49 30 1234567' });
    });
  });
});
