import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import WebSocket from 'ws';
import { Inspector } from '../lib/inspector.js';
import {
  ADMIN,
  fmt,
  type LifelineProcess,
  machine,
  quantile,
  rssOf,
  sleep,
  startLifeline,
} from '../lib/lifeline-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '../results');
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const CREATE_CONCURRENCY = 20;
const CONNECT_CONCURRENCY = 100;
const SETTLE_MS = 3_000;
/** About the size of a browser's offer with its candidates. */
const SDP = `v=0\r\n${'a=candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host\r\n'.repeat(60)}`;
const SDP_BYTES = Buffer.byteLength(SDP);
/** The whole run stops by itself, whatever happens. */
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_SECONDS ?? 900) * 1000;

interface Waiting {
  code: string;
  token: string;
  ws?: WebSocket;
}

const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`;
/** Goals are in kilobytes of 1,000 bytes, the stricter reading. */
const kb = (bytes: number) => `${fmt(bytes / 1000, 1)} KB`;
const msf = (ms: number) => `${fmt(ms, 1)} ms`;

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function openCustomer(url: string, c: Waiting): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/session?token=${encodeURIComponent(c.token)}`);
    c.ws = ws;
    const timer = setTimeout(() => reject(new Error(`no welcome for ${c.code} within 30 s`)), 30_000);
    const onMessage = (data: WebSocket.RawData) => {
      const type = (JSON.parse(data.toString()) as { type: string }).type;
      if (type !== 'welcome') return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`socket of ${c.code} closed (${code}) before its welcome`));
    });
  });
}

/** When the next message of `type` arrives on `ws` (performance.now()); `seen` gets the message. */
function nextMessage(
  ws: WebSocket,
  type: string,
  timeoutMs = 5_000,
  seen: (m: Record<string, unknown>) => void = () => {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const at = performance.now();
      const m = JSON.parse(data.toString()) as { type: string };
      if (m.type !== type) return;
      seen(m);
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(at);
    };
    ws.on('message', onMessage);
  });
}

/** The console socket: resolves a waiter when `case.changed` reports that code in that status. */
class Console {
  private readonly waiters = new Map<string, (at: number) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const at = performance.now();
      const m = JSON.parse(data.toString()) as { type: string; case?: { code: string; status: string } };
      if (m.type !== 'case.changed' || !m.case) return;
      const key = `${m.case.code} ${m.case.status}`;
      this.waiters.get(key)?.(at);
      this.waiters.delete(key);
    });
  }

  static async open(url: string, cookie: string) {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/console`, { headers: { cookie } });
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'ready') resolve();
      });
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`console closed (${code})`)));
    });
    return new Console(ws);
  }

  /** When the console hears that `code` is now `status`; listen before causing the change. */
  changed(code: string, status: string, timeoutMs = 5_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const key = `${code} ${status}`;
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`console heard nothing of ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

interface Latencies {
  label: string;
  samples: number[];
  failed: number;
}

function summary(l: Latencies) {
  const sorted = [...l.samples].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function main() {
  const started = Date.now();
  let server: LifelineProcess | undefined;
  const customers: Waiting[] = [];
  let consoleSocket: Console | undefined;
  let inspector: Inspector | undefined;
  try {
    server = await startLifeline({ inspect: true });
    const { url, pid } = server;
    inspector = await Inspector.connect(server.inspectorUrl as string);
    const admin = createClient({ baseUrl: url });
    await admin.auth.login(ADMIN.email, ADMIN.password);
    const cookie = admin.sessionCookie();
    if (!cookie) throw new Error('The login set no session cookie.');
    const { token } = await admin.tokens.create({ name: 'bench-ws', scopes: ['cases:read', 'cases:write'] });
    const api = createClient({ baseUrl: url, token });

    console.log(`Creating ${CUSTOMERS.toLocaleString('en')} cases (${CREATE_CONCURRENCY} at a time)…`);
    let t = performance.now();
    const created: Waiting[] = new Array(CUSTOMERS);
    await pool([...Array(CUSTOMERS).keys()], CREATE_CONCURRENCY, async (i) => {
      const c = await api.cases.create({ name: `Waiting customer #${i}` });
      created[i] = { code: c.code, token: new URL(c.links.customer).pathname.split('/').pop() as string };
    });
    customers.push(...created);
    const createMs = performance.now() - t;

    // Before: everything but the sockets is in place (code loaded, caches warm).
    const measureMemory = async () => {
      await sleep(SETTLE_MS);
      await inspector?.collectGarbage();
      await sleep(500);
      await inspector?.collectGarbage();
      const heap = await (inspector as Inspector).memoryUsage();
      return { rss: rssOf(pid), heapUsed: heap.heapUsed, external: heap.external + heap.arrayBuffers };
    };
    const before = await measureMemory();
    console.log(
      `  done in ${seconds(createMs)}; server RSS ${mib(before.rss)}, heap ${mib(before.heapUsed)}`,
    );

    console.log(
      `Opening ${CUSTOMERS.toLocaleString('en')} customer sockets (${CONNECT_CONCURRENCY} at a time)…`,
    );
    t = performance.now();
    let welcomed = 0;
    await pool(customers, CONNECT_CONCURRENCY, async (c) => {
      await openCustomer(url, c);
      welcomed++;
      if (process.stdout.isTTY && welcomed % 500 === 0) process.stdout.write(`\r  ${welcomed}`);
    });
    const connectMs = performance.now() - t;
    if (process.stdout.isTTY) process.stdout.write('\n');
    const after = await measureMemory();
    const perConnection = {
      rss: (after.rss - before.rss) / CUSTOMERS,
      heapUsed: (after.heapUsed - before.heapUsed) / CUSTOMERS,
      external: (after.external - before.external) / CUSTOMERS,
    };
    console.log(
      `  ${welcomed} welcomed in ${seconds(connectMs)}; RSS ${mib(after.rss)} (+${kb(perConnection.rss)} per connection), heap +${kb(perConnection.heapUsed)} per connection`,
    );

    consoleSocket = await Console.open(url, cookie);
    const live = consoleSocket;
    const openCustomers = () => customers.filter((c) => c.ws?.readyState === WebSocket.OPEN).length;

    // 1. An agent's socket joins a waiting case: pending → in_progress.
    const joins: Latencies = {
      label: 'agent socket joins a waiting case (pending → in_progress)',
      samples: [],
      failed: 0,
    };
    console.log(`Console latency, ${SAMPLES} agent joins…`);
    for (let i = 0; i < SAMPLES; i++) {
      const c = customers[i] as Waiting;
      const heard = live.changed(c.code, 'in_progress');
      const t0 = performance.now();
      const agent = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/session?case=${c.code}`, {
        headers: { cookie },
      });
      try {
        joins.samples.push((await heard) - t0);
      } catch {
        joins.failed++;
      }
      // The console may hear of the join before this side has seen the handshake's answer.
      agent.on('error', () => {});
      if (agent.readyState === WebSocket.CONNECTING) await once(agent, 'open').catch(() => {});
      agent.terminate();
      await sleep(5);
    }
    const connectedDuringJoins = openCustomers();

    // 2. The hub relays the customer's offer to the agent and the agent's answer back, as in a connect.
    const offers: Latencies = { label: 'customer → agent (offer)', samples: [], failed: 0 };
    const answers: Latencies = { label: 'agent → customer (answer)', samples: [], failed: 0 };
    console.log(`Signal relay, ${SAMPLES} offer/answer pairs…`);
    for (let i = 0; i < SAMPLES; i++) {
      const c = customers[SAMPLES + i] as Waiting;
      const customer = c.ws as WebSocket;
      const agent = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/session?case=${c.code}`, {
        headers: { cookie },
      });
      try {
        let you = '';
        await nextMessage(agent, 'welcome', 5_000, (m) => {
          you = String(m.you);
        });
        const allowed = nextMessage(agent, 'consent');
        customer.send(JSON.stringify({ type: 'consent', decision: 'allow', agent: you }));
        await allowed;
        const offered = nextMessage(agent, 'signal');
        let t0 = performance.now();
        customer.send(JSON.stringify({ type: 'signal', to: you, description: { type: 'offer', sdp: SDP } }));
        offers.samples.push((await offered) - t0);
        const answered = nextMessage(customer, 'signal');
        t0 = performance.now();
        agent.send(JSON.stringify({ type: 'signal', description: { type: 'answer', sdp: SDP } }));
        answers.samples.push((await answered) - t0);
      } catch {
        offers.failed++;
      }
      agent.terminate();
      await sleep(5);
    }

    // 3. The API closes a waiting case: → closed (the customer's socket is ended).
    const closes: Latencies = {
      label: '`POST /api/v1/cases/{code}/close` (pending → closed)',
      samples: [],
      failed: 0,
    };
    console.log(`Console latency, ${SAMPLES} closes through the API…`);
    for (let i = 0; i < SAMPLES; i++) {
      const c = customers[CUSTOMERS - 1 - i] as Waiting;
      const heard = live.changed(c.code, 'closed');
      const t0 = performance.now();
      const res = fetch(`${url}/api/v1/cases/${c.code}/close`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      try {
        closes.samples.push((await heard) - t0);
        if (!(await res).ok) closes.failed++;
      } catch {
        closes.failed++;
      }
      await sleep(5);
    }
    const connectedAfterCloses = openCustomers();

    const report = markdown({
      createMs,
      connectMs,
      welcomed,
      before,
      after,
      perConnection,
      latencies: [joins, closes],
      relays: [offers, answers],
      connectedDuringJoins,
      connectedAfterCloses,
    });
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, 'ws.md');
    fs.writeFileSync(file, report.text);
    console.log(`\n${report.text}\nWritten to ${path.relative(path.resolve(here, '../..'), file)}`);
    if (!report.valid) process.exitCode = 1;
  } finally {
    for (const c of customers) c.ws?.terminate();
    consoleSocket?.ws.terminate();
    inspector?.close();
    await server?.stop();
    console.log(`Finished in ${seconds(Date.now() - started)}.`);
  }
}

interface Outcome {
  createMs: number;
  connectMs: number;
  welcomed: number;
  before: { rss: number; heapUsed: number; external: number };
  after: { rss: number; heapUsed: number; external: number };
  perConnection: { rss: number; heapUsed: number; external: number };
  latencies: Latencies[];
  relays: Latencies[];
  connectedDuringJoins: number;
  connectedAfterCloses: number;
}

function markdown(o: Outcome) {
  const n = CUSTOMERS.toLocaleString('en');
  const rows = [
    '| Measure | Value |',
    '| --- | --: |',
    `| cases created through the API (${CREATE_CONCURRENCY} at a time) | ${n} in ${seconds(o.createMs)} |`,
    `| customer sockets welcomed (${CONNECT_CONCURRENCY} opening at a time) | ${o.welcomed.toLocaleString('en')} in ${seconds(o.connectMs)} (${fmt(o.welcomed / (o.connectMs / 1000), 0)}/s) |`,
    `| server RSS before → after the sockets | ${mib(o.before.rss)} → ${mib(o.after.rss)} |`,
    `| **RSS per connection** | **${kb(o.perConnection.rss)}** |`,
    `| V8 heap used before → after (after a full GC) | ${mib(o.before.heapUsed)} → ${mib(o.after.heapUsed)} |`,
    `| heap used per connection | ${kb(o.perConnection.heapUsed)} |`,
    `| external + array buffers per connection | ${kb(o.perConnection.external)} |`,
  ];
  const lat = [
    '| Console hears `case.changed` after… | samples | p50 | p95 | p99 | max | failed |',
    '| --- | --: | --: | --: | --: | --: | --: |',
    ...o.latencies.map((l) => {
      const s = summary(l);
      return `| ${l.label} | ${l.samples.length} | ${msf(s.p50)} | ${msf(s.p95)} | ${msf(s.p99)} | ${msf(s.max)} | ${l.failed} |`;
    }),
  ];
  const relay = [
    `| Hub relays a signalling message (${fmt(SDP_BYTES / 1000, 1)} KB SDP) | samples | p50 | p95 | p99 | max | failed |`,
    '| --- | --: | --: | --: | --: | --: | --: |',
    ...o.relays.map((l) => {
      const s = summary(l);
      return `| ${l.label} | ${l.samples.length} | ${msf(s.p50)} | ${msf(s.p95)} | ${msf(s.p99)} | ${msf(s.max)} | ${l.failed} |`;
    }),
  ];
  const memoryMet = o.perConnection.rss <= 30_000 && o.welcomed === CUSTOMERS;
  const goals = [
    ['memory per waiting customer', '≤ 30 KB', kb(o.perConnection.rss), memoryMet],
    ...o.latencies.map((l) => {
      const p99 = summary(l).p99;
      return [
        `console update p99, ${l.label.split(' (')[0]}`,
        '≤ 50 ms',
        msf(p99),
        p99 <= 50 && l.failed === 0 && l.samples.length >= 200,
      ] as const;
    }),
  ] as const;
  const lines = [
    ...rows,
    '',
    ...lat,
    '',
    ...relay,
    '',
    '| Goal | Target | Measured | Met |',
    '| --- | --- | --: | --- |',
    ...goals.map(
      ([g, target, measured, met]) => `| ${g} | ${target} | ${measured} | ${met ? 'yes' : '**no**'} |`,
    ),
    '',
    `${new Date().toISOString().slice(0, 10)}, ${machine()}.`,
    `\`npm run bench:ws\`: ${n} waiting customers on one server process (SQLite, logs off); customer sockets open during the latency samples: ${o.connectedDuringJoins.toLocaleString('en')} (agent joins), ${o.connectedAfterCloses.toLocaleString('en')} after the closes.`,
  ];
  const valid = o.welcomed === CUSTOMERS && o.latencies.every((l) => l.failed === 0);
  if (!valid) lines.push('', '**Invalid**: sockets without a welcome or samples without a console update.');
  return { text: `${lines.join('\n')}\n`, valid };
}

const watchdog = setTimeout(() => {
  console.error(`bench:ws did not finish within ${DEADLINE_MS / 1000} s; stopping.`);
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();
await main();
