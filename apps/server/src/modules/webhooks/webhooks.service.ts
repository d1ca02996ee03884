import type {
  Case,
  createWebhookRequest,
  updateWebhookRequest,
  Webhook,
  WebhookDelivery,
  WebhookEventType,
} from '@lifeline/contracts';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database, NewCaseEventRow, WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import { toIso, toIsoOrNull } from '../../lib/clock.js';
import { decodeTimeKeyset, pageOf } from '../../lib/cursor.js';
import type { Deps } from '../../lib/deps.js';
import { invalidField, notFound } from '../../lib/errors.js';
import type { Principal } from '../auth/principal.js';
import type { InTransactionListener } from '../cases/case-ledger.js';
import { presentCase } from '../cases/cases.presenter.js';
import { refusedWebhookUrl } from './webhook-http.js';
import { type NewDeliveryRow, WebhooksRepository } from './webhooks.repository.js';

const SECRET_BYTES = 32;

/** Something that happened in an organisation, announced to its webhook endpoints. */
export interface WebhookEvent {
  orgId: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
  occurredAt: number;
}

function presentWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    enabled: row.enabled === 1,
    description: row.description,
    consecutiveFailures: row.consecutive_failures,
    disabledReason: row.disabled_reason,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

function presentDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type as WebhookEventType,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? toIso(row.next_attempt_at) : null,
    createdAt: toIso(row.created_at),
    deliveredAt: toIsoOrNull(row.delivered_at),
  };
}

/**
 * Which webhook events an audit event of a case stands for. `case.status_changed`
 * and `connection.*` come from live sessions (presence-driven status, remote
 * connections), written through the case ledger like every other change.
 */
function webhookTypesOf(caseEventType: string): WebhookEventType[] {
  switch (caseEventType) {
    case 'case.created':
    case 'case.assigned':
    case 'case.status_changed':
    case 'case.deleted':
    case 'connection.started':
    case 'connection.ended':
      return [caseEventType];
    case 'case.closed':
    case 'case.expired':
      return ['case.status_changed', caseEventType];
    default:
      return [];
  }
}

export class WebhooksService {
  readonly repo: WebhooksRepository;

  constructor(private readonly deps: Deps) {
    this.repo = new WebhooksRepository(deps.database.db);
  }

  /** SSRF: no internal target, unless the operator allowed them; the worker checks resolved addresses too. */
  private assertAllowedUrl(url: string) {
    const refused = refusedWebhookUrl(url, this.deps.config.webhookAllowPrivate);
    if (refused) throw invalidField('url', refused);
  }

  async list(p: Principal): Promise<Webhook[]> {
    return (await this.repo.list(p.orgId)).map(presentWebhook);
  }

  private async find(p: Principal, id: string) {
    const row = await this.repo.find(p.orgId, id);
    if (!row) throw notFound(`Webhook ${id}`);
    return row;
  }

  async get(p: Principal, id: string) {
    return presentWebhook(await this.find(p, id));
  }

  /** The secret is answered here only; the server keeps it to sign with. */
  async create(p: Principal, input: z.output<typeof createWebhookRequest>) {
    this.assertAllowedUrl(input.url);
    const now = this.deps.clock.now();
    const row: WebhookRow = {
      id: this.deps.newId(),
      org_id: p.orgId,
      url: input.url,
      events: JSON.stringify(input.events),
      enabled: input.enabled ? 1 : 0,
      description: input.description ?? null,
      secret: `whsec_${this.deps.random.token(SECRET_BYTES)}`,
      consecutive_failures: 0,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    };
    await this.repo.insert(row);
    return { ...presentWebhook(row), secret: row.secret };
  }

  async update(p: Principal, id: string, input: z.output<typeof updateWebhookRequest>) {
    const row = await this.find(p, id);
    if (input.url !== undefined) this.assertAllowedUrl(input.url);
    const now = this.deps.clock.now();
    const patch: Partial<WebhookRow> = { updated_at: now };
    if (input.url !== undefined) patch.url = input.url;
    if (input.events !== undefined) patch.events = JSON.stringify(input.events);
    if (input.description !== undefined) patch.description = input.description;
    if (input.enabled === true)
      Object.assign(patch, { enabled: 1, consecutive_failures: 0, disabled_reason: null });
    if (input.enabled === false) patch.enabled = 0;
    const turnedOff = input.enabled === false && row.enabled === 1;
    await this.repo.update(row.id, patch, turnedOff ? 'The endpoint was disabled.' : undefined);
    return this.get(p, id);
  }

  async delete(p: Principal, id: string) {
    await this.repo.delete((await this.find(p, id)).id);
  }

  async deliveries(p: Principal, id: string, query: { limit: number; cursor?: string | undefined }) {
    const row = await this.find(p, id);
    const rows = await this.repo.listDeliveries(row.id, decodeTimeKeyset(query.cursor), query.limit + 1);
    return pageOf(rows, query.limit, presentDelivery, (d) => ({ at: d.created_at, id: d.id }));
  }

  /**
   * Queues one delivery per subscribed, enabled endpoint, inside the caller's
   * transaction: the change and its announcement are stored together or not
   * at all. Each event gets one id, the same for every endpoint and retry.
   */
  async record(trx: Transaction<Database>, events: WebhookEvent[]): Promise<void> {
    const subscribers = await this.repo.subscribers(trx, [...new Set(events.map((e) => e.orgId))]);
    if (subscribers.length === 0) return;
    const rows: NewDeliveryRow[] = [];
    for (const event of events) {
      const endpoints = subscribers.filter(
        (s) => s.org_id === event.orgId && (JSON.parse(s.events) as string[]).includes(event.type),
      );
      if (endpoints.length === 0) continue;
      const eventId = this.deps.newId();
      const body = JSON.stringify({
        id: eventId,
        type: event.type,
        createdAt: toIso(event.occurredAt),
        data: event.data,
      });
      for (const endpoint of endpoints) {
        rows.push({
          id: this.deps.newId(),
          webhook_id: endpoint.id,
          event_id: eventId,
          event_type: event.type,
          body,
          status: 'pending',
          next_attempt_at: event.occurredAt,
          created_at: event.occurredAt,
        });
      }
    }
    await this.repo.insertDeliveries(trx, rows);
  }

  /**
   * The case ledger's in-transaction listener: turns audit events (and
   * deletions) into webhook events carrying the case as the API shows it,
   * queued in the transaction that writes them.
   */
  readonly caseEventListener: InTransactionListener = {
    onEvents: (trx, events) => this.onCaseEvents(trx, events),
    interested: async (orgId) => (await this.repo.subscribers(this.deps.database.db, [orgId])).length > 0,
  };

  readonly onCaseEvents = async (trx: Transaction<Database>, events: NewCaseEventRow[]) => {
    const wanted = events.filter((e) => webhookTypesOf(e.type).length > 0);
    if (wanted.length === 0) return;
    // Most organisations have no webhooks: answer that before loading any case.
    if ((await this.repo.subscribers(trx, [...new Set(wanted.map((e) => e.org_id))])).length === 0) return;
    const rows = await trx
      .selectFrom('cases')
      .selectAll()
      .where('id', 'in', [...new Set(wanted.map((e) => e.case_id))])
      .execute();
    const now = this.deps.clock.now();
    const cases = new Map<string, Case>(
      rows.map((r) => [r.id, presentCase(r, now, this.deps.config.publicUrl)]),
    );
    const out: WebhookEvent[] = [];
    for (const e of wanted) {
      const presented = cases.get(e.case_id);
      if (!presented) continue;
      const details = JSON.parse(e.data) as Record<string, unknown>;
      const actor = { type: e.actor_type, id: e.actor_id ?? null, name: e.actor_name ?? null };
      for (const type of webhookTypesOf(e.type)) {
        const data =
          type === 'case.status_changed' && e.type !== 'case.status_changed'
            ? { from: details.from, to: e.type === 'case.closed' ? 'closed' : 'expired' }
            : details;
        out.push({
          orgId: e.org_id,
          type,
          data: { case: presented, actor, ...data },
          occurredAt: e.created_at,
        });
      }
    }
    await this.record(trx, out);
  };
}
