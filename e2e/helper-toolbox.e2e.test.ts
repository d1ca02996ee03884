import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelper } from '../apps/helper/scripts/build.js';
import { startXvfb, x } from '../apps/helper/test/xvfb.js';
import { newScene, pageErrors, type Scene, screenshot, signIn, useE2e } from './harness.js';
import { offerFile, QuickSupport, saveAtAgent, sha256, takeControl } from './quicksupport.js';

const env = useE2e();
let xvfb: Awaited<ReturnType<typeof startXvfb>>;
let helper: QuickSupport;
let s: Scene;
/** The consent page of the helper, where the person at the computer answers. */
let local: Page;
let agentFiles: Locator;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-toolbox-e2e-'));
const downloads = path.join(dir, 'Downloads');

function randomFile(name: string, size: number, folder = dir) {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  fs.writeFileSync(file, crypto.randomBytes(size));
  return file;
}
/** The agent page's data channels by label, kept in `window.channels` for the test to write raw messages on. */
async function watchChannels(page: Page) {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const channels: Record<string, RTCDataChannel> = {};
    Object.assign(window, { channels });
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        this.addEventListener('datachannel', (e) => {
          channels[e.channel.label] = e.channel;
        });
      }
    };
  });
}

/** Sends a clipboard read on the control channel as a hand-made page would, and answers the helper's reply. */
function rawClipboardRead(page: Page) {
  return page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const c = (window as unknown as { channels: Record<string, RTCDataChannel> }).channels.control;
        if (!c) throw new Error('no control channel');
        const id = `raw-${Math.random()}`;
        const onMessage = (e: MessageEvent) => {
          const m = JSON.parse(e.data);
          if (m.id !== id) return;
          c.removeEventListener('message', onMessage);
          resolve(m);
        };
        c.addEventListener('message', onMessage);
        c.send(JSON.stringify({ type: 'clipboard-read', id }));
      }),
  );
}

/** Sets the X clipboard as another program would: xclip keeps serving it after this returns. */
function setXClipboard(text: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('xclip', ['-selection', 'clipboard', '-i'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdin.end(text);
  });
}

beforeAll(async () => {
  await buildHelper();
  xvfb = await startXvfb();
  const { t, browser } = env;
  s = await newScene(t, browser, 'remote_control');
  await watchChannels(s.agentPage);
  helper = new QuickSupport(
    [s.case.links.customer, '--open-with', 'true', '--downloads', downloads],
    xvfb.display,
  );
  const [, consentUrl] = await helper.waitFor(/Consent page: (\S+)/);
  local = s.customerPage;
  await local.goto(consentUrl as string);
  await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
  await local.getByRole('button', { name: 'Allow' }).click();
  await local.getByRole('status', { name: 'Session active' }).waitFor();
  agentFiles = s.agentPage.getByRole('region', { name: 'Files' });
  // QuickSupport opened the files channel with the picture, once the person allowed the agent.
  await agentFiles.getByRole('button', { name: 'Offer a file…' }).waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  expect(pageErrors(s.agentPage)).toEqual([]);
  helper?.stop();
  await Promise.all(s?.contexts.map((c) => c.close()) ?? []);
  xvfb?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('files and the clipboard with QuickSupport on an X display', () => {
  it('saves a file from the agent in Downloads once the person accepts it, never over another', async () => {
    const file = randomFile('router-config.bin', 3 * 1024 * 1024 + 17);
    await offerFile(s.agentPage, file);
    const row = local.getByRole('group', { name: 'Receiving router-config.bin' });
    await row.getByText('Alex Agent wants to send you this file').waitFor();
    await row.getByText('3 MB').waitFor();
    await screenshot(local, 'toolbox-1-helper-offer');
    expect(fs.existsSync(downloads) ? fs.readdirSync(downloads) : []).toEqual([]);
    await row.getByRole('button', { name: 'Save to Downloads' }).click();
    const saved = path.join(downloads, 'router-config.bin');
    await row.getByText(`Saved as ${saved}`).waitFor({ timeout: 30_000 });
    expect(sha256(saved)).toBe(sha256(file));
    await agentFiles
      .getByRole('group', { name: 'Sending router-config.bin' })
      .getByText('Cleo Customer received it')
      .waitFor();
    await local
      .getByRole('log')
      .getByText(`Alex Agent sent you router-config.bin: saved as ${saved}.`)
      .waitFor();

    // The same name again: saved beside the first, which stays as it was.
    const again = randomFile('router-config.bin', 1000, path.join(dir, 'elsewhere'));
    await offerFile(s.agentPage, again);
    const second = local.getByRole('group', { name: 'Receiving router-config.bin' }).nth(1);
    await second.getByRole('button', { name: 'Save to Downloads' }).click();
    const beside = path.join(downloads, 'router-config (1).bin');
    await second.getByText(`Saved as ${beside}`).waitFor({ timeout: 30_000 });
    expect(sha256(beside)).toBe(sha256(again));
    expect(sha256(saved)).toBe(sha256(file));
    await screenshot(local, 'toolbox-2-helper-saved');
  });

  it('writes nothing for a declined file', async () => {
    const file = randomFile('declined.bin', 200_000);
    await offerFile(s.agentPage, file);
    const row = local.getByRole('group', { name: 'Receiving declined.bin' });
    await row.getByRole('button', { name: 'Decline' }).click();
    await agentFiles
      .getByRole('group', { name: 'Sending declined.bin' })
      .getByText('Cleo Customer declined')
      .waitFor();
    await row.getByText('You declined').waitFor();
    expect(fs.readdirSync(downloads).sort()).toEqual(['router-config (1).bin', 'router-config.bin']);
  });

  it('sends the file the person names when the agent asks for one', async () => {
    const file = randomFile('system-report.log', 2 * 1024 * 1024 + 5);
    await agentFiles.getByRole('button', { name: 'Ask for a file' }).click();
    await local.getByRole('alert').getByText('Alex Agent asks you for a file.').waitFor();
    await screenshot(local, 'toolbox-3-helper-request');
    await local.getByLabel('File for Alex Agent').fill(file);
    await local.getByRole('button', { name: 'Send file' }).click();
    // The agent asked: the answer comes in without a second question.
    expect(sha256(await saveAtAgent(s.agentPage, 'system-report.log'))).toBe(sha256(file));
    await local
      .getByRole('group', { name: 'Sending system-report.log' })
      .getByText('Alex Agent received it')
      .waitFor();

    // A second request, answered with "Don't send": the agent hears so.
    await agentFiles.getByRole('button', { name: 'Ask for a file' }).click();
    await local.getByRole('button', { name: "Don't send" }).click();
    await agentFiles.getByText('Cleo Customer did not send a file.').waitFor();
  });

  it('pastes into and reads the clipboard with one click each, only while control is granted', async () => {
    const paste = s.agentPage.getByRole('button', { name: "Paste to customer's clipboard" });
    const read = s.agentPage.getByRole('button', { name: "Read customer's clipboard" });
    // Without control: no buttons, and a hand-made request is refused by QuickSupport itself.
    await expect(paste.count()).resolves.toBe(0);
    await expect(read.count()).resolves.toBe(0);
    expect(await rawClipboardRead(s.agentPage)).toMatchObject({
      type: 'clipboard-refused',
      reason: 'not-granted',
    });

    await takeControl(s.agentPage, local);
    await s.agentPage.getByLabel("Text for the customer's clipboard").fill('ping -c 3 10.0.0.1 ✓');
    await paste.click();
    await s.agentPage
      .getByRole('status', { name: 'Clipboard' })
      .getByText("Pasted into Cleo Customer's clipboard.")
      .waitFor();
    await expect
      .poll(() => x(xvfb.display, 'xclip', '-selection', 'clipboard', '-o'))
      .toBe('ping -c 3 10.0.0.1 ✓');
    await local
      .getByRole('log')
      .getByText('Alex Agent put text in your clipboard (20 characters).')
      .waitFor();

    await setXClipboard('C:\\Users\\cleo\\error.txt: access denied');
    await read.click();
    await expect
      .poll(() => s.agentPage.getByLabel("Read from the customer's clipboard").inputValue())
      .toBe('C:\\Users\\cleo\\error.txt: access denied');
    await local.getByRole('log').getByText('Alex Agent read your clipboard (38 characters).').waitFor();
    // The agent's page reported both to the audit trail, by their length only.
    await expect
      .poll(async () =>
        (await s.agent.client.cases.events(s.case.code, { limit: 200 })).items
          .filter((e) => e.type.startsWith('clipboard.'))
          .map((e) => [e.type, e.data]),
      )
      .toEqual([
        ['clipboard.pasted', { role: 'agent', direction: 'to_customer', characters: 20 }],
        ['clipboard.read', { role: 'agent', direction: 'from_customer', characters: 38 }],
      ]);
    await s.agentPage.getByRole('region', { name: 'Clipboard' }).scrollIntoViewIfNeeded();
    await screenshot(s.agentPage, 'toolbox-4-agent-clipboard');
    await screenshot(local, 'toolbox-5-helper-notices');

    // The person takes control back: the buttons go, and QuickSupport refuses again.
    await local.getByRole('button', { name: 'Take back control' }).click();
    await s.agentPage.getByRole('button', { name: 'Request control' }).waitFor();
    await expect(read.count()).resolves.toBe(0);
    expect(await rawClipboardRead(s.agentPage)).toMatchObject({ reason: 'not-granted' });
  });
});
