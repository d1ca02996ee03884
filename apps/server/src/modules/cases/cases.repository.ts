import { type CaseStatus, openStatuses } from '@lifeline/contracts';
import type SQLite from 'better-sqlite3';
import { type SqlBool, sql, type Transaction, type Updateable } from 'kysely';
import type { DatabaseHandle, Db } from '../../db/database.js';
import { GroupCommit } from '../../db/group-commit.js';
import type { CaseRow, Database, NewCaseEventRow, NewCaseRow } from '../../db/schema.js';

export interface CaseFilter {
  orgId: string;
  now: number;
  statuses?: CaseStatus[];
  groupId?: string;
  assigneeId?: string;
  source?: CaseRow['source'];
  externalSystem?: string;
  externalId?: string;
  q?: { text: string; codeDigits: string | undefined };
  after?: { createdAt: number; id: string };
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type StoredStatus = CaseRow['status'];
/** Which stored rows of one status show up under a status filter: those still live, those past expiry, or all. */
type StatusSlice = { status: StoredStatus; expiry: 'live' | 'due' | 'any' };

/**
 * The stored status lags behind the clock until the sweep runs, so a filter on
 * what a reader sees now becomes one slice per stored status. Each slice is a
 * walk of the (org_id, status, created_at, id) index in queue order; an OR
 * across statuses would lose that order and sort every match instead.
 */
function statusSlices(wanted: CaseStatus[]): StatusSlice[] {
  const slices: StatusSlice[] = [];
  const wantsExpired = wanted.includes('expired');
  for (const status of openStatuses) {
    const live = wanted.includes(status);
    if (live || wantsExpired)
      slices.push({ status, expiry: live && wantsExpired ? 'any' : live ? 'live' : 'due' });
  }
  for (const status of ['closed', 'expired'] as const) {
    if (wanted.includes(status)) slices.push({ status, expiry: 'any' });
  }
  return slices;
}

/**
 * Told of a case's audit events inside the transaction that writes them (and
 * of deletions, which leave no audit trail), so that what follows from a
 * change — webhook deliveries — is stored with it or not at all.
 */
export interface CaseEventListener {
  onEvents(trx: Transaction<Database>, events: NewCaseEventRow[]): Promise<void>;
  /**
   * Whether `onEvents` would store anything for this organisation. When it would
   * not, a create may share SQLite's group commit, which cannot wait for it.
   */
  interested(orgId: string): Promise<boolean>;
}
const noListener: CaseEventListener = { onEvents: async () => {}, interested: async () => false };

const newestFirst = (a: CaseRow, b: CaseRow) =>
  b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

interface NewCase {
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

export class CasesRepository {
  private readonly db: Db;
  /** SQLite only; PostgreSQL runs each create in a transaction of its own. */
  private readonly creates: GroupCommit<NewCase, string | undefined> | undefined;
  private readonly insertCase = new InsertStatements('cases');
  private readonly insertEvent = new InsertStatements('case_events');
  private claimCode: SQLite.Statement | undefined;

  constructor(
    database: Pick<DatabaseHandle, 'db' | 'withSqlite'>,
    private readonly listener: CaseEventListener = noListener,
  ) {
    this.db = database.db;
    this.creates =
      database.withSqlite &&
      new GroupCommit(database.withSqlite, (sqlite, c: NewCase) => this.insertNow(sqlite, c));
  }

  /**
   * Inserts the case under the first drawn code that was never issued before,
   * claiming it forever in `session_codes` (insert-or-nothing, which neither
   * aborts a PostgreSQL transaction nor lets two processes take one code).
   * Returns the code, or undefined when every attempt collided.
   */
  async insertWithNewCode(
    row: Omit<NewCaseRow, 'code'>,
    events: NewCaseEventRow[],
    drawCode: () => string,
    attempts: number,
  ): Promise<string | undefined> {
    if (this.creates && !(await this.listener.interested(row.org_id))) {
      return this.creates.submit({ row, events, drawCode, attempts });
    }
    return this.db.transaction().execute(async (trx) => {
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
        if (events.length) await trx.insertInto('case_events').values(events).execute();
        await this.listener.onEvents(trx, events);
        return code;
      }
      return undefined;
    });
  }

  /** The same steps as the PostgreSQL path, on prepared statements, inside the group commit's transaction. */
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

  async findByCode(orgId: string, code: string) {
    return this.db
      .selectFrom('cases')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('code', '=', code)
      .executeTakeFirst();
  }

  /** For customers, who have no organisation: by link token or by code, across all organisations. */
  async findForCustomer(by: { token: string } | { code: string }) {
    if ('token' in by) {
      // Only `session_codes` indexes link tokens (migration 0002).
      return this.db
        .selectFrom('session_codes')
        .innerJoin('cases', 'cases.code', 'session_codes.code')
        .innerJoin('organizations', 'organizations.id', 'cases.org_id')
        .selectAll('cases')
        .select('organizations.name as org_name')
        .where('session_codes.customer_token', '=', by.token)
        .executeTakeFirst();
    }
    return this.db
      .selectFrom('cases')
      .innerJoin('organizations', 'organizations.id', 'cases.org_id')
      .selectAll('cases')
      .select('organizations.name as org_name')
      .where('cases.code', '=', by.code)
      .executeTakeFirst();
  }

  /** Whether this link token or code was ever issued (its case may since have been deleted). */
  async wasIssued(by: { token: string } | { code: string }) {
    const query = this.db.selectFrom('session_codes').select('code');
    const row = await ('token' in by
      ? query.where('customer_token', '=', by.token)
      : query.where('code', '=', by.code)
    ).executeTakeFirst();
    return row !== undefined;
  }

  async findByCodes(orgId: string, codes: string[]) {
    return this.db
      .selectFrom('cases')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('code', 'in', codes)
      .execute();
  }

  async list(f: CaseFilter): Promise<CaseRow[]> {
    if (!f.statuses?.length) return this.listQuery(f).execute();
    const slices = await Promise.all(
      statusSlices(f.statuses).map((slice) => this.listQuery(f, slice).execute()),
    );
    return slices.flat().sort(newestFirst).slice(0, f.limit);
  }

  private listQuery(f: CaseFilter, slice?: StatusSlice) {
    let query = this.db.selectFrom('cases').selectAll().where('org_id', '=', f.orgId);
    if (slice) {
      query = query.where('status', '=', slice.status);
      if (slice.expiry === 'live') query = query.where('expires_at', '>', f.now);
      if (slice.expiry === 'due') query = query.where('expires_at', '<=', f.now);
    }
    if (f.groupId) query = query.where('group_id', '=', f.groupId);
    if (f.assigneeId) query = query.where('assignee_id', '=', f.assigneeId);
    if (f.source) query = query.where('source', '=', f.source);
    if (f.externalSystem) query = query.where('external_system', '=', f.externalSystem);
    if (f.externalId) query = query.where('external_id', '=', f.externalId);
    if (f.q) {
      const { text, codeDigits } = f.q;
      const pattern = `%${escapeLike(text.toLowerCase())}%`;
      const like = (column: string) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
      query = query.where((eb) =>
        eb.or([
          like('name'),
          like('customer_name'),
          like('customer_email'),
          like('customer_phone'),
          ...(codeDigits ? [sql<SqlBool>`replace(code, '-', '') like ${`%${codeDigits}%`}`] : []),
        ]),
      );
    }
    if (f.after) {
      const { createdAt, id } = f.after;
      query = query.where(sql<SqlBool>`(created_at, id) < (${createdAt}, ${id})`);
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit);
  }

  /** When the next open case of the organisation expires: until then, no page of its queue changes by itself. */
  async nextExpiry(orgId: string, now: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('cases')
      .select((eb) => eb.fn.min('expires_at').as('next'))
      .where('org_id', '=', orgId)
      // Spelled as the partial index `cases_open_by_org_expiry`, so SQLite can prove it applies.
      .where(sql<SqlBool>`status in ('new', 'pending', 'in_progress')`)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row?.next ?? undefined;
  }

  /**
   * Applies `patch` only while the case is still open and not past its expiry,
   * so a concurrent close or sweep cannot be overwritten.
   */
  async updateIfOpen(
    id: string,
    now: number,
    patch: Updateable<Database['cases']>,
    events: NewCaseEventRow[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('cases')
        .set(patch)
        .where('id', '=', id)
        .where('status', 'in', [...openStatuses])
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (events.length) await trx.insertInto('case_events').values(events).execute();
      await this.listener.onEvents(trx, events);
      return true;
    });
  }

  /** `deleted` announces each deletion to the listener (while the case can still be read); it is not stored. */
  async deleteByIds(ids: string[], deleted: NewCaseEventRow[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      await this.listener.onEvents(trx, deleted);
      await trx.deleteFrom('case_events').where('case_id', 'in', ids).execute();
      const result = await trx.deleteFrom('cases').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async listEvents(caseId: string, afterId: number | undefined, limit: number) {
    let query = this.db.selectFrom('case_events').selectAll().where('case_id', '=', caseId);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  }

  /**
   * Stores `expired` for open cases past their expiry, with one audit event each.
   * The status condition in the UPDATE makes concurrent sweeps (several
   * processes) expire each case exactly once.
   */
  async expireDue(
    now: number,
    batchSize: number,
  ): Promise<{ id: string; org_id: string; code: string; from: CaseStatus }[]> {
    return this.db.transaction().execute(async (trx) => {
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
      const expired = due.filter((d) => expiredIds.has(d.id));
      if (expired.length) {
        const events = expired.map(
          (d): NewCaseEventRow => ({
            case_id: d.id,
            org_id: d.org_id,
            type: 'case.expired',
            actor_type: 'system',
            actor_id: null,
            actor_name: null,
            data: JSON.stringify({ from: d.status, expiresAt: new Date(d.expires_at).toISOString() }),
            created_at: now,
          }),
        );
        await trx.insertInto('case_events').values(events).execute();
        await this.listener.onEvents(trx, events);
      }
      return expired.map((d) => ({ id: d.id, org_id: d.org_id, code: d.code, from: d.status }));
    });
  }
}
