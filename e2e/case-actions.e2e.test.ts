import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pageErrors, screenshot, signIn, useE2e } from './harness.js';

const env = useE2e();

const queueRow = (page: Page, text: string) =>
  page.getByRole('table', { name: 'Service cases' }).getByRole('row', { name: text });

const offered = (actions: Locator) =>
  actions.getByRole('button').or(actions.getByRole('link')).allTextContents();

async function agentPage(width = 1400, height = 900) {
  return (await env.browser.newContext({ viewport: { width, height } })).newPage();
}

describe('the case page acts on its case', () => {
  it('edits, assigns, closes and deletes from the case page; the new-case dialog takes a description', async () => {
    const { t } = env;
    const org = await t.newOrg('Detail Corp');
    const alex = await t.newAgent(org, 'Alex Agent');
    await t.newAgent(org, 'Bea Agent');
    const page = await agentPage();
    await signIn(page, t.baseUrl, alex.email, '/');

    await page.getByRole('button', { name: 'New service case' }).click();
    const dialog = page.getByRole('dialog', { name: 'New service case' });
    await dialog.getByRole('textbox', { name: 'Session name' }).fill('Scanner jams');
    await dialog.getByRole('textbox', { name: 'Description' }).fill('Paper stuck in tray 2');
    await dialog.getByRole('textbox', { name: 'Customer e-mail' }).fill('cleo@example.com');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('dialog', { name: 'Service case created' }).waitFor();
    const [stored] = (await alex.client.cases.list()).items;
    expect(stored).toMatchObject({
      description: 'Paper stuck in tray 2',
      customer: { email: 'cleo@example.com' },
    });
    const code = stored?.code ?? '';
    await page.getByRole('button', { name: 'Done' }).click();

    await queueRow(page, `Scanner jams ${code}`).getByRole('link', { name: code }).click();
    const actions = page.getByRole('toolbar', { name: 'Case actions' });
    await actions.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${code}` });
    await edit.getByRole('textbox', { name: 'Session name' }).fill('Scanner jams on floor 3');
    await edit.getByRole('textbox', { name: 'Description' }).fill('');
    await edit.getByRole('textbox', { name: 'Customer name' }).fill('Cleo Customer');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Scanner jams on floor 3' }).waitFor();
    expect(await alex.client.cases.get(code)).toMatchObject({
      name: 'Scanner jams on floor 3',
      description: null,
      customer: { name: 'Cleo Customer', email: 'cleo@example.com' },
    });

    // An emptied name is refused and changes nothing.
    await actions.getByRole('button', { name: 'Edit' }).click();
    await edit.getByRole('textbox', { name: 'Session name' }).fill(' ');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByRole('alert').waitFor();
    expect((await alex.client.cases.get(code)).name).toBe('Scanner jams on floor 3');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    await actions.getByRole('button', { name: 'Assign' }).click();
    const assign = page.getByRole('dialog', { name: `Assign ${code}` });
    await assign.getByLabel('Assignee').click();
    await page.getByRole('option', { name: 'Bea Agent' }).click();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('region', { name: 'Details' }).getByText('Bea Agent').waitFor();
    await screenshot(page, 'case-detail-actions');

    await actions.getByRole('button', { name: 'Close case' }).click();
    const closing = page.getByRole('dialog', { name: `Close ${code}?` });
    await closing.getByLabel('Closing note').fill('Toner replaced; test page printed.');
    await closing.getByRole('button', { name: 'Close case' }).click();
    await closing.waitFor({ state: 'hidden' });
    await page.getByText('Closed', { exact: true }).first().waitFor();
    // The outcome a CRM files: the note (and the chat transcript, empty here) on the case and in the API.
    const outcome = page.getByRole('region', { name: 'Outcome' });
    await outcome.getByText('Toner replaced; test page printed.').waitFor();
    await outcome.getByText('Nothing was written in the chat.').waitFor();
    await screenshot(page, 'case-detail-outcome');
    expect(await alex.client.cases.get(code)).toMatchObject({
      status: 'closed',
      outcome: { note: 'Toner replaced; test page printed.', transcript: [] },
    });
    // An ended case offers no Connect, Edit, Assign or Close, but may still be deleted by its creator.
    expect(await offered(actions)).toEqual(['Delete']);

    await actions.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: `Delete ${code}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.waitForURL(`${t.baseUrl}/`);
    await page.getByRole('status').getByText(`${code} was deleted.`).waitFor();
    expect((await alex.client.cases.list({ status: ['closed'] })).items).toHaveLength(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('offers Close and Delete only to those allowed to end the case', async () => {
    const { t } = env;
    const org = await t.newOrg('Rights Corp');
    const alex = await t.newAgent(org, 'Alex Agent');
    const bea = await t.newAgent(org, 'Bea Agent');
    const theirs = await alex.client.cases.create({ name: 'Alex’s printer' });
    const page = await agentPage();
    await signIn(page, t.baseUrl, bea.email, '/');

    const row = queueRow(page, `Alex’s printer ${theirs.code}`);
    await row.getByRole('button', { name: `More actions for ${theirs.code}` }).click();
    await page.getByRole('menuitem', { name: 'Assign…' }).waitFor();
    expect(await page.getByRole('menuitem', { name: 'Close' }).count()).toBe(0);
    await page.keyboard.press('Escape');

    await page.goto(`${t.baseUrl}/cases/${theirs.code}`);
    const actions = page.getByRole('toolbar', { name: 'Case actions' });
    await actions.getByRole('button', { name: 'Edit' }).waitFor();
    expect(await offered(actions)).toEqual(['Connect', 'Edit', 'Assign']);

    // Once the case is assigned to Bea, she may close it.
    await alex.client.cases.update(theirs.code, { assigneeId: bea.id });
    await actions.getByRole('button', { name: 'Close case' }).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('the queue', () => {
  it('shows whole status badges, a Source column, and says when the filter hides ended cases', async () => {
    const { t } = env;
    const org = await t.newOrg('Source Corp');
    const alex = await t.newAgent(org, 'Alex Agent');
    const page = await agentPage(1100, 800);
    await signIn(page, t.baseUrl, alex.email, '/');

    const ended = await alex.client.cases.create({ name: 'Done already' });
    await alex.client.cases.close(ended.code);
    await page
      .getByText('No open service cases match. Closed and expired cases are hidden by the Status filter.')
      .waitFor();
    await screenshot(page, 'queue-empty-filtered');
    await page.getByRole('button', { name: 'Show all statuses' }).click();
    const endedRow = queueRow(page, `Done already ${ended.code}`);
    await endedRow.waitFor();

    const byApi = await (await t.tokenClient(alex.client)).cases.create({ name: 'By script' });
    // Stored as the hub would after both partners met; the next write (below) refreshes the queue's cache.
    await t.db.updateTable('cases').set({ status: 'in_progress' }).where('code', '=', byApi.code).execute();
    const byConsole = await alex.client.cases.create({ name: 'By hand' });
    await page.reload();
    const inProgress = queueRow(page, `By script ${byApi.code}`);
    await inProgress.waitFor();

    const table = page.getByRole('table', { name: 'Service cases' });
    const headers = await table.getByRole('columnheader').allTextContents();
    expect(headers).toContain('Source');
    const sourceOf = async (name: string) => {
      const index = headers.indexOf('Source');
      return (await queueRow(page, name).getByRole('cell').allTextContents())[index];
    };
    expect(await sourceOf(`By hand ${byConsole.code}`)).toBe('Console');
    expect(await sourceOf(`By script ${byApi.code}`)).toBe('API');

    const badge = inProgress.getByText('In progress', { exact: true });
    await badge.waitFor();
    // The label's full text fits its box: nothing is cut off with an ellipsis.
    expect(await badge.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await screenshot(page, 'queue-source-column');
    expect(pageErrors(page)).toEqual([]);
  });
});
