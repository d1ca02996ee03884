import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@lifeline/client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');

/** The environment of a shell with nothing Lifeline-specific set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_URL|REDIS_URL|PORT|HOST|PUBLIC_URL|LOG_LEVEL|LIFELINE_.*)$/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** `npm start`, as a process we can watch and stop. */
class Server {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private listeners: (() => void)[] = [];

  constructor(env: Record<string, string>) {
    this.child = spawn(TSX, ['apps/server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      for (const l of this.listeners) l();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the match once stdout shows `pattern`; fails if the process exits or takes too long. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`timed out waiting for ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`),
          ),
        timeoutMs,
      );
      const check = () => {
        const match = pattern.exec(this.stdout);
        if (match) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve(match);
        }
      };
      this.listeners.push(check);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before printing ${pattern}\n${this.stdout}\n${this.stderr}`));
      });
      check();
    });
  }

  stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

const started: Server[] = [];
const dirs: string[] = [];
function start(env: Record<string, string>) {
  const server = new Server(env);
  started.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm start (apps/server/src/main.ts)', { timeout: 90_000 }, () => {
  it('on a fresh machine prints the URL and a generated admin password, serves, and stops cleanly', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-main-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = { LIFELINE_DATA_DIR: dataDir, PORT: String(port) };

    const first = start(env);
    await first.waitFor(/Lifeline is running at (\S+)/);
    const [, email, password] = await first.waitFor(/First run: created admin (\S+) with password (\S+)/);
    expect(first.stdout).toContain(`Lifeline is running at http://localhost:${port} `);
    expect(first.stdout).toContain(`API docs: http://localhost:${port}/api/docs`);
    expect(email).toBe('admin@lifeline.local');
    expect(password?.length).toBeGreaterThanOrEqual(10);
    expect(fs.existsSync(path.join(dataDir, 'lifeline.db'))).toBe(true);

    const baseUrl = `http://127.0.0.1:${port}`;
    const client = createClient({ baseUrl });
    const { user } = await client.auth.login(email ?? '', password ?? '');
    expect(user).toMatchObject({ email: 'admin@lifeline.local', role: 'admin', active: true });
    const me = await client.me();
    expect(me.organization.name).toBe('My organisation');
    expect(me.scopes).toContain('admin');

    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });

    expect(await first.stop('SIGTERM')).toBe(0);
    await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();

    // The second start finds the admin and prints no password.
    const second = start(env);
    await second.waitFor(/Sign in with your admin account/);
    expect(second.stdout).not.toContain('First run');
    expect(second.stdout).not.toContain(password);
    const again = createClient({ baseUrl });
    await again.auth.login(email ?? '', password ?? '');
    expect((await again.me()).user.id).toBe(user.id);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(second.stderr).toBe('');
  });

  it('exits 1 naming the variable when the configuration is invalid', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-main-'));
    dirs.push(dataDir);
    const server = start({ LIFELINE_DATA_DIR: dataDir, PORT: 'abc' });
    expect(await server.exited).toBe(1);
    expect(server.stderr).toContain('Invalid configuration');
    expect(server.stderr).toMatch(/^\s*PORT: /m);
    expect(server.stdout).not.toContain('Lifeline is running');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
