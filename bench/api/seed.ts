import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '@lifeline/server/src/app.js';
import { loadConfig } from '@lifeline/server/src/config/config.js';
import { migrateToLatest, openDatabase } from '@lifeline/server/src/db/database.js';
import type { Database } from '@lifeline/server/src/db/schema.js';
import { createIdGenerator, formatSessionCode } from '@lifeline/server/src/lib/random.js';
import SQLite from 'better-sqlite3';

// Bump when the generated data changes, so that cached databases are rebuilt.
const SEED_VERSION = 1;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPAN = 28 * DAY;
const BATCH = 50_000;

export const ADMIN = { email: 'admin@bench.lifeline', password: 'bench-password-1' };

export interface Dataset {
  dataDir: string;
  /** Every seeded case was created before this instant; the server under test runs from it. */
  seededAt: number;
}

interface Meta {
  version: number;
  cases: number;
  seededAt: number;
}

/** A database with `cases` service cases, reused when a previous run left a complete one. */
export async function ensureDataset(dataDir: string, cases: number): Promise<Dataset> {
  const metaFile = path.join(dataDir, 'seed.json');
  const dbFile = path.join(dataDir, 'lifeline.db');
  const meta = readMeta(metaFile);
  if (meta?.version === SEED_VERSION && meta.cases === cases && fs.existsSync(dbFile)) {
    const stale = await reuse(dbFile, meta);
    if (!stale) {
      flushToDisk(dbFile);
      console.log(`Reusing ${cases.toLocaleString('en')} seeded cases in ${dbFile}`);
      return { dataDir, seededAt: meta.seededAt };
    }
    console.log(`Seeding again: the cached database ${stale}.`);
  }

  fs.rmSync(dataDir, { recursive: true, force: true });
  const started = performance.now();
  const seededAt = Date.now();
  const people = await createPeople(dataDir);
  const sqlite = new SQLite(dbFile);
  try {
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -524288');
    insertCases(sqlite, cases, seededAt, people);
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
  flushToDisk(dbFile);
  fs.writeFileSync(
    metaFile,
    `${JSON.stringify({ version: SEED_VERSION, cases, seededAt } satisfies Meta)}\n`,
  );
  const seconds = (performance.now() - started) / 1000;
  const size = fs.statSync(dbFile).size / 2 ** 20;
  console.log(
    `Seeded ${cases.toLocaleString('en')} cases in ${seconds.toFixed(1)} s (${size.toFixed(0)} MiB): ${dbFile}`,
  );
  return { dataDir, seededAt };
}

/** Otherwise the kernel writes the changes back while the next runs are measured. */
export function flushToDisk(file: string) {
  if (!fs.existsSync(file)) return;
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readMeta(file: string): Meta | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Meta;
  } catch {
    return undefined;
  }
}

const schemaOf = (sqlite: SQLite.Database) =>
  JSON.stringify(
    sqlite
      .prepare("select type, name, sql from sqlite_master where name not like 'sqlite_%' order by name")
      .all(),
  );

/** The migrations change while the product is young; a database they no longer produce is rebuilt. */
async function currentSchema() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-schema-'));
  try {
    const database = openDatabase(
      { kind: 'sqlite', file: path.join(dir, 'schema.db') },
      { checkpointer: false },
    );
    await migrateToLatest(database);
    await database.destroy();
    const sqlite = new SQLite(path.join(dir, 'schema.db'));
    try {
      return schemaOf(sqlite);
    } finally {
      sqlite.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Undoes what earlier benchmark runs wrote, or says why the database cannot be reused. */
async function reuse(dbFile: string, meta: Meta): Promise<string | undefined> {
  const sqlite = new SQLite(dbFile);
  try {
    if (schemaOf(sqlite) !== (await currentSchema())) return 'has an older schema';
    const { n } = sqlite
      .prepare('select count(*) as n from cases where created_at < ?')
      .get(meta.seededAt) as {
      n: number;
    };
    if (n !== meta.cases) return `has ${n} seeded cases instead of ${meta.cases}`;
    forgetPreviousRuns(sqlite, meta.seededAt);
    return undefined;
  } finally {
    sqlite.close();
  }
}

/** The server under test runs on a clock starting at `seededAt`, so anything newer was written by a benchmark. */
function forgetPreviousRuns(sqlite: SQLite.Database, seededAt: number) {
  sqlite.transaction(() => {
    sqlite
      .prepare('delete from case_events where case_id in (select id from cases where created_at >= ?)')
      .run(seededAt);
    sqlite.prepare('delete from cases where created_at >= ?').run(seededAt);
    sqlite.prepare('delete from session_codes where created_at >= ?').run(seededAt);
    sqlite.prepare('delete from api_tokens').run();
    sqlite.prepare('delete from sessions').run();
  })();
}

interface People {
  orgId: string;
  groupId: string;
  agents: { id: string; name: string }[];
}

/** The organisation and its users go through the services, so passwords and defaults are the real ones. */
async function createPeople(dataDir: string): Promise<People> {
  const config = loadConfig({ LOG_LEVEL: 'silent', LIFELINE_DATA_DIR: dataDir });
  const database = openDatabase(config.database, { checkpointer: false });
  try {
    await migrateToLatest(database);
    const { server, services } = await buildApp({ config, database });
    const org = await services.people.createOrganization({
      name: 'Bench Org',
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
    });
    const agents = [{ id: org.adminId, name: 'Administrator' }];
    for (const name of ['Ada', 'Grace', 'Linus', 'Margaret']) {
      const user = await services.people.createUser(org.organizationId, {
        email: `${name.toLowerCase()}@bench.lifeline`,
        name,
        password: ADMIN.password,
      });
      agents.push({ id: user.id, name });
    }
    await server.close();
    return { orgId: org.organizationId, groupId: org.groupId, agents };
  } finally {
    await database.destroy();
  }
}

/** Deterministic, so every seeded database holds the same mix. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type SeedCase = Database['cases'];
type Mix = readonly (readonly [SeedCase['status'], number])[];
const TOPICS = ['Printer offline', 'VPN drops', 'Outlook crashes', 'New laptop setup', 'Slow PC', 'Scanner'];
const CUSTOMERS = ['Jane Doe', 'Max Mustermann', 'Ana Souza', 'Kenji Sato', 'Olga Ivanova', 'Sam Lee'];
// Under a day old: mostly closed, the rest open. Older: closed or expired, plus
// a few still stored as open because the sweep had not caught up, which the
// status filter must then exclude by their expiry.
const RECENT: Mix = [
  ['new', 0.08],
  ['pending', 0.04],
  ['in_progress', 0.08],
  ['closed', 0.8],
];
const OLDER: Mix = [
  ['new', 0.02],
  ['pending', 0.01],
  ['in_progress', 0.02],
  ['expired', 0.15],
  ['closed', 0.8],
];

function statusFrom(mix: Mix, r: number): SeedCase['status'] {
  let left = r;
  for (const [status, share] of mix) {
    left -= share;
    if (left < 0) return status;
  }
  return 'closed';
}

/** Cases over four weeks, oldest first, the same mix on every run. */
function* generateCases(count: number, seededAt: number, people: People): Generator<SeedCase> {
  const rnd = mulberry32(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const first = seededAt - SPAN;
  let createdAt = first;
  const newId = createIdGenerator({ now: () => createdAt });
  const codes = new Set<number>();
  let tokens = Buffer.alloc(0);

  for (let i = 0; i < count; i++) {
    createdAt = first + Math.floor(((i + rnd()) / count) * (SPAN - 1000));
    const status = statusFrom(seededAt - createdAt < DAY ? RECENT : OLDER, rnd());
    let digits = Math.floor(rnd() * 100_000_000);
    while (codes.has(digits)) digits = Math.floor(rnd() * 100_000_000);
    codes.add(digits);
    if (i % BATCH === 0) tokens = randomBytes(24 * BATCH);
    const token = tokens.subarray((i % BATCH) * 24, ((i % BATCH) + 1) * 24);
    const agent = pick(people.agents);
    const creator = pick(people.agents);
    const closed = status === 'closed';
    const fromConnector = rnd() < 0.1;
    const customer = rnd() < 0.6 ? pick(CUSTOMERS) : null;
    const touched = createdAt + Math.floor(rnd() * (closed ? 2 * HOUR : 10 * 60_000));
    yield {
      id: newId(),
      org_id: people.orgId,
      code: formatSessionCode(String(digits).padStart(8, '0')),
      name: `${pick(TOPICS)} #${i}`,
      description: rnd() < 0.3 ? 'Customer reports the problem since this morning.' : null,
      type: rnd() < 0.95 ? 'remote_control' : 'ar',
      status,
      source: fromConnector ? 'connector' : rnd() < 0.6 ? 'api' : 'manual',
      group_id: people.groupId,
      assignee_id: status === 'new' || status === 'expired' ? null : agent.id,
      created_by_type: 'user',
      created_by_id: creator.id,
      created_by_name: creator.name,
      customer_name: customer,
      customer_email: customer ? `${customer.toLowerCase().replace(' ', '.')}@example.com` : null,
      customer_phone: customer && rnd() < 0.5 ? '+49 30 1234567' : null,
      external_system: fromConnector ? 'zendesk' : null,
      external_type: fromConnector ? 'ticket' : null,
      external_id: fromConnector ? String(100_000 + i) : null,
      external_url: fromConnector ? `https://example.zendesk.com/agent/tickets/${100_000 + i}` : null,
      waiting_message: null,
      customer_token: token.toString('base64url'),
      agent_online: 0,
      customer_online: 0,
      created_at: createdAt,
      updated_at: status === 'expired' ? createdAt + DAY : touched,
      expires_at: createdAt + DAY,
      closed_at: closed ? touched : null,
      closed_by_type: closed ? 'user' : null,
      closed_by_id: closed ? agent.id : null,
      closed_by_name: closed ? agent.name : null,
      module_id: null,
      assigned_at: null,
      custom_api: null,
      closing_note: null,
    };
  }
}

function insertCases(sqlite: SQLite.Database, count: number, seededAt: number, people: People) {
  const insertCode = sqlite.prepare(
    'insert into session_codes (code, customer_token, created_at) values (?, ?, ?)',
  );
  const insertSql = (columns: string[]) =>
    `insert into cases (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`;
  let insertCase: SQLite.Statement | undefined;
  const insertBatch = sqlite.transaction((rows: SeedCase[]) => {
    for (const row of rows) {
      insertCase ??= sqlite.prepare(insertSql(Object.keys(row)));
      insertCase.run(row);
      insertCode.run(row.code, row.customer_token, row.created_at);
    }
  });
  let batch: SeedCase[] = [];
  let done = 0;
  for (const row of generateCases(count, seededAt, people)) {
    batch.push(row);
    done++;
    if (batch.length === BATCH || done === count) {
      insertBatch(batch);
      batch = [];
      if (process.stdout.isTTY) process.stdout.write(`\r  seeding: ${Math.round((100 * done) / count)}%`);
    }
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
}
