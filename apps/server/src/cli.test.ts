import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD, TEST_POSTGRES_URL, TestServer, testConfig } from '../test/harness.js';
import type { Config } from './config/config.js';
import { openDatabase } from './db/database.js';
import { migrationNames } from './db/migrations/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The environment of a shell with nothing Lifeline-specific set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_URL|REDIS_URL|PORT|HOST|PUBLIC_URL|LOG_LEVEL|LIFELINE_.*)$/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run lifeline -- <args>`, without npm's own start-up cost. */
function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface CliDatabase {
  env: Record<string, string>;
  config: Config['database'];
  drop(): Promise<void>;
}

function sqliteDatabase(): CliDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-cli-'));
  return {
    env: { LIFELINE_DATA_DIR: dir },
    config: { kind: 'sqlite', file: path.join(dir, 'lifeline.db') },
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A whole new PostgreSQL database, since the CLI works in the default schema. */
async function postgresDatabase(): Promise<CliDatabase> {
  const name = `lifeline_cli_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    config: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// Each step starts the CLI as a process of its own (tsx compiles the server on the way): slow on a busy machine.
describe('lifeline CLI', { timeout: 90_000 }, () => {
  it.each(['sqlite', 'postgres'] as const)(
    'migrates, adds an organisation, a user and a token that works against the server [%s]',
    async (kind) => {
      const db = kind === 'sqlite' ? sqliteDatabase() : await postgresDatabase();
      cleanups.push(db.drop);

      const first = await cli(['migrate'], db.env);
      expect(first).toEqual({ code: 0, stdout: `Applied: ${migrationNames.join(', ')}\n`, stderr: '' });
      const second = await cli(['migrate'], db.env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/up to date/);

      const org = await cli(
        [
          'org',
          'add',
          '--name',
          'CLI Corp',
          '--admin-email',
          'Boss@Example.com',
          '--admin-password',
          PASSWORD,
          '--admin-name',
          'Bo Boss',
        ],
        db.env,
      );
      expect(org.stderr).toBe('');
      expect(org.code).toBe(0);
      expect(org.stdout).toMatch(/^Created organisation \S+ with admin Boss@Example\.com\n$/);

      // On SQLite, also an e-mail that is taken (PostgreSQL's unique violation is covered by the API tests).
      const duplicateRun =
        kind === 'sqlite'
          ? cli(['user', 'add', '--email', 'BOSS@example.com', '--password', PASSWORD], db.env)
          : undefined;
      const [user, token] = await Promise.all([
        cli(
          ['user', 'add', '--email', 'agent@cli.example', '--password', PASSWORD, '--name', 'Cli Agent'],
          db.env,
        ),
        cli(
          ['token', 'add', '--email', 'boss@example.com', '--name', 'ci', '--scopes', 'cases:read,admin'],
          db.env,
        ),
      ]);
      expect(user.stderr).toBe('');
      expect(user.code).toBe(0);
      const userId = /^Added agent agent@cli\.example \((\S+)\)\n$/.exec(user.stdout)?.[1];
      expect(userId, user.stdout).toBeDefined();

      expect(token.stderr).toBe('');
      expect(token.code).toBe(0);
      expect(token.stdout).toMatch(/^llt_[A-Za-z0-9_-]{40,}\n$/);

      if (duplicateRun) {
        expect(await duplicateRun).toEqual({
          code: 1,
          stdout: '',
          stderr: 'A user with e-mail boss@example.com already exists.\n',
        });
      }

      // A server on the same database accepts what the CLI created.
      const handle = openDatabase(db.config);
      const t = new TestServer(kind);
      try {
        await t.start(handle, testConfig(db.config));
        const api = t.client(token.stdout.trim());
        const me = await api.me();
        expect(me.user).toMatchObject({ email: 'boss@example.com', name: 'Bo Boss', role: 'admin' });
        expect(me.organization.name).toBe('CLI Corp');
        expect([...me.scopes].sort()).toEqual(['admin', 'cases:read']);
        expect((await api.users.list()).map((u) => [u.email, u.role, u.id])).toEqual([
          ['boss@example.com', 'admin', me.user.id],
          ['agent@cli.example', 'agent', userId],
        ]);
        const agent = await t.signIn('agent@cli.example');
        expect((await agent.me()).organization.id).toBe(me.organization.id);
      } finally {
        await t.stop();
        await handle.destroy();
      }
    },
  );

  it('exits 2 with the usage for an unknown command or a missing option', async () => {
    const db = sqliteDatabase();
    cleanups.push(db.drop);
    const untouched = sqliteDatabase();
    cleanups.push(untouched.drop);
    const [unknown, missing] = await Promise.all([
      cli(['frobnicate'], untouched.env),
      cli(['org', 'add', '--name', 'No Admin'], db.env),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: npm run lifeline -- <command> [options]');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--admin-password is required\n/);
    expect(missing.stderr).toContain('Usage: npm run lifeline -- <command> [options]');
    // A mistyped command touches no data.
    expect(fs.readdirSync(untouched.env.LIFELINE_DATA_DIR ?? '')).toEqual([]);
  });

  it('asks which organisation when several exist instead of picking one', async () => {
    const db = sqliteDatabase();
    cleanups.push(db.drop);
    for (const name of ['One', 'Two']) {
      const admin = `admin@${name.toLowerCase()}.example`;
      const created = await cli(
        ['org', 'add', '--name', name, '--admin-email', admin, '--admin-password', 'long enough 1'],
        db.env,
      );
      expect(created.code).toBe(0);
    }
    const ambiguous = await cli(
      ['user', 'add', '--email', 'c@x.example', '--password', 'long enough 2'],
      db.env,
    );
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('Several organisations exist');
    const named = await cli(
      [
        'user',
        'add',
        '--email',
        'c@x.example',
        '--password',
        'long enough 2',
        '--org-admin',
        'admin@two.example',
      ],
      db.env,
    );
    expect(named.code).toBe(0);
  });
});
