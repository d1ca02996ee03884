import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(root, 'apps/server/src/main.ts');

export const ADMIN = { email: 'admin@bench.lifeline', password: 'bench-password-1' };

export interface LifelineProcess {
  url: string;
  pid: number;
  /** The V8 inspector's WebSocket URL, when started with `inspect`. */
  inspectorUrl: string | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The real server, `npm start`'s entry (apps/server/src/main.ts) unmodified,
 * in a process of its own: SQLite in a fresh temporary directory, logs off,
 * the first-run admin with a known password. `inspect` adds Node's
 * `--inspect` (no code change), through which the benchmark reads the heap.
 */
export async function startLifeline(options: { inspect?: boolean } = {}): Promise<LifelineProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const execArgv = ['--import', import.meta.resolve('tsx')];
  if (options.inspect) execArgv.unshift('--inspect=127.0.0.1:0');
  const child: ChildProcess = spawn(process.execPath, [...execArgv, MAIN], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      LIFELINE_DATA_DIR: dataDir,
      LIFELINE_ADMIN_EMAIL: ADMIN.email,
      LIFELINE_ADMIN_PASSWORD: ADMIN.password,
      LIFELINE_ORG_NAME: 'Bench Support',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let inspectorUrl: string | undefined;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
  });
  const removeData = () => fs.rmSync(dataDir, { recursive: true, force: true });
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`Lifeline did not start within 60 s:\n${stderr}`)),
      60_000,
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('Lifeline is running at')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      removeData();
      reject(new Error(`Lifeline exited with ${code} before listening:\n${stderr}`));
    });
  });
  if (options.inspect && !inspectorUrl) throw new Error(`No inspector URL from the server:\n${stderr}`);
  const pid = child.pid as number;
  // Losing the benchmark must not leave a server behind.
  const onExit = () => {
    child.kill('SIGKILL');
    removeData();
  };
  process.once('exit', onExit);
  return {
    url,
    pid,
    inspectorUrl,
    async stop() {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await once(child, 'exit');
        clearTimeout(killer);
      }
      removeData();
    },
  };
}

/** Resident memory of a process, from the kernel (bytes). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank: the value below which q of the samples lie.
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** The middle value, or the mean of the two middle values. */
export function median(sorted: number[]): number {
  const mid = sorted.length / 2;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[Math.floor(mid)] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const fmt = (n: number, digits: number) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim()}), Node ${process.version}, ${os.platform()} ${os.release()}`;
}
