import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeQuicksupportTrailer } from '@lifeline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOWS_EXE } from '../apps/helper/scripts/build-windows.js';
import { startWine, type Wine } from '../apps/helper/test/wine.js';
import { startXvfb } from '../apps/helper/test/xvfb.js';
import { newScene, pageErrors, screenshot, signIn, useE2e, videoPixels, videoPlaying } from './harness.js';
import { offerFile, pointAt, saveAtAgent, sha256, takeControl } from './quicksupport.js';

/** A Windows 10 Chrome, as a Windows customer's browser announces itself. */
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const env = useE2e();
let xvfb: Awaited<ReturnType<typeof startXvfb>>;
let wine: Wine;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-windows-e2e-'));

beforeAll(async () => {
  if (!fs.existsSync(WINDOWS_EXE)) throw new Error(`${WINDOWS_EXE} is missing: run \`npm run build\` first.`);
  xvfb = await startXvfb();
  wine = await startWine(xvfb.display);
  // The Wine desktop with a command prompt on it: the program the agent clicks into and types in.
  wine.start('explorer', ['/desktop=Default,1024x768', 'wineconsole', 'cmd']);
}, 120_000);
afterAll(async () => {
  await wine?.stop();
  xvfb?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** QuickSupport for Windows under Wine; its messages come from its log file (a pipe breaks Node's stdout under Wine). */
function quickSupport(program: string, ...args: string[]) {
  const log = path.join(dir, `quicksupport-${Math.random().toString(36).slice(2)}.log`);
  // The consent page is opened by the test instead of the default browser.
  const child = wine.start(program, [...args, '--open-with', 'hostname.exe', '--log', wine.winPath(log)]);
  const output = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  return {
    exited: child.exited,
    output,
    async waitFor(pattern: RegExp, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(output());
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`QuickSupport never wrote ${pattern}; its log:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

const capturing = () => wine.processes().filter((p) => /ffmpeg\.exe/i.test(p));

describe('QuickSupport for Windows, under Wine', () => {
  it('is downloaded with the session inside, asks first, and lets the agent drive the Windows desktop', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control', { customerUserAgent: WINDOWS_CHROME });
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Download QuickSupport' }).click();
    const dialog = s.customerPage.getByRole('dialog', { name: 'QuickSupport desktop app' });
    await expect(dialog.getByRole('link', { name: 'Download for Linux' }).count()).resolves.toBe(0);
    await screenshot(s.customerPage, 'windows-0-join-page-download');
    const [download] = await Promise.all([
      s.customerPage.waitForEvent('download'),
      dialog.getByRole('link', { name: 'Download for Windows' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('LifelineQuickSupport.exe');
    const program = path.join(dir, 'Downloads', 'LifelineQuickSupport.exe');
    await download.saveAs(program);
    const saved = fs.readFileSync(program);
    expect(saved.subarray(0, 2).toString()).toBe('MZ');
    expect(decodeQuicksupportTrailer(saved.subarray(-4096))).toEqual({
      server: `${t.baseUrl}/`,
      link: s.case.links.customer,
    });

    // A double-click: no argument at all.
    const helper = quickSupport(program);
    const [, consentUrl] = await helper.waitFor(/Consent page: (\S+)/);
    const consent = s.customerPage;
    await consent.goto(consentUrl as string);
    await consent
      .getByRole('status')
      .getByText('Waiting for your support agent…', { exact: false })
      .waitFor();
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await consent
      .getByRole('heading', { name: 'Allow Alex Agent from Acme Support to see your screen?' })
      .waitFor();
    expect(capturing()).toEqual([]);

    await consent.getByRole('button', { name: 'Allow' }).click();
    const video = "Customer's screen";
    await expect.poll(() => videoPlaying(s.agentPage, video), { timeout: 30_000 }).toBe(true);
    const picture = s.agentPage.getByLabel(video, { exact: true });
    expect(await picture.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(1024);
    // The Wine desktop is painted there: its blue background beside the black command prompt.
    const pixelAt = async (fx: number, fy: number) =>
      (
        await videoPixels(picture, { x: Math.floor(fx * 1024), y: Math.floor(fy * 768), width: 1, height: 1 })
      ).slice(0, 3);
    await expect
      .poll(
        async () => {
          const [r = 0, , b = 0] = await pixelAt(0.9, 0.9);
          return b - r;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(60);
    expect(Math.max(...(await pixelAt(0.3, 0.3)))).toBeLessThan(50);

    await takeControl(s.agentPage, consent);
    await s.agentPage.getByText('Ctrl+Alt+Del cannot be sent to Windows', { exact: false }).waitFor();

    // SetCursorPos moves the X pointer too: the same spot, seen from the X side.
    const surface = await pointAt(s.agentPage, xvfb.display, { x: 0.3, y: 0.3 });
    // A click into the command prompt, then a command typed key by key and through the text field.
    await s.agentPage.mouse.down();
    await s.agentPage.mouse.up();
    // White text on the prompt's black: the agent will see it grow with what is typed and answered.
    const textPixels = async () => {
      const data = await videoPixels(picture, { x: 0, y: 20, width: 480, height: 120 });
      let bright = 0;
      for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) > 150) bright++;
      return bright;
    };
    const textBefore = await textPixels();
    const typed = path.join(dir, 'typed.txt');
    await s.agentPage.keyboard.type('echo Hello, Wine!');
    await s.agentPage.getByLabel("Type on the customer's computer").fill(`> ${wine.winPath(typed)}`);
    await s.agentPage.getByRole('button', { name: 'Send text' }).click();
    await surface.focus();
    await s.agentPage.keyboard.press('Enter');
    await expect
      .poll(() => (fs.existsSync(typed) ? fs.readFileSync(typed, 'latin1') : ''), { timeout: 20_000 })
      .toMatch(/^Hello, Wine! ?\r\n$/);
    // The command and cmd's answer on the second line, in the agent's picture.
    await expect.poll(textPixels, { timeout: 20_000 }).toBeGreaterThan(textBefore + 400);
    await screenshot(s.agentPage, 'windows-1-agent-in-control');

    await consent.getByRole('button', { name: 'End session' }).click();
    expect(await helper.exited).toBe(0);
    await expect.poll(capturing, { timeout: 10_000 }).toEqual([]);
    await s.agentPage.getByText('Waiting for Cleo Customer to join…').waitFor();
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
    // A 160 MB download and a first start under Wine on a shared machine take their time.
  }, 180_000);

  it('starts no capture when the customer, given the link as first argument, answers "Deny"', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    const helper = quickSupport(WINDOWS_EXE, s.case.links.customer);
    const [, consentUrl] = await helper.waitFor(/Consent page: (\S+)/);
    await s.customerPage.goto(consentUrl as string);
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.getByRole('button', { name: 'Deny' }).click();
    await s.agentPage.getByText('Cleo Customer denied access to their screen.').waitFor();
    expect(capturing()).toEqual([]);
    expect(helper.output()).not.toMatch(/ffmpeg/);

    await s.agent.client.cases.close(s.case.code);
    expect(await helper.exited).toBe(0);
    expect(helper.output()).toContain('This support session has ended.');
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('exchanges files both ways and fills and reads the Windows clipboard for the agent', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    const downloads = path.join(dir, 'Downloads');
    const helper = quickSupport(WINDOWS_EXE, s.case.links.customer, '--downloads', wine.winPath(downloads));
    const [, consentUrl] = await helper.waitFor(/Consent page: (\S+)/);
    const consent = s.customerPage;
    await consent.goto(consentUrl as string);
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await consent.getByRole('button', { name: 'Allow' }).click();
    const agentFiles = s.agentPage.getByRole('region', { name: 'Files' });
    await agentFiles.getByRole('button', { name: 'Offer a file…' }).waitFor({ timeout: 60_000 });

    // A file from the agent, saved in the Downloads folder given.
    const sent = path.join(dir, 'driver-setup.bin');
    fs.writeFileSync(sent, crypto.randomBytes(700_000));
    await offerFile(s.agentPage, sent);
    const incoming = consent.getByRole('group', { name: 'Receiving driver-setup.bin' });
    await incoming.getByRole('button', { name: 'Save to Downloads' }).click();
    await incoming.getByText('Saved as', { exact: false }).waitFor({ timeout: 60_000 });
    expect(sha256(path.join(downloads, 'driver-setup.bin'))).toBe(sha256(sent));

    // A file the agent asks for, named by its Windows path.
    const asked = path.join(dir, 'event-log.txt');
    fs.writeFileSync(asked, crypto.randomBytes(300_000));
    await agentFiles.getByRole('button', { name: 'Ask for a file' }).click();
    await consent.getByLabel('File for Alex Agent').fill(wine.winPath(asked));
    await consent.getByRole('button', { name: 'Send file' }).click();
    expect(sha256(await saveAtAgent(s.agentPage, 'event-log.txt'))).toBe(sha256(asked));

    // The clipboard, once control is granted: pasted through user32, then read back through it.
    await takeControl(s.agentPage, consent);
    await s.agentPage.getByLabel("Text for the customer's clipboard").fill('net use Z: \\\\server\\share ✓');
    await s.agentPage.getByRole('button', { name: "Paste to customer's clipboard" }).click();
    await s.agentPage.getByText("Pasted into Cleo Customer's clipboard.").waitFor({ timeout: 20_000 });
    await s.agentPage.getByRole('button', { name: "Read customer's clipboard" }).click();
    await expect
      .poll(() => s.agentPage.getByLabel("Read from the customer's clipboard").inputValue(), {
        timeout: 20_000,
      })
      .toBe('net use Z: \\\\server\\share ✓');
    await consent.getByRole('log').getByText('Alex Agent read your clipboard (27 characters).').waitFor();

    await consent.getByRole('button', { name: 'End session' }).click();
    expect(await helper.exited).toBe(0);
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  }, 180_000);

  it('says plainly that an ended session has ended, and exits', async () => {
    const { t } = env;
    const org = await t.newOrg('Acme Support');
    const agent = await t.newAgent(org, 'Alex Agent');
    const closed = await agent.client.cases.create({ name: 'Already solved' });
    await agent.client.cases.close(closed.code);
    const helper = quickSupport(WINDOWS_EXE, closed.links.customer);
    expect(await helper.exited).toBe(3);
    expect(helper.output()).toContain('This support session has ended.');
    expect(helper.output()).not.toMatch(/\bat .*:\d+:\d+/);
  });
});
