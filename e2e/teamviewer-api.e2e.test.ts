import { describe, expect, it } from 'vitest';
import { tvId } from '../apps/server/src/modules/teamviewer/teamviewer.service.js';
import { failOnConsoleErrors, pageErrors, screenshot, signIn, useE2e } from './harness.js';

const env = useE2e();

describe('links of the TeamViewer-compatible sessions API', () => {
  it('open the customer’s join page and, for a signed-in agent, the web client that joins the session', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Switch Corp');
    const { token } = await org.admin.tokens.create({ name: 'crm', scopes: ['cases:read', 'cases:write'] });
    const res = await t.fetch('/api/v1/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        groupid: tvId('g', org.groupId),
        description: 'Printer offline',
        end_customer: { name: 'Cleo Customer' },
      }),
    });
    expect(res.status).toBe(200);
    const session = (await res.json()) as { code: string; end_customer_link: string; supporter_link: string };

    const customer = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    failOnConsoleErrors(customer);
    await customer.goto(session.end_customer_link);
    await customer.getByRole('heading', { name: 'Session for Cleo Customer' }).waitFor();
    await customer.getByRole('button', { name: 'Join in browser' }).click();
    await customer.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    await screenshot(customer, 'teamviewer-api-customer-link');

    const agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    failOnConsoleErrors(agent);
    await signIn(agent, t.baseUrl, org.adminEmail, new URL(session.supporter_link).pathname);
    await expect
      .poll(async () => (await org.admin.cases.get(session.code)).presence, { timeout: 20_000 })
      .toEqual({
        agent: true,
        customer: true,
      });
    await screenshot(agent, 'teamviewer-api-supporter-link');
    expect(pageErrors(customer)).toEqual([]);
    expect(pageErrors(agent)).toEqual([]);
  });
});
