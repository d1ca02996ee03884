import { describe, expect, it } from 'vitest';
import { newScene, pageErrors, type Scene, screenshot, signIn, useE2e, videoPlaying } from './harness.js';

const env = useE2e();

/** The customer joins in the browser, the agent opens the session, the customer allows: the picture plays. */
async function liveSession(s: Scene) {
  await s.customerPage.goto(s.case.links.customer);
  await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
  await signIn(s.agentPage, env.t.baseUrl, s.agent.email, `/session/${s.case.code}`);
  await s.customerPage.getByRole('button', { name: 'Allow' }).click();
  await s.customerPage.getByRole('status', { name: 'Session active' }).waitFor();
  await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
}

const shownStream = (s: Scene) =>
  s.agentPage.getByLabel("Customer's screen").evaluate((v: HTMLVideoElement) => v.srcObject !== null);

describe("the agent's session page", () => {
  it('clears the picture when the customer stops sharing, says so, and shows it again when they share again', async () => {
    const s = await newScene(env.t, env.browser, 'remote_control');
    await liveSession(s);

    await s.customerPage.getByRole('button', { name: 'Stop sharing' }).click();
    await s.agentPage.getByRole('heading', { name: 'Cleo Customer stopped sharing' }).waitFor();
    // No last frame stays behind: the video holds nothing.
    expect(await shownStream(s)).toBe(false);
    expect(await videoPlaying(s.agentPage, "Customer's screen")).toBe(false);
    await screenshot(s.agentPage, 'agent-customer-stopped-sharing');

    await s.customerPage.getByRole('button', { name: 'Share again' }).click();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
    expect(await s.agentPage.getByRole('heading', { name: 'Cleo Customer stopped sharing' }).count()).toBe(0);

    expect(pageErrors(s.agentPage)).toEqual([]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('after "Close case" says so, keeps the chat readable, links back, and the chat is in the audit trail', async () => {
    const s = await newScene(env.t, env.browser, 'remote_control');
    await liveSession(s);
    await s.agentPage.getByRole('textbox', { name: 'Message' }).fill('Please restart the printer.');
    await s.agentPage.getByRole('button', { name: 'Send' }).click();
    await s.customerPage.getByText('Please restart the printer.').waitFor();
    await s.customerPage.getByRole('textbox', { name: 'Message' }).fill('It prints again, thanks!');
    await s.customerPage.getByRole('button', { name: 'Send' }).click();
    await s.agentPage.getByText('It prints again, thanks!').waitFor();

    await s.agentPage.getByRole('button', { name: 'Close case' }).click();
    await s.agentPage.getByRole('dialog').getByRole('button', { name: 'Close case' }).click();
    await s.agentPage.getByRole('heading', { name: 'Case closed' }).waitFor();
    const transcript = s.agentPage.getByRole('region', { name: 'Chat' });
    await transcript.getByText('Please restart the printer.').waitFor();
    await transcript.getByText('It prints again, thanks!').waitFor();
    // Nothing can be sent any more.
    expect(await s.agentPage.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    await screenshot(s.agentPage, 'agent-case-closed');

    await s.agentPage.getByRole('link', { name: 'Open the case' }).click();
    await s.agentPage.waitForURL(`${env.t.baseUrl}/cases/${s.case.code}`);
    const trail = s.agentPage.getByRole('region', { name: 'Audit trail' });
    await trail.getByText('Alex Agent (agent) wrote').waitFor();
    await trail.getByText('Please restart the printer.').waitFor();
    await trail.getByText('Cleo Customer (customer) wrote').waitFor();
    await trail.getByText('It prints again, thanks!').waitFor();
    await trail.getByText('Alex Agent closed the case').waitFor();
    // The connection started with the picture, after the customer's "Allow", not when the agent opened the page.
    const text = (await trail.textContent()) ?? '';
    const index = (sentence: string) => text.indexOf(sentence);
    expect(index('Alex Agent (agent) joined the session')).toBeGreaterThanOrEqual(0);
    expect(index('Cleo Customer (customer) allowed Alex Agent to see the screen')).toBeGreaterThan(
      index('Alex Agent (agent) joined the session'),
    );
    expect(index('Remote connection started: Alex Agent sees the screen')).toBeGreaterThan(
      index('Cleo Customer (customer) allowed Alex Agent to see the screen'),
    );
    await screenshot(s.agentPage, 'agent-case-audit-trail');

    await s.agentPage.getByRole('link', { name: 'Service queue' }).first().click();
    await s.agentPage.waitForURL(`${env.t.baseUrl}/`);

    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});
