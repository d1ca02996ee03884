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
});
