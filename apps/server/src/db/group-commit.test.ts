import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit (SQLite)', () => {
  let dir: string;
  let sqlite: SQLite.Database;
  let observer: SQLite.Database;
  let flushes: number;
  const withSqlite = async <T>(work: (db: SQLite.Database) => T) => {
    flushes++;
    return work(sqlite);
  };
  const committed = () => observer.prepare('select name from items order by name').pluck().all();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-group-commit-'));
    sqlite = new SQLite(path.join(dir, 'db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec("create table items (name text primary key check (name <> 'bad'))");
    sqlite.exec('create table notes (text text)');
    // A second connection sees only what was committed.
    observer = new SQLite(path.join(dir, 'db'));
    flushes = 0;
  });

  afterEach(() => {
    observer.close();
    sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a note first, so a failing insert has something of its own to undo. */
  const insert = new GroupCommit(withSqlite, (db, name: string) => {
    db.prepare('insert into notes (text) values (?)').run(name);
    db.prepare('insert into items (name) values (?)').run(name);
    return name.toUpperCase();
  });

  it('commits the writes of one turn in one transaction, and answers only once they are committed', async () => {
    const seen: unknown[][] = [];
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        insert.submit(name).then((answer) => {
          seen.push(committed());
          return answer;
        }),
      ),
    );
    expect(answers).toEqual(['A', 'B', 'C']);
    expect(flushes).toBe(1);
    for (const visible of seen) expect(visible).toEqual(['a', 'b', 'c']);
  });

  it('fails a bad write alone: its own changes are undone, the others commit', async () => {
    const results = await Promise.allSettled(['a', 'bad', 'a', 'c'].map((name) => insert.submit(name)));
    expect(flushes).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    expect(committed()).toEqual(['a', 'c']);
    expect(observer.prepare('select text from notes order by text').pluck().all()).toEqual(['a', 'c']);
  });

  it('takes writes submitted during a flush into the next transaction', async () => {
    const first = insert.submit('a');
    const second = first.then(() => insert.submit('b'));
    expect(await Promise.all([first, second])).toEqual(['A', 'B']);
    expect(flushes).toBe(2);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('rejects every write of a transaction that cannot commit, and writes none of them', async () => {
    // Another connection holds the write lock; with no busy timeout, BEGIN IMMEDIATE fails at once.
    sqlite.pragma('busy_timeout = 0');
    observer.exec('begin immediate');
    const results = await Promise.allSettled(['a', 'b'].map((name) => insert.submit(name)));
    observer.exec('rollback');
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(committed()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
  });
});
