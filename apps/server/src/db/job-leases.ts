import type { Expression, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { Database } from './schema.js';

/**
 * The invitation outbox and the webhook deliveries are the same kind of job queue, kept in a table: a row is
 * due at `next_attempt_at`; a worker takes it by writing a lease (owner and deadline) and counting the
 * attempt; it records the outcome only while it still holds the lease, so a worker that overran its lease
 * never overwrites the one that took over. What is due (and in which order) is each queue's own query.
 */
export type JobTable = 'outbox_messages' | 'webhook_deliveries';

interface JobColumns {
  id: string;
  status: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
}

/** The columns both queues share, as one table: what the lease statements need to know of either. */
type AnyJobs = Kysely<Record<JobTable, JobColumns>>;
const asJobs = (db: Kysely<Database> | Transaction<Database>) => db as unknown as AnyJobs;

/** Leases the rows `due` names that are still waiting and free, counting the attempt; returns them. */
export async function takeLeases<T extends JobTable>(
  db: Kysely<Database>,
  table: T,
  waiting: Database[T]['status'],
  due: Expression<{ id: string }>,
  lease: { owner: string; now: number; leaseMs: number },
): Promise<Selectable<Database[T]>[]> {
  const rows = await asJobs(db)
    .updateTable(table as JobTable)
    .set((eb) => ({
      lease_owner: lease.owner,
      lease_until: lease.now + lease.leaseMs,
      attempts: eb('attempts', '+', 1),
    }))
    // A one-column query is an `id in (…)` operand; its row type says so only as an object.
    .where('id', 'in', due as unknown as Expression<string>)
    .where('status', '=', waiting as string)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', lease.now)]))
    .returningAll()
    .execute();
  return rows as unknown as Selectable<Database[T]>[];
}

/** Records an attempt's outcome and gives the lease back, if `owner` still holds it; whether it applied. */
export async function settleLease<T extends JobTable>(
  db: Kysely<Database> | Transaction<Database>,
  table: T,
  job: { id: string; owner: string },
  outcome: Updateable<Database[T]>,
): Promise<boolean> {
  const result = await asJobs(db)
    .updateTable(table as JobTable)
    .set({ ...(outcome as Updateable<JobColumns>), lease_owner: null, lease_until: null })
    .where('id', '=', job.id)
    .where('lease_owner', '=', job.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
