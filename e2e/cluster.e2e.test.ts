import { randomBytes } from 'node:crypto';
import { createClient } from '@lifeline/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, TEST_POSTGRES_URL } from '../apps/server/test/harness.js';
import { ADMIN, type LifelineProcess, startLifeline } from './cluster-kit.js';
import { launchChromium, pageErrors, screenshot, signIn, videoPlaying } from './harness.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('cluster mode: two processes sharing PostgreSQL and Redis', () => {
  const database = `lifeline_cluster_${randomBytes(4).toString('hex')}`;
  const processes: LifelineProcess[] = [];
  let a = '';
  let b = '';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${database}`;
    // One after the other: the first migrates and creates the organisation.
    const env = { DATABASE_URL: url.toString(), REDIS_URL };
    const first = await startLifeline(env);
    const second = await startLifeline(env);
    processes.push(first, second);
    a = first.url;
    b = second.url;
  });

  afterAll(async () => {
    for (const p of processes) await p.stop();
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });

  it('connects a customer on one process with an agent on the other', async () => {
    const api = createClient({ baseUrl: a });
    await api.auth.login(ADMIN, PASSWORD);
    const created = await api.cases.create({
      name: 'Across the cluster',
      customer: { name: 'Cleo Customer' },
    });
    expect(created.links.customer.startsWith(a)).toBe(true);

    const browser = await launchChromium();
    try {
      const agentPage = await (await browser.newContext()).newPage();
      const customerPage = await (await browser.newContext()).newPage();
      await customerPage.goto(created.links.customer);
      await customerPage.getByRole('button', { name: 'Join in browser' }).click();
      await customerPage.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();

      await signIn(agentPage, b, ADMIN, `/session/${created.code}`);
      await customerPage.getByRole('button', { name: 'Allow' }).click();
      await expect.poll(() => videoPlaying(agentPage, "Customer's screen"), { timeout: 20_000 }).toBe(true);

      await agentPage.getByRole('textbox', { name: 'Message' }).fill('Hello from process B');
      await agentPage.getByRole('button', { name: 'Send' }).click();
      await customerPage.getByText('Hello from process B').waitFor();
      await screenshot(agentPage, 'cluster-agent-on-b');

      const seen = await createClient({ baseUrl: b, token: undefined }).join.byToken(
        created.links.customer.split('/j/')[1] ?? '',
      );
      expect(seen.status).toBe('in_progress');

      // Closing on process A ends the agent's session held by process B.
      await api.cases.close(created.code);
      await agentPage.getByRole('heading', { name: 'Case closed' }).waitFor();
      await customerPage.getByRole('heading', { name: 'This support session has ended' }).waitFor();
      expect(pageErrors(agentPage)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
