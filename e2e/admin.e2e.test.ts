import { describe, expect, it } from 'vitest';
import { apiError, PASSWORD } from '../apps/server/test/harness.js';
import { pageErrors, screenshot, signIn, useE2e } from './harness.js';

const env = useE2e();

describe('administration', () => {
  it('lets an admin add a user, change the role and deactivate them', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Admin Corp');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/');
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Users', selected: true }).waitFor();

    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Nina New');
    await dialog.getByRole('textbox', { name: 'E-mail' }).fill('nina@admin.test');
    await dialog.getByLabel(/^Initial password/).fill('short');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.getByRole('alert').getByText('password must be at least 10 characters').waitFor();
    await dialog.getByLabel(/^Initial password/).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: 'Nina New' });
    await row.waitFor();

    await row.getByLabel('Role of Nina New').click();
    await page.getByRole('option', { name: 'Admin' }).click();
    await expect
      .poll(async () => (await org.admin.users.list()).find((u) => u.name === 'Nina New')?.role)
      .toBe('admin');
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByText('Deactivated').waitFor();
    expect((await apiError(t.client().auth.login('nina@admin.test', PASSWORD))).status).toBe(401);
    await screenshot(page, 'admin-users');
    expect(pageErrors(page)).toEqual([]);
  });

  it('manages groups and their members', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Group Corp');
    await t.newAgent(org, 'Gus Agent');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/admin/groups');
    await page.getByRole('textbox', { name: 'New group' }).fill('Second level');
    await page.getByRole('button', { name: 'Add group' }).click();
    const group = page.getByRole('region', { name: 'Group Second level' });
    await group.getByText('No members.').waitFor();
    await group.getByLabel('Add a member to Second level').click();
    await page.getByRole('option', { name: 'Gus Agent' }).click();
    await group.getByText('Gus Agent').waitFor();
    await group.getByRole('button', { name: 'Remove Gus Agent from Second level' }).click();
    await group.getByText('No members.').waitFor();
    const stored = (await org.admin.groups.list()).find((g) => g.name === 'Second level');
    expect(stored?.memberIds).toEqual([]);
  });

  it('shows a new API token once and revokes it', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Token Corp');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/admin/tokens');
    await page.getByRole('textbox', { name: 'Token name' }).fill('CRM');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'Token created' });
    const token = await shown.getByRole('textbox', { name: 'Token' }).inputValue();
    expect(token).toMatch(/^llt_/);
    expect((await t.client(token).cases.list()).items).toEqual([]);
    await shown.getByRole('button', { name: 'Done' }).click();
    // Never shown again.
    expect(await page.getByText(token).count()).toBe(0);

    await page
      .getByRole('table', { name: 'API tokens' })
      .getByRole('row', { name: 'CRM' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page.getByRole('dialog', { name: 'Revoke “CRM”?' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No tokens yet.').waitFor();
    expect((await apiError(t.client(token).cases.list())).status).toBe(401);
  });

  it("lets an admin revoke another user's token under API tokens", async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Revoke Corp');
    const agent = await t.newAgent(org, 'Rita Agent');
    const left = await agent.client.tokens.create({ name: 'Old CRM script', scopes: ['cases:read'] });
    expect((await t.client(left.token).me()).user.id).toBe(agent.id);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, org.adminEmail, '/admin/tokens');
    await page.getByRole('combobox', { name: 'User' }).click();
    await page.getByRole('option', { name: /^Rita Agent/ }).click();
    const row = page
      .getByRole('table', { name: 'Tokens of Rita Agent' })
      .getByRole('row', { name: 'Old CRM script' });
    await row.getByText('cases:read').waitFor();
    await screenshot(page, 'admin-user-tokens');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke “Old CRM script”?' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page.getByText('Rita Agent has no tokens.').waitFor();
    expect((await apiError(t.client(left.token).me())).status).toBe(401);
    expect(pageErrors(page)).toEqual([]);
  });

  it('is not offered to agents, who are refused by the page and by the API', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Agent Corp');
    const agent = await t.newAgent(org, 'Ann Agent');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, t.baseUrl, agent.email, '/');
    await page.getByRole('link', { name: 'Service queue' }).waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await page.goto(`${t.baseUrl}/admin/users`);
    await page.getByText('Administration is for admins').waitFor();
    await screenshot(page, 'admin-refused-for-agent');
    const refused = await apiError(
      agent.client.users.create({ email: 'x@agent.test', name: 'X', password: PASSWORD, role: 'agent' }),
    );
    expect(refused.status).toBe(403);
  });
});
