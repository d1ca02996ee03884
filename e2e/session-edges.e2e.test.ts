import { describe, expect, it } from 'vitest';
import {
  failOnConsoleErrors,
  newScene,
  pageErrors,
  screenshot,
  signIn,
  useE2e,
  videoPlaying,
} from './harness.js';

const env = useE2e();

describe.each(['remote_control', 'ar'] as const)('%s session edges in the browser', (type) => {
  const what = type === 'ar' ? 'camera' : 'screen';
  // In AR the agent calls the customer's phone: "Accept" and "Decline" answer the call.
  const [allow, deny] = type === 'ar' ? ['Accept', 'Decline'] : ['Allow', 'Deny'];

  it('"Deny" keeps the picture from the agent, who is told', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, type);
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('button', { name: deny }).click();
    await s.customerPage.getByRole('heading', { name: 'You did not allow access' }).waitFor();
    await s.agentPage.getByText(`Cleo Customer denied access to their ${what}.`).waitFor();
    expect(
      await s.agentPage.getByLabel(`Customer's ${what}`).evaluate((v: HTMLVideoElement) => v.srcObject),
    ).toBeNull();
    const events = (await s.agent.client.cases.events(s.case.code, { limit: 50 })).items.map((e) => e.type);
    expect(events).toContain('consent.denied');
    expect(events).not.toContain('consent.allowed');

    // Changing one's mind works without rejoining.
    await s.customerPage.getByRole('button', { name: 'Allow after all…' }).click();
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    // A new peer connection after "Deny" tore the first down: give a busy machine time.
    await expect.poll(() => videoPlaying(s.agentPage, `Customer's ${what}`), { timeout: 30_000 }).toBe(true);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('lets the customer leave and come back, asking for consent again', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, type);
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('button', { name: allow }).click();
    await expect.poll(() => videoPlaying(s.agentPage, `Customer's ${what}`), { timeout: 15_000 }).toBe(true);

    await s.customerPage.getByRole('button', { name: 'End session' }).click();
    await s.customerPage.getByRole('heading', { name: 'You left the support session' }).waitFor();
    await s.agentPage.getByText('Waiting for Cleo Customer to join…').waitFor();
    await s.agentPage.getByText('Customer offline').waitFor();
    // Leaving is not closing: the case stays in progress.
    expect((await s.agent.client.cases.get(s.case.code)).status).toBe('in_progress');

    await s.customerPage.getByRole('button', { name: 'Join again' }).click();
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('button', { name: allow }).click();
    await expect.poll(() => videoPlaying(s.agentPage, `Customer's ${what}`), { timeout: 15_000 }).toBe(true);
    await s.customerPage.getByRole('button', { name: 'Stop sharing' }).click();
    await s.agentPage.getByRole('heading', { name: 'Cleo Customer stopped sharing' }).waitFor();
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});

/** Whether React's DOM renders the page: it marks its root element with a `__reactContainer$…` key. */
const REACT_ROOT = `Object.keys(document.getElementById('root') ?? {}).some((k) => k.startsWith('__reactContainer'))`;

describe('customer pages for links and codes', () => {
  it('shows the choice with the page, opens the session socket while the customer chooses, and joins over it', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    const sockets: string[] = [];
    s.customerPage.on('websocket', (ws) => sockets.push(new URL(ws.url()).search));
    const calls: string[] = [];
    s.customerPage.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(new URL(r.url()).pathname);
    });
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).waitFor();
    // The page came with its join answer: the choice shows without asking for it.
    expect(calls).toEqual([]);
    await expect.poll(() => sockets).toEqual([expect.stringMatching(/&standby$/)]);
    // Open, but nobody sees the customer yet.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await s.agent.client.cases.get(s.case.code)).presence).toEqual({ agent: false, customer: false });

    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    expect((await s.agent.client.cases.get(s.case.code)).presence).toEqual({ agent: false, customer: true });
    expect(sockets).toHaveLength(1);
    // The rest of the session is as ever.
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.getByRole('button', { name: 'Allow', exact: true }).click();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('shows the ended page for an expired link', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    t.clock.advance(Date.parse(s.case.expiresAt) - t.clock.now() + 1000);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('heading', { name: 'This support session has ended' }).waitFor();
    await screenshot(s.customerPage, 'ended-expired-link');
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it("says a stranger's token is not a valid link", async () => {
    const { t, browser } = env;
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/j/${'Zz9'.repeat(11)}`);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    await page.getByRole('link', { name: 'Enter a session code' }).click();
    await page.getByRole('heading', { name: 'Join a support session' }).waitFor();
    await page.close();
  });

  it('loads only the customer bundle on a customer page, and the staff app on a staff page', async () => {
    const { t, browser } = env;
    const page = await browser.newPage();
    failOnConsoleErrors(page);
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    const staffChunk = (s: string) => /\/assets\/(app|staff|agent)-/.test(s);
    await page.goto(`${t.baseUrl}/j/${'Zz9'.repeat(11)}`);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    await page.goto(`${t.baseUrl}/support`);
    await page.getByRole('heading', { name: 'Join a support session' }).waitFor();
    // No router, no TanStack Query, no staff pages: those come with the staff app's chunks.
    expect(scripts.filter(staffChunk)).toEqual([]);
    // customer.html's build, on Preact (docs/adr/0004-preact-for-customer-pages.md): not the staff
    // entry, and no React root on the page.
    expect(scripts.filter((s) => /\/assets\/index-/.test(s))).toEqual([]);
    expect(scripts.some((s) => /\/assets\/customer-/.test(s))).toBe(true);
    expect(await page.evaluate(REACT_ROOT)).toBe(false);
    await page.goto(`${t.baseUrl}/login`);
    await page.getByRole('heading', { name: 'Sign in to Lifeline' }).waitFor();
    await screenshot(page, 'staff-app-after-customer-bundle');
    expect(scripts.some(staffChunk)).toBe(true);
    expect(await page.evaluate(REACT_ROOT)).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('finds the session by its code typed at /support, and refuses a wrong one', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await s.customerPage.goto(`${t.baseUrl}/support`);
    await s.customerPage.getByRole('textbox', { name: 'Session code' }).fill('00 000 000');
    await s.customerPage.getByRole('button', { name: 'Continue' }).click();
    await s.customerPage.getByText('No support session has this code').waitFor();
    await screenshot(s.customerPage, 'support-code-wrong');
    await s.customerPage
      .getByRole('textbox', { name: 'Session code' })
      .fill(s.case.code.replaceAll('-', ' '));
    await s.customerPage.getByRole('button', { name: 'Continue' }).click();
    await s.customerPage.getByRole('heading', { name: s.case.name }).waitFor();
    expect(s.customerPage.url()).toBe(s.case.links.customer);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('says honestly which systems QuickSupport does not support yet, and joins in the browser instead', async () => {
    const { t, browser } = env;
    // A Mac: QuickSupport runs on Windows and Linux (X11), so this visitor is sent to the browser.
    const s = await newScene(t, browser, 'remote_control', {
      customerUserAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    });
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Download QuickSupport' }).click();
    const dialog = s.customerPage.getByRole('dialog', { name: 'QuickSupport desktop app' });
    await dialog
      .getByText('QuickSupport runs on Windows and on Linux with an X11 desktop.', { exact: false })
      .waitFor();
    expect(await dialog.getByRole('link', { name: /^Download for/ }).count()).toBe(0);
    await s.customerPage.getByRole('button', { name: 'Join in browser instead' }).click();
    await s.customerPage.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});
