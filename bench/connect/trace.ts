/**
 * Diagnostic for `bench:connect` (not part of its figures): three bare and
 * three Lifeline iterations with every WebRTC step, signalling message and
 * socket message timestamped in the pages, printed as one timeline per
 * iteration. Run: `npx tsx bench/connect/trace.ts` after `npm run build`.
 * The instrumentation itself costs a little time; compare steps, not totals.
 */

import { createClient } from '@lifeline/client';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../e2e/chromium.js';
import { ADMIN, startLifeline } from '../lib/lifeline-process.js';
import { serveBarePage } from './pages.js';

const ITERATIONS = Number(process.env.TRACE_ITERATIONS ?? 3);

/** TRACE_PROFILE=1: a CPU profile of the agent's page from the click to the first frame, summed by function. */
const PROFILE = process.env.TRACE_PROFILE === '1';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

function printProfile(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const frame = byId.get(samples[i] as number)?.callFrame;
    const name = frame
      ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}:${frame.lineNumber}`
      : '?';
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  const js = rows.filter(([n]) => !n.startsWith('(')).reduce((sum, [, ms]) => sum + ms, 0);
  console.log(
    `  agent page CPU profile: ${total.toFixed(0)} ms sampled, ${js.toFixed(0)} ms in JavaScript functions`,
  );
  for (const [name, ms] of rows.slice(0, 12)) console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${name}`);
}

const TRACE = `(() => {
  window.__trace = [];
  const log = (what) => window.__trace.push([Date.now(), what]);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__trace.push([Math.round(performance.timeOrigin + e.startTime), 'main thread busy ' + Math.round(e.duration) + ' ms (long task)']);
  }).observe({ type: 'longtask', buffered: false });
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new PC(...args);
    log('pc created');
    pc.addEventListener('icecandidate', (e) => log('local candidate ' + (e.candidate ? e.candidate.candidate.split(' ').slice(4, 8).join(' ') : 'end')));
    pc.addEventListener('iceconnectionstatechange', () => log('ice ' + pc.iceConnectionState));
    pc.addEventListener('connectionstatechange', () => log('conn ' + pc.connectionState));
    pc.addEventListener('icegatheringstatechange', () => log('gathering ' + pc.iceGatheringState));
    pc.addEventListener('track', () => log('track'));
    for (const m of ['setLocalDescription', 'setRemoteDescription', 'addIceCandidate']) {
      const orig = pc[m].bind(pc);
      pc[m] = async (...a) => { log(m + ' start'); const r = await orig(...a); log(m + ' done'); return r; };
    }
    return pc;
  };
  window.RTCPeerConnection.prototype = PC.prototype;
  const WS = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new WS(...args);
    ws.addEventListener('message', (e) => { try { const m = JSON.parse(e.data); log('ws in ' + m.type + (m.description ? ' ' + m.description.type : m.candidate ? ' cand' : '')); } catch {} });
    const send = ws.send.bind(ws);
    ws.send = (d) => { try { const m = JSON.parse(d); log('ws out ' + m.type + (m.description ? ' ' + m.description.type : m.candidate ? ' cand' : '')); } catch {} send(d); };
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
  const gdm = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = async (...a) => { log('gdm start'); const r = await gdm(...a); log('gdm done'); return r; };
  document.addEventListener('click', (e) => { const b = e.target.closest && e.target.closest('button'); if (b) log('click ' + b.textContent.trim()); }, true);
})()`;

const server = await startLifeline();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});
try {
  const admin = createClient({ baseUrl: server.url });
  await admin.auth.login(ADMIN.email, ADMIN.password);
  const bare = await serveBarePage();
  for (let i = 0; i < ITERATIONS; i++) {
    const ctx = await browser.newContext();
    await ctx.addInitScript(TRACE);
    const page = await ctx.newPage();
    await page.goto(bare.url);
    await page.evaluate(
      `(() => { const v = document.querySelector('video'); v.requestVideoFrameCallback(() => window.__trace.push([Date.now(), 'FIRST FRAME'])); })()`,
    );
    await page.evaluate('window.__trace.length = 0');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForFunction('window.__trace.some(([, w]) => w === "FIRST FRAME")');
    const a = (await page.evaluate('window.__trace')) as [number, string][];
    console.log(`--- bare ${i}`);
    for (const [t, w] of a) console.log(String(t - (a[0]?.[0] ?? 0)).padStart(5), w);
    await ctx.close();
  }
  await bare.close();
  const agentCtx = await browser.newContext();
  await agentCtx.addInitScript(TRACE);
  const agent = await agentCtx.newPage();
  for (let i = 0; i < ITERATIONS; i++) {
    const c = await admin.cases.create({ name: 'x', type: 'remote_control', customer: { name: 'Cleo' } });
    const custCtx = await browser.newContext();
    await custCtx.addInitScript(TRACE);
    const cust = await custCtx.newPage();
    await cust.goto(c.links.customer);
    await cust.getByRole('button', { name: 'Join in browser' }).click();
    if (i === 0) {
      await agent.goto(`${server.url}/login?next=/session/${c.code}`);
      await agent.getByLabel('E-mail').fill(ADMIN.email);
      await agent.getByLabel(/^Password/).fill(ADMIN.password);
      await agent.getByRole('button', { name: 'Sign in' }).click();
    } else await agent.goto(`${server.url}/session/${c.code}`);
    await cust.getByRole('heading', { name: /^Allow .* to see your screen\?$/ }).waitFor();
    await agent.getByText('Waiting for Cleo to allow access').waitFor();
    await agent.evaluate(
      `(() => { const v = document.querySelector('video'); v.requestVideoFrameCallback(() => window.__trace.push([Date.now(), 'FIRST FRAME'])); })()`,
    );
    await cust.evaluate('window.__trace.length = 0');
    await agent.evaluate('window.__trace.length = 0');
    const cdp = PROFILE ? await agentCtx.newCDPSession(agent) : undefined;
    await cdp?.send('Profiler.enable');
    await cdp?.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp?.send('Profiler.start');
    await cust.getByRole('button', { name: 'Allow', exact: true }).click();
    await agent.waitForFunction('window.__trace.some(([, w]) => w === "FIRST FRAME")');
    if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
    await cdp?.detach();
    const a = (await agent.evaluate('window.__trace')) as [number, string][];
    const b = (await cust.evaluate('window.__trace')) as [number, string][];
    const all = [
      ...a.map(([t, w]) => [t, `AGENT    ${w}`] as const),
      ...b.map(([t, w]) => [t, `CUSTOMER ${w}`] as const),
    ].sort((x, y) => x[0] - y[0]);
    const t0 = all[0]?.[0] ?? 0;
    console.log(`--- iteration ${i}`);
    for (const [t, w] of all) console.log(String(t - t0).padStart(5), w);
    await admin.cases.close(c.code);
    await custCtx.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
