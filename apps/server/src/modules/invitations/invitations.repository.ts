import type { InvitationTransport } from '@lifeline/contracts';
import { type SqlBool, sql, type Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import { settleLease, takeLeases } from '../../db/job-leases.js';
import type { Database, OutboxRow } from '../../db/schema.js';
import type { TimeKeyset } from '../../lib/cursor.js';
import type { Trx } from '../cases/case-ledger.js';

export type NewOutboxRow = Omit<OutboxRow, 'attempts' | 'lease_owner' | 'lease_until'>;
export type OutboxPatch = Updateable<Database['outbox_messages']>;

/** Newest first, continuing after `after` in that order. */
const beforeKey = (after: TimeKeyset) => sql<SqlBool>`(created_at, id) < (${after.at}, ${after.id})`;

/** The outbox's SQL; a message is queued and finished in the case ledger's transaction of its case. */
export class InvitationsRepository {
  constructor(private readonly db: Db) {}

  async insert(trx: Trx, row: NewOutboxRow) {
    await trx.insertInto('outbox_messages').values(row).execute();
  }

  async listForCase(caseId: string, after: TimeKeyset | undefined, limit: number) {
    let query = this.db.selectFrom('outbox_messages').selectAll().where('case_id', '=', caseId);
    if (after) query = query.where(beforeKey(after));
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async listForOrg(
    orgId: string,
    filter: { status?: OutboxRow['status'] | undefined; transport?: InvitationTransport | undefined },
    after: TimeKeyset | undefined,
    limit: number,
  ) {
    let query = this.db.selectFrom('outbox_messages').selectAll().where('org_id', '=', orgId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.transport) query = query.where('transport', '=', filter.transport);
    if (after) query = query.where(beforeKey(after));
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Takes up to `limit` due messages for `owner` until `now + leaseMs`, counting
   * the attempt. The lease condition is repeated in the UPDATE, so of several
   * processes claiming at once each row goes to one (PostgreSQL re-checks it
   * on the locked row; SQLite has a single writer).
   */
  async claimDue(
    now: number,
    transports: InvitationTransport[],
    owner: string,
    leaseMs: number,
    limit: number,
  ) {
    if (transports.length === 0) return [];
    const due = this.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('status', '=', 'queued')
      .where('transport', 'in', transports)
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit);
    return takeLeases(this.db, 'outbox_messages', 'queued', due, { owner, now, leaseMs });
  }

  /**
   * Records an attempt's outcome if `owner` still holds the lease (a worker
   * that overran it must not overwrite the one that took over); whether it applied.
   */
  async finish(trx: Db | Trx, id: string, owner: string, patch: OutboxPatch): Promise<boolean> {
    return settleLease(trx, 'outbox_messages', { id, owner }, patch);
  }
}
