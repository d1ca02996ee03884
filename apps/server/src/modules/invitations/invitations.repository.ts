import type { InvitationTransport } from '@lifeline/contracts';
import { type SqlBool, sql, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, NewCaseEventRow, OutboxRow } from '../../db/schema.js';

export type NewOutboxRow = Omit<OutboxRow, 'attempts' | 'lease_owner' | 'lease_until'>;
export type OutboxPatch = Updateable<Database['outbox_messages']>;
type Keyset = { createdAt: number; id: string };

/** Newest first, continuing after `after` in that order. */
const beforeKey = (after: Keyset) => sql<SqlBool>`(created_at, id) < (${after.createdAt}, ${after.id})`;

export class InvitationsRepository {
  constructor(private readonly db: Db) {}

  /** The message and its audit event, together or not at all. */
  async insert(row: NewOutboxRow, event: NewCaseEventRow) {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('outbox_messages').values(row).execute();
      await trx.insertInto('case_events').values(event).execute();
    });
  }

  async listForCase(caseId: string, after: Keyset | undefined, limit: number) {
    let query = this.db.selectFrom('outbox_messages').selectAll().where('case_id', '=', caseId);
    if (after) query = query.where(beforeKey(after));
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async listForOrg(
    orgId: string,
    filter: { status?: OutboxRow['status'] | undefined; transport?: InvitationTransport | undefined },
    after: Keyset | undefined,
    limit: number,
  ) {
    let query = this.db.selectFrom('outbox_messages').selectAll().where('org_id', '=', orgId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.transport) query = query.where('transport', '=', filter.transport);
    if (after) query = query.where(beforeKey(after));
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** What the worker needs to know of a message's case just before sending; undefined once deleted. */
  async caseState(caseId: string) {
    return this.db
      .selectFrom('cases')
      .select(['status', 'expires_at'])
      .where('id', '=', caseId)
      .executeTakeFirst();
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
    return this.db
      .updateTable('outbox_messages')
      .set((eb) => ({ lease_owner: owner, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due)
      .where('status', '=', 'queued')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returningAll()
      .execute();
  }

  /**
   * Records an attempt's outcome if `owner` still holds the lease (a worker
   * that overran it must not overwrite the one that took over), with its audit
   * event when the message reached a final state, and whatever else `also`
   * writes in the same transaction. Returns whether it applied.
   */
  async finish(
    id: string,
    owner: string,
    patch: OutboxPatch,
    event: NewCaseEventRow | undefined,
    also?: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('outbox_messages')
        .set({ ...patch, lease_owner: null, lease_until: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      // A deleted case has no audit trail left to write to.
      if (
        event &&
        (await trx.selectFrom('cases').select('id').where('id', '=', event.case_id).executeTakeFirst())
      )
        await trx.insertInto('case_events').values(event).execute();
      await also?.(trx);
      return true;
    });
  }
}
