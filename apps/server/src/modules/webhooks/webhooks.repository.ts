import { type SqlBool, sql, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import { settleLease, takeLeases } from '../../db/job-leases.js';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import type { TimeKeyset } from '../../lib/cursor.js';

export type NewDeliveryRow = Omit<
  WebhookDeliveryRow,
  'attempts' | 'lease_owner' | 'lease_until' | 'last_status_code' | 'last_error' | 'delivered_at'
>;
type Trx = Transaction<Database> | Db;

export class WebhooksRepository {
  constructor(private readonly db: Db) {}

  async insert(row: WebhookRow) {
    await this.db.insertInto('webhooks').values(row).execute();
  }

  async list(orgId: string) {
    return this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async find(orgId: string, id: string) {
    return this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async findByIds(ids: string[]) {
    if (ids.length === 0) return [];
    return this.db.selectFrom('webhooks').selectAll().where('id', 'in', ids).execute();
  }

  /** Applies the change; turning an endpoint off fails its pending deliveries with `reason`, in one go. */
  async update(id: string, patch: Updateable<Database['webhooks']>, failPendingWith?: string) {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('webhooks').set(patch).where('id', '=', id).execute();
      if (failPendingWith) await this.failPending(trx, id, failPendingWith);
    });
  }

  async delete(id: string) {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      await trx.deleteFrom('webhooks').where('id', '=', id).execute();
    });
  }

  /** The enabled endpoints of these organisations, read inside the caller's transaction. */
  async subscribers(trx: Trx, orgIds: string[]) {
    if (orgIds.length === 0) return [];
    return trx
      .selectFrom('webhooks')
      .select(['id', 'org_id', 'events'])
      .where('org_id', 'in', orgIds)
      .where('enabled', '=', 1)
      .execute();
  }

  async insertDeliveries(trx: Trx, rows: NewDeliveryRow[]) {
    if (rows.length) await trx.insertInto('webhook_deliveries').values(rows).execute();
  }

  async listDeliveries(webhookId: string, after: TimeKeyset | undefined, limit: number) {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (after) query = query.where(sql<SqlBool>`(created_at, id) < (${after.at}, ${after.id})`);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Like the outbox's claim: one UPDATE … RETURNING that only takes rows whose
   * lease is free. Oldest due first, at most `limit`, and per endpoint only as
   * many as leave it at most `perEndpoint` attempts in flight (leased rows, of
   * any process), so one slow endpoint cannot take every slot.
   */
  async claimDue(
    now: number,
    owner: string,
    leaseMs: number,
    { limit, perEndpoint }: { limit: number; perEndpoint: number },
  ) {
    const due = this.db
      .selectFrom((eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .leftJoin(
            (inner) =>
              inner
                .selectFrom('webhook_deliveries')
                .select(['webhook_id', (c) => c.fn.countAll<number>().as('busy')])
                .where('status', '=', 'pending')
                .where('lease_until', '>', now)
                .groupBy('webhook_id')
                .as('f'),
            (join) => join.onRef('f.webhook_id', '=', 'd.webhook_id'),
          )
          .select([
            'd.id',
            'd.next_attempt_at',
            sql<number>`row_number() over (partition by d.webhook_id order by d.next_attempt_at, d.id) + coalesce(f.busy, 0)`.as(
              'slot',
            ),
          ])
          .where('d.status', '=', 'pending')
          .where('d.next_attempt_at', '<=', now)
          .where((w) => w.or([w('d.lease_until', 'is', null), w('d.lease_until', '<=', now)]))
          .as('ranked'),
      )
      .select('ranked.id')
      .where('ranked.slot', '<=', perEndpoint)
      .orderBy('ranked.next_attempt_at')
      .limit(limit);
    return takeLeases(this.db, 'webhook_deliveries', 'pending', due, { owner, now, leaseMs });
  }

  /**
   * Records an attempt if `owner` still holds the lease, and keeps the
   * endpoint's count of consecutive failures: reset by a success, and on
   * reaching `disableAfter` the endpoint is disabled and its other pending
   * deliveries fail. Returns whether the attempt was recorded.
   */
  async finishDelivery(
    delivery: { id: string; webhookId: string; owner: string },
    patch: Updateable<Database['webhook_deliveries']>,
    outcome: { succeeded: boolean; now: number; disableAfter: number; reason: string | null },
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const settled = await settleLease(
        trx,
        'webhook_deliveries',
        { id: delivery.id, owner: delivery.owner },
        patch,
      );
      if (!settled) return false;
      if (outcome.succeeded) {
        await trx
          .updateTable('webhooks')
          .set({ consecutive_failures: 0 })
          .where('id', '=', delivery.webhookId)
          .execute();
        return true;
      }
      const webhook = await trx
        .updateTable('webhooks')
        .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
        .where('id', '=', delivery.webhookId)
        .returning(['consecutive_failures', 'enabled'])
        .executeTakeFirst();
      if (webhook && webhook.enabled === 1 && webhook.consecutive_failures >= outcome.disableAfter) {
        const reason = `Disabled after ${webhook.consecutive_failures} failed attempts in a row; the last: ${outcome.reason ?? 'unknown'}`;
        await trx
          .updateTable('webhooks')
          .set({ enabled: 0, disabled_reason: reason, updated_at: outcome.now })
          .where('id', '=', delivery.webhookId)
          .execute();
        await this.failPending(trx, delivery.webhookId, 'The endpoint was disabled.');
      }
      return true;
    });
  }

  private async failPending(trx: Trx, webhookId: string, reason: string) {
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: reason, lease_owner: null, lease_until: null })
      .where('webhook_id', '=', webhookId)
      .where('status', '=', 'pending')
      .execute();
  }
}
