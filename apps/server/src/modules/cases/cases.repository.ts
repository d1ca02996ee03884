import { type CaseStatus, openStatuses } from '@lifeline/contracts';
import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CaseRow } from '../../db/schema.js';
import type { TimeKeyset } from '../../lib/cursor.js';

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
  /** Continue after this row (or from it, `inclusive`), in queue order. */
  after?: TimeKeyset & { inclusive?: boolean };
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

const newestFirst = (a: CaseRow, b: CaseRow) =>
  b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** All reads of service cases and their audit trails; the case ledger writes them. */
export class CasesRepository {
  constructor(private readonly db: Db) {}

  async findById(id: string) {
    return this.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
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

  /** How many cases the filter matches from its `after` on (the limit aside). */
  async count(f: Omit<CaseFilter, 'limit'>): Promise<number> {
    const slices = f.statuses?.length ? statusSlices(f.statuses) : [undefined];
    const counts = await Promise.all(
      slices.map((slice) =>
        this.filtered(f, slice)
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
          .executeTakeFirstOrThrow(),
      ),
    );
    return counts.reduce((sum, c) => sum + Number(c.n), 0);
  }

  private listQuery(f: CaseFilter, slice?: StatusSlice) {
    return this.filtered(f, slice)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit);
  }

  private filtered(f: Omit<CaseFilter, 'limit'>, slice?: StatusSlice) {
    let query = this.db.selectFrom('cases').where('org_id', '=', f.orgId);
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
      const { at, id, inclusive } = f.after;
      query = query.where(
        inclusive
          ? sql<SqlBool>`(created_at, id) <= (${at}, ${id})`
          : sql<SqlBool>`(created_at, id) < (${at}, ${id})`,
      );
    }
    return query;
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

  /** The case's audit events of one type, oldest first. */
  async eventsOfType(caseId: string, types: string[]) {
    return this.db
      .selectFrom('case_events')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('type', 'in', types)
      .orderBy('id')
      .execute();
  }

  async listEvents(caseId: string, afterId: number | undefined, limit: number) {
    let query = this.db.selectFrom('case_events').selectAll().where('case_id', '=', caseId);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  }
}
