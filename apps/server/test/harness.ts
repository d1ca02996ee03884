import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError, createClient, type LifelineClient } from '@lifeline/client';
import type { Scope } from '@lifeline/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type App, type AppOptions, buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config/config.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../src/db/database.js';
import type { CaseRow } from '../src/db/schema.js';
import { cryptoRandom, type Random } from '../src/lib/random.js';

export const DATABASES = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

/** PostgreSQL of these machines; each test file works in a schema of its own. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const START = Date.parse('2026-11-22T08:00:00.000Z');
export const PASSWORD = 'correct horse battery';

export class TestClock {
  constructor(public ms = START) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

const SCHEMA_LOCK = 74_656_241;

/**
 * Test files run in parallel on one PostgreSQL database. Kysely's migrator
 * looks at the tables of every schema, and fails with "schema … does not
 * exist" if another file drops its schema at that moment; so creating,
 * migrating and dropping test schemas take turns under an advisory lock.
 */
export async function withSchemaLock<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A database of one kind, fresh for one test file, and how to throw it away. Migrated unless told otherwise. */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean } = {},
): Promise<{
  config: Config['database'];
  handle: DatabaseHandle;
  drop(): Promise<void>;
}> {
  const suffix = randomBytes(6).toString('hex');
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-test-'));
    const config = { kind, file: path.join(dir, 'lifeline.db') } as const;
    const handle = openDatabase(config);
    if (options.migrate !== false) await migrateToLatest(handle);
    return { config, handle, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `test_${suffix}`;
  const config = { kind, url: TEST_POSTGRES_URL, schema } as const;
  let handle!: DatabaseHandle;
  await withSchemaLock(async (admin) => {
    await admin.query(`create schema ${schema}`);
    handle = openDatabase(config);
    if (options.migrate !== false) await migrateToLatest(handle);
  });
  return {
    config,
    handle,
    drop: async () => {
      await withSchemaLock((admin) => admin.query(`drop schema ${schema} cascade`));
    },
  };
}

export function testConfig(database: Config['database'], overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: 'http://lifeline.test' });
  return {
    ...base,
    // Never the working directory's data/: each test server keeps recordings in a directory of its own.
    recordings: { ...base.recordings, dir: fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-recordings-')) },
    database,
    ...overrides,
  };
}

export interface TestOrg {
  orgId: string;
  groupId: string;
  adminId: string;
  adminEmail: string;
  /** Signed in with the session cookie (console). */
  admin: LifelineClient;
}

export interface TestUser {
  id: string;
  email: string;
  client: LifelineClient;
}

/** One server on one database, listening on loopback, with factories for the people a test needs. */
export class TestServer {
  app!: App;
  baseUrl = '';
  readonly clock = new TestClock();
  private handle!: DatabaseHandle;
  private config!: Config;
  private delivery: AppOptions['delivery'];
  private readonly siblings: { app: App; handle?: DatabaseHandle }[] = [];

  constructor(
    readonly kind: DatabaseKind,
    private readonly random: Random = cryptoRandom,
    private readonly validateResponses = true,
  ) {}

  /** `delivery` replaces outgoing side effects (mailer, SMS, fetch, DNS), for this server and its siblings. */
  async start(handle: DatabaseHandle, config: Config, port = 0, delivery?: AppOptions['delivery']) {
    this.handle = handle;
    this.config = config;
    this.delivery = delivery;
    this.app = await buildApp({
      config,
      database: handle,
      clock: this.clock,
      random: this.random,
      validateResponses: this.validateResponses,
      ...(delivery ? { delivery } : {}),
    });
    await this.app.server.listen({ port, host: '127.0.0.1' });
    const address = this.app.server.server.address();
    if (!address || typeof address === 'string') throw new Error('the test server has no TCP address');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  async stop() {
    for (const sibling of this.siblings.splice(0)) {
      await sibling.app.server.close();
      await sibling.handle?.destroy();
    }
    await this.app?.server.close();
    // Each server's recordings live in a directory of its own (testConfig), gone with it.
    if (this.config) fs.rmSync(this.config.recordings.dir, { recursive: true, force: true });
  }

  /**
   * Another server process on the same database and clock (not listening):
   * for work that several processes share, like the delivery workers. With
   * `ownConnection` it opens the database afresh, as a restarted process would.
   */
  async sibling(options: { ownConnection?: boolean } = {}): Promise<{ app: App; stop(): Promise<void> }> {
    const handle = options.ownConnection ? openDatabase(this.config.database) : undefined;
    const app = await buildApp({
      config: this.config,
      database: handle ?? this.handle,
      clock: this.clock,
      random: this.random,
      validateResponses: true,
      ...(this.delivery ? { delivery: this.delivery } : {}),
    });
    const sibling = handle ? { app, handle } : { app };
    this.siblings.push(sibling);
    return {
      app,
      stop: async () => {
        this.siblings.splice(this.siblings.indexOf(sibling), 1);
        await app.server.close();
        await handle?.destroy();
      },
    };
  }

  /**
   * A second server process for sockets (cluster mode: both share Redis, as configured), listening on
   * loopback; its base URL. PostgreSQL gets a connection of its own, as another process has.
   */
  async listeningSibling(): Promise<{ baseUrl: string; stop(): Promise<void> }> {
    const other = await this.sibling({ ownConnection: this.kind === 'postgres' });
    await other.app.server.listen({ port: 0, host: '127.0.0.1' });
    const address = other.app.server.server.address();
    if (!address || typeof address === 'string') throw new Error('the second process has no TCP address');
    return { baseUrl: `http://127.0.0.1:${address.port}`, stop: other.stop };
  }

  get db() {
    return this.handle.db;
  }

  client(token?: string) {
    return createClient({ baseUrl: this.baseUrl, ...(token ? { token } : {}) });
  }

  /** A raw request, for what the typed client would never send. */
  fetch(urlPath: string, init: RequestInit = {}) {
    return fetch(`${this.baseUrl}${urlPath}`, init);
  }

  async signIn(email: string, password = PASSWORD) {
    const client = this.client();
    await client.auth.login(email, password);
    return client;
  }

  async newOrg(name = 'Acme Support'): Promise<TestOrg> {
    const adminEmail = `admin-${randomBytes(5).toString('hex')}@example.com`;
    const { organizationId, groupId, adminId } = await this.app.services.people.createOrganization({
      name,
      adminEmail,
      adminPassword: PASSWORD,
      adminName: 'Ada Admin',
    });
    return { orgId: organizationId, groupId, adminId, adminEmail, admin: await this.signIn(adminEmail) };
  }

  async newAgent(org: TestOrg, name = 'Alex Agent', role: 'agent' | 'admin' = 'agent'): Promise<TestUser> {
    const email = `${role}-${randomBytes(5).toString('hex')}@example.com`;
    const user = await this.app.services.people.createUser(org.orgId, {
      email,
      name,
      password: PASSWORD,
      role,
    });
    return { id: user.id, email, client: await this.signIn(email) };
  }

  /** A bearer-token client acting for the signed-in user, with `scopes`. */
  async tokenClient(signedIn: LifelineClient, scopes: Scope[] = ['cases:read', 'cases:write']) {
    const { token } = await signedIn.tokens.create({ name: 'test', scopes });
    return this.client(token);
  }
}

/**
 * Runs the suite once per database kind, each on a fresh database and server.
 * Tests isolate themselves by creating their own organisation.
 */
export function describeEachDatabase(
  title: string,
  suite: (t: TestServer) => void,
  options: {
    /** A function is called when the server starts, after the file's own `beforeAll` hooks (local ports). */
    config?: Partial<Config> | (() => Partial<Config>);
    random?: Random;
    validateResponses?: boolean;
  } = {},
) {
  describe.each(DATABASES)(`${title} [%s]`, (kind) => {
    const t = new TestServer(kind, options.random, options.validateResponses);
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    beforeAll(async () => {
      database = await createTestDatabase(kind);
      const overrides = typeof options.config === 'function' ? options.config() : options.config;
      await t.start(database.handle, testConfig(database.config, overrides));
    });
    afterAll(async () => {
      await t.stop();
      await database?.handle.destroy();
      await database?.drop();
    });
    suite(t);
  });
}

/** Awaits a rejected API call and returns its error, failing the test if it succeeded. */
export async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the request to fail').toBeInstanceOf(ApiError);
  return err as ApiError;
}

/**
 * A case row as stored, for tests that write straight to the database (data
 * the API would never create, or a database at an older migration).
 */
export function storedCase(
  fields: Pick<
    CaseRow,
    'id' | 'org_id' | 'code' | 'group_id' | 'customer_token' | 'created_at' | 'expires_at'
  > &
    Partial<CaseRow>,
): CaseRow {
  return {
    name: 'Printer offline',
    description: null,
    type: 'remote_control',
    status: 'new',
    source: 'api',
    assignee_id: null,
    created_by_type: 'system',
    created_by_id: null,
    created_by_name: null,
    customer_name: null,
    customer_email: null,
    customer_phone: null,
    external_system: null,
    external_type: null,
    external_id: null,
    external_url: null,
    waiting_message: null,
    agent_online: 0,
    customer_online: 0,
    updated_at: fields.created_at,
    closed_at: null,
    closed_by_type: null,
    closed_by_id: null,
    closed_by_name: null,
    module_id: null,
    assigned_at: null,
    custom_api: null,
    closing_note: null,
    ...fields,
  };
}
