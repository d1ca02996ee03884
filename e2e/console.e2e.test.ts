import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pageErrors, screenshot, signIn, useE2e } from './harness.js';

const env = useE2e();

const queueRow = (page: Page, text: string) =>
  page.getByRole('table', { name: 'Service cases' }).getByRole('row', { name: text });

describe('the service queue', () => {
  it('creates a case in the dialog, and a second agent sees it and its changes live', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Queue Corp');
    const alex = await t.newAgent(org, 'Alex Agent');
    const bea = await t.newAgent(org, 'Bea Agent');
    const alexPage = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const beaPage = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
    await signIn(alexPage, t.baseUrl, alex.email, '/');
    await signIn(beaPage, t.baseUrl, bea.email, '/');
    await alexPage.getByLabel('Live updates on').waitFor();
    await beaPage.getByLabel('Live updates on').waitFor();
    await alexPage.getByText('No open service cases match').waitFor();

    await alexPage.getByRole('button', { name: 'New service case' }).click();
    const dialog = alexPage.getByRole('dialog', { name: 'New service case' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    // The name is required: nothing is created without it.
    expect((await alex.client.cases.list()).items).toHaveLength(0);
    await dialog.getByRole('textbox', { name: 'Session name' }).fill('Scanner jams');
    await dialog.getByRole('textbox', { name: 'Customer name' }).fill('Cleo Customer');
    await dialog.getByLabel('Waiting message').fill('Back in a minute.');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const created = alexPage.getByRole('dialog', { name: 'Service case created' });
    await created.getByRole('textbox', { name: 'Customer link' }).waitFor();
    const [stored] = (await alex.client.cases.list()).items;
    expect(stored).toMatchObject({
      name: 'Scanner jams',
      waitingMessage: 'Back in a minute.',
      source: 'manual',
    });
    await created.getByRole('button', { name: 'Done' }).click();

    // Bea's queue shows it without a reload, and then its assignment and status.
    const row = queueRow(beaPage, `Scanner jams ${stored?.code}`);
    await row.waitFor();
    await expect.poll(() => row.getByText('New', { exact: true }).isVisible()).toBe(true);
    await alex.client.cases.update(stored?.code ?? '', { assigneeId: alex.id });
    await row.getByText('Alex Agent').waitFor();
    await screenshot(beaPage, 'console-queue-tablet');
    await screenshot(alexPage, 'console-queue');

    // A case created by the API appears too; Bea closes it from the row menu and Alex sees it go.
    const byApi = await (await t.tokenClient(bea.client)).cases.create({ name: 'From the CRM' });
    const apiRow = queueRow(alexPage, `From the CRM ${byApi.code}`);
    await apiRow.waitFor();
    await queueRow(beaPage, `From the CRM ${byApi.code}`)
      .getByRole('button', { name: `More actions for ${byApi.code}` })
      .click();
    await beaPage.getByRole('menuitem', { name: 'Close' }).click();
    await beaPage.getByRole('dialog').getByRole('button', { name: 'Close case' }).click();
    // The default filter shows open cases only.
    await apiRow.waitFor({ state: 'detached' });
    expect(pageErrors(alexPage)).toEqual([]);
    expect(pageErrors(beaPage)).toEqual([]);
  });

  it('deletes the selected cases after a confirmation naming how many', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Delete Corp');
    const codes = [];
    for (const name of ['One', 'Two', 'Three', 'Keep'])
      codes.push((await org.admin.cases.create({ name })).code);
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    for (const code of codes.slice(0, 3))
      await page.getByRole('checkbox', { name: `Select ${code}` }).check();
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete 3 service cases?' });
    await confirm.waitFor();
    await screenshot(page, 'console-bulk-delete');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(async () => (await org.admin.cases.list()).items.map((c) => c.name)).toEqual(['Keep']);
    await queueRow(page, `Keep ${codes[3]}`).waitFor();
    // The row of the deleted cases goes with the refetch that follows the feed, a moment after "Keep" is seen.
    await expect
      .poll(() => page.getByRole('table', { name: 'Service cases' }).getByRole('row').count())
      .toBe(2);
  });

  it('"Connect" opens the agent web client in a new tab, which joins the session', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Connect Corp');
    const c = await org.admin.cases.create({ name: 'Needs a hand' });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      queueRow(page, `Needs a hand ${c.code}`).getByRole('link', { name: 'Connect' }).click(),
    ]);
    await tab.getByText('Waiting for The customer to join…').waitFor();
    await queueRow(page, `Needs a hand ${c.code}`).getByText('Pending').waitFor();
  });

  it('filters by search and "Assigned to me"', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Filter Corp');
    const agent = await t.newAgent(org, 'Fay Filter');
    await org.admin.cases.create({ name: 'Mine', assigneeId: agent.id });
    await org.admin.cases.create({ name: 'Someone else', customer: { name: 'Zed Zebra' } });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, agent.email, '/');
    const table = page.getByRole('table', { name: 'Service cases' });
    await table.getByText('Someone else').waitFor();
    await page.getByRole('switch', { name: 'Assigned to me' }).check();
    await table.getByText('Someone else').waitFor({ state: 'detached' });
    await table.getByText('Mine').waitFor();
    await page.getByRole('switch', { name: 'Assigned to me' }).uncheck();
    await page.getByRole('textbox', { name: 'Search' }).fill('zebra');
    await table.getByText('Mine').waitFor({ state: 'detached' });
    await table.getByText('Someone else').waitFor();
  });
});

describe('the case detail page', () => {
  it('shows the fields, the audit trail and the connections of a case, live', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Detail Corp');
    const agent = await t.newAgent(org, 'Dan Detail');
    const c = await agent.client.cases.create({
      name: 'Laptop will not boot',
      description: 'Since the update',
      customer: { name: 'Cleo Customer', phone: '+49 30 1234567' },
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, t.baseUrl, agent.email, '/');
    await page.getByRole('link', { name: c.code }).click();
    await page.getByRole('heading', { name: 'Laptop will not boot' }).waitFor();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByText('Since the update').waitFor();
    await details.getByText('Cleo Customer · +49 30 1234567').waitFor();
    await page.getByText('No remote connection yet.').waitFor();

    // A session happens in other tabs; the page follows.
    const customer = await (await browser.newContext()).newPage();
    await customer.goto(c.links.customer);
    await customer.getByRole('button', { name: 'Join in browser' }).click();
    const agentTab = await context.newPage();
    await agentTab.goto(c.links.agent);
    const trail = page.getByRole('region', { name: 'Audit trail' });
    // Readable sentences, not field dumps; times to the second.
    await trail.getByText('Cleo Customer (customer) joined the session').waitFor();
    await trail.getByText('Dan Detail (agent) joined the session').waitFor();
    await trail.getByText('Dan Detail took the case').waitFor();
    await expect.poll(() => trail.locator('time').first().textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    // Both online is no remote connection yet: nothing is seen before "Allow".
    await customer.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await trail.getByText('Remote connection started').count()).toBe(0);
    await customer.getByRole('button', { name: 'Allow' }).click();
    await trail.getByText('Cleo Customer (customer) allowed Dan Detail to see the screen').waitFor();
    await trail.getByText('Remote connection started: Dan Detail sees the screen').waitFor();
    await page.getByRole('region', { name: 'Connections' }).getByText('connected now').waitFor();
    await screenshot(page, 'console-case-detail');
    await customer.close();
    await trail.getByText('Remote connection ended').waitFor();
  });
});

describe('the installable console', () => {
  it('has a manifest with a protocol handler, a service worker, and opens handled links in the session', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('App Corp');
    const c = await org.admin.cases.create({ name: 'From the app' });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
      return link ? ((await (await fetch(link.href)).json()) as Record<string, unknown>) : null;
    });
    expect(manifest).toMatchObject({
      name: 'Lifeline',
      display: 'standalone',
      start_url: '/',
      protocol_handlers: [{ protocol: 'web+lifeline', url: '/open?target=%s' }],
    });
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${t.baseUrl}/`);

    await queueRow(page, `From the app ${c.code}`)
      .getByRole('button', { name: `More actions for ${c.code}` })
      .click();
    const href = await page.getByRole('menuitem', { name: 'Open in the installed app' }).getAttribute('href');
    expect(href).toBe(`web+lifeline:session/${c.code}`);
    // What the installed app does with that link:
    await page.goto(`${t.baseUrl}/open?target=${encodeURIComponent(href ?? '')}`);
    await page.waitForURL(`${t.baseUrl}/session/${c.code}`);
    await page.getByText('Waiting for The customer to join…').waitFor();
    await page.goto(`${t.baseUrl}/open?target=${encodeURIComponent('https://evil.example/')}`);
    await page.waitForURL(`${t.baseUrl}/`);
  });
});

describe('the console by keyboard', () => {
  it('creates a case without a mouse', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Keys Corp');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    await page.getByText('No open service cases match').waitFor();
    const newCase = page.getByRole('button', { name: 'New service case' });
    // Tab through the page until the button has the focus, as a keyboard user does.
    for (let i = 0; i < 30 && !(await newCase.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New service case' });
    await dialog.waitFor();
    // The dialog puts the focus in the first field.
    await page.keyboard.type('Typed only');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Service case created' }).waitFor();
    await page.keyboard.press('Escape');
    await queueRow(page, `Typed only ${(await org.admin.cases.list()).items[0]?.code}`).waitFor();
  });
});

describe('signing in and out, copying, and expiry', () => {
  it('signs out to the sign-in page, and the console then asks to sign in again', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Out Corp');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${t.baseUrl}/`);
    await page.waitForURL(`${t.baseUrl}/login?next=%2F`);
    await page.getByLabel('E-mail').fill(org.adminEmail);
    await page.getByLabel(/^Password/).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The e-mail address or password is wrong.').waitFor();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${t.baseUrl}/login`);
    await page.goto(`${t.baseUrl}/`);
    await page.waitForURL(`${t.baseUrl}/login?next=%2F`);
  });

  it('copies the customer link and the code of a case', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Copy Corp');
    const c = await org.admin.cases.create({ name: 'Copy me' });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    const page = await context.newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    await queueRow(page, `Copy me ${c.code}`)
      .getByRole('button', { name: `More actions for ${c.code}` })
      .click();
    await page.getByRole('menuitem', { name: 'Copy customer link' }).click();
    await expect.poll(clipboard).toBe(c.links.customer);
    await queueRow(page, `Copy me ${c.code}`)
      .getByRole('button', { name: `More actions for ${c.code}` })
      .click();
    await page.getByRole('menuitem', { name: 'Copy code' }).click();
    await expect.poll(clipboard).toBe(c.code);
  });

  it('drops a case from the open queue when it expires, without a reload', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Expiry Corp');
    const c = await org.admin.cases.create({ name: 'Runs out' });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    const row = queueRow(page, `Runs out ${c.code}`);
    await row.waitFor();
    // Its 24 hours are nearly over (moving the clock a day would end the sign-in session too).
    await t.db
      .updateTable('cases')
      .set({ expires_at: t.clock.now() + 60_000 })
      .where('code', '=', c.code)
      .execute();
    t.clock.advance(61_000);
    await t.app.sweeper.sweep();
    await row.waitFor({ state: 'detached' });
    // Its page, open elsewhere, says so.
    await page.getByRole('link', { name: c.code }).waitFor({ state: 'detached' });
    await page.goto(`${t.baseUrl}/cases/${c.code}`);
    await page.getByRole('heading', { name: 'Runs out' }).waitFor();
    await page
      .getByRole('region', { name: 'Audit trail' })
      .getByText('The case expired', { exact: true })
      .waitFor();
  });
});
