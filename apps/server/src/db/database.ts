import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.js';
import { LruMap } from '../lib/lru.js';
import { startCheckpointer } from './checkpointer.js';
import type { Dialect } from './migrations/context.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

// bigint columns hold millisecond timestamps and counts, all far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = Kysely<Database>;
export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL schema other than the default (tests isolate themselves in one each). */
  schema?: string;
  /**
   * SQLite only: runs `work` on the raw connection while holding the one
   * connection Kysely shares, so no Kysely transaction is open around it.
   * `work` is synchronous, as better-sqlite3 is.
   */
  withSqlite?: <T>(work: (sqlite: SQLite.Database) => T) => Promise<T>;
  /** Raises when the database cannot answer; used by /readyz. */
  ping(): Promise<void>;
  destroy(): Promise<void>;
}

/** `checkpointer: false` for short-lived processes (the CLI), where a checkpoint thread only costs start-up time. */
export function openDatabase(
  config: Config['database'],
  options: { checkpointer?: boolean } = {},
): DatabaseHandle {
  if (config.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    const sqlite = new SQLite(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Reads of a large queue stay in memory: 64 MiB page cache, 256 MiB memory-mapped.
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('mmap_size = 268435456');
    // The checkpointer thread copies the WAL back; the writer checkpoints itself only past ~40 MiB
    // of WAL, should that thread fall behind (docs/PERFORMANCE.md).
    sqlite.pragma('wal_autocheckpoint = 10000');
    const checkpointer = options.checkpointer === false ? undefined : startCheckpointer(config.file);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      db,
      dialect: 'sqlite',
      withSqlite: (work) => db.connection().execute(async () => work(sqlite)),
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      destroy: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 10,
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    ...(config.schema ? { schema: config.schema } : {}),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    destroy: () => db.destroy(),
  };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; on SQLite preparing costs more than running
 * a small query. The connection is single and synchronous, so a prepared
 * statement can be reused safely. Least recently used statements are dropped.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new LruMap<string, SQLite.Statement>(STATEMENT_CACHE_SIZE);
  return {
    prepare(sql) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const migrator = new Migrator({
    db: handle.db,
    provider: migrationProvider({ dialect: handle.dialect }),
    // Kysely looks its bookkeeping tables up across all schemas unless told which one is ours.
    ...(handle.schema ? { migrationTableSchema: handle.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Unique-constraint violations look different on the two drivers. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
