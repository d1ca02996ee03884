import type { WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import { type AttemptResult, retryAt } from '../../lib/delivery.js';
import type { Deps } from '../../lib/deps.js';
import { Poller } from '../../lib/poller.js';
import { signatureHeader } from './signature.js';
import { postWebhook, type Resolve } from './webhook-http.js';
import type { WebhooksRepository } from './webhooks.repository.js';

/** Attempts one endpoint may have in flight at once (counted over all processes). */
export const PER_ENDPOINT = 2;
/** Attempts this process has in flight at once, over all endpoints. */
export const IN_FLIGHT = 16;

/**
 * POSTs pending deliveries, signed, to their endpoints. At least once: a
 * delivery is marked done only after a 2xx, so a crash between the answer and
 * the write repeats it with the same `Lifeline-Event-Id`. 5xx, 408, 429,
 * timeouts and network errors are retried with exponential backoff; other
 * answers fail the delivery at once.
 *
 * Endpoints are independent: each attempt runs on its own, at most
 * PER_ENDPOINT per endpoint and IN_FLIGHT in this process, and a free slot is
 * filled as soon as it frees up, so an endpoint that hangs holds only its own
 * slots while the others' deliveries go on.
 */
export class WebhookWorker {
  private readonly poller: Poller;
  private readonly inFlight = new Set<Promise<void>>();
  private claims: Promise<unknown> = Promise.resolve();
  private pending: Promise<number> | undefined;
  private running = false;

  constructor(
    private readonly deps: Deps,
    private readonly repo: WebhooksRepository,
    private readonly resolve: Resolve,
  ) {
    this.poller = new Poller('webhook delivery', deps.config.delivery.intervalMs, deps.logger, () =>
      this.dispatch(),
    );
  }

  /**
   * Claims as many due deliveries as the limits leave room for and starts
   * them, without waiting for their answers; returns how many it started.
   * Claims in this process take turns; callers while one waits share it.
   */
  dispatch(): Promise<number> {
    if (!this.pending) {
      const next = this.claims.then(() => {
        this.pending = undefined;
        return this.claim();
      });
      this.pending = next;
      this.claims = next.catch(() => undefined);
    }
    return this.pending;
  }

  private async claim(): Promise<number> {
    const room = IN_FLIGHT - this.inFlight.size;
    if (room <= 0) return 0;
    const owner = this.deps.newId();
    const claimed = await this.repo.claimDue(
      this.deps.clock.now(),
      owner,
      this.deps.config.delivery.leaseMs,
      {
        limit: room,
        perEndpoint: PER_ENDPOINT,
      },
    );
    if (claimed.length === 0) return 0;
    const webhooks = new Map(
      (await this.repo.findByIds([...new Set(claimed.map((d) => d.webhook_id))])).map((w) => [w.id, w]),
    );
    for (const delivery of claimed) {
      const attempt: Promise<void> = this.deliver(delivery, webhooks.get(delivery.webhook_id), owner)
        .catch((err: unknown) =>
          this.deps.logger.error({ err, delivery: delivery.id }, 'webhook delivery failed'),
        )
        .finally(() => {
          this.inFlight.delete(attempt);
          // A slot is free: the next due delivery need not wait for the next tick.
          if (this.running)
            this.dispatch().catch((err: unknown) =>
              this.deps.logger.error({ err }, 'webhook delivery failed; retrying on the next tick'),
            );
        });
      this.inFlight.add(attempt);
    }
    return claimed.length;
  }

  /** Makes one attempt at every delivery due now and waits for them all; returns how many attempts it made. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const started = await this.dispatch();
      total += started;
      if (started > 0) continue;
      if (this.inFlight.size === 0) return total;
      await Promise.race(this.inFlight);
    }
  }

  private post(delivery: WebhookDeliveryRow, webhook: WebhookRow): Promise<AttemptResult> {
    const timestamp = Math.floor(this.deps.clock.now() / 1000);
    return postWebhook(
      {
        allowPrivate: this.deps.config.webhookAllowPrivate,
        resolve: this.resolve,
        timeoutMs: this.deps.config.delivery.timeoutMs,
      },
      webhook.url,
      {
        'content-type': 'application/json',
        'user-agent': 'Lifeline-Webhooks/1',
        'lifeline-event-id': delivery.event_id,
        'lifeline-event-type': delivery.event_type,
        'lifeline-delivery-id': delivery.id,
        'lifeline-signature': signatureHeader(webhook.secret, timestamp, delivery.body),
      },
      delivery.body,
    );
  }

  private async deliver(delivery: WebhookDeliveryRow, webhook: WebhookRow | undefined, owner: string) {
    const result: AttemptResult =
      webhook?.enabled === 1
        ? await this.post(delivery, webhook)
        : { ok: false, permanent: true, reason: 'The endpoint was disabled.' };
    const now = this.deps.clock.now();
    const again = retryAt(result, delivery.attempts, this.deps.config.delivery, now);
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
            status: again === undefined ? 'failed' : 'pending',
            last_status_code: result.statusCode ?? null,
            last_error: result.reason,
            ...(again === undefined ? {} : { next_attempt_at: again }),
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
    this.running = true;
    this.poller.start();
  }

  /** Stops claiming and waits for the attempts in flight, so their results are stored before shutdown. */
  async stop() {
    this.running = false;
    await this.poller.stop();
    await this.claims;
    await Promise.all(this.inFlight);
  }
}
