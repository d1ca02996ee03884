import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PASSWORD } from '../apps/server/test/harness.js';
import { freePort } from './harness.js';

/**
 * Real processes for cluster and fault tests: Lifeline as `npm start` runs it,
 * nginx with the snippets from deploy/nginx/, and private Redis and PostgreSQL
 * instances the tests may kill and restart (never the shared ones).
 */

export const REPO = fileURLToPath(new URL('../', import.meta.url));
export const ADMIN = 'admin@cluster.test';
const NGINX = '/usr/sbin/nginx';
const PG_BIN = '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await ok().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

async function exited(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await done;
}

export interface LifelineProcess {
  url: string;
  port: number;
  nodeId: string;
  child: ChildProcess;
  /** SIGKILL: no graceful shutdown, as a crash or an OOM kill. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** `npm start`'s server as its own process (web pages must be built). */
export async function startLifeline(env: Record<string, string>, port?: number): Promise<LifelineProcess> {
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: String(p),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      LIFELINE_ADMIN_EMAIL: ADMIN,
      LIFELINE_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(`Lifeline at ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    return (await fetch(`${url}/readyz`)).ok;
  });
  return {
    url,
    port: p,
    nodeId: env.LIFELINE_NODE_ID ?? '',
    child,
    kill: () => exited(child, 'SIGKILL'),
    stop: () => exited(child, 'SIGTERM'),
  };
}

/** A temporary directory that `postgres` (for initdb) and nginx's workers can use. */
function tempDir(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o777);
  return dir;
}

export interface Nginx {
  dir: string;
  stop(): Promise<void>;
  accessLog(): string;
}

/**
 * nginx in the foreground with a configuration of the test's, which includes
 * deploy/nginx/lifeline-http.conf and lifeline-proxy.conf as they are.
 * `servers` maps a listening port to the upstream ports it prefers, in order
 * (the later ones are backups, taken when the first is down).
 */
export async function startNginx(servers: { listen: number; upstreams: number[] }[]): Promise<Nginx> {
  const dir = tempDir('lifeline-nginx-');
  const deploy = path.join(REPO, 'deploy/nginx');
  const blocks = servers.map(({ listen, upstreams }, i) => {
    const [first, ...rest] = upstreams;
    return `
  upstream lifeline_${i} {
    server 127.0.0.1:${first} max_fails=1 fail_timeout=10s;
${rest.map((p) => `    server 127.0.0.1:${p} backup;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${listen};
    location = /metrics { return 404; }
    location / {
      proxy_pass http://lifeline_${i};
      include ${deploy}/lifeline-proxy.conf;
    }
  }`;
  });
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  include ${deploy}/lifeline-http.conf;
  access_log ${dir}/access.log lifeline;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${blocks.join('\n')}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const { listen } of servers) {
    await waitFor(`nginx on ${listen}`, async () => {
      if (child.exitCode !== null)
        throw new Error(`nginx exited: ${fs.readFileSync(`${dir}/error.log`, 'utf8')}`);
      await fetch(`http://127.0.0.1:${listen}/healthz`);
      return true;
    });
  }
  return {
    dir,
    stop: async () => {
      await exited(child, 'SIGQUIT');
      fs.rmSync(dir, { recursive: true, force: true });
    },
    accessLog: () => fs.readFileSync(path.join(dir, 'access.log'), 'utf8'),
  };
}

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: Redis loses everything (it runs without persistence, as Lifeline recommends). */
  kill(): Promise<void>;
}

/** A Redis of the test's own on a free port, without persistence. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    start: async () => {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      child = started;
      await waitFor(`redis on ${port}`, async () => {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
        return true;
      });
    },
    kill: async () => {
      if (child) await exited(child, 'SIGKILL');
    },
  };
  await redis.start();
  return redis;
}

export interface PrivatePostgres {
  url: string;
  start(): void;
  /** Fast shutdown: open connections are cut, committed data stays on disk. */
  stop(): void;
  destroy(): void;
}

/** A PostgreSQL cluster of the test's own (initdb in a temp dir, run as `postgres`). */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = tempDir('lifeline-pg-');
  const data = path.join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(PG_BIN, cmd), args, { stdio: 'pipe' });
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const pgCtl = (...args: string[]) => asPostgres('pg_ctl', ['-D', data, '-w', '-t', '30', ...args]);
  const postgres: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => {
      pgCtl(
        '-l',
        path.join(dir, 'log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      );
    },
    stop: () => {
      pgCtl('-m', 'fast', 'stop');
    },
    destroy: () => {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // Already stopped.
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  postgres.start();
  return postgres;
}

/** One query on a database by URL (tests look at what the processes stored). */
export async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
