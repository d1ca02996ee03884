import { type SqlBool, sql } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';

/** Seconds; signalling is relayed in well under a millisecond, HTTP spans list pages and argon2 logins. */
const SIGNALLING_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** How long the count of closed and expired cases (a scan of the whole history) is reused. */
export const ENDED_COUNT_TTL_MS = 5 * 60_000;
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What the hub reports about the sockets this process holds. */
export interface SocketCounts {
  session: { agent: number; customer: number };
  console: number;
}

/**
 * The Prometheus metrics of one server process. Each app has a registry of
 * its own (tests run several apps in one process). Counts that live in the
 * database (cases, outbox backlog) are read when scraped, so they agree across
 * processes; socket counts and latencies are this process's own.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly signallingDuration: Histogram<'type'>;
  readonly busErrors: Counter;
  readonly busReconnects: Counter;
  readonly nodesReaped: Counter;
  readonly caseEvents: Counter<'type'>;
  readonly casesEnded: Counter<'reason'>;

  constructor(
    db: Db,
    clock: Clock,
    sockets: () => SocketCounts,
    options: { nodeId: string; processMetrics: boolean },
  ) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: options.nodeId });
    // Heap, RSS, event-loop lag, GC: once per process (the collectors observe process-wide hooks).
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'lifeline_' });

    this.httpDuration = new Histogram({
      name: 'lifeline_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.signallingDuration = new Histogram({
      name: 'lifeline_signalling_message_duration_seconds',
      help: 'Realtime session messages, from arrival to relayed or refused, by message type.',
      labelNames: ['type'],
      buckets: SIGNALLING_BUCKETS,
      registers,
    });
    this.busErrors = new Counter({
      name: 'lifeline_redis_errors_total',
      help: 'Errors of the Redis connections (cluster mode); ioredis reconnects by itself.',
      registers,
    });
    this.busReconnects = new Counter({
      name: 'lifeline_redis_reconnects_total',
      help: 'Reconnection attempts of the Redis connections (cluster mode), e.g. after a Redis restart.',
      registers,
    });
    this.nodesReaped = new Counter({
      name: 'lifeline_nodes_reaped_total',
      help: 'Server processes found dead (no heartbeat) whose sockets this process removed.',
      registers,
    });

    this.caseEvents = new Counter({
      name: 'lifeline_case_events_total',
      help: "Audit-trail entries this process wrote, by type (the case ledger's announcements).",
      labelNames: ['type'],
      registers,
    });
    this.casesEnded = new Counter({
      name: 'lifeline_cases_ended_total',
      help: 'Cases this process closed, expired or deleted, by reason.',
      labelNames: ['reason'],
      registers,
    });

    new Gauge({
      name: 'lifeline_live_sockets',
      help: 'Open WebSockets held by this process: session sockets by role, and console sockets.',
      labelNames: ['kind'],
      registers,
      collect() {
        const s = sockets();
        this.set({ kind: 'agent' }, s.session.agent);
        this.set({ kind: 'customer' }, s.session.customer);
        this.set({ kind: 'console' }, s.console);
      },
    });
    // Open cases are few (they expire within a day) and found through the sweep's partial index, so
    // they are counted on every scrape. Ended ones are all the history: counting them is a scan of
    // the table (~0.2 s for a million rows on SQLite, which blocks the process), so at most every
    // ENDED_COUNT_TTL_MS.
    let ended: { at: number; rows: { status: string; n: number }[] } | undefined;
    new Gauge({
      name: 'lifeline_cases',
      help: 'Cases by stored status, all organisations. Open ones are counted on every scrape (a case past its expiry counts as open until the sweep stores it), closed and expired ones at most every 5 minutes.',
      labelNames: ['status'],
      registers,
      async collect() {
        const now = clock.now();
        const open = await db
          .selectFrom('cases')
          .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
          // Spelled exactly as the partial index `cases_open_by_expiry`, so SQLite can prove it applies.
          .where(sql<SqlBool>`status in ('new', 'pending', 'in_progress')`)
          .groupBy('status')
          .execute();
        if (!ended || now - ended.at >= ENDED_COUNT_TTL_MS) {
          const rows = await db
            .selectFrom('cases')
            .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
            .where('status', 'in', ['closed', 'expired'])
            .groupBy('status')
            .execute();
          ended = { at: now, rows };
        }
        const rows = [...open, ...ended.rows];
        for (const status of ['new', 'pending', 'in_progress', 'closed', 'expired'] as const)
          this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
      },
    });
    new Gauge({
      name: 'lifeline_outbox_backlog',
      help: 'Invitations queued for a provider (not the local outbox) and webhook deliveries pending.',
      labelNames: ['queue'],
      registers,
      async collect() {
        const [outbox, webhooks] = await Promise.all([
          db
            .selectFrom('outbox_messages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'queued')
            .where('transport', '!=', 'local')
            .executeTakeFirstOrThrow(),
          db
            .selectFrom('webhook_deliveries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'pending')
            .executeTakeFirstOrThrow(),
        ]);
        this.set({ queue: 'invitations' }, Number(outbox.n));
        this.set({ queue: 'webhooks' }, Number(webhooks.n));
      },
    });
  }
}
