import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newScene, pageErrors, type Scene, screenshot, signIn, useE2e } from './harness.js';

const MB = 1024 * 1024;
const env = useE2e('sqlite', { config: { fileTransferMaxBytes: 256 * MB } });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-files-'));
/** A file of random bytes (whose hash means something). */
function randomFile(name: string, size: number) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, crypto.randomBytes(size));
  return file;
}
/** A large file that costs no disk: sparse, all zeros. */
function sparseFile(name: string, size: number) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, size);
  return file;
}
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Keeps every RTCPeerConnection the page makes in `window.peers`, so the test can read their stats. */
async function watchPeers(page: Page) {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const peers: RTCPeerConnection[] = [];
    Object.assign(window, { peers });
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        peers.push(this);
      }
    };
  });
}

/** Bytes that came in on the page's `files` data channels, as WebRTC counts them (control messages included). */
function filesBytesReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let bytes = 0;
    for (const pc of (window as unknown as { peers: RTCPeerConnection[] }).peers) {
      if (pc.connectionState === 'closed') continue;
      for (const s of (await pc.getStats()).values())
        if (s.type === 'data-channel' && s.label === 'files') bytes += s.bytesReceived ?? 0;
    }
    return bytes;
  });
}

/** The page's screenshot with its files panel in view. */
async function shoot(page: Page, files: Locator, name: string) {
  await files.scrollIntoViewIfNeeded();
  await screenshot(page, name);
}

async function pick(page: Page, button: Locator, file: string) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), button.click()]);
  await chooser.setFiles(file);
}

async function save(page: Page, row: Locator): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: 'Save' }).click(),
  ]);
  return (download as Download).path();
}

const progressOf = (row: Locator) =>
  row.getByRole('progressbar').evaluate((el) => Number(el.getAttribute('aria-valuenow')));

describe('file transfer in a browser session', () => {
  let s: Scene;
  let agentFiles: Locator;
  let customerFiles: Locator;

  beforeAll(async () => {
    s = await newScene(env.t, env.browser, 'remote_control');
    await Promise.all([watchPeers(s.customerPage), watchPeers(s.agentPage)]);
    await signIn(s.agentPage, env.t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    agentFiles = s.agentPage.getByRole('region', { name: 'Files' });
    // Before the customer allowed anything, there is nothing to send a file over.
    await agentFiles
      .getByText('Files can be exchanged once Cleo Customer is here and allowed access.')
      .waitFor();
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    customerFiles = s.customerPage.getByRole('region', { name: 'Files with Alex Agent' });
    // The customer's page opened the files channel once it allowed the agent.
    await agentFiles.getByRole('button', { name: 'Offer a file…' }).waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    expect(pageErrors(s.customerPage)).toEqual([]);
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends a file from the agent: the customer sees name and size, accepts, saves the same bytes', async () => {
    const file = randomFile('router-config.bin', 5 * MB + 123);
    await pick(s.agentPage, agentFiles.getByRole('button', { name: 'Offer a file…' }), file);
    const incoming = customerFiles.getByRole('group', { name: 'Receiving router-config.bin' });
    await incoming.getByText('5 MB').waitFor();
    await incoming.getByText('Alex Agent wants to send you this file').waitFor();
    await shoot(s.customerPage, customerFiles, 'files-customer-offer');
    await incoming.getByRole('button', { name: 'Accept' }).click();
    const saved = await save(s.customerPage, incoming);
    expect(sha256(saved)).toBe(sha256(file));
    expect(fs.statSync(saved).size).toBe(5 * MB + 123);
    await agentFiles
      .getByRole('group', { name: 'Sending router-config.bin' })
      .getByText('Cleo Customer received it')
      .waitFor();
    await shoot(s.customerPage, customerFiles, 'files-customer-received');
    await shoot(s.agentPage, agentFiles, 'files-agent-sent');
  });

  it('a declined file sends nothing', async () => {
    const before = await filesBytesReceived(s.customerPage);
    const file = randomFile('declined.bin', 3 * MB);
    await pick(s.agentPage, agentFiles.getByRole('button', { name: 'Offer a file…' }), file);
    const incoming = customerFiles.getByRole('group', { name: 'Receiving declined.bin' });
    await incoming.getByRole('button', { name: 'Decline' }).click();
    const outgoing = agentFiles.getByRole('group', { name: 'Sending declined.bin' });
    await outgoing.getByText('Cleo Customer declined').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // No byte of the file: the offer and the begin of nothing are a few hundred bytes of JSON at most.
    expect((await filesBytesReceived(s.customerPage)) - before).toBeLessThan(1000);
    expect(await outgoing.getByRole('progressbar').count()).toBe(0);
    await incoming.getByText('You declined').waitFor();
  });

  it('the agent asks for a file, the customer picks one, the agent saves the same bytes', async () => {
    await agentFiles.getByRole('button', { name: 'Ask for a file' }).click();
    await agentFiles.getByText('Waiting for Cleo Customer to choose a file…').waitFor();
    const ask = customerFiles.getByRole('alert').filter({ hasText: 'Alex Agent asks you for a file' });
    await ask.waitFor();
    await shoot(s.customerPage, customerFiles, 'files-customer-asked');
    const file = randomFile('screenshot-of-error.png', 2 * MB + 7);
    await pick(s.customerPage, ask.getByRole('button', { name: 'Choose a file…' }), file);
    const incoming = agentFiles.getByRole('group', { name: 'Receiving screenshot-of-error.png' });
    const saved = await save(s.agentPage, incoming);
    expect(sha256(saved)).toBe(sha256(file));
    await customerFiles
      .getByRole('group', { name: 'Sending screenshot-of-error.png' })
      .getByText('Alex Agent received it')
      .waitFor();
    await shoot(s.agentPage, agentFiles, 'files-agent-received');
  });

  it('the customer may refuse a request', async () => {
    await agentFiles.getByRole('button', { name: 'Ask for a file' }).click();
    await customerFiles.getByRole('button', { name: "Don't send" }).click();
    await agentFiles.getByText('Cleo Customer did not send a file.').waitFor();
  });

  for (const side of ['agent', 'customer'] as const) {
    it(`cancel mid-transfer by the ${side} stops both sides`, async () => {
      const name = `big-by-${side}.bin`;
      await pick(
        s.agentPage,
        agentFiles.getByRole('button', { name: 'Offer a file…' }),
        sparseFile(name, 250 * MB),
      );
      const incoming = customerFiles.getByRole('group', { name: `Receiving ${name}` });
      const outgoing = agentFiles.getByRole('group', { name: `Sending ${name}` });
      await incoming.getByRole('button', { name: 'Accept' }).click();
      await expect.poll(() => progressOf(incoming), { interval: 50 }).toBeGreaterThan(0);
      const canceller = side === 'agent' ? outgoing : incoming;
      await canceller.getByRole('button', { name: 'Cancel' }).click();
      await outgoing.getByText(side === 'agent' ? 'You cancelled' : 'Cleo Customer cancelled').waitFor();
      await incoming.getByText(side === 'agent' ? 'Alex Agent cancelled' : 'You cancelled').waitFor();
      expect(await progressOf(incoming)).toBeLessThan(100);
      await shoot(
        side === 'agent' ? s.customerPage : s.agentPage,
        side === 'agent' ? incoming : outgoing,
        `files-cancelled-by-${side}`,
      );
      // Nothing more arrives once both have stopped (what was in flight has landed by then).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const settled = await filesBytesReceived(s.customerPage);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await filesBytesReceived(s.customerPage)).toBe(settled);
      expect(await incoming.getByRole('link', { name: 'Save' }).count()).toBe(0);
    });
  }

  it('refuses a file over the limit with a clear message before sending anything', async () => {
    const huge = sparseFile('disk-image.iso', 300 * MB);
    const before = await filesBytesReceived(s.customerPage);
    await pick(s.agentPage, agentFiles.getByRole('button', { name: 'Offer a file…' }), huge);
    await agentFiles
      .getByRole('alert')
      .getByText('“disk-image.iso” is 300 MB: files up to 256 MB can be sent.')
      .waitFor();
    await shoot(s.agentPage, agentFiles, 'files-agent-too-large');
    expect(await agentFiles.getByRole('group', { name: 'Sending disk-image.iso' }).count()).toBe(0);
    expect(await customerFiles.getByText('disk-image.iso').count()).toBe(0);
    expect(await filesBytesReceived(s.customerPage)).toBe(before);

    // The customer's side keeps the same limit.
    await pick(s.customerPage, customerFiles.getByRole('button', { name: 'Offer a file…' }), huge);
    await customerFiles
      .getByRole('alert')
      .getByText('“disk-image.iso” is 300 MB: files up to 256 MB can be sent.')
      .waitFor();
    await shoot(s.customerPage, customerFiles, 'files-customer-too-large');
    expect(await agentFiles.getByRole('group', { name: 'Receiving disk-image.iso' }).count()).toBe(0);
    expect(await customerFiles.getByRole('group', { name: 'Sending disk-image.iso' }).count()).toBe(0);
  });

  it("once closed, the case's outcome lists the files as the agent's page reported them, and the audit trail tells each", async () => {
    const code = s.case.code;
    // Settled transfers reach the audit trail from the agent's page as they settle.
    await expect
      .poll(
        async () =>
          (await s.agent.client.cases.events(code, { limit: 200 })).items.filter(
            (e) => e.type === 'file.transferred',
          ).length,
        { timeout: 10_000 },
      )
      .toBe(5);
    await s.agent.client.cases.close(code, { note: 'Router configured.' });
    await s.agentPage.goto(`${env.t.baseUrl}/cases/${code}`);
    const outcome = s.agentPage.getByRole('region', { name: 'Outcome' });
    const transfers = outcome.getByRole('table', { name: 'Transfers' });
    await transfers.waitFor();
    const rows = await transfers
      .getByRole('row')
      .evaluateAll((trs) =>
        trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)),
      );
    expect(rows).toEqual([
      ['Alex Agent', 'router-config.bin to the customer', '5 MB', 'Delivered'],
      ['Alex Agent', 'declined.bin to the customer', '3 MB', 'Declined'],
      ['Alex Agent', 'screenshot-of-error.png from the customer', '2 MB', 'Delivered'],
      ['Alex Agent', 'big-by-agent.bin to the customer', '250 MB', 'Cancelled by the agent'],
      ['Alex Agent', 'big-by-customer.bin to the customer', '250 MB', 'Cancelled by the customer'],
    ]);
    await outcome.scrollIntoViewIfNeeded();
    await screenshot(s.agentPage, 'files-case-outcome');

    const trail = s.agentPage.getByRole('region', { name: 'Audit trail' });
    await trail.getByText('Alex Agent (agent) sent router-config.bin (5 MB) to the customer').waitFor();
    await trail.getByText('The customer declined declined.bin (3 MB) from Alex Agent (agent)').waitFor();
    await trail
      .getByText('Alex Agent (agent) received screenshot-of-error.png (2 MB) from the customer')
      .waitFor();
    await trail
      .getByText('The customer cancelled big-by-customer.bin (250 MB) from Alex Agent (agent)')
      .waitFor();
    await trail.scrollIntoViewIfNeeded();
    await screenshot(s.agentPage, 'files-case-audit-trail');
  });
});
