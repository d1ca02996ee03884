import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, TEST_POSTGRES_URL } from '../apps/server/test/harness.js';
import { freePort, launchChromium, pageErrors, screenshot, signIn, videoPlaying } from './harness.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = 'admin@cluster.test';

/** `npm start`'s server as its own process, on PostgreSQL and Redis. */
async function startProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      LIFELINE_ADMIN_EMAIL: ADMIN,
      LIFELINE_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child };
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not become ready`);
}

describe('cluster mode: two processes sharing PostgreSQL and Redis', () => {
  const database = `lifeline_cluster_${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
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
    const first = await startProcess(url.toString());
    const second = await startProcess(url.toString());
    children.push(first.child, second.child);
    a = first.url;
    b = second.url;
  });

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
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
      await agentPage.getByRole('heading', { name: 'Session ended' }).waitFor();
      await customerPage.getByRole('heading', { name: 'This support session has ended' }).waitFor();
      expect(pageErrors(agentPage)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
