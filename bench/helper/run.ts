import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import { chromium, type Page } from 'playwright-core';
import type { XDisplay } from 'x11';
import { BUNDLE } from '../../apps/helper/scripts/build.js';
import { LADDER, type Level } from '../../apps/helper/src/adapt.js';
import { x11Capture } from '../../apps/helper/src/platforms/x11.js';
import { ffmpegArgs } from '../../apps/helper/src/screen-stream.js';
import { connectDisplay, X11Sink } from '../../apps/helper/src/x11-input.js';
import { queryPointer, startXvfb } from '../../apps/helper/test/xvfb.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.js';
import { QuickSupport } from '../../e2e/quicksupport.js';
import { ADMIN, fmt, machine, sleep, startLifeline } from '../lib/lifeline-process.js';
import {
  colours,
  HEIGHT,
  INPUT_SAMPLES,
  inboundVideo,
  PATCH,
  PICTURE_SAMPLES,
  pointerArrives,
  summary,
  WATCH_PATCH,
  WIDTH,
} from './common.js';
import { windowsRun } from './windows.js';

/**
 * QuickSupport's two latencies on loopback, with the real server, the built
 * helper, Xvfb, ffmpeg and Chromium as the agent:
 *  - input: the agent's pointer move (Playwright's mouse on the control
 *    surface) until the X server's pointer is there (XQueryPointer polled from
 *    this process); baseline: the same observer timing an XTEST move sent from
 *    this process directly, with no network, browser or helper in between.
 *  - picture: a window on the display changes colour until the agent's page
 *    decodes a frame with the new colour there (requestVideoFrameCallback
 *    sampling that spot).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '../results');
/**
 * Gives the patch a new colour and answers the time just before; reads the
 * pixel back so the X server has drawn it before anyone can see it.
 */
async function flip(d: XDisplay, patch: number, [r, g, b]: [number, number, number]): Promise<number> {
  const X = d.client;
  const root = d.screen[0]?.root as number;
  const t0 = Date.now();
  X.ChangeWindowAttributes(patch, { backgroundPixel: (r << 16) | (g << 8) | b });
  X.ClearArea(patch, 0, 0, 0, 0, 0);
  const drawn = await new Promise<Buffer>((resolve, reject) =>
    X.GetImage(2, root, PATCH.x + PATCH.size / 2, PATCH.y + PATCH.size / 2, 1, 1, 0xffffffff, (err, img) =>
      err ? reject(err) : resolve(img.data),
    ),
  );
  if (drawn[2] !== r || drawn[1] !== g || drawn[0] !== b) {
    throw new Error(`the display shows ${[drawn[2], drawn[1], drawn[0]]} instead of ${[r, g, b]}`);
  }
  return t0;
}

/**
 * The capture and encoding part alone: the helper's ffmpeg command line
 * sending to a socket here. A still screen encodes to frames of about 200
 * bytes; the first packet of 280 bytes or more after a flip is the frame
 * that carries the change (or a keyframe captured after it).
 */
async function ffmpegAlone(display: string, d: XDisplay, patch: number): Promise<number[]> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let flippedAt = 0;
  const delays: number[] = [];
  socket.on('message', (buf) => {
    const rtcp = (buf[1] ?? 0) >= 200 && (buf[1] ?? 0) <= 204;
    if (!rtcp && flippedAt && buf.length >= 280) {
      delays.push(Date.now() - flippedAt);
      flippedAt = 0;
    }
  });
  const { port } = socket.address();
  const ffmpeg = spawn(
    'ffmpeg',
    ffmpegArgs(x11Capture(display, WIDTH, HEIGHT), LADDER[0] as Level, port, 1),
    {
      stdio: 'ignore',
    },
  );
  try {
    await sleep(3000);
    for (let i = 0; i < PICTURE_SAMPLES; i++) {
      flippedAt = await flip(d, patch, colours[i % 2] as [number, number, number]);
      const deadline = Date.now() + 5000;
      while (flippedAt && Date.now() < deadline) await sleep(5);
      flippedAt = 0;
      await sleep(150 + ((i * 71) % 200));
    }
  } finally {
    ffmpeg.kill('SIGTERM');
    socket.close();
  }
  return delays;
}

async function main() {
  if (!fs.existsSync(BUNDLE))
    throw new Error(`No helper bundle at ${BUNDLE}: run npm run bench:helper (it builds first).`);
  console.log(`bench:helper on ${machine()}`);
  const xvfb = await startXvfb(`${WIDTH}x${HEIGHT}x24`);
  const server = await startLifeline();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const observer = await connectDisplay(xvfb.display);
  const direct = await X11Sink.open(xvfb.display);
  let helper: QuickSupport | undefined;
  try {
    // The colour patch: a plain X window whose background we flip.
    const X = observer.client;
    const root = observer.screen[0]?.root as number;
    const patch = X.AllocID();
    X.CreateWindow(patch, root, PATCH.x, PATCH.y, PATCH.size, PATCH.size, 0, 0, 1, 0, {
      backgroundPixel: 0x0000ff,
      overrideRedirect: 1,
    });
    X.MapWindow(patch);

    const admin = createClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN.email, ADMIN.password);
    const created = await admin.cases.create({ name: 'Bench helper', customer: { name: 'Bench Customer' } });
    helper = new QuickSupport([created.links.customer, '--no-browser'], xvfb.display);
    await helper.waitFor(/Waiting for your support agent/, 30_000);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Keeps the page's peer connections reachable, for the inbound video's WebRTC statistics in the report.
    await context.addInitScript(
      'const Native = RTCPeerConnection; window.__pcs = []; window.RTCPeerConnection = function (...a) { const pc = new Native(...a); window.__pcs.push(pc); return pc; }; window.RTCPeerConnection.prototype = Native.prototype;',
    );
    const page: Page = await context.newPage();
    const next = `/session/${created.code}`;
    await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}${next}`);
    await helper.waitFor(/to see your screen\?/, 30_000);
    helper.type('a');
    await page.waitForFunction(
      "(() => { const v = document.querySelector('video'); return v !== null && v.videoWidth > 0 && v.readyState >= 2; })()",
      undefined,
      { timeout: 30_000 },
    );
    await page.getByRole('button', { name: 'Request control' }).click();
    await helper.waitFor(/asks to control your mouse and keyboard/, 30_000);
    helper.type('a');
    const surface = page.getByRole('application', { name: "Remote control of the customer's screen" });
    await surface.waitFor();
    const box = await surface.boundingBox();
    if (!box) throw new Error('no control surface');
    // Let the stream settle (the first seconds carry the first keyframes and the bandwidth estimate's ramp).
    await sleep(3000);

    // The moment the page's own pointermove handler ran, to split browser dispatch from the rest.
    await page.evaluate(
      "document.addEventListener('pointermove', () => { window.__movedAt = Date.now(); }, { capture: true })",
    );

    const viaLifeline: number[] = [];
    const fromDomEvent: number[] = [];
    const directXtest: number[] = [];
    for (let i = 0; i < INPUT_SAMPLES; i++) {
      // A fresh spot every time, inside the picture, never the previous one.
      const fx = 0.05 + ((i * 37) % 90) / 100;
      const fy = 0.05 + ((i * 53) % 40) / 100;
      const tx = Math.round(fx * (WIDTH - 1));
      const ty = Math.round(fy * (HEIGHT - 1));
      const t0 = Date.now();
      await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
      // The page rounds to its own pixels; accept the nearest screen pixel it maps to.
      const seen = await pointerArrives(observer, tx, ty).catch(async () => {
        const [px, py] = await queryPointer(observer);
        if (Math.abs(px - tx) <= 3 && Math.abs(py - ty) <= 3) return Date.now();
        throw new Error(`pointer at ${px},${py}, expected ${tx},${ty}`);
      });
      viaLifeline.push(seen - t0);
      fromDomEvent.push(seen - ((await page.evaluate('window.__movedAt')) as number));

      // Baseline: the same observer, an XTEST move straight from here.
      const bx = (tx + 311) % WIDTH;
      const b0 = Date.now();
      direct.motion(bx, ty);
      directXtest.push((await pointerArrives(observer, bx, ty)) - b0);
    }

    await page.mouse.move(box.x + 5, box.y + 5);
    await page.evaluate(WATCH_PATCH);
    const picture: number[] = [];
    const framesBefore = (await page.evaluate('window.__frames')) as number;
    const pictureStart = Date.now();
    for (let i = 0; i < PICTURE_SAMPLES; i++) {
      const [r, g, b] = colours[i % 2] as [number, number, number];
      await page.evaluate(`window.__want = [${r}, ${g}, ${b}]; window.__seen = 0;`);
      const t0 = await flip(observer, patch, [r, g, b]);
      const handle = await page
        .waitForFunction('window.__seen', undefined, { timeout: 10_000, polling: 5 })
        .catch(async (err: Error) => {
          const state = await page.evaluate(
            'JSON.stringify({ frames: window.__frames, last: window.__last })',
          );
          await page.screenshot({ path: path.join(resultsDir, 'helper-failure.png') });
          console.log(`sample ${i}:`, await inboundVideo(page));
          throw new Error(`${err.message}; the agent page saw ${state}; helper:\n${helper?.output}`);
        });
      picture.push(((await handle.jsonValue()) as number) - t0);
      // Spread the changes over frames and keyframes, not in lockstep with them.
      await sleep(150 + ((i * 71) % 200));
    }
    const fps =
      (((await page.evaluate('window.__frames')) as number) - framesBefore) /
      ((Date.now() - pictureStart) / 1000);

    const inbound = await inboundVideo(page);
    // Baseline: ffmpeg alone, same arguments, to a socket of ours; the helper and its ffmpeg are gone by now.
    await context.close();
    helper.stop();
    await helper.exited;
    const encoderOnly = await ffmpegAlone(xvfb.display, observer, patch);
    // The same measures for LifelineQuickSupport.exe under Wine, in the same run.
    const windows = await windowsRun(server.url, browser);

    const rows = [
      ['agent pointer move → on the X display (Playwright mouse → XQueryPointer)', summary(viaLifeline)],
      ['  of which from the pointermove handler in the page', summary(fromDomEvent)],
      ['baseline: XTEST move from the bench process → XQueryPointer', summary(directXtest)],
      ['colour change on the display → decoded at the agent', summary(picture)],
      ['baseline: colour change → ffmpeg alone emits a frame carrying it', summary(encoderOnly)],
      ...windows.rows,
    ] as const;
    console.log(`\n${'measure'.padEnd(76)}     n     p50     p90     p99     max   (ms)`);
    for (const [name, s] of rows)
      console.log(
        `${name.padEnd(76)} ${String(s.n).padStart(5)} ${[s.p50, s.p90, s.p99, s.max].map((v) => fmt(v, 1).padStart(7)).join(' ')}`,
      );
    const load = os.loadavg()[0] ?? Number.NaN;
    console.log(
      `\nagent decoded ${fmt(fps, 1)} frames/s while the colour flipped; load average ${fmt(load, 1)}`,
    );
    console.log(`agent's inbound video: ${inbound}`);
    console.log(
      `LifelineQuickSupport.exe under Wine: ${fmt(windows.startMs / 1000, 1)} s from start to its consent page`,
    );
    const adaptations = helper.output.split('\n').filter((l) => /Adapting|keyframe/.test(l));
    if (adaptations.length) console.log(`helper: ${adaptations.join(' / ')}`);
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(
      path.join(resultsDir, 'helper.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: machine(),
          load,
          fps,
          windowsStartMs: windows.startMs,
          inbound: JSON.parse(inbound),
          rows: Object.fromEntries(rows),
        },
        null,
        2,
      ),
    );
  } finally {
    helper?.stop();
    direct.close();
    observer.client.terminate();
    await browser.close();
    await server.stop();
    xvfb.stop();
  }
}

await main();
