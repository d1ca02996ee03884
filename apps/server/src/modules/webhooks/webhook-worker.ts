import type { WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import {
  type AttemptResult,
  clip,
  type FetchFn,
  isTransientStatus,
  requestWithTimeout,
  retryDelay,
} from '../../lib/delivery.js';
import type { Deps } from '../../lib/deps.js';
import { Poller } from '../../lib/poller.js';
import { signatureHeader } from './signature.js';
import type { WebhooksRepository } from './webhooks.repository.js';

const BATCH = 20;

/**
 * POSTs pending deliveries, signed, to their endpoints. At least once: a
 * delivery is marked done only after a 2xx, so a crash between the answer and
 * the write repeats it with the same `Lifeline-Event-Id`. 5xx, 408, 429,
 * timeouts and network errors are retried with exponential backoff; other
 * answers fail the delivery at once.
 */
export class WebhookWorker {
  private readonly poller: Poller;

  constructor(
    private readonly deps: Deps,
    private readonly repo: WebhooksRepository,
    private readonly fetchFn: FetchFn,
  ) {
    this.poller = new Poller('webhook delivery', deps.config.delivery.intervalMs, deps.logger, () =>
      this.runOnce(),
    );
  }

  /** Makes one attempt at every delivery due now; returns how many attempts it made. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const owner = this.deps.newId();
      const claimed = await this.repo.claimDue(
        this.deps.clock.now(),
        owner,
        this.deps.config.delivery.leaseMs,
        BATCH,
      );
      const webhooks = new Map(
        (await this.repo.findByIds([...new Set(claimed.map((d) => d.webhook_id))])).map((w) => [w.id, w]),
      );
      await Promise.all(claimed.map((d) => this.deliver(d, webhooks.get(d.webhook_id), owner)));
      total += claimed.length;
      if (claimed.length < BATCH) return total;
    }
  }

  private async post(delivery: WebhookDeliveryRow, webhook: WebhookRow): Promise<AttemptResult> {
    const timestamp = Math.floor(this.deps.clock.now() / 1000);
    const result = await requestWithTimeout(
      this.fetchFn,
      webhook.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Lifeline-Webhooks/1',
          'lifeline-event-id': delivery.event_id,
          'lifeline-event-type': delivery.event_type,
          'lifeline-delivery-id': delivery.id,
          'lifeline-signature': signatureHeader(webhook.secret, timestamp, delivery.body),
        },
        body: delivery.body,
      },
      this.deps.config.delivery.timeoutMs,
    );
    if ('failure' in result) return result.failure;
    const { status } = result.response;
    if (status >= 200 && status < 300) return { ok: true, statusCode: status };
    const said = result.text.trim();
    return {
      ok: false,
      permanent: !isTransientStatus(status),
      statusCode: status,
      reason: clip(said ? `HTTP ${status}: ${said}` : `HTTP ${status}`, 300),
    };
  }

  private async deliver(delivery: WebhookDeliveryRow, webhook: WebhookRow | undefined, owner: string) {
    const result: AttemptResult =
      webhook?.enabled === 1
        ? await this.post(delivery, webhook)
        : { ok: false, permanent: true, reason: 'The endpoint was disabled.' };
    const now = this.deps.clock.now();
    const { maxAttempts, backoffMs } = this.deps.config.delivery;
    const retry = !result.ok && !result.permanent && delivery.attempts < maxAttempts;
    const applied = await this.repo.finishDelivery(
      { id: delivery.id, webhookId: delivery.webhook_id, owner },
      result.ok
        ? {
            status: 'delivered',
            delivered_at: now,
            last_status_code: result.statusCode ?? null,
            last_error: null,
          }
        : {
            status: retry ? 'pending' : 'failed',
            last_status_code: result.statusCode ?? null,
            last_error: result.reason,
            ...(retry ? { next_attempt_at: now + retryDelay(delivery.attempts, backoffMs) } : {}),
          },
      {
        succeeded: result.ok,
        now,
        disableAfter: this.deps.config.webhookDisableAfter,
        reason: result.ok ? null : result.reason,
      },
    );
    if (!applied)
      this.deps.logger.warn({ delivery: delivery.id }, 'webhook lease lost; another worker owns it');
  }

  start() {
    this.poller.start();
  }

  async stop() {
    await this.poller.stop();
  }
}
