import { type CaseStatus, openStatuses } from '@lifeline/contracts';
import type SQLite from 'better-sqlite3';
import { type SqlBool, sql, type Transaction, type Updateable } from 'kysely';
import type { DatabaseHandle, Db } from '../../db/database.js';
import { GroupCommit } from '../../db/group-commit.js';
import type { CaseRow, Database, NewCaseEventRow, NewCaseRow } from '../../db/schema.js';

export type Trx = Transaction<Database>;
export type CasePatch = Updateable<Database['cases']>;

export interface NewCase {
  row: Omit<NewCaseRow, 'code'>;
  events: NewCaseEventRow[];
  drawCode: () => string;
  attempts: number;
}

/** Prepared once per column list: the rows of one table always carry the same columns. */
class InsertStatements {
  private readonly byColumns = new Map<string, SQLite.Statement>();

  constructor(private readonly table: string) {}

  run(sqlite: SQLite.Database, row: object): SQLite.RunResult {
    const columns = Object.keys(row);
    const key = columns.join(',');
    let statement = this.byColumns.get(key);
    if (!statement) {
      statement = sqlite.prepare(
        `insert into ${this.table} (${key}) values (${columns.map((c) => `@${c}`).join(', ')})`,
      );
      this.byColumns.set(key, statement);
    }
    return statement.run(row);
  }
}

/**
 * Every write to `cases` and `case_events`: the SQL of the case ledger, and of
 * nothing else. Each method runs inside the transaction the ledger opened.
 */
export class CaseLedgerRepository {
  private readonly db: Db;
  private readonly dialect: DatabaseHandle['dialect'];
  /** SQLite only: creates of one event-loop turn share one transaction. */
  private readonly creates: GroupCommit<NewCase, string | undefined> | undefined;
  private readonly insertCase = new InsertStatements('cases');
  private readonly insertEvent = new InsertStatements('case_events');
  private claimCode: SQLite.Statement | undefined;

  constructor(database: Pick<DatabaseHandle, 'db' | 'dialect' | 'withSqlite'>) {
    this.db = database.db;
    this.dialect = database.dialect;
    this.creates =
      database.withSqlite &&
      new GroupCommit(database.withSqlite, (sqlite, c: NewCase) => this.insertNow(sqlite, c));
  }

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  get groupCommits() {
    return this.creates !== undefined;
  }

  /** SQLite's group commit: the case, its code and its audit events, committed with the turn's other creates. */
  createGrouped(c: NewCase): Promise<string | undefined> {
    if (!this.creates) throw new Error('group commit is SQLite only');
    return this.creates.submit(c);
  }

  /**
   * Inserts the case under the first drawn code that was never issued before,
   * claiming it forever in `session_codes` (insert-or-nothing, which neither
   * aborts a PostgreSQL transaction nor lets two processes take one code).
   * Returns the code, or undefined when every attempt collided.
   */
  async insertWithNewCode(trx: Trx, { row, events, drawCode, attempts }: NewCase) {
    for (let i = 0; i < attempts; i++) {
      const code = drawCode();
      const claimed = await trx
        .insertInto('session_codes')
        .values({ code, customer_token: row.customer_token, created_at: row.created_at })
        .onConflict((oc) => oc.column('code').doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
      await trx
        .insertInto('cases')
        .values({ ...row, code })
        .execute();
      await this.insertEvents(trx, events);
      return code;
    }
    return undefined;
  }

  /** The same steps as `insertWithNewCode`, on prepared statements, inside the group commit's transaction. */
  private insertNow(sqlite: SQLite.Database, { row, events, drawCode, attempts }: NewCase) {
    this.claimCode ??= sqlite.prepare(
      'insert into session_codes (code, customer_token, created_at) values (?, ?, ?) on conflict (code) do nothing',
    );
    for (let i = 0; i < attempts; i++) {
      const code = drawCode();
      if (this.claimCode.run(code, row.customer_token, row.created_at).changes === 0) continue;
      this.insertCase.run(sqlite, { ...row, code });
      for (const event of events) this.insertEvent.run(sqlite, event);
      return code;
    }
    return undefined;
  }

  /**
   * Reads the case with its row locked, so changes of one case on different
   * processes apply one after the other (SQLite has one writer anyway).
   */
  lock(trx: Trx, caseId: string): Promise<CaseRow | undefined> {
    let query = trx.selectFrom('cases').selectAll().where('id', '=', caseId);
    if (this.dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async patch(trx: Trx, caseId: string, patch: CasePatch) {
    if (Object.keys(patch).length)
      await trx.updateTable('cases').set(patch).where('id', '=', caseId).execute();
  }

  /**
   * Applies `patch` only while the case is still open and not past its expiry,
   * so a concurrent close or sweep cannot be overwritten.
   */
  async patchIfOpen(trx: Trx, caseId: string, now: number, patch: CasePatch): Promise<boolean> {
    const result = await trx
      .updateTable('cases')
      .set(patch)
      .where('id', '=', caseId)
      .where('status', 'in', [...openStatuses])
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async insertEvents(trx: Trx, events: NewCaseEventRow[]) {
    if (events.length) await trx.insertInto('case_events').values(events).execute();
  }

  async deleteCases(trx: Trx, ids: string[]): Promise<number> {
    await trx.deleteFrom('case_events').where('case_id', 'in', ids).execute();
    const result = await trx.deleteFrom('cases').where('id', 'in', ids).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Stores `expired` for up to `batchSize` open cases past their expiry. The
   * status condition in the UPDATE makes concurrent sweeps (several processes)
   * expire each case exactly once.
   */
  async expireDue(trx: Trx, now: number, batchSize: number) {
    const due = await trx
      .selectFrom('cases')
      .select(['id', 'org_id', 'code', 'status', 'expires_at'])
      // Spelled exactly as the partial index `cases_open_by_expiry`, so SQLite can prove it applies.
      .where(sql<SqlBool>`status in ('new', 'pending', 'in_progress')`)
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(batchSize)
      .execute();
    if (due.length === 0) return [];
    const updated = await trx
      .updateTable('cases')
      .set({ status: 'expired', updated_at: now })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .where('status', 'in', [...openStatuses])
      .returning('id')
      .execute();
    const expiredIds = new Set(updated.map((u) => u.id));
    return due.filter((d) => expiredIds.has(d.id)).map((d) => ({ ...d, status: d.status as CaseStatus }));
  }
}
