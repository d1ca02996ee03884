import type SQLite from 'better-sqlite3';
import type { DatabaseHandle } from './database.js';

interface Job<I, O> {
  input: I;
  resolve(output: O): void;
  reject(err: unknown): void;
}

/**
 * Group commit for SQLite: the writes submitted during one turn of the event
 * loop share one transaction, so one commit (and one round of WAL frames for
 * the index pages they share) serves them all. Each write runs under a
 * savepoint of its own, so a write that throws is undone and rejected alone
 * while the others commit. Every promise settles only after COMMIT returned.
 */
export class GroupCommit<I, O> {
  private queue: Job<I, O>[] = [];

  constructor(
    private readonly withSqlite: NonNullable<DatabaseHandle['withSqlite']>,
    private readonly write: (sqlite: SQLite.Database, input: I) => O,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.queue.push({ input, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private take(): Job<I, O>[] {
    const jobs = this.queue;
    this.queue = [];
    return jobs;
  }

  private async flush() {
    let done: { job: Job<I, O>; ok: boolean; value: unknown }[] | undefined;
    try {
      await this.withSqlite((sqlite) => {
        // Taken only once the connection is ours: writes queued while waiting for it ride along.
        done = this.take().map((job) => ({ job, ok: false, value: undefined }));
        sqlite.exec('begin immediate');
        try {
          for (const entry of done) {
            sqlite.exec('savepoint one_write');
            try {
              entry.value = this.write(sqlite, entry.job.input);
              entry.ok = true;
            } catch (err) {
              sqlite.exec('rollback to one_write');
              entry.value = err;
            }
            sqlite.exec('release one_write');
          }
          sqlite.exec('commit');
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec('rollback');
          throw err;
        }
      });
    } catch (err) {
      // The transaction itself failed (disk full, I/O error, locked by another process): nothing was written.
      for (const job of done?.map((entry) => entry.job) ?? this.take()) job.reject(err);
      return;
    }
    for (const { job, ok, value } of done ?? []) {
      if (ok) job.resolve(value as O);
      else job.reject(value);
    }
  }
}
