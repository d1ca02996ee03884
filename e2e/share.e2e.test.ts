import { describe, expect, it } from 'vitest';
import { pageErrors, screenshot, signIn, useE2e } from './harness.js';

const env = useE2e();

describe('sharing the customer link', () => {
  it('sends it by e-mail pre-filled from the customer, and admins read it in the local outbox', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Share Corp');
    const c = await org.admin.cases.create({
      name: 'Camera offline',
      customer: { name: 'Cleo Customer', email: 'cleo@example.com', phone: '+49 30 1234567' },
    });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, `/cases/${c.code}`);
    const invitations = page.getByRole('region', { name: 'Invitations' });
    await invitations.getByText('No invitation sent yet.').waitFor();

    await invitations.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share the customer link' });
    expect(await dialog.getByRole('textbox', { name: 'E-mail address' }).inputValue()).toBe(
      'cleo@example.com',
    );
    // A phone number that is none is refused, and nothing is queued.
    await dialog.getByText('SMS', { exact: true }).click();
    expect(await dialog.getByRole('textbox', { name: 'Phone number' }).inputValue()).toBe('+49 30 1234567');
    await dialog.getByRole('textbox', { name: 'Phone number' }).fill('12');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('alert').waitFor();
    expect((await org.admin.cases.invitations(c.code)).items).toEqual([]);

    await dialog.getByText('E-mail', { exact: true }).click();
    await dialog.getByLabel('Message').fill('Here is the link we talked about.');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    await invitations.getByText('in the local outbox').waitFor();
    await screenshot(page, 'console-share');

    await page.goto(`${t.baseUrl}/admin/outbox`);
    const mail = page.getByRole('article', { name: 'Message to cleo@example.com' });
    await mail.getByText(c.links.customer, { exact: false }).waitFor();
    await mail.getByText('Here is the link we talked about.', { exact: false }).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });
});
