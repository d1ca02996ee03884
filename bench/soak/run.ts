import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, type LifelineClient } from '@lifeline/client';
import WebSocket from 'ws';
import { Inspector } from '../lib/inspector.js';
import { ADMIN, fmt, machine, rssOf, sleep, startLifeline } from '../lib/lifeline-process.js';

/** Anonymous (heap, SQLite page cache, buffers) and file-backed (SQLite's memory map, code) resident memory. */
function rssParts(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

/**
 * Soak: the real server (main.ts, SQLite) kept busy for a fixed time with
 * hundreds of live sessions — a customer socket and an agent socket each —
 * that are continually closed and replaced by new cases, with chat and
 * signalling flowing. Every `interval` the heap is measured after a forced GC
 * (through the inspector, no code in the server) together with the RSS.
 * Memory is flat when the heap after GC does not trend upwards once warm.
 *
 *   npm run bench:soak                         10 minutes, 300 live sessions
 *   npm run bench:soak -- --minutes 2 --sessions 100
 */
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    sessions: { type: 'string', default: '300' },
    workers: { type: 'string', default: '4' },
    samples: { type: 'string', default: '20' },
  },
});
const DURATION_MS = Number(args.minutes) * 60_000;
const SESSIONS = Number(args.sessions);
const WORKERS = Number(args.workers);
const SAMPLES = Number(args.samples);
if (![DURATION_MS, SESSIONS, WORKERS, SAMPLES].every((n) => Number.isFinite(n) && n > 0)) {
  throw new Error('--minutes, --sessions, --workers and --samples must be positive numbers');
}

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '../results');
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`;

interface Live {
  code: string;
  customer: WebSocket;
  agent: WebSocket;
  /** The agent's connection id, which the customer's consent and signalling name. */
  agentId: string;
  ended: Promise<number>;
}

/** Opens a session socket and resolves once it is welcomed, with its connection id. */
function open(
  url: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; you: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/session?${query}`, { headers });
    const timer = setTimeout(() => reject(new Error(`no welcome within 30 s (${query})`)), 30_000);
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as { type: string; you?: string };
      if (m.type !== 'welcome') return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve({ ws, you: m.you ?? '' });
    };
    ws.on('message', onMessage);
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** How many of the two sockets were told `ended` before they closed. */
function endedCount(sockets: WebSocket[]): Promise<number> {
  return Promise.all(
    sockets.map(
      (ws) =>
        new Promise<number>((resolve) => {
          let told = 0;
          ws.on('message', (data) => {
            if ((JSON.parse(data.toString()) as { type: string }).type === 'ended') told = 1;
          });
          ws.once('close', () => resolve(told));
        }),
    ),
  ).then((n) => n.reduce((a, b) => a + b, 0));
}

async function startSession(url: string, api: LifelineClient, cookie: string, i: number): Promise<Live> {
  const created = await api.cases.create({ name: `Soak ${i}`, customer: { name: 'Cleo' } });
  const token = created.links.customer.split('/j/')[1] ?? '';
  const { ws: customer } = await open(url, `token=${encodeURIComponent(token)}`);
  const { ws: agent, you: agentId } = await open(url, `case=${created.code}`, { cookie });
  customer.send(JSON.stringify({ type: 'consent', decision: 'allow', agent: agentId }));
  return { code: created.code, customer, agent, agentId, ended: endedCount([customer, agent]) };
}

function linearSlope(points: { x: number; y: number }[]) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main() {
  const server = await startLifeline({ inspect: true });
  const inspector = await Inspector.connect(server.inspectorUrl as string);
  const api = createClient({ baseUrl: server.url });
  await api.auth.login(ADMIN.email, ADMIN.password);
  const cookie = api.sessionCookie() ?? '';
  const sample = async (elapsedMs: number) => {
    await inspector.collectGarbage();
    const m = await inspector.memoryUsage();
    const parts = rssParts(server.pid);
    return {
      minute: elapsedMs / 60_000,
      heapUsed: m.heapUsed,
      rss: rssOf(server.pid),
      rssAnon: parts.anon,
      rssFile: parts.file,
      external: m.external,
    };
  };

  process.stdout.write(
    `soak: ${args.minutes} min, ${SESSIONS} live sessions (${SESSIONS * 2} sockets), ${WORKERS} workers; ${machine()}\n`,
  );
  const live: Live[] = [];
  let created = 0;
  for (let i = 0; i < SESSIONS; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, SESSIONS - i) }, () =>
        startSession(server.url, api, cookie, created++),
      ),
    );
    live.push(...batch);
  }

  const started = Date.now();
  const samples = [await sample(0)];
  let closed = 0;
  let endedTold = 0;
  let messages = 0;
  let failures = 0;
  const stopAt = started + DURATION_MS;
  const worker = async () => {
    while (Date.now() < stopAt) {
      const oldest = live.shift();
      if (!oldest) {
        await sleep(10);
        continue;
      }
      try {
        // A little signalling and chat, as a session has, then the agent closes the case.
        for (let k = 0; k < 3; k++) {
          oldest.customer.send(
            JSON.stringify({
              type: 'signal',
              to: oldest.agentId,
              candidate: { candidate: `candidate:${k} 1 udp 1 192.0.2.2 5000${k} typ host` },
            }),
          );
          oldest.agent.send(JSON.stringify({ type: 'chat', text: `step ${k}` }));
          messages += 2;
        }
        await api.cases.close(oldest.code);
        // Awaited first: `endedTold += await …` would add to the value read before the wait.
        const told = await oldest.ended;
        endedTold += told;
        closed++;
        live.push(await startSession(server.url, api, cookie, created++));
      } catch (err) {
        failures++;
        process.stderr.write(`soak: ${(err as Error).message}\n`);
        oldest.customer.terminate();
        oldest.agent.terminate();
      }
    }
  };
  const sampler = (async () => {
    const every = DURATION_MS / SAMPLES;
    for (let k = 1; k <= SAMPLES; k++) {
      await sleep(Math.max(0, started + k * every - Date.now()));
      const s = await sample(Date.now() - started);
      samples.push(s);
      process.stdout.write(
        `  ${fmt(s.minute, 1)} min: heap ${mib(s.heapUsed)}, RSS ${mib(s.rss)} (anonymous ${mib(s.rssAnon)}, file ${mib(s.rssFile)}), ${closed} cases closed, ${live.length} live\n`,
      );
    }
  })();
  await Promise.all([...Array.from({ length: WORKERS }, worker), sampler]);

  for (const l of live) {
    l.customer.terminate();
    l.agent.terminate();
  }
  inspector.close();
  await server.stop();

  // Warm-up: the first tenth (JIT, caches, SQLite page cache fill up); the trend is taken after it.
  const warm = samples.filter((s) => s.minute >= Number(args.minutes) / 10);
  const heapSlope = linearSlope(warm.map((s) => ({ x: s.minute, y: s.heapUsed })));
  const rssSlope = linearSlope(warm.map((s) => ({ x: s.minute, y: s.rss })));
  const first = warm[0] ?? samples[0];
  const last = samples[samples.length - 1];
  const summary = {
    date: new Date().toISOString(),
    machine: machine(),
    minutes: Number(args.minutes),
    liveSessions: SESSIONS,
    casesClosed: closed,
    casesPerSecond: closed / (DURATION_MS / 1000),
    messages,
    endedToldPerClosedCase: closed ? endedTold / closed : 0,
    failures,
    heapAfterWarmup: first?.heapUsed,
    heapAtEnd: last?.heapUsed,
    heapSlopeMiBPerMinute: heapSlope / 2 ** 20,
    rssAfterWarmup: first?.rss,
    rssAtEnd: last?.rss,
    rssSlopeMiBPerMinute: rssSlope / 2 ** 20,
    samples,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `soak-${summary.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  process.stdout.write(
    [
      '',
      `cases closed and replaced: ${closed} (${fmt(summary.casesPerSecond, 1)}/s), messages relayed: ${messages}, failures: ${failures}`,
      `sockets told "ended" per closed case: ${fmt(summary.endedToldPerClosedCase, 2)} (2 expected)`,
      `heap after GC: ${mib(first?.heapUsed ?? 0)} after warm-up → ${mib(last?.heapUsed ?? 0)} at the end; trend ${fmt(summary.heapSlopeMiBPerMinute, 3)} MiB/min`,
      `RSS: ${mib(first?.rss ?? 0)} → ${mib(last?.rss ?? 0)}; trend ${fmt(summary.rssSlopeMiBPerMinute, 3)} MiB/min`,
      `  anonymous ${mib(first?.rssAnon ?? 0)} → ${mib(last?.rssAnon ?? 0)}; file-backed (SQLite's memory map, code) ${mib(first?.rssFile ?? 0)} → ${mib(last?.rssFile ?? 0)}`,
      `samples: ${file}`,
      '',
    ].join('\n'),
  );
  if (failures > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
