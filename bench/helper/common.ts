import type { Page } from 'playwright-core';
import type { XDisplay } from 'x11';
import { queryPointer } from '../../apps/helper/test/xvfb.js';
import { median, quantile } from '../lib/lifeline-process.js';

export const INPUT_SAMPLES = Number(process.env.BENCH_INPUT_SAMPLES ?? 200);
export const PICTURE_SAMPLES = Number(process.env.BENCH_PICTURE_SAMPLES ?? 30);
export const WIDTH = 1024;
export const HEIGHT = 768;
/** The colour patch, in screen pixels: away from the pointer's path. */
export const PATCH = { x: 700, y: 500, size: 160 };

export function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: median(s),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s.at(-1) ?? Number.NaN,
  };
}

/** Polls the X pointer until it is at (x, y); answers the wall-clock time it was first seen there. */
export async function pointerArrives(d: XDisplay, x: number, y: number, timeoutMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [px, py] = await queryPointer(d);
    if (Math.abs(px - x) <= 1 && Math.abs(py - y) <= 1) return Date.now();
    if (Date.now() > deadline) throw new Error(`the pointer never reached ${x},${y} (at ${px},${py})`);
  }
}

export const colours: [number, number, number][] = [
  [255, 0, 0],
  [0, 255, 0],
];

/** Samples the agent's video where the patch is, on every decoded frame; records when `__want` shows up. */
export const WATCH_PATCH = `(() => {
  const video = document.querySelector('video[aria-label="Customer\\'s screen"]');
  const canvas = document.createElement('canvas');
  canvas.width = 1; canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  window.__frames = 0;
  const sx = ${(PATCH.x + PATCH.size / 2) / WIDTH} * video.videoWidth;
  const sy = ${(PATCH.y + PATCH.size / 2) / HEIGHT} * video.videoHeight;
  const onFrame = () => {
    window.__frames++;
    ctx.drawImage(video, sx, sy, 1, 1, 0, 0, 1, 1);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    window.__last = [r, g, b];
    const want = window.__want;
    if (want && !window.__seen && Math.abs(r - want[0]) < 40 && Math.abs(g - want[1]) < 40 && Math.abs(b - want[2]) < 40) {
      window.__seen = Date.now();
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
})()`;

/** The agent's inbound video as WebRTC counts it: losses, NACKs, PLIs, keyframes, jitter buffer delay. */
export function inboundVideo(page: Page): Promise<string> {
  return page.evaluate(`(async () => {
    for (const pc of window.__pcs) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          const { packetsReceived, packetsLost, nackCount, pliCount, firCount, framesDecoded, keyFramesDecoded, framesDropped, jitterBufferDelay, jitterBufferEmittedCount, frameWidth, framesPerSecond } = s;
          const playoutDelay = /playout-delay/.test(pc.localDescription?.sdp ?? '');
          return JSON.stringify({ playoutDelay, packetsReceived, packetsLost, nackCount, pliCount, firCount, framesDecoded, keyFramesDecoded, framesDropped, frameWidth, framesPerSecond, jitterBufferMsPerFrame: jitterBufferEmittedCount ? (1000 * jitterBufferDelay) / jitterBufferEmittedCount : null });
        }
      }
    }
    return 'no inbound video';
  })()`);
}
