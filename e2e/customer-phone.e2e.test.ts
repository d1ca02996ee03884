import { describe, expect, it } from 'vitest';
import { newScene, pageErrors, screenshot, signIn, useE2e, videoPlaying } from './harness.js';

const env = useE2e();

/** Android Chrome's "desktop site" mode: it says Linux X11, yet no desktop helper can run there. */
const ANDROID_DESKTOP_MODE_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('the customer on a phone', () => {
  it('shows the camera instead of a screen it cannot share, with no desktop download, and the agent is told', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control', {
      customerPhone: { shareScreen: false },
      customerUserAgent: ANDROID_DESKTOP_MODE_UA,
    });
    const customer = s.customerPage;
    await customer.goto(s.case.links.customer);
    expect(await customer.evaluate(() => 'getDisplayMedia' in navigator.mediaDevices)).toBe(false);
    await customer.getByRole('heading', { name: s.case.name }).waitFor();
    await customer.getByText('This device cannot share its screen', { exact: false }).waitFor();
    // No helper that cannot run here: no download button, so no Linux command either.
    expect(await customer.getByRole('button', { name: 'Download QuickSupport' }).count()).toBe(0);
    expect(await customer.getByText('lifeline-quicksupport.mjs').count()).toBe(0);
    await screenshot(customer, 'phone-screen-case-join');
    await customer.getByRole('button', { name: 'Join in browser' }).click();
    await customer.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    expect(await customer.getByRole('link', { name: /^Download for/ }).count()).toBe(0);

    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    // The agent knows at once what to expect: a camera, from a phone.
    await s.agentPage.getByText('Cleo Customer is on a phone').waitFor();
    await s.agentPage.getByText('Customer on a phone').waitFor();
    await s.agentPage.getByText('Waiting for Cleo Customer to allow access to their camera…').waitFor();

    await customer
      .getByRole('heading', { name: 'Allow Alex Agent from Acme Support to see your camera?' })
      .waitFor();
    expect(await customer.getByRole('button', { name: 'Allow', exact: true }).count()).toBe(0);
    await screenshot(customer, 'phone-screen-case-consent');
    await customer.getByRole('button', { name: 'Show with camera' }).click();
    await customer.getByRole('status', { name: 'Session active' }).waitFor();
    await customer.getByText('Alex Agent can see your camera', { exact: false }).waitFor();
    expect(await customer.getByText('Screen sharing was cancelled or blocked').count()).toBe(0);
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's camera"), { timeout: 15_000 }).toBe(true);
    await screenshot(s.agentPage, 'phone-screen-case-agent');
    await screenshot(customer, 'phone-screen-case-sharing');

    expect(pageErrors(customer)).toEqual([]);
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});
