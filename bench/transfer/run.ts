import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_PATH as CHROMIUM, CHROMIUM_ARGS } from '../../e2e/chromium.js';
import { deadline, interleave, publish } from '../lib/interleaved.js';
import { ADMIN, fmt, type LifelineProcess, machine, median, startLifeline } from '../lib/lifeline-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../apps/web/dist');
const MB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_TRANSFER_MB ?? 100) * MB;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5);
const WARMUP = 1;
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_SECONDS ?? 900) * 1000;

type Sample = { ms: number };

/**
 * The baseline: two RTCPeerConnections in one page, one ordered data channel,
 * SIZE bytes in 64 KiB messages with bufferedAmountLowThreshold back-pressure
 * (the textbook way), timed from the first send to the last byte received.
 * Page-side code is plain JavaScript: the benchmark's type-check has no DOM.
 */
const BARE = `async (size) => {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const tx = a.createDataChannel('bare', { ordered: true });
  const rx = new Promise((resolve) => { b.ondatachannel = (e) => resolve(e.channel); });
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  await new Promise((resolve) => { tx.onopen = resolve; });
  const channel = await rx;
  channel.binaryType = 'arraybuffer';
  const chunk = new Uint8Array(64 * 1024);
  tx.bufferedAmountLowThreshold = 2 * 1024 * 1024;
  let received = 0;
  const done = new Promise((resolve) => {
    channel.onmessage = (e) => { received += e.data.byteLength; if (received >= size) resolve(performance.now()); };
  });
  const t0 = performance.now();
  for (let sent = 0; sent < size; sent += chunk.byteLength) {
    if (tx.bufferedAmount > 8 * 1024 * 1024)
      await new Promise((resolve) => tx.addEventListener('bufferedamountlow', resolve, { once: true }));
    tx.send(sent + chunk.byteLength <= size ? chunk : chunk.subarray(0, size - sent));
  }
  const t1 = await done;
  a.close();
  b.close();
  return t1 - t0;
}`;

async function bareOnce(browser: Browser): Promise<Sample> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    return { ms: (await page.evaluate(`(${BARE})(${SIZE})`)) as number };
  } finally {
    await context.close();
  }
}

class LifelineRun {
  private n = 0;
  private constructor(
    private readonly server: LifelineProcess,
    private readonly browser: Browser,
    private readonly api: ReturnType<typeof createClient>,
    private readonly dir: string,
  ) {}

  static async start(server: LifelineProcess, browser: Browser, dir: string) {
    const admin = createClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN.email, ADMIN.password);
    const { token } = await admin.tokens.create({
      name: 'bench-transfer',
      scopes: ['cases:read', 'cases:write'],
    });
    return new LifelineRun(server, browser, createClient({ baseUrl: server.url, token }), dir);
  }

  /**
   * A fresh session each time (a received file stays in the customer's page until it leaves): the agent
   * offers a SIZE-byte file, timed from the customer's "Accept" to "Received", i.e. every byte read from
   * disk, sent, received and made into a Blob to save.
   */
  async once(): Promise<Sample> {
    const n = ++this.n;
    const created = await this.api.cases.create({
      name: `Transfer ${n}`,
      type: 'remote_control',
      customer: { name: 'Cleo Customer' },
    });
    const file = path.join(this.dir, `bench-${n}.bin`);
    // Sparse: costs no disk and no time to write; the data channel does not compress, so zeros cost what any bytes do.
    fs.writeFileSync(file, '');
    fs.truncateSync(file, SIZE);
    const agent = await this.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const customer = await this.browser.newContext({ viewport: { width: 1100, height: 800 } });
    try {
      const agentPage = await agent.newPage();
      await agentPage.goto(`${this.server.url}/login?next=${encodeURIComponent(`/session/${created.code}`)}`);
      await agentPage.getByLabel('E-mail').fill(ADMIN.email);
      await agentPage.getByLabel(/^Password/).fill(ADMIN.password);
      await agentPage.getByRole('button', { name: 'Sign in' }).click();
      const customerPage = await customer.newPage();
      await customerPage.goto(created.links.customer);
      await customerPage.getByRole('button', { name: 'Join in browser' }).click();
      await customerPage.getByRole('button', { name: 'Allow', exact: true }).click();
      // The screen video would compete with the transfer for the CPU, which the bare run does not pay:
      // the customer stops sharing, and the files channel comes back on the fresh connection (still allowed).
      await customerPage.getByRole('button', { name: 'Stop sharing' }).click();
      await customerPage.getByRole('button', { name: 'Share again' }).waitFor();
      const offer = agentPage
        .getByRole('region', { name: 'Files' })
        .getByRole('button', { name: 'Offer a file…' });
      await offer.waitFor({ timeout: 30_000 });
      const [chooser] = await Promise.all([agentPage.waitForEvent('filechooser'), offer.click()]);
      await chooser.setFiles(file);
      const row = customerPage.getByRole('group', { name: `Receiving bench-${n}.bin` });
      const accept = row.getByRole('button', { name: 'Accept' });
      await accept.waitFor();
      const t0 = Date.now();
      await accept.click();
      await row.getByText('Received').waitFor({ timeout: 300_000 });
      return { ms: Date.now() - t0 };
    } finally {
      await Promise.all([agent.close(), customer.close()]);
      fs.rmSync(file, { force: true });
      await this.api.cases.close(created.code);
    }
  }
}

const mbps = (ms: number) => SIZE / MB / (ms / 1000);

function markdown(bare: Sample[], ours: Sample[]) {
  const b = median(bare.map((s) => s.ms).sort((x, y) => x - y));
  const o = median(ours.map((s) => s.ms).sort((x, y) => x - y));
  const ratio = b / o;
  const lines = [
    `| ${SIZE / MB} MB over loopback | median time | median throughput |`,
    '| --- | --: | --: |',
    `| bare RTCDataChannel (two peer connections in one page) | ${fmt(b, 0)} ms | ${fmt(mbps(b), 1)} MB/s |`,
    `| Lifeline (agent page → customer page, no video, Accept → Received) | ${fmt(o, 0)} ms | ${fmt(mbps(o), 1)} MB/s |`,
    '',
    '| Goal | Target | Measured | Met |',
    '| --- | --- | --: | --- |',
    `| Lifeline throughput / bare throughput (medians) | ≥ 0.8× | ${fmt(ratio, 2)}× | ${ratio >= 0.8 ? 'yes' : '**no**'} |`,
    '',
    `Per run (ms): bare ${bare.map((s) => fmt(s.ms, 0)).join(', ')}; Lifeline ${ours.map((s) => fmt(s.ms, 0)).join(', ')}.`,
    '',
    `${new Date().toISOString().slice(0, 16)}Z, ${machine()}, ${CHROMIUM} (headless).`,
    `\`npm run bench:transfer\`: ${ours.length} measured runs of each, interleaved bare, Lifeline, bare, …, after ${WARMUP} warm-up run of each.`,
  ];
  return `${lines.join('\n')}\n`;
}

async function main() {
  if (!fs.existsSync(path.join(dist, 'index.html')))
    throw new Error('The web pages are not built: run `npm run build` first (npm run bench:transfer does).');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM} (set CHROMIUM_PATH).`);
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-transfer-'));
  let server: LifelineProcess | undefined;
  let browser: Browser | undefined;
  try {
    server = await startLifeline();
    const open = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    browser = open;
    const lifeline = await LifelineRun.start(server, open, dir);
    const { bare, ours } = await interleave({
      warmup: WARMUP,
      iterations: ITERATIONS,
      bare: () => bareOnce(open),
      lifeline: () => lifeline.once(),
      describe: (s) => `${fmt(s.ms, 0)} ms (${fmt(mbps(s.ms), 1)} MB/s)`,
    });
    publish('transfer', markdown(bare, ours));
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`Finished in ${fmt((Date.now() - started) / 1000, 1)} s.`);
  }
}

deadline('bench:transfer', DEADLINE_MS);
await main();
