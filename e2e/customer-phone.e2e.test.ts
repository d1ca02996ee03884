import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newScene, pageErrors, paintedPixels, screenshot, signIn, useE2e, videoPlaying } from './harness.js';

const env = useE2e();

/** Android Chrome's "desktop site" mode: it says Linux X11, yet no desktop helper can run there. */
const ANDROID_DESKTOP_MODE_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** Counts the ring's tones and vibrations: the page's own calls, as a phone would play and buzz them. */
const RING_PROBE = `
  window.__ring = { tones: 0, vibrations: [] };
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__ring.tones += 1;
    return start.apply(this, args);
  };
  navigator.vibrate = (pattern) => {
    window.__ring.vibrations.push(pattern);
    return true;
  };
`;
type Ring = { tones: number; vibrations: unknown[] };
const ringOf = (page: Page) => page.evaluate(() => (window as unknown as { __ring: Ring }).__ring);

/** Keeps the page's camera and microphone streams where the test can look at their tracks. */
const STREAM_PROBE = `
  window.__streams = [];
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (...args) {
    const stream = await getUserMedia.apply(this, args);
    window.__streams.push(stream);
    return stream;
  };
`;
const micEnabled = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) =>
      s.getAudioTracks().map((t) => t.enabled),
    ),
  );

/** The frozen picture a page shows: a hash of its data URL, and of its decoded pixels, with its size. */
async function frozenPicture(page: Page) {
  const img = page.getByRole('img', { name: 'Frozen frame' });
  await img.waitFor();
  const shown = await img.evaluate(async (el: HTMLImageElement) => {
    await el.decode();
    const c = document.createElement('canvas');
    [c.width, c.height] = [el.naturalWidth, el.naturalHeight];
    const ctx = c.getContext('2d');
    ctx?.drawImage(el, 0, 0);
    const pixels = ctx?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    return { src: el.src, pixels: Array.from(pixels), width: c.width, height: c.height };
  });
  const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
  return {
    src: sha(shown.src),
    pixels: sha(Uint8Array.from(shown.pixels)),
    size: `${shown.width}x${shown.height}`,
    distinct: new Set(shown.pixels).size,
  };
}

/** A phone in an AR session with the agent, the call accepted and the picture at the agent. */
async function arCall(options: { customerInitScripts?: string[] } = {}) {
  const { t, browser } = env;
  const s = await newScene(t, browser, 'ar', { customerPhone: { shareScreen: false }, ...options });
  await s.customerPage.goto(s.case.links.customer);
  await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
  await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
  await s.customerPage.getByRole('button', { name: 'Accept' }).click();
  await s.customerPage.getByRole('status', { name: 'Session active' }).waitFor();
  await expect.poll(() => videoPlaying(s.agentPage, "Customer's camera"), { timeout: 15_000 }).toBe(true);
  await expect.poll(() => videoPlaying(s.customerPage, 'Your shared camera'), { timeout: 15_000 }).toBe(true);
  return s;
}

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

  it('rings like an incoming call when the agent joins an AR session, and "Accept" allows the camera', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'ar', {
      customerPhone: { shareScreen: false },
      customerInitScripts: [RING_PROBE],
    });
    const customer = s.customerPage;
    await customer.goto(s.case.links.customer);
    await customer.getByRole('button', { name: 'Join in browser' }).click();
    await customer.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    const title = await customer.title();
    // Waiting is quiet.
    expect(await ringOf(customer)).toEqual({ tones: 0, vibrations: [] });

    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await customer.getByRole('heading', { name: 'Alex Agent from Acme Support is calling' }).waitFor();
    // It rings: a tone, a buzz, and a flashing tab title, again and again.
    await expect.poll(async () => (await ringOf(customer)).tones).toBeGreaterThanOrEqual(2);
    expect((await ringOf(customer)).vibrations[0]).toEqual([400, 200, 400]);
    await expect.poll(() => customer.title(), { timeout: 3_000 }).toBe('📞 Alex Agent is calling');
    await expect.poll(() => customer.title(), { timeout: 3_000 }).toBe(title);
    await expect
      .poll(async () => (await ringOf(customer)).tones, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(4);
    await screenshot(customer, 'customer-call-screen');

    await customer.getByRole('button', { name: 'Accept' }).click();
    await customer.getByRole('status', { name: 'Session active' }).waitFor();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's camera"), { timeout: 15_000 }).toBe(true);
    // Answered: the ringing stops, the buzz is cancelled and the title is the page's own again.
    const rang = await ringOf(customer);
    expect(rang.vibrations.at(-1)).toBe(0);
    expect(await customer.title()).toBe(title);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect((await ringOf(customer)).tones).toBe(rang.tones);
    expect(await customer.title()).toBe(title);
    const events = (await s.agent.client.cases.events(s.case.code, { limit: 50 })).items.map((e) => e.type);
    expect(events).toContain('consent.allowed');

    expect(pageErrors(customer)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('"Decline" on the call screen denies the agent, who is told, and stops the ringing', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'ar', {
      customerPhone: { shareScreen: false },
      customerInitScripts: [RING_PROBE],
    });
    const customer = s.customerPage;
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await customer.goto(s.case.links.customer);
    await customer.getByRole('button', { name: 'Join in browser' }).click();
    await customer.getByRole('button', { name: 'Decline' }).click();
    await customer.getByRole('heading', { name: 'You did not allow access' }).waitFor();
    await s.agentPage.getByText('Cleo Customer denied access to their camera.').waitFor();
    const rang = await ringOf(customer);
    expect(rang.tones).toBeGreaterThan(0);
    expect(rang.vibrations.at(-1)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect((await ringOf(customer)).tones).toBe(rang.tones);
    const events = (await s.agent.client.cases.events(s.case.code, { limit: 50 })).items.map((e) => e.type);
    expect(events).toContain('consent.denied');
    expect(events).not.toContain('consent.allowed');
    expect(pageErrors(customer)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('fills the screen with the camera picture, with chat floating over it, and mutes the microphone', async () => {
    const s = await arCall({ customerInitScripts: [STREAM_PROBE] });
    const customer = s.customerPage;
    const viewport = customer.viewportSize();
    if (!viewport) throw new Error('no viewport');
    const stage = customer.getByTestId('media-stage');
    const chat = customer.getByRole('region', { name: 'Chat' });
    await chat.waitFor();
    // The picture is as big as the screen allows (edge to edge), and the page does not scroll.
    const withChat = await stage.boundingBox();
    if (!withChat) throw new Error('no picture');
    expect(withChat.width).toBeGreaterThanOrEqual(viewport.width - 1);
    expect(await customer.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(
      true,
    );
    // The chat floats over the picture's area: it takes no room from the picture.
    const chatBox = await chat.boundingBox();
    expect(chatBox && chatBox.y + chatBox.height).toBeLessThanOrEqual(viewport.height);
    await screenshot(customer, 'customer-phone-ar-chat-open');

    await customer.getByRole('button', { name: 'Hide chat' }).click();
    await chat.waitFor({ state: 'detached' });
    expect(await stage.boundingBox()).toEqual(withChat);
    // A message while the chat is put away is announced on the button.
    await s.agentPage.getByRole('textbox', { name: 'Message' }).fill('Point it at the router, please.');
    await s.agentPage.getByRole('button', { name: 'Send' }).click();
    await customer.getByRole('button', { name: 'Show chat (1 new)' }).waitFor();
    await screenshot(customer, 'customer-phone-ar-full-screen');
    await customer.getByRole('button', { name: 'Show chat (1 new)' }).click();
    await chat.getByText('Point it at the router, please.').waitFor();
    await customer.getByRole('button', { name: 'Hide chat' }).waitFor();

    // The microphone: muted, its track sends nothing; unmuted, it sends again.
    expect(await micEnabled(customer)).toEqual([true]);
    await customer.getByRole('button', { name: 'Mute' }).click();
    await customer.getByRole('button', { name: 'Unmute' }).waitFor();
    expect(await micEnabled(customer)).toEqual([false]);
    await screenshot(customer, 'customer-phone-ar-muted');
    await customer.getByRole('button', { name: 'Unmute' }).click();
    await customer.getByRole('button', { name: 'Mute' }).waitFor();
    expect(await micEnabled(customer)).toEqual([true]);

    expect(pageErrors(customer)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('keeps files put away over the camera picture, and says on the button when the agent sends one', async () => {
    const s = await arCall();
    const customer = s.customerPage;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-phone-files-'));
    const file = path.join(dir, 'wifi-settings.pdf');
    fs.writeFileSync(file, randomBytes(300 * 1024));
    const agentFiles = s.agentPage.getByRole('region', { name: 'Files' });
    const offer = agentFiles.getByRole('button', { name: 'Offer a file…' });
    await offer.waitFor({ timeout: 15_000 });
    expect(await customer.getByRole('region', { name: 'Files with Alex Agent' }).count()).toBe(0);

    const [chooser] = await Promise.all([s.agentPage.waitForEvent('filechooser'), offer.click()]);
    await chooser.setFiles(file);
    await customer.getByRole('button', { name: 'Files (1 waiting)' }).click();
    const incoming = customer
      .getByRole('region', { name: 'Files with Alex Agent' })
      .getByRole('group', { name: 'Receiving wifi-settings.pdf' });
    await incoming.getByText('Alex Agent wants to send you this file').waitFor();
    await screenshot(customer, 'customer-phone-ar-files');
    await incoming.getByRole('button', { name: 'Accept' }).click();
    const [download] = await Promise.all([
      customer.waitForEvent('download'),
      incoming.getByRole('link', { name: 'Save' }).click(),
    ]);
    const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    expect(sha(await download.path())).toBe(sha(file));
    await customer.getByRole('button', { name: 'Hide files' }).click();
    await customer.getByRole('button', { name: 'Files', exact: true }).waitFor();

    expect(pageErrors(customer)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('freezes one frame and shows that exact picture on both sides, where the marks land', async () => {
    const s = await arCall();
    const { agentPage, customerPage } = s;
    await agentPage.getByRole('button', { name: 'Freeze frame' }).click();
    await customerPage.getByText('Your agent froze the picture to draw on it').waitFor();
    await agentPage.getByRole('button', { name: 'Unfreeze' }).waitFor();
    const atAgent = await frozenPicture(agentPage);
    const atCustomer = await frozenPicture(customerPage);
    // The same picture, byte for byte and pixel for pixel, and a real camera frame (not a blank).
    expect(atCustomer).toEqual(atAgent);
    // As big as the agent receives the camera (WebRTC may send it smaller at first), in its 4:3 proportions.
    const [width = 0, height = 0] = atAgent.size.split('x').map(Number);
    expect(width).toBeGreaterThanOrEqual(320);
    expect(width / height).toBeCloseTo(4 / 3, 2);
    expect(atAgent.distinct).toBeGreaterThan(10);
    // The live camera moves on underneath; the frozen picture does not.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await frozenPicture(customerPage)).toEqual(atAgent);
    // The frozen picture has exactly the box the marks are fractions of, on both sides.
    for (const page of [agentPage, customerPage]) {
      const [img, layer] = await Promise.all([
        page.getByRole('img', { name: 'Frozen frame' }).boundingBox(),
        page.getByTestId('annotation-layer').boundingBox(),
      ]);
      expect(img).toEqual(layer);
    }

    // The agent draws on the frozen picture; the customer sees the mark on the same picture.
    await agentPage.getByText('Arrow', { exact: true }).click();
    const box = await agentPage.getByTestId('annotation-layer').boundingBox();
    if (!box) throw new Error('no drawing surface');
    await agentPage.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await agentPage.mouse.down();
    await agentPage.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
    await agentPage.mouse.up();
    await expect.poll(() => paintedPixels(customerPage)).toBeGreaterThan(100);
    await screenshot(agentPage, 'freeze-frame-agent');
    await screenshot(customerPage, 'freeze-frame-customer');

    await agentPage.getByRole('button', { name: 'Unfreeze' }).click();
    await customerPage.getByRole('img', { name: 'Frozen frame' }).waitFor({ state: 'detached' });
    expect(await agentPage.getByRole('img', { name: 'Frozen frame' }).count()).toBe(0);
    expect(await customerPage.getByText('Your agent froze the picture to draw on it').count()).toBe(0);
    expect(await videoPlaying(customerPage, 'Your shared camera')).toBe(true);

    expect(pageErrors(customerPage)).toEqual([]);
    expect(pageErrors(agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});
