import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelper } from '../apps/helper/scripts/build.js';
import { startXvfb, xtermWritingTo } from '../apps/helper/test/xvfb.js';
import { newScene, pageErrors, screenshot, signIn, useE2e, videoPixels, videoPlaying } from './harness.js';
import { pointAt, QuickSupport } from './quicksupport.js';

const env = useE2e();
let xvfb: Awaited<ReturnType<typeof startXvfb>>;
const helpers: QuickSupport[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-helper-e2e-'));

beforeAll(async () => {
  await buildHelper();
  xvfb = await startXvfb();
});
afterAll(() => {
  for (const h of helpers) h.stop();
  xvfb?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startHelper(link: string, ...flags: string[]) {
  const helper = new QuickSupport([link, ...flags], xvfb.display);
  helpers.push(helper);
  return helper;
}

describe('QuickSupport, the desktop helper on an X display', () => {
  it('shares the screen after "Allow" and types and clicks for the agent once the customer grants control', async () => {
    const { t, browser } = env;
    const typed = path.join(dir, 'typed.txt');
    const xterm = xtermWritingTo(xvfb.display, typed);
    try {
      const s = await newScene(t, browser, 'remote_control');
      // The consent page is opened by the test instead of xdg-open.
      const helper = startHelper(s.case.links.customer, '--open-with', 'true');
      const [, consentUrl] = await helper.waitFor(/Consent page: (\S+)/);
      const consent = s.customerPage;
      await consent.goto(consentUrl as string);
      await consent
        .getByRole('status')
        .getByText('Waiting for your support agent…', { exact: false })
        .waitFor();
      await expect
        .poll(async () => (await s.agent.client.cases.get(s.case.code)).status, { timeout: 10_000 })
        .toBe('pending');

      await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
      await consent
        .getByRole('heading', { name: 'Allow Alex Agent from Acme Support to see your screen?' })
        .waitFor();
      await screenshot(consent, 'helper-1-consent');
      expect(await helper.children()).not.toContain('ffmpeg');

      await consent.getByRole('button', { name: 'Allow' }).click();
      await consent.getByRole('status', { name: 'Session active' }).waitFor();
      const video = "Customer's screen";
      await expect.poll(() => videoPlaying(s.agentPage, video), { timeout: 20_000 }).toBe(true);
      const picture = s.agentPage.getByLabel(video, { exact: true });
      expect(await picture.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(1024);
      // The X display itself is painted there: the white xterm in the top-left corner of a black screen.
      const pixelAt = async (fx: number, fy: number) =>
        (
          await videoPixels(picture, {
            x: Math.floor(fx * 1024),
            y: Math.floor(fy * 768),
            width: 1,
            height: 1,
          })
        ).slice(0, 3);
      await expect
        .poll(async () => Math.min(...(await pixelAt(0.2, 0.15))), { timeout: 10_000 })
        .toBeGreaterThan(200);
      expect(Math.max(...(await pixelAt(0.8, 0.8)))).toBeLessThan(50);

      // The agent asks; nothing is injected until the customer allows it.
      await s.agentPage.getByRole('button', { name: 'Request control' }).click();
      await s.agentPage.getByText('Waiting for Cleo Customer to allow control…').waitFor();
      await consent
        .getByRole('heading', { name: 'Alex Agent asks to control your mouse and keyboard.' })
        .waitFor();
      await screenshot(consent, 'helper-2-control-request');
      await consent.getByRole('button', { name: 'Allow control' }).click();
      await s.agentPage.getByText("You control Cleo Customer's mouse and keyboard").waitFor();

      // The pointer lands on the same spot of the customer's screen: a quarter across, a tenth down, over the xterm.
      const surface = await pointAt(s.agentPage, xvfb.display, { x: 0.25, y: 0.1 });
      await s.agentPage.mouse.down();
      await s.agentPage.mouse.up();

      // Keys with Shift as the agent presses them, then text through the text field.
      await s.agentPage.keyboard.type('Hello, X11!');
      await s.agentPage.keyboard.press('Enter');
      await s.agentPage.getByLabel("Type on the customer's computer").fill('/tmp/some path #2');
      await s.agentPage.getByRole('button', { name: 'Send text' }).click();
      await surface.focus();
      await s.agentPage.keyboard.press('Enter');
      await expect
        .poll(() => (fs.existsSync(typed) ? fs.readFileSync(typed, 'utf8') : ''), { timeout: 15_000 })
        .toBe('Hello, X11!\n/tmp/some path #2\n');
      // And the agent sees it: dark text on the xterm's first lines, in the picture.
      const darkPixelsTopLeft = async () => {
        const data = await videoPixels(picture, { x: 2, y: 2, width: 120, height: 30 });
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 100) dark++;
        return dark;
      };
      // More than the text cursor's block alone (at most 6 × 13 pixels).
      await expect.poll(darkPixelsTopLeft, { timeout: 15_000 }).toBeGreaterThan(120);
      await screenshot(s.agentPage, 'helper-3-agent-in-control');

      // The customer takes control back at once; the agent's surface is gone.
      await consent.getByRole('button', { name: 'Take back control' }).click();
      await s.agentPage.getByRole('button', { name: 'Request control' }).waitFor();
      await expect(surface.count()).resolves.toBe(0);
      await screenshot(consent, 'helper-4-active');

      // Pausing stops the picture (and ffmpeg); resuming sends it again.
      await consent.getByRole('button', { name: 'Pause sharing' }).click();
      await s.agentPage.getByRole('heading', { name: 'Cleo Customer paused sharing' }).waitFor();
      await expect.poll(() => helper.children(), { timeout: 10_000 }).not.toContain('ffmpeg');
      await consent.getByRole('button', { name: 'Resume sharing' }).click();
      await expect.poll(() => videoPlaying(s.agentPage, video), { timeout: 20_000 }).toBe(true);

      // And ends the session: the helper stops, the agent sees the customer leave.
      await consent.getByRole('button', { name: 'End session' }).click();
      expect(await helper.exited).toBe(0);
      await s.agentPage.getByText('Waiting for Cleo Customer to join…').waitFor();
      expect(pageErrors(s.agentPage)).toEqual([]);
      await Promise.all(s.contexts.map((c) => c.close()));
    } finally {
      xterm.kill();
    }
  });

  it('is offered on the join page for Linux, with its start command, and served by the server', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Download QuickSupport' }).click();
    const dialog = s.customerPage.getByRole('dialog', { name: 'QuickSupport desktop app' });
    const download = dialog.getByRole('link', { name: 'Download for Linux' });
    await download.waitFor();
    await expect(dialog.getByLabel('Start command').textContent()).resolves.toBe(
      `node ~/Downloads/lifeline-quicksupport.mjs ${s.case.links.customer}`,
    );
    // Offered for the visitor's own system only: this Chromium says Linux.
    await expect(dialog.getByRole('link', { name: 'Download for Windows' }).count()).resolves.toBe(0);
    await screenshot(s.customerPage, 'helper-0-join-page-download');

    const href = await download.getAttribute('href');
    const res = await fetch(new URL(href ?? '', t.baseUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('lifeline-quicksupport.mjs');
    expect(await res.text()).toMatch(/^#!\/usr\/bin\/env node/);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('sends nothing when the customer, joining by session code, answers "Deny" in the terminal', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    // This customer was given the session code instead of the link.
    const helper = startHelper(s.case.code, '--server', t.baseUrl, '--no-browser');
    await helper.waitFor(/Waiting for your support agent/);
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await helper.waitFor(/Allow Alex Agent from Acme Support to see your screen\?/);
    helper.type('d');
    await helper.waitFor(/You did not allow access/);
    await s.agentPage.getByText('Cleo Customer denied access to their screen.').waitFor();
    expect(
      await s.agentPage.getByLabel("Customer's screen").evaluate((v: HTMLVideoElement) => v.srcObject),
    ).toBe(null);
    await expect(s.agentPage.getByRole('button', { name: 'Request control' }).count()).resolves.toBe(0);
    expect(await helper.children()).not.toContain('ffmpeg');
    expect(helper.output).not.toMatch(/ffmpeg/);

    // Closing the case ends the helper's session at once.
    await s.agent.client.cases.close(s.case.code);
    expect(await helper.exited).toBe(0);
    expect(helper.output).toContain('This support session has ended.');
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('says plainly when a link is not valid or the session has ended, and exits', async () => {
    const { t } = env;
    const wrong = startHelper(`${t.baseUrl}/j/${'A'.repeat(32)}`, '--no-browser');
    expect(await wrong.exited).toBe(3);
    expect(wrong.output).toContain('This invitation link is not valid.');

    const org = await t.newOrg('Acme Support');
    const agent = await t.newAgent(org, 'Alex Agent');
    const closed = await agent.client.cases.create({ name: 'Already solved' });
    await agent.client.cases.close(closed.code);
    const ended = startHelper(closed.links.customer, '--no-browser');
    expect(await ended.exited).toBe(3);
    expect(ended.output).toContain('This support session has ended.');

    const typo = startHelper('https://example.com/support', '--no-browser');
    expect(await typo.exited).toBe(2);
    expect(typo.output).toContain('is neither an invitation link');
    expect(typo.output).not.toMatch(/at .*\.mjs:\d+/);
  });

  it('puts the SOS shortcut of a module on the desktop, the same file the console offers', async () => {
    const { t } = env;
    const org = await t.newOrg('Sos Desk');
    const module = await org.admin.modules.create({ slug: 'sos-desk', title: 'Sos Desk Help' });
    const desktop = path.join(dir, 'Schreibtisch');
    const install = new QuickSupport(['--install-sos', module.links.page], xvfb.display, {
      XDG_DESKTOP_DIR: desktop,
    });
    helpers.push(install);
    expect(await install.exited).toBe(0);
    const file = path.join(desktop, 'Sos-Desk-Help-SOS.desktop');
    expect(install.output).toContain(file);
    const offered = await (await t.fetch('/api/v1/public/modules/sos-desk/sos/linux')).text();
    expect(fs.readFileSync(file, 'utf8')).toBe(offered);
    expect(offered).toContain(`Exec=xdg-open "${t.baseUrl}/qs/sos-desk?sos=1"`);
    expect(fs.statSync(file).mode & 0o111).not.toBe(0);

    await org.admin.modules.update(module.id, { enabled: false });
    const refused = new QuickSupport(['--install-sos', module.links.page], xvfb.display, {
      XDG_DESKTOP_DIR: path.join(dir, 'Other'),
    });
    helpers.push(refused);
    expect(await refused.exited).toBe(1);
    expect(refused.output).toContain('There is no QuickSupport module in use at');
    expect(fs.existsSync(path.join(dir, 'Other'))).toBe(false);
  });
});
