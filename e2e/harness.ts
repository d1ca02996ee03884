import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Case, CaseType } from '@lifeline/contracts';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../apps/server/src/config/config.js';
import {
  createTestDatabase,
  type DatabaseKind,
  PASSWORD,
  type TestOrg,
  TestServer,
  type TestUser,
  testConfig,
} from '../apps/server/test/harness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

export const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: run the tests with npm test, which installs it.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Lifeline server on loopback whose links point at itself, so a browser can follow them. */
export class E2eServer extends TestServer {
  private dropDatabase: (() => Promise<void>) | undefined;

  async boot(kind: DatabaseKind = 'sqlite', overrides: Partial<Config> = {}) {
    this.clock.ms = Date.now();
    const database = await createTestDatabase(kind);
    const port = await freePort();
    const config = testConfig(database.config, { publicUrl: `http://127.0.0.1:${port}`, port, ...overrides });
    await this.start(database.handle, config, port);
    this.dropDatabase = async () => {
      await database.handle.destroy();
      await database.drop();
    };
  }

  async shutdown() {
    await this.stop();
    await this.dropDatabase?.();
  }
}

/** One server and one browser for a test file; `config` changes the server's, `chromiumArgs` adds flags. */
export function useE2e(
  kind: DatabaseKind = 'sqlite',
  options: { config?: Partial<Config>; chromiumArgs?: string[] } = {},
) {
  const t = new E2eServer(kind);
  const env = { t, browser: undefined as unknown as Browser };
  beforeAll(async () => {
    await t.boot(kind, options.config);
    env.browser = await launchChromium(options.chromiumArgs);
  });
  afterAll(async () => {
    await env.browser?.close();
    await t.shutdown();
  });
  return env;
}

export interface Scene {
  org: TestOrg;
  agent: TestUser & { name: string };
  case: Case;
  agentPage: Page;
  customerPage: Page;
  contexts: BrowserContext[];
}

/** An agent, a case of `type` for customer Cleo, and a browser context for each of them. */
export async function newScene(
  t: TestServer,
  browser: Browser,
  type: CaseType,
  options: {
    customerViewport?: { width: number; height: number };
    waitingMessage?: string;
    /** The customer's browser as another system announces it (e.g. Windows). */
    customerUserAgent?: string;
    /** A phone: 390×844, touch, mobile viewport; `shareScreen: false` takes `getDisplayMedia` away as phone browsers lack it. */
    customerPhone?: { shareScreen: boolean };
    /** Scripts run in the customer's page before the app (instrumentation of audio, vibration, media). */
    customerInitScripts?: string[];
  } = {},
): Promise<Scene> {
  const org = await t.newOrg('Acme Support');
  const agent = { ...(await t.newAgent(org, 'Alex Agent')), name: 'Alex Agent' };
  const created = await agent.client.cases.create({
    name: type === 'ar' ? 'Router lights blinking' : 'Printer offline',
    type,
    customer: { name: 'Cleo Customer', email: 'cleo@example.com' },
    ...(options.waitingMessage ? { waitingMessage: options.waitingMessage } : {}),
  });
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const phone = options.customerPhone;
  const customerContext = await browser.newContext({
    viewport:
      options.customerViewport ?? (phone ? { width: 390, height: 844 } : { width: 1100, height: 800 }),
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    ...(options.customerUserAgent ? { userAgent: options.customerUserAgent } : {}),
  });
  if (phone && !phone.shareScreen) {
    // Phone browsers have no screen capture at all: the method is missing, not refused.
    await customerContext.addInitScript(() => {
      delete (MediaDevices.prototype as Partial<MediaDevices>).getDisplayMedia;
    });
  }
  for (const script of options.customerInitScripts ?? []) await customerContext.addInitScript(script);
  const [agentPage, customerPage] = await Promise.all([agentContext.newPage(), customerContext.newPage()]);
  for (const page of [agentPage, customerPage]) failOnConsoleErrors(page);
  return { org, agent, case: created, agentPage, customerPage, contexts: [agentContext, customerContext] };
}

const consoleErrors = new WeakMap<Page, string[]>();
export function failOnConsoleErrors(page: Page) {
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    // A refused socket or an ended session's 410 is expected in some flows; the browser logs those itself.
    if (m.type() === 'error' && !/status of 4\d\d|WebSocket/.test(m.text())) errors.push(m.text());
  });
}
export const pageErrors = (page: Page) => consoleErrors.get(page) ?? [];

/** Signs in on the login page the way an agent does, then lands on `next`. */
export async function signIn(page: Page, baseUrl: string, email: string, next: string) {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}${next}`);
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Whether the video of that label shows decoded frames (its picture has a size and is playing). */
export function videoPlaying(page: Page, label: string) {
  return page
    .getByLabel(label)
    .evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused && v.readyState >= 2);
}

/** The RGBA bytes of a rectangle of a video's current frame, in the frame's own pixels. */
export function videoPixels(video: Locator, rect: { x: number; y: number; width: number; height: number }) {
  return video.evaluate((v: HTMLVideoElement, r) => {
    const c = document.createElement('canvas');
    [c.width, c.height] = [v.videoWidth, v.videoHeight];
    const ctx = c.getContext('2d');
    ctx?.drawImage(v, 0, 0);
    return [...(ctx?.getImageData(r.x, r.y, r.width, r.height).data ?? [])];
  }, rect);
}

/** How many pixels of the annotation layer are painted. */
export function paintedPixels(page: Page) {
  return page.getByTestId('annotation-layer').evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++;
    return n;
  });
}
