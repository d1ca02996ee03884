import { fork } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import autocannon from 'autocannon';
import { ADMIN, ensureDataset, flushToDisk } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '../results');
const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const DATA_DIR = path.resolve(process.env.BENCH_DATA_DIR ?? path.join(resultsDir, `api-${CASES}`));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 10;
const LIST_PATH = '/api/v1/cases?status=new&limit=50';
// Creates per second during the second list run: each one invalidates the cached queue pages.
const TRICKLE_PER_SECOND = 5;

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function startServer(script: string, args: string[] = []): Promise<Server> {
  const child = fork(path.join(here, script), args, { execArgv: ['--import', import.meta.resolve('tsx')] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

interface Measurement {
  run: string;
  request: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

async function measure(
  run: string,
  request: string,
  options: autocannon.Options,
  alongside?: () => () => void,
): Promise<Measurement> {
  process.stdout.write(`  ${run}: ${request} … `);
  const base = { connections: CONNECTIONS, ...options };
  await autocannon({ ...base, duration: WARMUP_SECONDS });
  const stop = alongside?.();
  let r: autocannon.Result;
  try {
    r = await autocannon({ ...base, duration: SECONDS });
  } finally {
    stop?.();
  }
  const m = {
    run,
    request,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failed: r.non2xx + r.errors + r.timeouts,
  };
  console.log(`${fmt(m.rps, 0)} req/s, p99 ${ms(m.p99)}${m.failed ? `, ${m.failed} FAILED` : ''}`);
  return m;
}

/** A personal API token through the public API, as an integrator would get one. */
async function integratorToken(url: string) {
  const agent = createClient({ baseUrl: url });
  await agent.auth.login(ADMIN.email, ADMIN.password);
  const { token } = await agent.tokens.create({ name: 'bench', scopes: ['cases:read', 'cases:write'] });
  return token;
}

const fmt = (n: number, digits: number) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (ratio: number) => `${(100 * ratio).toFixed(1)}%`;
// autocannon records whole milliseconds.
const ms = (n: number) => (n < 1 ? '< 1 ms' : `${fmt(n, 0)} ms`);

/**
 * Runs alternate bare, Lifeline, bare, …: each Lifeline run is compared with
 * the mean of the bare runs on either side, as the machine's speed drifts.
 */
function report(runs: Measurement[], dataset: string): { markdown: string; valid: boolean } {
  const vsBare = (i: number) => {
    const before = runs[i - 1]?.rps ?? Number.NaN;
    const after = runs[i + 1]?.rps ?? Number.NaN;
    return (runs[i]?.rps ?? Number.NaN) / ((before + after) / 2);
  };
  const at = (name: string) => runs.findIndex((m) => m.run === name);
  const create = vsBare(at('create'));
  const list = vsBare(at('list'));
  const listP99 = runs[at('list')]?.p99 ?? Number.NaN;
  const goals = [
    ['create-case throughput', '≥ 25% of bare', create >= 0.25, pct(create)],
    ['list throughput', '≥ 30% of bare', list >= 0.3, pct(list)],
    ['list p99 latency', '≤ 20 ms', listP99 <= 20, ms(listP99)],
  ] as const;
  const bare = runs.filter((m) => m.run === 'bare').map((m) => m.rps);
  const cpus = os.cpus();
  const lines = [
    '| Run | Request | req/s | vs bare | p50 | p99 |',
    '| --- | --- | --: | --: | --: | --: |',
    ...runs.map(
      (m, i) =>
        `| ${m.run} | \`${m.request}\` | ${fmt(m.rps, 0)} | ${m.run === 'bare' ? '' : pct(vsBare(i))} | ${ms(m.p50)} | ${ms(m.p99)} |`,
    ),
    '',
    '| Goal | Target | Measured | Result |',
    '| --- | --- | --: | --- |',
    ...goals.map(
      ([goal, target, pass, measured]) =>
        `| ${goal} | ${target} | ${measured} | ${pass ? 'pass' : '**FAIL**'} |`,
    ),
    '',
    `${new Date().toISOString().slice(0, 10)}, ${cpus.length} cores (${cpus[0]?.model.trim()}), Node ${process.version}, ${os.platform()} ${os.release()}.`,
    `\`npm run bench:api\`: autocannon with ${CONNECTIONS} connections, ${SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up.`,
    `"vs bare": against the mean of the bare runs before and after (bare ranged ${fmt(Math.min(...bare), 0)} to ${fmt(Math.max(...bare), 0)} req/s).`,
    `"list + creates": the same list while ${TRICKLE_PER_SECOND} cases a second are created through the API, each of which invalidates the cached queue pages; it has no goal.`,
    dataset,
  ];
  const failed = runs.filter((m) => m.failed > 0);
  if (failed.length)
    lines.push('', `**Invalid**: non-2xx answers or errors in ${failed.map((m) => m.run).join(', ')}.`);
  return { markdown: `${lines.join('\n')}\n`, valid: failed.length === 0 };
}

async function main() {
  const dataset = await ensureDataset(DATA_DIR, CASES);
  const servers: Server[] = [];
  try {
    const bare = await startServer('bare-server.ts');
    servers.push(bare);
    const lifeline = await startServer('lifeline-server.ts', [dataset.dataDir, String(dataset.seededAt)]);
    servers.push(lifeline);
    const token = await integratorToken(lifeline.url);
    const api = createClient({ baseUrl: lifeline.url, token });
    const { items } = await api.cases.list({ status: 'new', limit: 50 });
    if (items.length !== 50) throw new Error(`The list returns ${items.length} cases instead of 50.`);
    const auth = { authorization: `Bearer ${token}` };
    const createBody = { name: 'Printer offline' };
    const measureBare = () => measure('bare', 'GET /bare', { url: `${bare.url}/bare` });

    // autocannon's own code warms up too: without this the first run is measured low.
    await autocannon({ url: `${bare.url}/bare`, connections: CONNECTIONS, duration: 5 });
    console.log('Measuring:');
    const runs = [await measureBare()];
    // The list runs before any case is created, so that it reads the seeded cases only.
    runs.push(
      await measure('list', `GET ${LIST_PATH}`, { url: `${lifeline.url}${LIST_PATH}`, headers: auth }),
    );
    runs.push(await measureBare());
    await api.cases.create(createBody); // fails loudly, with the problem, rather than as a non-2xx count
    let trickled = 0;
    let trickleFailure: unknown;
    const trickle = () => {
      const timer = setInterval(() => {
        api.cases.create(createBody).then(
          () => trickled++,
          (err: unknown) => {
            trickleFailure ??= err;
          },
        );
      }, 1000 / TRICKLE_PER_SECOND);
      return () => clearInterval(timer);
    };
    runs.push(
      await measure(
        'list + creates',
        `GET ${LIST_PATH}, ${TRICKLE_PER_SECOND} creates/s alongside`,
        { url: `${lifeline.url}${LIST_PATH}`, headers: auth },
        trickle,
      ),
    );
    if (trickleFailure) throw trickleFailure;
    if (trickled < TRICKLE_PER_SECOND * SECONDS * 0.9)
      throw new Error(`Only ${trickled} creates went through alongside the list run.`);
    runs.push(await measureBare());
    runs.push(
      await measure('create', 'POST /api/v1/cases', {
        url: `${lifeline.url}/api/v1/cases`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(createBody),
      }),
    );
    for (const file of ['lifeline.db', 'lifeline.db-wal']) flushToDisk(path.join(dataset.dataDir, file));
    runs.push(await measureBare());

    const { markdown, valid } = report(
      runs,
      `SQLite (WAL) holding ${CASES.toLocaleString('en')} cases of one organisation; the list returns 50 of them.`,
    );
    const file = path.join(resultsDir, 'api.md');
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(file, markdown);
    console.log(`\n${markdown}\nWritten to ${path.relative(path.resolve(here, '../..'), file)}`);
    if (!valid) process.exitCode = 1;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

await main();
