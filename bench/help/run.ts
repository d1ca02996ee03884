import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createClient } from '@lifeline/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_PATH as CHROMIUM } from '../../e2e/chromium.js';
import { MARK_ALLOW } from '../connect/pages.js';
import { benchAgainstBare, deadline } from '../lib/interleaved.js';
import { ADMIN, fmt, type LifelineProcess, machine, median, quantile } from '../lib/lifeline-process.js';
import { serveBarePages } from './pages.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = path.join(root, 'apps/web/dist');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 10);
const WARMUP = 1;
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_SECONDS ?? 900) * 1000;

/** Lighthouse's mobile profile ("slow 4G"), through the DevTools protocol: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up. */
const FOUR_G = {
  offline: false,
  latency: 150,
  downloadThroughput: 1_600_000 / 8,
  uploadThroughput: 750_000 / 8,
};

const steps = ['link', 'link4g', 'connect', 'allow', 'allowAtOnce', 'chain'] as const;
type Step = (typeof steps)[number];
type Sample = Record<Step, number>;
const labels: Record<Step, string> = {
  link: 'link → waiting room (cold cache)',
  link4g: 'link → waiting room (cold cache, 4G)',
  connect: 'agent "Connect" → consent prompt at the customer',
  allow: '"Allow" → first decoded frame at the agent',
  allowAtOnce: '"Allow" at once → first frame (the agent\'s tab still opening)',
  chain: 'whole chain: link → first frame, no pauses',
};

/** Like bench/connect's, but waits for the video to exist: the chain has no pause in which to look for it. */
const WATCH_FIRST_FRAME = (selector: string) => `(() => {
  window.__firstFrame = null;
  const done = (how) => { if (!window.__firstFrame) window.__firstFrame = { at: Date.now(), how }; };
  const attach = () => {
    const video = document.querySelector(${JSON.stringify(selector)});
    if (!video) return setTimeout(attach, 2);
    video.requestVideoFrameCallback(() => done('requestVideoFrameCallback'));
    const poll = () => {
      if (window.__firstFrame) return;
      if (video.getVideoPlaybackQuality().totalVideoFrames > 0 || video.videoWidth > 0) done('poll');
      else setTimeout(poll, 2);
    };
    poll();
  };
  attach();
})()`;

async function firstFrameAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => (globalThis as { __firstFrame?: unknown }).__firstFrame,
    undefined,
    {
      timeout: 30_000,
    },
  );
  return ((await handle.jsonValue()) as { at: number }).at;
}

async function allowAt(page: Page): Promise<number> {
  const at = (await page.evaluate('window.__allowAt')) as number | null;
  if (at === null) throw new Error('the click on "Allow" was not seen');
  return at;
}

async function freshContext(
  browser: Browser,
  throttled = false,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  if (throttled) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', FOUR_G);
  }
  return { context, page };
}

/**
 * When `text` shows in an element matching `selector`, by the page's clock, looked for every frame:
 * Playwright's own waiting (`waitFor`, a click's) looks again after 0, 20, 100, 100 and then every
 * 500 ms, which made a button that showed 0.7 s after the navigation count as 1 s.
 */
async function shownAt(page: Page, selector: string, text: RegExp): Promise<number> {
  type Dom = { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };
  const handle = await page.waitForFunction(
    ({ selector, source }) => {
      const wanted = new RegExp(source);
      const { document } = globalThis as unknown as { document: Dom };
      for (const e of document.querySelectorAll(selector))
        if (wanted.test((e.textContent ?? '').trim())) return Date.now();
      return false;
    },
    { selector, source: text.source },
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

const JOIN = /^Join in browser$/;
const WAITING = /^Waiting for your support agent…$/;
const PROMPT = /^Allow .* to see your screen\?$/;

/** Into the waiting room: "Join in browser" clicked as soon as it shows; when the waiting room showed. */
async function joinWaitingRoom(page: Page): Promise<number> {
  await shownAt(page, 'button', JOIN);
  await page.getByRole('button', { name: 'Join in browser' }).click();
  return shownAt(page, 'h1, h2', WAITING);
}

/** From navigation to the waiting room. */
async function openLink(browser: Browser, url: string, throttled: boolean): Promise<number> {
  const { context, page } = await freshContext(browser, throttled);
  try {
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'commit' });
    return (await joinWaitingRoom(page)) - t0;
  } finally {
    await context.close();
  }
}

async function bareOnce(browser: Browser, base: string): Promise<Sample> {
  const link = await openLink(browser, `${base}/join`, false);
  const link4g = await openLink(browser, `${base}/join`, true);
  const customer = await freshContext(browser);
  const agent = await freshContext(browser);
  try {
    await customer.page.goto(`${base}/join`);
    await joinWaitingRoom(customer.page);
    await agent.page.goto(`${base}/queue`);
    const t0 = Date.now();
    await Promise.all([
      agent.context.waitForEvent('page'),
      agent.page.getByRole('link', { name: 'Connect' }).click(),
    ]);
    const connect = (await shownAt(customer.page, 'h1, h2', PROMPT)) - t0;

    await customer.page.goto(`${base}/bare`);
    await customer.page.evaluate(MARK_ALLOW);
    await customer.page.evaluate(WATCH_FIRST_FRAME('#remote'));
    await customer.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const allow = (await firstFrameAt(customer.page)) - (await allowAt(customer.page));
    return { link, link4g, connect, allow, allowAtOnce: allow, chain: link + connect + allow };
  } finally {
    await Promise.all([customer.context.close(), agent.context.close()]);
  }
}

class LifelineRun {
  private queue: Page | undefined;
  private n = 0;
  private constructor(
    private readonly server: LifelineProcess,
    private readonly browser: Browser,
    private readonly api: ReturnType<typeof createClient>,
  ) {}

  static async start(server: LifelineProcess, browser: Browser) {
    const admin = createClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN.email, ADMIN.password);
    const { token } = await admin.tokens.create({
      name: 'bench-help',
      scopes: ['cases:read', 'cases:write'],
    });
    return new LifelineRun(server, browser, createClient({ baseUrl: server.url, token }));
  }

  /** The agent's queue, signed in once and kept open, as an agent at work has it. */
  private async queuePage() {
    if (this.queue) return this.queue;
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${this.server.url}/login?next=%2F`);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${this.server.url}/`);
    this.queue = page;
    return page;
  }

  async once(): Promise<Sample> {
    const queue = await this.queuePage();
    const link4g = await openLink(this.browser, (await this.newCase()).created.links.customer, true);
    const chain = await this.session(queue, false);
    const paused = await this.session(queue, true);
    return {
      link: chain.link,
      link4g,
      connect: chain.connect,
      allow: paused.allow,
      allowAtOnce: chain.allow,
      chain: chain.chain,
    };
  }

  private async newCase() {
    const name = `Printer offline ${++this.n}`;
    const created = await this.api.cases.create({
      name,
      type: 'remote_control',
      customer: { name: 'Cleo Customer' },
    });
    return { name, created };
  }

  /**
   * One customer from the link to the first frame at the agent. Without `pause`, every click comes
   * the moment its button shows (the whole chain); with it, the customer clicks "Allow" once the
   * agent's tab shows the session and after reading the prompt for a second, as a person does, so
   * "Allow" → first frame is that step alone and not the agent's tab still opening.
   */
  private async session(queue: Page, pause: boolean) {
    const { name, created } = await this.newCase();
    const row = queue
      .getByRole('table', { name: 'Service cases' })
      .getByRole('row', { name: `${name} ${created.code}` });
    await row.waitFor();

    const customer = await freshContext(this.browser);
    let tab: Page | undefined;
    try {
      const t0 = Date.now();
      await customer.page.goto(created.links.customer, { waitUntil: 'commit' });
      const waiting = await joinWaitingRoom(customer.page);
      const t1 = Date.now();
      [tab] = await Promise.all([
        queue.context().waitForEvent('page'),
        row.getByRole('link', { name: 'Connect' }).click(),
      ]);
      const t2 = await shownAt(customer.page, 'h1, h2', PROMPT);
      // The customer may be asked before the tab has its page: the watch goes into the page once it
      // commits, while the clicks below go on (the video it watches for comes much later).
      const agentTab = tab;
      const watching = agentTab
        .waitForURL(/\/session\//, { waitUntil: 'commit' })
        .then(() => agentTab.evaluate(WATCH_FIRST_FRAME('video[aria-label="Customer\'s screen"]')));
      if (pause) {
        await tab.getByText('Waiting for Cleo Customer to allow access to their screen…').waitFor();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await customer.page.evaluate(MARK_ALLOW);
      await customer.page.getByRole('button', { name: 'Allow', exact: true }).click();
      await watching;
      const frame = await firstFrameAt(tab);
      return {
        link: waiting - t0,
        connect: t2 - t1,
        allow: frame - (await allowAt(customer.page)),
        chain: frame - t0,
      };
    } finally {
      await tab?.close();
      await customer.context.close();
      await this.api.cases.close(created.code);
    }
  }
}

/**
 * The JavaScript and CSS `/j/{token}` loads before its first paint: what customer.html (the page the
 * server sends for the customer's paths, apps/server/src/plugins/web.ts) links, gzipped.
 */
function customerBundle(page = 'customer.html') {
  const html = fs.readFileSync(path.join(dist, page), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  const gz = (ext: string) =>
    refs
      .filter((r) => r.endsWith(ext))
      .reduce((sum, r) => sum + gzipSync(fs.readFileSync(path.join(dist, r)), { level: 9 }).length, 0);
  // What the server sends a browser that accepts Brotli: the build's .br copy (apps/web/precompress.ts).
  const sent = (ext: string) =>
    refs
      .filter((r) => r.endsWith(ext))
      .reduce((sum, r) => {
        const file = path.join(dist, r);
        return sum + fs.statSync(fs.existsSync(`${file}.br`) ? `${file}.br` : file).size;
      }, 0);
  return { js: gz('.js'), css: gz('.css'), sentJs: sent('.js'), sentCss: sent('.css'), files: refs };
}

const msf = (ms: number) => `${fmt(ms, 0)} ms`;
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: median(sorted), p90: quantile(sorted, 0.9) };
}

function markdown(bare: Sample[], ours: Sample[]) {
  const lines = [
    '| Step | bare median | bare p90 | Lifeline median | Lifeline p90 | ratio (medians) |',
    '| --- | --: | --: | --: | --: | --: |',
  ];
  const s = {} as Record<Step, { bare: ReturnType<typeof stats>; ours: ReturnType<typeof stats> }>;
  for (const step of steps) {
    s[step] = { bare: stats(bare.map((x) => x[step])), ours: stats(ours.map((x) => x[step])) };
    const { bare: b, ours: o } = s[step];
    lines.push(
      `| ${labels[step]} | ${msf(b.median)} | ${msf(b.p90)} | ${msf(o.median)} | ${msf(o.p90)} | ${fmt(o.median / b.median, 2)}× |`,
    );
  }
  const bundle = customerBundle();
  const met = (ok: boolean) => (ok ? 'yes' : '**no**');
  const allowRatio = s.allow.ours.median / s.allow.bare.median;
  lines.push(
    '',
    '| Goal | Target | Measured | Met |',
    '| --- | --- | --: | --- |',
    `| JavaScript before the first paint of \`/j/{token}\` (gzip) | ≤ 90 KB | ${kb(bundle.js)} | ${met(bundle.js <= 90 * 1024)} |`,
    `| CSS before the first paint of \`/j/{token}\` (gzip) | ≤ 30 KB | ${kb(bundle.css)} | ${met(bundle.css <= 30 * 1024)} |`,
    `| the same, as the server sends them (Brotli) | | ${kb(bundle.sentJs)} JS, ${kb(bundle.sentCss)} CSS | |`,
    `| "Allow" → first frame, median vs bare | ≤ 1.0× | ${fmt(allowRatio, 2)}× | ${met(allowRatio <= 1)} |`,
    `| "Connect" → consent prompt, median | ≤ 400 ms | ${msf(s.connect.ours.median)} | ${met(s.connect.ours.median <= 400)} |`,
    `| whole chain, median | ≤ 1.5 s | ${msf(s.chain.ours.median)} | ${met(s.chain.ours.median <= 1500)} |`,
    '',
    `Bare: a static join page with one WebSocket, a static queue whose "Connect" opens a static agent page that`,
    `connects a WebSocket (a relay tells the customer page), bench/connect's two RTCPeerConnections in one page;`,
    `its "whole chain" is the sum of its steps of the same iteration. Files before first paint: ${bundle.files.join(', ')}.`,
    '',
    `${new Date().toISOString().slice(0, 16)}Z, ${machine()}, ${CHROMIUM} (headless, the browser tests' fake screen).`,
    `\`npm run bench:help\`: ${ours.length} measured iterations of each, interleaved bare, Lifeline, bare, …, after ${WARMUP} warm-up iteration of each.`,
  );
  return `${lines.join('\n')}\n`;
}

const line = (s: Sample) => steps.map((k) => `${k} ${fmt(s[k], 0)}`).join(', ');

deadline('bench:help', DEADLINE_MS);
await benchAgainstBare({
  name: 'help',
  page: 'customer.html',
  warmup: WARMUP,
  iterations: ITERATIONS,
  serveBare: serveBarePages,
  bare: bareOnce,
  lifeline: (server, browser) => LifelineRun.start(server, browser),
  describe: line,
  markdown,
});
