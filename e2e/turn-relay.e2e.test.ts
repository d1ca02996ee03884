import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2eServer,
  freePort,
  launchChromium,
  newScene,
  pageErrors,
  screenshot,
  signIn,
  videoPlaying,
} from './harness.js';

const TURNSERVER = '/usr/bin/turnserver';
const SECRET = 'a-long-coturn-shared-secret-for-tests';

/**
 * Keeps every RTCPeerConnection a page makes, so the test can read its stats.
 * Injected before the page's own scripts; the app itself is unchanged.
 */
function recordPeerConnections() {
  const Original = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __peers: RTCPeerConnection[] }).__peers = all;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  } as typeof RTCPeerConnection;
}

/** The candidate types of the selected pair of the page's latest connected peer connection. */
function selectedPair() {
  const peers = (window as unknown as { __peers: RTCPeerConnection[] }).__peers;
  const pc = [...peers].reverse().find((p) => p.connectionState === 'connected');
  if (!pc) return Promise.resolve(null);
  return pc.getStats().then((stats) => {
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => {
      byId.set(s.id as string, s);
    });
    const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = transport ? byId.get(transport.selectedCandidatePairId as string) : undefined;
    if (!pair) return null;
    const local = byId.get(pair.localCandidateId as string);
    const remote = byId.get(pair.remoteCandidateId as string);
    return {
      policy: pc.getConfiguration().iceTransportPolicy,
      local: local?.candidateType,
      remote: remote?.candidateType,
      localAddress: local?.address,
    };
  });
}

/**
 * A real coturn in shared-secret mode on loopback, and a server whose sessions
 * use it with the relay-only policy: the browsers' media must flow through
 * the relay. coturn refuses loopback peers unless told (--allow-loopback-peers),
 * and here both relay addresses are 127.0.0.1.
 */
describe('NAT traversal through coturn, relay only', () => {
  const t = new E2eServer('sqlite');
  let turn: ChildProcess;
  let turnDir = '';
  let browser: Browser;

  beforeAll(async () => {
    turnDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-turn-'));
    const turnPort = await freePort();
    turn = spawn(
      TURNSERVER,
      [
        '-n',
        `--listening-ip=127.0.0.1`,
        `--relay-ip=127.0.0.1`,
        `--listening-port=${turnPort}`,
        '--min-port=40000',
        '--max-port=40100',
        '--use-auth-secret',
        `--static-auth-secret=${SECRET}`,
        '--realm=lifeline.test',
        '--fingerprint',
        '--allow-loopback-peers',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        `--userdb=${path.join(turnDir, 'turndb')}`,
        `--pidfile=${path.join(turnDir, 'turnserver.pid')}`,
        `--log-file=${path.join(turnDir, 'turn.log')}`,
        '--simple-log',
        '--verbose',
      ],
      { stdio: 'ignore' },
    );
    // coturn also listens on TCP: ready once that answers.
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(turnPort, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      if (i > 100 || turn.exitCode !== null) throw new Error('coturn did not start');
      await new Promise((r) => setTimeout(r, 100));
    }

    await t.boot('sqlite', {
      ice: {
        stunUrls: [],
        turnUrls: [`turn:127.0.0.1:${turnPort}?transport=udp`],
        turnSecret: SECRET,
        turnTtlMs: 600_000,
        transportPolicy: 'relay',
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t.shutdown();
    if (turn && turn.exitCode === null) {
      const exited = new Promise((r) => turn.once('exit', r));
      turn.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(turnDir, { recursive: true, force: true });
  });

  it('connects customer and agent with relay candidates only, and the picture arrives', async () => {
    const scene = await newScene(t, browser, 'remote_control');
    for (const page of [scene.customerPage, scene.agentPage]) await page.addInitScript(recordPeerConnections);
    await scene.customerPage.goto(scene.case.links.customer);
    await scene.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await signIn(scene.agentPage, t.baseUrl, scene.agent.email, `/session/${scene.case.code}`);
    await scene.customerPage.getByRole('button', { name: 'Allow' }).click();
    await expect
      .poll(() => videoPlaying(scene.agentPage, "Customer's screen"), { timeout: 30_000 })
      .toBe(true);

    for (const page of [scene.customerPage, scene.agentPage]) {
      await expect
        .poll(() => page.evaluate(selectedPair), { timeout: 10_000 })
        .toEqual({
          policy: 'relay',
          local: 'relay',
          remote: 'relay',
          localAddress: '127.0.0.1',
        });
    }
    // coturn accepted Lifeline's shared-secret credentials, `<expiry>:<case code>`.
    expect(fs.readFileSync(path.join(turnDir, 'turn.log'), 'utf8')).toMatch(
      new RegExp(`user <\\d+:${scene.case.code}>: incoming packet ALLOCATE processed, success`),
    );
    await screenshot(scene.agentPage, 'turn-relay-agent');
    expect(pageErrors(scene.agentPage)).toEqual([]);
    expect(pageErrors(scene.customerPage)).toEqual([]);
  });
});
