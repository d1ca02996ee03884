import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import type { DatabaseHandle } from './db/database.js';
import { type Clock, systemClock } from './lib/clock.js';
import type { FetchFn } from './lib/delivery.js';
import type { Deps } from './lib/deps.js';
import { createIdGenerator, cryptoRandom, type Random } from './lib/random.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { AuthService } from './modules/auth/auth.service.js';
import { FailOpenCounters, MemoryWindowCounters } from './modules/auth/rate-limiter.js';
import { casesRoutes } from './modules/cases/cases.routes.js';
import { CasesService } from './modules/cases/cases.service.js';
import { ExpirySweeper } from './modules/cases/expiry-sweeper.js';
import { connectionsRoutes } from './modules/connections/connections.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { invitationsRoutes } from './modules/invitations/invitations.routes.js';
import { InvitationsService, presentInvitation } from './modules/invitations/invitations.service.js';
import { type Mailer, smtpMailer } from './modules/invitations/mail.js';
import { OutboxWorker } from './modules/invitations/outbox-worker.js';
import { type SmsSender, smsSenderFor } from './modules/invitations/sms.js';
import { joinRoutes } from './modules/join/join.routes.js';
import { JoinService } from './modules/join/join.service.js';
import { Metrics } from './modules/metrics/metrics.js';
import { metricsRoutes } from './modules/metrics/metrics.routes.js';
import { modulesRoutes } from './modules/modules/modules.routes.js';
import { ModulesService } from './modules/modules/modules.service.js';
import { connectorAppsRoutes } from './modules/oauth/connector-apps.routes.js';
import { ConnectorAppsService } from './modules/oauth/connector-apps.service.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { OAuthService } from './modules/oauth/oauth.service.js';
import { peopleRoutes } from './modules/people/people.routes.js';
import { PeopleService } from './modules/people/people.service.js';
import { type Bus, InProcessBus, RedisBus } from './modules/realtime/bus.js';
import { CaseFeed } from './modules/realtime/case-feed.js';
import { Hub } from './modules/realtime/hub.js';
import { LiveRepository } from './modules/realtime/live.repository.js';
import { LiveSessions } from './modules/realtime/live.service.js';
import { NodeHeartbeats } from './modules/realtime/node-heartbeats.js';
import { WebhookWorker } from './modules/webhooks/webhook-worker.js';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { WebhooksService } from './modules/webhooks/webhooks.service.js';
import { createGuard } from './plugins/auth.js';
import { frameworkErrors, registerErrorHandler } from './plugins/error-handler.js';
import { webPages } from './plugins/web.js';

export interface AppOptions {
  config: Config;
  /**
   * Check every response against its contract (a mismatch becomes a logged 500).
   * Tests turn it on; in production the contracts are enforced by those tests
   * and responses are plainly serialised, which is much cheaper for long lists.
   */
  validateResponses?: boolean;
  /** Opened and migrated by the caller, which also closes it. */
  database: DatabaseHandle;
  clock?: Clock;
  random?: Random;
  /**
   * Outgoing side effects. Unset, they follow the configuration: SMTP from
   * `mail`, the SMS provider from `sms`, and the global fetch.
   */
  delivery?: { mailer?: Mailer; sms?: SmsSender; fetch?: FetchFn };
  /** Where log lines go (default stdout); tests read them here. */
  logStream?: DestinationStream;
  /**
   * Heap, RSS, event-loop and GC metrics of the process. `main` turns them on;
   * off by default because their collectors hook the whole process, and tests
   * run several apps in one.
   */
  processMetrics?: boolean;
}

export interface App {
  server: FastifyInstance;
  services: {
    people: PeopleService;
    auth: AuthService;
    cases: CasesService;
    live: LiveSessions;
    invitations: InvitationsService;
    modules: ModulesService;
    /** `webhooks.onCaseEvents(trx, rows)` announces audit events written elsewhere; `emit()` others. */
    webhooks: WebhooksService;
    oauth: OAuthService;
    connectorApps: ConnectorAppsService;
  };
  sweeper: ExpirySweeper;
  bus: Bus;
  /** Background delivery; `main` starts them, tests run them step by step. */
  outbox: OutboxWorker;
  webhookWorker: WebhookWorker;
  /** Cluster mode only (REDIS_URL): this process's heartbeat and the reaping of dead nodes' sockets. */
  nodes: NodeHeartbeats | undefined;
  metrics: Metrics;
}

/** A request id a client or proxy may hand us: short and plain, so it cannot forge or flood log lines. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** How long a sign-in or join waits for the shared rate-limit counters before letting the attempt through. */
const RATE_LIMIT_TIMEOUT_MS = 1000;

/** Largest realtime message: an SDP offer with many candidates, or a long freehand stroke. */
const MAX_MESSAGE_BYTES = 256 * 1024;

// A cached queue page is the same object for every agent who asks: it is encoded once, and the
// Buffer is written as it is (a string would be measured and encoded again for every answer).
const serialized = new WeakMap<object, Buffer>();
function serializeOnce(data: unknown): string | Buffer {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data);
  let json = serialized.get(data);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(data));
    serialized.set(data, json);
  }
  return json;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const { config, database } = options;
  const clock = options.clock ?? systemClock;
  const nodeId = config.nodeId ?? randomUUID();
  const logger = {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'],
    // Every line says which process wrote it, so a cluster's logs can be merged.
    base: { node: nodeId },
  };
  const server = Fastify({
    logger: options.logStream ? { ...logger, stream: options.logStream } : logger,
    // A valid x-request-id (from nginx's $request_id, or the caller) is kept and echoed, so one
    // id follows a request through the proxy, every log line of it here, and the answer.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    frameworkErrors,
    trustProxy: config.trustProxy,
  });
  server.setValidatorCompiler(validatorCompiler);
  // Fastify writes a Buffer from the serializer as it is, though its types promise a string.
  server.setSerializerCompiler(
    options.validateResponses ? serializerCompiler : () => serializeOnce as (data: unknown) => string,
  );
  server.decorateRequest('principal', null);
  // JSON only: a text/plain body would otherwise reach validation and fail there with a confusing message.
  server.removeContentTypeParser('text/plain');
  server.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // Socket counts are read only when scraped, by which time the hub (built below) exists.
  const metrics = new Metrics(database.db, clock, () => hub.socketCounts(), {
    nodeId,
    processMetrics: options.processMetrics ?? false,
  });
  let bus: Bus;
  let redis: RedisBus | undefined;
  if (config.redisUrl) {
    redis = new RedisBus(
      config.redisUrl,
      (err) => {
        metrics.busErrors.inc();
        server.log.error({ err }, 'redis connection error');
      },
      () => metrics.busReconnects.inc(),
    );
    await redis.ready();
    bus = redis;
  } else {
    bus = new InProcessBus();
  }
  const deps: Deps = {
    config,
    database,
    clock,
    random: options.random ?? cryptoRandom,
    newId: createIdGenerator(clock),
    logger: server.log,
    counters: redis
      ? new FailOpenCounters(redis.counters(), RATE_LIMIT_TIMEOUT_MS, (err) =>
          server.log.warn({ err }, 'rate limits not counted: Redis did not answer'),
        )
      : new MemoryWindowCounters(clock),
  };
  const people = new PeopleService(deps);
  const auth = new AuthService(deps, people);
  const feed = new CaseFeed(bus);
  const webhooks = new WebhooksService(deps);
  const cases = new CasesService(deps, people.repo, feed, webhooks.caseEventListener);
  feed.onLocalChange((orgId) => cases.written(orgId));
  const modules = new ModulesService(deps, people.repo, cases);
  const join = new JoinService(deps, cases.repo, modules);
  const sweeper = new ExpirySweeper(deps, cases.repo, (expired) => {
    for (const e of expired) {
      cases.written(e.org_id);
      feed.ended(e.org_id, e.code, e.id, 'expired');
    }
  });
  const live = new LiveSessions(
    deps,
    new LiveRepository(database.db, database.dialect, webhooks.caseEventListener),
    feed,
    nodeId,
  );
  const hub = new Hub(deps, bus, live, auth, cases.repo, (type, seconds) =>
    metrics.signallingDuration.observe({ type }, seconds),
  );
  const nodes = redis
    ? new NodeHeartbeats(deps, redis, live, hub, (dead) => metrics.nodesReaped.inc(dead.length))
    : undefined;
  const fetchFn = options.delivery?.fetch ?? fetch;
  const mailer =
    options.delivery?.mailer ??
    (config.mail ? smtpMailer(config.mail.smtpUrl, config.delivery.timeoutMs) : undefined);
  const sms = options.delivery?.sms ?? smsSenderFor(config, fetchFn);
  const invitations = new InvitationsService(deps, cases.repo, people.repo, {
    email: mailer ? 'smtp' : 'local',
    sms: sms?.name ?? 'local',
  });
  const outbox = new OutboxWorker(deps, invitations.repo, mailer, sms, (trx, { type, row }) =>
    webhooks.record(trx, [
      { orgId: row.org_id, type, data: { invitation: presentInvitation(row) }, occurredAt: clock.now() },
    ]),
  );
  const webhookWorker = new WebhookWorker(deps, webhooks.repo, fetchFn);
  const guard = createGuard(auth);
  const oauth = new OAuthService(deps, auth);
  oauth.start();
  const connectorApps = new ConnectorAppsService(deps, oauth.repo, auth);

  await server.register(fastifyCookie);
  await server.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  await server.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lifeline API',
        version: '1.0.0',
        description:
          'Remote-support service cases. Integrators send `Authorization: Bearer <token>`; the console uses the session cookie plus `x-csrf-token`.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'lifeline_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await server.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  registerErrorHandler(server);

  server.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  let shuttingDown = false;
  server.addHook('preClose', async () => {
    shuttingDown = true;
    await sweeper.stop();
    await outbox.stop();
    await webhookWorker.stop();
    await nodes?.stop();
  });
  healthRoutes(server, database, () => shuttingDown);
  metricsRoutes(server, metrics, config.metricsToken);
  const cookieOptions = {
    secureCookies: config.publicUrl.startsWith('https://'),
    sessionTtlMs: config.sessionTtlMs,
  };
  authRoutes(server, auth, people, guard, cookieOptions);
  peopleRoutes(server, people, guard);
  casesRoutes(server, cases, guard);
  joinRoutes(server, join);
  modulesRoutes(server, modules, guard);
  connectionsRoutes(server, deps, cases.repo, guard);
  invitationsRoutes(server, invitations, guard);
  webhooksRoutes(server, webhooks, guard);
  connectorAppsRoutes(server, connectorApps, guard);
  await oauthRoutes(server, oauth, auth, cookieOptions);
  hub.register(server);
  await webPages(server, {
    publicUrl: config.publicUrl,
    frameAncestors: (clientId) => connectorApps.frameAncestors(clientId),
  });
  server.addHook('onClose', () => bus.close());

  return {
    server,
    services: { people, auth, cases, live, invitations, modules, webhooks, oauth, connectorApps },
    sweeper,
    bus,
    outbox,
    webhookWorker,
    nodes,
    metrics,
  };
}
