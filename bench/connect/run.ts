import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH as CHROMIUM } from '../../e2e/chromium.js';
import { benchAgainstBare, deadline } from '../lib/interleaved.js';
import { ADMIN, fmt, type LifelineProcess, machine, median, quantile } from '../lib/lifeline-process.js';
import { MARK_ALLOW, serveBarePage, watchFirstFrame } from './pages.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const _root = path.resolve(here, '../..');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20);
const WARMUP = 1;
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_SECONDS ?? 600) * 1000;

interface FirstFrame {
  at: number;
  how: string;
}

async function firstFrame(page: Page): Promise<FirstFrame> {
  const handle = await page.waitForFunction(
    () => (globalThis as { __firstFrame?: unknown }).__firstFrame,
    undefined,
    {
      timeout: 30_000,
    },
  );
  return (await handle.jsonValue()) as FirstFrame;
}

async function allowAt(page: Page): Promise<number> {
  const at = (await page.evaluate('window.__allowAt')) as number | null;
  if (at === null) throw new Error('the click on "Allow" was not seen');
  return at;
}

async function bareOnce(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.evaluate(MARK_ALLOW);
    await page.evaluate(watchFirstFrame('#remote'));
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    const frame = await firstFrame(page);
    return frame.at - (await allowAt(page));
  } finally {
    await context.close();
  }
}

class LifelineRun {
  private agentPage: Page | undefined;
  private signedIn = false;
  private readonly api;
  private constructor(
    private readonly server: LifelineProcess,
    private readonly browser: Browser,
    token: string,
  ) {
    this.api = createClient({ baseUrl: server.url, token });
  }

  static async start(server: LifelineProcess, browser: Browser) {
    const admin = createClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN.email, ADMIN.password);
    const { token } = await admin.tokens.create({
      name: 'bench-connect',
      scopes: ['cases:read', 'cases:write'],
    });
    return new LifelineRun(server, browser, token);
  }

  /** A remote_control case; the customer waits, the agent joins, then the customer clicks "Allow". */
  async once(): Promise<number> {
    const url = this.server.url;
    const created = await this.api.cases.create({
      name: 'Printer offline',
      type: 'remote_control',
      customer: { name: 'Cleo Customer' },
    });
    const customerContext = await this.browser.newContext({ viewport: { width: 1100, height: 800 } });
    try {
      const customer = await customerContext.newPage();
      await customer.goto(created.links.customer);
      await customer.getByRole('button', { name: 'Join in browser' }).click();
      await customer.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();

      const agent = await this.agent();
      const next = `/session/${created.code}`;
      if (!this.signedIn) {
        await agent.goto(`${url}/login?next=${encodeURIComponent(next)}`);
        await agent.getByLabel('E-mail').fill(ADMIN.email);
        await agent.getByLabel(/^Password/).fill(ADMIN.password);
        await agent.getByRole('button', { name: 'Sign in' }).click();
        await agent.waitForURL(`${url}${next}`);
        this.signedIn = true;
      } else {
        await agent.goto(`${url}${next}`);
      }
      await agent.getByText('Waiting for Cleo Customer to allow access').waitFor();
      await customer.getByRole('heading', { name: /^Allow .* to see your screen\?$/ }).waitFor();

      await customer.evaluate(MARK_ALLOW);
      await agent.evaluate(watchFirstFrame('video[aria-label="Customer\'s screen"]'));
      await customer.getByRole('button', { name: 'Allow', exact: true }).click();
      const frame = await firstFrame(agent);
      const ms = frame.at - (await allowAt(customer));
      await this.api.cases.close(created.code);
      return ms;
    } finally {
      await customerContext.close();
    }
  }

  private async agent() {
    if (!this.agentPage) {
      const context = await this.browser.newContext({ viewport: { width: 1280, height: 800 } });
      this.agentPage = await context.newPage();
    }
    return this.agentPage;
  }
}

const msf = (ms: number) => `${fmt(ms, 0)} ms`;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: median(sorted),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}

function markdown(bare: number[], lifeline: number[]) {
  const b = stats(bare);
  const l = stats(lifeline);
  const ratio = l.median / b.median;
  const row = (name: string, s: ReturnType<typeof stats>, n: number) =>
    `| ${name} | ${n} | ${msf(s.median)} | ${msf(s.p90)} | ${msf(s.min)} | ${msf(s.max)} |`;
  const lines = [
    '| Run | n | median | p90 | min | max |',
    '| --- | --: | --: | --: | --: | --: |',
    row('bare: two RTCPeerConnections in one page', b, bare.length),
    row('Lifeline: customer page → server → agent page', l, lifeline.length),
    '',
    `Each pair in run order (bare / Lifeline, ms): ${bare.map((x, i) => `${fmt(x, 0)}/${fmt(lifeline[i] ?? NaN, 0)}`).join(', ')}.`,
    '',
    '| Goal | Target | Measured | Met |',
    '| --- | --- | --: | --- |',
    `| "Allow" to first frame at the agent, median vs bare | ≤ 1.5× | ${fmt(ratio, 2)}× | ${ratio <= 1.5 ? 'yes' : '**no**'} |`,
    '',
    `${new Date().toISOString().slice(0, 10)}, ${machine()}, ${CHROMIUM} (headless, the browser tests' fake screen).`,
    `\`npm run bench:connect\`: ${ITERATIONS} measured iterations of each, interleaved bare, Lifeline, bare, …, after ${WARMUP} warm-up iteration of each.`,
  ];
  return `${lines.join('\n')}\n`;
}

deadline('bench:connect', DEADLINE_MS);
await benchAgainstBare({
  name: 'connect',
  page: 'index.html',
  warmup: WARMUP,
  iterations: ITERATIONS,
  serveBare: serveBarePage,
  bare: bareOnce,
  lifeline: (server, browser) => LifelineRun.start(server, browser),
  describe: msf,
  markdown,
});
