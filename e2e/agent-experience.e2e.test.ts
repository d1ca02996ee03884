import { describe, expect, it } from 'vitest';
import { caseEvent } from '../apps/server/src/modules/cases/case-events.js';
import {
  failOnConsoleErrors,
  newScene,
  pageErrors,
  type Scene,
  screenshot,
  signIn,
  useE2e,
  videoPlaying,
} from './harness.js';

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

  it('shows the picture fitted, at 1:1 with scrolling, and full screen, where shortcuts go to the customer under control', async () => {
    const s = await newScene(env.t, env.browser, 'remote_control');
    // The desktop helper is what grants control; here the customer's page says what the helper would.
    await s.customerPage.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      Object.assign(window, { sockets });
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    });
    await liveSession(s);
    const video = s.agentPage.getByLabel("Customer's screen", { exact: true });
    const fitted = () =>
      video.evaluate((v: HTMLVideoElement) => ({
        shown: v.clientWidth,
        own: v.videoWidth,
        height: v.clientHeight,
      }));

    // 1:1: the picture at its own pixels, in a region that scrolls when it is larger.
    await s.agentPage.getByText('1:1', { exact: true }).click();
    expect(await s.agentPage.getByRole('radio', { name: '1:1' }).isChecked()).toBe(true);
    const region = s.agentPage.getByRole('region', { name: "Customer's screen at actual size" });
    await region.waitFor();
    const own = await fitted();
    expect(own.shown).toBe(own.own);
    const scroll = await region.evaluate((r) => ({ client: r.clientWidth, scroll: r.scrollWidth }));
    expect(scroll.scroll).toBe(own.own);
    if (own.own > scroll.client) {
      await region.evaluate((r) => r.scrollTo({ left: 200 }));
      expect(await region.evaluate((r) => r.scrollLeft)).toBe(200);
    }
    await screenshot(s.agentPage, 'agent-actual-size');

    // Fit to window: the whole picture in the column again.
    await s.agentPage.getByText('Fit to window', { exact: true }).click();
    await expect.poll(() => region.count()).toBe(0);
    const fit = await fitted();
    expect(fit.shown).toBeLessThan(900);

    // The customer's helper grants control.
    await s.customerPage.evaluate(() => {
      const sockets = (window as unknown as { sockets: WebSocket[] }).sockets;
      sockets.at(-1)?.send(JSON.stringify({ type: 'control-state', state: 'granted', desktop: 'x11' }));
    });
    await s.agentPage.getByRole('button', { name: 'Release control' }).waitFor();
    const control = s.agentPage.getByRole('application', { name: "Remote control of the customer's screen" });
    await control.waitFor();

    await s.agentPage.getByRole('button', { name: 'Full screen' }).click();
    await expect.poll(() => s.agentPage.evaluate(() => document.fullscreenElement !== null)).toBe(true);
    // The Keyboard Lock API took the shortcuts: the page says so, since nothing else shows it.
    await s.agentPage
      .getByRole('status', { name: 'Keyboard' })
      .getByText("Shortcuts such as Alt+Tab and Esc go to Cleo Customer's computer")
      .waitFor();
    // The picture takes the screen's height now.
    await expect.poll(async () => (await fitted()).height).toBeGreaterThan(fit.height);
    await control.click();
    await screenshot(s.agentPage, 'agent-fullscreen');

    await s.agentPage.getByRole('button', { name: 'Exit full screen' }).click();
    await expect.poll(() => s.agentPage.evaluate(() => document.fullscreenElement)).toBe(null);
    await expect.poll(() => s.agentPage.getByRole('status', { name: 'Keyboard' }).count()).toBe(0);
    await s.agentPage.getByRole('button', { name: 'Full screen' }).waitFor();

    expect(pageErrors(s.agentPage)).toEqual([]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});

describe('new work in the console', () => {
  it("chimes, counts in the title and notifies of a new case in the agent's groups, as the agent set it up", async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Signal Corp');
    const agent = await t.newAgent(org, 'Sam Signal');
    const elsewhere = await org.admin.groups.create('Billing');
    const api = await t.tokenClient(org.admin);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['notifications'], { origin: t.baseUrl });
    const page = await context.newPage();
    failOnConsoleErrors(page);
    // What the agent would hear and see outside the page: each chime's tones and each desktop notification.
    await page.addInitScript(() => {
      const heard = { tones: 0, notifications: [] as { title: string; body?: string }[] };
      Object.assign(window, { heard });
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode['start']>) {
        heard.tones++;
        return start.apply(this, args);
      };
      const Native = window.Notification;
      window.Notification = class extends Native {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          heard.notifications.push({ title, ...(options?.body ? { body: options.body } : {}) });
        }
      };
    });
    const heard = () =>
      page.evaluate(
        () => (window as unknown as { heard: { tones: number; notifications: unknown[] } }).heard,
      );

    await signIn(page, t.baseUrl, agent.email, '/');
    await page.getByLabel('Live updates on').waitFor();
    expect(await page.title()).toBe('Queue – Lifeline');

    // The agent turns desktop notifications on; the sound is on by default.
    await page.getByRole('button', { name: 'New case alerts' }).click();
    const settings = page.getByRole('group', { name: 'New case alerts' });
    expect(await settings.getByRole('switch', { name: 'Play a sound' }).isChecked()).toBe(true);
    await settings.getByRole('switch', { name: 'Desktop notifications' }).click();
    await expect
      .poll(() => settings.getByRole('switch', { name: 'Desktop notifications' }).isChecked())
      .toBe(true);
    await screenshot(page, 'console-alert-settings');
    await page.keyboard.press('Escape');

    // A case through the API, in the agent's group.
    await api.cases.create({ name: 'Scanner jammed', customer: { name: 'Cleo' } });
    await expect.poll(() => page.title()).toBe('(1) Queue – Lifeline');
    await expect.poll(async () => (await heard()).tones).toBe(2);
    expect((await heard()).notifications).toEqual([
      { title: 'New case: Scanner jammed', body: expect.stringContaining('API · Cleo') },
    ]);
    await api.cases.create({ name: 'Monitor flickers' });
    await expect.poll(() => page.title()).toBe('(2) Queue – Lifeline');

    // Not the agent's work: another group's case, and the agent's own.
    await api.cases.create({ name: 'Invoice question', groupId: elsewhere.id });
    await agent.client.cases.create({ name: 'Made by Sam' });
    await page.getByText('Made by Sam').waitFor();
    expect(await page.title()).toBe('(2) Queue – Lifeline');
    expect((await heard()).notifications).toHaveLength(2);

    // Sound off: the next case is counted and notified, silently. The choice outlives a reload.
    await page.getByRole('button', { name: 'New case alerts' }).click();
    await settings.getByRole('switch', { name: 'Play a sound' }).click();
    await expect.poll(() => settings.getByRole('switch', { name: 'Play a sound' }).isChecked()).toBe(false);
    await page.keyboard.press('Escape');
    const tones = (await heard()).tones;
    await api.cases.create({ name: 'Mouse missing' });
    await expect.poll(() => page.title()).toBe('(3) Queue – Lifeline');
    await expect.poll(async () => (await heard()).notifications.length).toBe(3);
    expect((await heard()).tones).toBe(tones);
    await screenshot(page, 'console-new-work-title');

    await page.reload();
    await page.getByRole('button', { name: 'New case alerts' }).click();
    expect(await settings.getByRole('switch', { name: 'Play a sound' }).isChecked()).toBe(false);
    expect(await settings.getByRole('switch', { name: 'Desktop notifications' }).isChecked()).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});

describe('the audit trail of a long session', () => {
  it('shows the first 200 entries and the rest on "Show later entries"', async () => {
    const { t, browser } = env;
    const org = await t.newOrg('Chatty Corp');
    const c = await org.admin.cases.create({ name: 'Long talk', customer: { name: 'Cleo' } });
    const row = await t.db
      .selectFrom('cases')
      .select(['id', 'org_id'])
      .where('code', '=', c.code)
      .executeTakeFirstOrThrow();
    // A long conversation, as the hub records it (one entry per message).
    const base = t.clock.now();
    await t.db
      .insertInto('case_events')
      .values(
        Array.from({ length: 210 }, (_, i) =>
          caseEvent(
            row,
            'chat.message',
            { type: 'customer', id: null, name: 'Cleo' },
            { role: 'customer', text: `Message ${i + 1}` },
            base + i * 1000,
          ),
        ),
      )
      .execute();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    failOnConsoleErrors(page);
    await signIn(page, t.baseUrl, org.adminEmail, `/cases/${c.code}`);
    const trail = page.getByRole('region', { name: 'Audit trail' });
    await trail.getByText('Message 199', { exact: true }).waitFor();
    expect(await trail.getByText('Message 210', { exact: true }).count()).toBe(0);
    await trail.getByRole('button', { name: 'Show later entries' }).click();
    await trail.getByText('Message 210', { exact: true }).waitFor();
    expect(await trail.getByRole('button', { name: 'Show later entries' }).count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });
});
