import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { failOnConsoleErrors, pageErrors, screenshot, signIn, useE2e } from './harness.js';

const env = useE2e();

const LOGO = fs.readFileSync(fileURLToPath(new URL('../apps/web/public/icon-192.png', import.meta.url)));
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

/** Two lines, with an apostrophe: the waiting room shows them exactly so. */
const WAITING = "An expert joins you in a minute.\nPlease keep this page open, we'll be quick.";

const queueRow = (page: Page, text: string) =>
  page.getByRole('table', { name: 'Service cases' }).getByRole('row', { name: text });

async function chooseLogo(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByLabel('Logo').click()]);
  await chooser.setFiles(file);
}

/** Picks an option of a Mantine Select by its label, as a user clicks it. */
async function choose(page: Page, label: string, option: string) {
  await page
    .getByRole('textbox', { name: label, exact: true })
    .or(page.getByRole('combobox', { name: label, exact: true }))
    .first()
    .click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function download(page: Page, link: string) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: link }).click(),
  ]);
  const where = await file.path();
  return { name: file.suggestedFilename(), text: fs.readFileSync(where, 'utf8') };
}

/** Key/value lines of an INI-style file (.url, .desktop). */
const iniValue = (text: string, key: string) =>
  text
    .split(/\r?\n/)
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1);

describe('QuickSupport modules', () => {
  it('an admin designs a module; a customer asks for help on it; an agent sees the case live and takes it to "In progress"', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Acme Support');
    const group = await org.admin.groups.create('Field service');
    const agent = await t.newAgent(org, 'Alex Agent');
    const contexts: BrowserContext[] = [];
    const context = async (viewport: { width: number; height: number }) => {
      const c = await browser.newContext({ viewport });
      contexts.push(c);
      return c;
    };

    const admin = await (await context({ width: 1400, height: 1100 })).newPage();
    await signIn(admin, t.baseUrl, org.adminEmail, '/admin/modules');
    await admin.getByText('No modules yet.').waitFor();
    await admin.getByRole('button', { name: 'New module' }).click();
    const settings = admin.getByRole('form', { name: 'Module settings' });
    const preview = admin.getByRole('region', { name: 'Live preview' });
    await settings.getByRole('textbox', { name: 'Title' }).fill('Acme Help Desk');
    expect(await settings.getByRole('textbox', { name: 'Page address' }).inputValue()).toBe('acme-help-desk');
    await preview.getByText('Acme Help Desk').waitFor();

    // A script in disguise is refused before anything is saved.
    await chooseLogo(admin, { name: 'logo.png', mimeType: 'image/png', buffer: SVG });
    await settings.getByText(/SVG logos are not accepted/).waitFor();
    await chooseLogo(admin, { name: 'logo.png', mimeType: 'image/png', buffer: LOGO });
    await preview.getByRole('img', { name: 'Acme Help Desk logo' }).waitFor();

    await settings.getByRole('textbox', { name: 'Accent colour' }).fill('#e8590c');
    await settings
      .getByRole('textbox', { name: 'Welcome text' })
      .fill('Tell us what is wrong and an expert joins you.');
    await preview.getByText('Tell us what is wrong and an expert joins you.').waitFor();
    await preview.getByLabel(/^E-mail/).waitFor();
    await choose(admin, "Customer's e-mail", "Don't ask");
    await preview.getByLabel(/^E-mail/).waitFor({ state: 'detached' });
    await choose(admin, 'Target group', 'Field service');
    await settings.getByRole('textbox', { name: 'Waiting message' }).fill(WAITING);
    await settings.getByRole('button', { name: 'Save module' }).click();
    await settings.getByRole('status').getByText('Saved.').waitFor();
    const links = admin.getByRole('region', { name: 'Public link and SOS button' });
    const pageLink = `${t.baseUrl}/qs/acme-help-desk`;
    await links.getByRole('link', { name: pageLink }).waitFor();
    await screenshot(admin, 'admin-module-editor');

    const [module] = await org.admin.modules.list();
    expect(module).toMatchObject({
      title: 'Acme Help Desk',
      accentColor: '#e8590c',
      fields: { name: 'required', email: 'off', description: 'required' },
      groupId: group.id,
      waitingMessage: WAITING,
      enabled: true,
    });
    expect(module?.logoUrl).not.toBeNull();

    const agentContext = await context({ width: 1400, height: 900 });
    const queue = await agentContext.newPage();
    await signIn(queue, t.baseUrl, agent.email, '/');
    await queue.getByLabel('Live updates on').waitFor();

    // The customer's waiting-room socket is held back until the agent has seen the new case, as on
    // a slow network: once it connects the case is "Pending" (SPEC §3), and a fast machine would skip "New".
    const customerContext = await context({ width: 390, height: 844 });
    let connectCustomer = () => {};
    const customerMayConnect = new Promise<void>((resolve) => {
      connectCustomer = resolve;
    });
    await customerContext.routeWebSocket(/\/ws\/session/, async (ws) => {
      await customerMayConnect;
      ws.connectToServer();
    });
    const customer = await customerContext.newPage();
    await customer.goto(pageLink);
    await customer.getByRole('img', { name: 'Acme Help Desk logo' }).waitFor();
    await customer.getByRole('textbox', { name: 'Your name' }).fill('Carla Customer');
    await customer
      .getByRole('textbox', { name: 'Problem description' })
      .fill('The pump makes a noise\nsince this morning');
    expect(await customer.getByLabel(/^E-mail/).count()).toBe(0);
    await screenshot(customer, 'module-page');
    await customer.getByRole('button', { name: 'Request help' }).click();

    const row = queueRow(queue, 'The pump makes a noise');
    await row.getByText('New', { exact: true }).waitFor();
    await screenshot(queue, 'module-case-in-queue');
    connectCustomer();
    await customer.getByText('Waiting for your support agent…').waitFor();
    await customer.getByRole('img', { name: 'Acme Help Desk logo' }).waitFor();
    // The module's own name on its branded page, not the organisation's; the admin's words as typed.
    await customer.getByText('Acme Help Desk has your request.', { exact: false }).waitFor();
    const message = customer.getByRole('alert', { name: 'Message from Acme Help Desk' });
    expect(await message.getByText('An expert joins you').textContent()).toBe(WAITING);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point: the line break shows as one
    expect(await message.getByText('An expert joins you').innerText()).toBe(WAITING);
    await customer.getByText('Your request: The pump makes a noise', { exact: true }).waitFor();
    expect(await customer.getByText('Acme Support').count()).toBe(0);
    expect(await customer.getByText(/[“”"]/).count()).toBe(0);
    await row.getByText('Pending', { exact: true }).waitFor();
    await screenshot(customer, 'module-waiting-room');
    const [agentTab] = await Promise.all([
      agentContext.waitForEvent('page'),
      row.getByRole('link', { name: 'Connect' }).click(),
    ]);
    await customer.getByRole('button', { name: 'Allow' }).click();
    await row.getByText('In progress', { exact: true }).waitFor();
    await agentTab.getByLabel("Customer's screen").waitFor();

    const [c] = (await org.admin.cases.list({ source: 'module' })).items;
    expect(c).toMatchObject({
      name: 'The pump makes a noise',
      source: 'module',
      groupId: group.id,
      status: 'in_progress',
      customer: { name: 'Carla Customer' },
    });
    // Deleting the module ends its page; the case it opened stays.
    await admin.getByRole('button', { name: 'Delete module' }).click();
    const confirm = admin.getByRole('dialog', { name: 'Delete the module "Acme Help Desk"?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await admin.getByText('No modules yet.').waitFor();
    await customer.goto(pageLink);
    await customer.getByRole('heading', { name: 'There is no support page here' }).waitFor();
    expect((await org.admin.cases.get(c?.code ?? '')).status).toBe('in_progress');
    for (const page of [admin, queue, customer]) expect(pageErrors(page)).toEqual([]);
    for (const c of contexts) await c.close();
  });

  it('the SOS shortcuts from the console open the module page, and the request is recorded as SOS', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Sos Corp');
    const module = await org.admin.modules.create({
      slug: 'sos-corp',
      title: 'Sos Corp Help',
      fields: { name: 'optional', email: 'off', description: 'off' },
    });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    });
    const admin = await context.newPage();
    await signIn(admin, t.baseUrl, org.adminEmail, '/admin/modules');
    await admin
      .getByRole('table', { name: 'QuickSupport modules' })
      .getByRole('row', { name: 'Sos Corp Help' })
      .getByRole('button', { name: 'Edit' })
      .click();

    const windows = await download(admin, 'Windows (.url)');
    expect(windows.name).toBe('Sos Corp Help SOS.url');
    expect(iniValue(windows.text, 'URL')).toBe(module.links.sos);
    const mac = await download(admin, 'macOS (.webloc)');
    expect(mac.name).toBe('Sos Corp Help SOS.webloc');
    expect(plist.parse(mac.text)).toEqual({ URL: module.links.sos });
    const linux = await download(admin, 'Linux (.desktop)');
    expect(linux.name).toBe('Sos-Corp-Help-SOS.desktop');
    const exec = iniValue(linux.text, 'Exec') ?? '';
    const url = /^xdg-open "(.+)"$/.exec(exec)?.[1];
    expect(url).toBe(`${t.baseUrl}/qs/sos-corp?sos=1`);

    // What a double-click on the shortcut does: open that address. The module requires nothing, so that
    // one click is the request: no form, straight into the waiting room.
    const customer = await (await browser.newContext()).newPage();
    await customer.goto(url ?? '');
    await customer.getByText('Waiting for your support agent…').waitFor();
    expect(customer.url()).toMatch(/\/j\/[^/?]+$/);
    await customer.getByText('Sos Corp Help has your request.', { exact: false }).waitFor();
    await screenshot(customer, 'module-sos-one-click');
    const sos = await org.admin.cases.list({ source: 'sos' });
    expect(sos.items.map((c) => [c.name, c.source])).toEqual([['Sos Corp Help request', 'sos']]);
    // Agents tell an SOS call apart in the queue.
    await admin.goto(`${t.baseUrl}/`);
    // Said twice in its row: the SOS badge by the name, and the Source column.
    const sosLabels = queueRow(admin, 'Sos Corp Help request').getByText('SOS', { exact: true });
    await sosLabels.first().waitFor();
    expect(await sosLabels.count()).toBe(2);
    await context.close();
    await customer.context().close();
  });

  it('an SOS click shows the form once when the module needs the name, and opens the case at once after that', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Named Sos Corp');
    const module = await org.admin.modules.create({
      slug: 'named-sos',
      title: 'Named Sos Help',
      fields: { name: 'required', email: 'optional', description: 'off' },
      waitingMessage: 'Hold on.',
    });
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const customer = await context.newPage();
    failOnConsoleErrors(customer);
    await customer.goto(module.links.sos);
    await customer.getByRole('heading', { name: 'Get help now' }).waitFor();
    // Nothing was created by opening the page: the name is still missing.
    expect((await org.admin.cases.list()).items).toEqual([]);
    await customer.getByRole('button', { name: 'Request help' }).click();
    // The browser's own check stops an empty required name before anything is sent.
    expect((await org.admin.cases.list()).items).toEqual([]);
    await customer.getByRole('textbox', { name: 'Your name' }).fill('Sam Sos');
    await customer.getByRole('button', { name: 'Request help' }).click();
    await customer.getByText('Waiting for your support agent…').waitFor();

    // The next SOS click in this browser: the name was given already, so the case opens at once.
    await customer.goto(module.links.sos);
    await customer.getByText('Waiting for your support agent…').waitFor();
    await customer
      .getByRole('alert', { name: 'Message from Named Sos Help' })
      .getByText('Hold on.')
      .waitFor();
    await screenshot(customer, 'module-sos-second-click');
    const sos = await org.admin.cases.list({ source: 'sos' });
    expect(sos.items.map((c) => [c.name, c.customer?.name])).toEqual([
      ['Help request from Sam Sos', 'Sam Sos'],
      ['Help request from Sam Sos', 'Sam Sos'],
    ]);
    expect(pageErrors(customer)).toEqual([]);
    await context.close();
  });

  it('a switched-off or unknown module page says so plainly, and takes no request', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Off Corp');
    await org.admin.modules.create({ slug: 'off-corp', title: 'Off Corp Help', enabled: false });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${t.baseUrl}/qs/off-corp`);
    await page.getByRole('heading', { name: 'This support page is switched off' }).waitFor();
    await screenshot(page, 'module-switched-off');
    await page.goto(`${t.baseUrl}/qs/no-such-page`);
    await page.getByRole('heading', { name: 'There is no support page here' }).waitFor();
    await page.getByRole('link', { name: 'Enter a session code' }).waitFor();
    expect((await org.admin.cases.list()).items).toEqual([]);
    await page.context().close();
  });
});
