import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, type TestOrg } from '../apps/server/test/harness.js';
import { startDemoCrm } from '../scripts/demo-crm/server.js';
import { failOnConsoleErrors, freePort, pageErrors, screenshot, signIn, useE2e } from './harness.js';

/** Access tokens live this long, so a test can see the frame refresh one. */
const ACCESS_TOKEN_TTL_SECONDS = 4;

/**
 * Third-party cookies blocked: the CRM runs on `localhost`, Lifeline on
 * `127.0.0.1` — two sites —, and Chromium phases third-party cookies out as
 * it will for everyone. The frame must work on bearer tokens alone.
 */
const env = useE2e('sqlite', {
  config: {
    oauth: {
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: 3600,
      jwks: undefined,
      cookieKeys: undefined,
    },
  },
  chromiumArgs: ['--test-third-party-cookie-phaseout'],
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A demo CRM on its own site, with a connector app registered for its origin by the org's admin. */
async function demoCrm(org: TestOrg) {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const app = await org.admin.connectorApps.create({ name: 'Demo CRM', allowedOrigins: [origin] });
  const crm = await startDemoCrm({
    lifelineUrl: env.t.baseUrl,
    clientId: app.clientId,
    port,
    publicHost: 'localhost',
  });
  cleanups.push(crm.close);
  return { app, crm };
}

async function crmPage(path: string): Promise<{ context: BrowserContext; page: Page; frame: FrameLocator }> {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 860 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  failOnConsoleErrors(page);
  await page.goto(path);
  return { context, page, frame: page.getByTitle('Lifeline connector').contentFrame() };
}

/** "Login" in the frame opens the authorisation in a new tab; sign in there, then Allow or Deny. */
async function loginThroughTab(
  context: BrowserContext,
  frame: FrameLocator,
  email: string,
  decision: 'Allow' | 'Deny' = 'Allow',
  shot?: string,
) {
  const [tab] = await Promise.all([
    context.waitForEvent('page'),
    frame.getByRole('button', { name: 'Login' }).click(),
  ]);
  await tab.getByRole('heading', { name: 'Sign in to Lifeline' }).waitFor();
  expect(await tab.getByText('Demo CRM wants to use Lifeline for you.').count()).toBe(1);
  await tab.getByLabel('E-mail').fill(email);
  await tab.getByLabel(/^Password/).fill(PASSWORD);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.getByRole('heading', { name: 'Allow Demo CRM?' }).waitFor();
  const permissions = tab.getByRole('list', { name: 'Requested permissions' });
  await permissions.getByText('Create, change, share and close service cases for you').waitFor();
  if (shot) await screenshot(tab, shot);
  const closed = tab.waitForEvent('close');
  await tab.getByRole('button', { name: decision }).click();
  // The callback page hands the answer to the frame and closes itself.
  await closed;
}

describe('connector apps in the console', () => {
  it('registers an app, shows its secret once and the connector URLs for each CRM', async () => {
    const { t } = env;
    const org = await t.newOrg('Console Corp');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    failOnConsoleErrors(page);
    await signIn(page, t.baseUrl, org.adminEmail, '/admin/connector-apps');
    const form = page.getByRole('form', { name: 'Register a connector app' });
    await form.getByLabel('App name').fill('Salesforce Service Cloud');
    await form.getByLabel('Origins allowed to embed the pages').fill('https://acme.lightning.force.com/path');
    await form.getByRole('button', { name: 'Register app' }).click();
    // An origin with a path is refused, and nothing is registered.
    await form.getByRole('alert').waitFor();
    expect(await org.admin.connectorApps.list()).toEqual([]);

    await form.getByLabel('Origins allowed to embed the pages').fill('https://acme.lightning.force.com');
    await form.getByRole('button', { name: 'Register app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connector app registered' });
    const secret = await dialog.getByRole('textbox', { name: 'Client secret' }).inputValue();
    expect(secret).toMatch(/^llcs_/);
    await dialog.getByRole('tab', { name: 'Salesforce' }).click();
    const [app] = await org.admin.connectorApps.list();
    expect(await dialog.getByRole('textbox', { name: 'Salesforce case page URL' }).inputValue()).toBe(
      app?.connectorUrls.salesforce.case,
    );
    expect(app?.connectorUrls.salesforce.case).toContain('record_id={!Case.Id}');
    await screenshot(page, 'connector-apps-admin');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // Listed afterwards, without the secret.
    await page.getByRole('button', { name: /Salesforce Service Cloud/ }).click();
    await page.getByRole('textbox', { name: 'Client ID' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Client secret' }).count()).toBe(0);
    const shown = await page
      .getByRole('textbox')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(shown).not.toContain(secret);
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('CRM connector pages in the demo CRM', () => {
  it('goes from "Login" to "Close session", then creates a second session for the same record', async () => {
    const { t } = env;
    const org = await t.newOrg('Connector Corp');
    const agent = await t.newAgent(org, 'Alex Agent');
    const { crm } = await demoCrm(org);
    const { context, page, frame } = await crmPage(`${crm.origin}/?record=CASE-1001`);

    // A cookie Lifeline's site could use everywhere (SameSite=None) never reaches the frame.
    await context.addCookies([{ name: 'probe', value: '1', url: t.baseUrl, sameSite: 'None', secure: true }]);
    await page.reload();
    await frame.getByRole('button', { name: 'Login' }).waitFor();
    expect(await frame.locator(':root').evaluate(() => document.cookie)).toBe('');

    await loginThroughTab(context, frame, agent.email, 'Allow', 'connector-consent');
    await frame.getByText('Signed in as Alex Agent').waitFor();
    const form = frame.getByRole('region', { name: 'New session' });
    expect(await form.getByLabel('Session name').inputValue()).toBe('Printer offline after update');
    await screenshot(page, 'connector-create');
    await form.getByRole('button', { name: 'Create session' }).click();

    const session = frame.getByRole('region', { name: 'Session' });
    await session.getByLabel('Status: New').waitFor();
    const [first] = (await org.admin.cases.list({ externalSystem: 'demo-crm', externalId: 'CASE-1001' }))
      .items;
    expect(first).toMatchObject({
      name: 'Printer offline after update',
      source: 'connector',
      type: 'remote_control',
      customer: { name: 'Cleo Customer', email: 'cleo@example.com', phone: '+49 30 1234567' },
      external: { system: 'demo-crm', type: 'case', id: 'CASE-1001' },
    });
    expect(await session.getByRole('textbox', { name: 'Agent link' }).inputValue()).toBe(first?.links.agent);
    expect(await session.getByRole('textbox', { name: 'Customer link' }).inputValue()).toBe(
      first?.links.customer,
    );

    // Share by e-mail, pre-filled from the CRM contact.
    await frame.getByRole('region', { name: 'Invitations' }).getByRole('button', { name: 'Share' }).click();
    const dialog = frame.getByRole('dialog', { name: 'Share the customer link' });
    expect(await dialog.getByRole('textbox', { name: 'E-mail address' }).inputValue()).toBe(
      'cleo@example.com',
    );
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    await frame.getByText('in the local outbox').waitFor();

    // Join session: the web client in a new tab (signed in by the sign-in tab), and the frame sees it live.
    const [webClient] = await Promise.all([
      context.waitForEvent('page'),
      session.getByRole('link', { name: 'Join session' }).click(),
    ]);
    await webClient.waitForURL(`${t.baseUrl}/session/${first?.code}`);
    await session.getByLabel('Status: Pending').waitFor({ timeout: 15_000 });
    await session.getByText('online now: agent').waitFor();
    await screenshot(page, 'connector-live');
    await webClient.close();

    await session.getByLabel('Closing note').fill('Reset the router remotely.');
    await session.getByRole('button', { name: 'Close session' }).click();
    await frame.getByText(`Session ${first?.code} is closed.`, { exact: false }).waitFor();
    // The CRM page shows what came of it, as GET /api/v1/cases/{code} gives it for the record.
    await frame.getByRole('region', { name: 'Outcome' }).getByText('Reset the router remotely.').waitFor();
    expect(await org.admin.cases.get(first?.code ?? '')).toMatchObject({
      status: 'closed',
      outcome: { note: 'Reset the router remotely.' },
    });

    // After closing, the same record gets a new session.
    await frame
      .getByRole('region', { name: 'New session' })
      .getByRole('button', { name: 'Create session' })
      .click();
    await session.getByLabel('Status: New').waitFor();
    const all = (await org.admin.cases.list({ externalSystem: 'demo-crm', externalId: 'CASE-1001' })).items;
    expect(all.map((c) => c.status)).toEqual(['new', 'closed']);
    expect(all[0]?.code).not.toBe(first?.code);
    expect(pageErrors(page)).toEqual([]);
  });

  it('refreshes an expired access token, and "Log out" revokes the sign-in', async () => {
    const { t } = env;
    const org = await t.newOrg('Refresh Corp');
    const { crm } = await demoCrm(org);
    const { context, page, frame } = await crmPage(`${crm.origin}/desktop?contact=C-2`);
    const tokenRequests: string[] = [];
    let refreshToken = '';
    let revocations = 0;
    page.on('response', async (r) => {
      if (r.url().endsWith('/oauth/token')) {
        refreshToken = ((await r.json()) as { refresh_token: string }).refresh_token;
      }
      if (r.url().endsWith('/oauth/token/revocation') && r.status() === 200) revocations++;
    });
    page.on('request', (r) => {
      if (r.url().endsWith('/oauth/token'))
        tokenRequests.push(new URLSearchParams(r.postData() ?? '').get('grant_type') ?? '');
    });

    await loginThroughTab(context, frame, org.adminEmail);
    await frame.getByText('Signed in as Ada Admin').waitFor();
    // The agent desktop has no record subject: the name is typed.
    const form = frame.getByRole('region', { name: 'New session' });
    expect(await form.getByLabel('Session name').inputValue()).toBe('');
    // The provider reads the system time, Lifeline's principal cache the server's clock: both move on.
    await page.waitForTimeout((ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
    t.clock.advance((ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
    await form.getByLabel('Session name').fill('Dan cannot print');
    await form.getByText('AR camera').click();
    await form.getByRole('button', { name: 'Create session' }).click();
    await frame.getByRole('region', { name: 'Session' }).getByLabel('Status: New').waitFor();
    expect(tokenRequests).toEqual(['authorization_code', 'refresh_token']);
    const [created] = (await org.admin.cases.list({ externalSystem: 'demo-crm', externalId: 'C-2' })).items;
    expect(created).toMatchObject({ name: 'Dan cannot print', type: 'ar', source: 'connector' });

    // Closed from the console: the frame sees it on its next look and offers a new session.
    await org.admin.cases.close(created?.code ?? '');
    await frame.getByText('This session has ended.').waitFor({ timeout: 10_000 });
    await frame.getByRole('button', { name: 'New session' }).click();
    await frame.getByRole('region', { name: 'New session' }).getByLabel('Session name').waitFor();

    await frame.getByRole('button', { name: 'Log out' }).click();
    await frame.getByRole('button', { name: 'Login' }).waitFor();
    // With third-party cookies blocked Chromium denies the frame its storage too: tokens lived in memory only.
    await expect.poll(() => revocations).toBe(2);
    // The refresh token no longer works: the grant was revoked.
    const res = await t.fetch('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: `${(await org.admin.connectorApps.list())[0]?.clientId}.pages`,
      }),
    });
    expect(res.status).toBe(400);
    expect(pageErrors(page)).toEqual([]);
  });

  it('stays signed out when the agent denies the app', async () => {
    const { t } = env;
    const org = await t.newOrg('Deny Corp');
    const { crm } = await demoCrm(org);
    const { context, page, frame } = await crmPage(`${crm.origin}/?record=CASE-1002`);
    await loginThroughTab(context, frame, org.adminEmail, 'Deny');
    await frame.getByRole('alert').getByText('Access was denied', { exact: false }).waitFor();
    await frame.getByRole('button', { name: 'Login' }).waitFor();
    expect(await frame.getByText('Signed in as').count()).toBe(0);
    await screenshot(page, 'connector-denied');
    expect(pageErrors(page)).toEqual([]);
  });

  it('cannot be framed by an origin the app did not register', async () => {
    const { t } = env;
    const org = await t.newOrg('Framing Corp');
    const { app } = await demoCrm(org);
    // The same CRM page, served from a site nobody registered, with the real client id.
    const foreign = await startDemoCrm({
      lifelineUrl: t.baseUrl,
      clientId: app.clientId,
      publicHost: 'localhost',
    });
    cleanups.push(foreign.close);
    const context = await env.browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/frame-ancestors/.test(m.text())) refusals.push(m.text());
    });
    const framed = page.waitForResponse((r) => r.url().includes('/connector/case'));
    await page.goto(`${foreign.origin}/?record=CASE-1001`);
    expect((await framed).headers()['content-security-policy']).toMatch(
      new RegExp(`; frame-ancestors ${app.allowedOrigins.join(' ')}$`),
    );
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    const frame = page.getByTitle('Lifeline connector').contentFrame();
    expect(await frame.getByRole('button', { name: 'Login' }).count()).toBe(0);
    await screenshot(page, 'connector-foreign-origin');
  });
});
