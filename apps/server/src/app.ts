import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { openApiDocument } from '@lifeline/contracts/openapi';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import type { DatabaseHandle } from './db/database.js';
import { type Bus, InProcessBus, RedisBus } from './lib/bus.js';
import { type Clock, systemClock } from './lib/clock.js';
import type { FetchFn } from './lib/delivery.js';
import type { Deps } from './lib/deps.js';
import { createIdGenerator, cryptoRandom, type Random } from './lib/random.js';
import { RedisConnections } from './lib/redis.js';
import { FailOpenCounters, MemoryWindowCounters, RedisWindowCounters } from './lib/window-counters.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { AuthService } from './modules/auth/auth.service.js';
import { CaseLedger } from './modules/cases/case-ledger.js';
import { casesRoutes } from './modules/cases/cases.routes.js';
import { CasesService } from './modules/cases/cases.service.js';
import { ExpirySweeper } from './modules/cases/expiry-sweeper.js';
import { connectionsRoutes } from './modules/connections/connections.routes.js';
import { ConnectionsService } from './modules/connections/connections.service.js';
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
import { connectorAppsRoutes } from './modules/oauth/connector-apps.routes.js';
import { ConnectorAppsService } from './modules/oauth/connector-apps.service.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { OAuthService } from './modules/oauth/oauth.service.js';
import { peopleRoutes } from './modules/people/people.routes.js';
import { PeopleService } from './modules/people/people.service.js';
import { modulesRoutes } from './modules/quicksupport-modules/quicksupport-modules.routes.js';
import { QuickSupportModulesService } from './modules/quicksupport-modules/quicksupport-modules.service.js';
import { AccessFeed } from './modules/realtime/access-feed.js';
import { CaseFeed } from './modules/realtime/case-feed.js';
import { Hub } from './modules/realtime/hub.js';
import { LiveSessions } from './modules/realtime/live.service.js';
import { NodeHeartbeats, RedisNodeRegistry } from './modules/realtime/node-heartbeats.js';
import { FileRecordingStore } from './modules/recordings/recording-store.js';
import { recordingsRoutes } from './modules/recordings/recordings.routes.js';
import { RecordingsService } from './modules/recordings/recordings.service.js';
import { teamViewerRoutes } from './modules/teamviewer/teamviewer.routes.js';
import { TeamViewerSessions } from './modules/teamviewer/teamviewer.service.js';
import { type Resolve, systemResolve } from './modules/webhooks/webhook-http.js';
import { WebhookWorker } from './modules/webhooks/webhook-worker.js';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { WebhooksService } from './modules/webhooks/webhooks.service.js';
import { createGuard } from './plugins/auth.js';
import { frameworkErrors, registerErrorHandler } from './plugins/error-handler.js';
import { registerRequestHandling } from './plugins/requests.js';
import { routeRegistrar } from './plugins/routes.js';
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
   * `mail`, the SMS provider from `sms`, the global fetch, and the system's DNS (webhooks).
   */
  delivery?: { mailer?: Mailer; sms?: SmsSender; fetch?: FetchFn; resolve?: Resolve };
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
    /** The only writer of cases and their audit trails; its `events` announce each change after commit. */
    ledger: CaseLedger;
    live: LiveSessions;
    invitations: InvitationsService;
    modules: QuickSupportModulesService;
    recordings: RecordingsService;
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
    // One line per request, written by registerRequestHandling without the secrets a URL may carry.
    logController: new LogController({ disableRequestLogging: true }),
  });
  server.setValidatorCompiler(validatorCompiler);
  // Fastify writes a Buffer from the serializer as it is, though its types promise a string.
  server.setSerializerCompiler(
    options.validateResponses ? serializerCompiler : () => serializeOnce as (data: unknown) => string,
  );
  server.decorateRequest('principal', null);
  // JSON only: a text/plain body would otherwise reach validation and fail there with a confusing message.
  server.removeContentTypeParser('text/plain');
  registerRequestHandling(server);
  server.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // Socket counts are read only when scraped, by which time the hub (built below) exists.
  const metrics = new Metrics(database.db, clock, () => hub.socketCounts(), {
    nodeId,
    processMetrics: options.processMetrics ?? false,
  });
  let bus: Bus;
  let redis: RedisConnections | undefined;
  if (config.redisUrl) {
    const onRedisError = (err: Error) => {
      metrics.busErrors.inc();
      server.log.error({ err }, 'redis connection error');
    };
    redis = new RedisConnections(config.redisUrl, onRedisError, () => metrics.busReconnects.inc());
    await redis.ready();
    bus = new RedisBus(redis, onRedisError);
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
      ? new FailOpenCounters(new RedisWindowCounters(redis.commands), RATE_LIMIT_TIMEOUT_MS, (err) =>
          server.log.warn({ err }, 'rate limits not counted: Redis did not answer'),
        )
      : new MemoryWindowCounters(clock),
  };
  const people = new PeopleService(deps);
  const auth = new AuthService(deps, people);
  const access = new AccessFeed(bus);
  people.onAccessChanged((userId, change) => access.changed(userId, change));
  auth.onAccessChanged((userId, change) => access.changed(userId, change));
  const webhooks = new WebhooksService(deps);
  // The write path of every case; what follows a change subscribes to it (docs/ARCHITECTURE.md).
  const ledger = new CaseLedger(deps, webhooks.caseEventListener);
  const feed = new CaseFeed(bus, ledger.events);
  ledger.events.on('case.changed', (e) => {
    for (const type of e.audit) metrics.caseEvents.inc({ type });
  });
  ledger.events.on('case.ended', (e) => metrics.casesEnded.inc({ reason: e.reason }));
  // An ended case's outcome lists its recordings, read when the case is (recordings is built next).
  const cases: CasesService = new CasesService(deps, people, ledger, (row) => recordings.ofCase(row));
  const recordings: RecordingsService = new RecordingsService(
    deps,
    cases,
    ledger,
    new FileRecordingStore(config.recordings.dir),
  );
  const modules = new QuickSupportModulesService(deps, people, cases);
  const join = new JoinService(deps, cases, people, modules, recordings);
  const sweeper = new ExpirySweeper(ledger, deps);
  const live = new LiveSessions(deps, ledger, feed, nodeId);
  const hub = new Hub(deps, bus, live, auth, join, cases, (type, seconds) =>
    metrics.signallingDuration.observe({ type }, seconds),
  );
  const nodes = redis
    ? new NodeHeartbeats(deps, new RedisNodeRegistry(redis.commands), live, hub, (dead) =>
        metrics.nodesReaped.inc(dead.length),
      )
    : undefined;
  const fetchFn = options.delivery?.fetch ?? fetch;
  const mailer =
    options.delivery?.mailer ??
    (config.mail
      ? smtpMailer(config.mail.smtpUrl, config.delivery.timeoutMs, config.mail.requireTls)
      : undefined);
  const sms = options.delivery?.sms ?? smsSenderFor(config, fetchFn);
  const invitations = new InvitationsService(deps, cases, ledger, people, {
    email: mailer ? 'smtp' : 'local',
    sms: sms?.name ?? 'local',
  });
  const outbox = new OutboxWorker(deps, invitations.repo, cases, ledger, mailer, sms, (trx, { type, row }) =>
    webhooks.record(trx, [
      { orgId: row.org_id, type, data: { invitation: presentInvitation(row) }, occurredAt: clock.now() },
    ]),
  );
  const webhookWorker = new WebhookWorker(deps, webhooks.repo, options.delivery?.resolve ?? systemResolve);
  const guard = createGuard(auth);
  const oauth = new OAuthService(deps, auth);
  oauth.start();
  const connectorApps = new ConnectorAppsService(deps, oauth.repo, auth);

  await server.register(fastifyCookie);
  await server.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  // The document is generated from the endpoint declarations the routes below are registered from.
  await server.register(fastifySwagger, {
    mode: 'static',
    specification: { document: { ...openApiDocument(), servers: [{ url: config.publicUrl }] } as never },
  });
  await server.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  registerErrorHandler(server);

  server.get('/api/v1/openapi.json', async () => server.swagger());

  let shuttingDown = false;
  server.addHook('preClose', async () => {
    shuttingDown = true;
    await sweeper.stop();
    await recordings.stop();
    await outbox.stop();
    await webhookWorker.stop();
    await nodes?.stop();
  });
  const route = routeRegistrar(server, guard);
  healthRoutes(route, database, () => shuttingDown);
  metricsRoutes(server, route, metrics, config.metricsToken);
  const cookieOptions = {
    secureCookies: config.publicUrl.startsWith('https://'),
    sessionTtlMs: config.sessionTtlMs,
  };
  authRoutes(route, auth, people, cookieOptions);
  peopleRoutes(route, people);
  casesRoutes(route, cases);
  recordingsRoutes(route, recordings);
  teamViewerRoutes(server, guard, new TeamViewerSessions(deps, cases, people));
  joinRoutes(route, join);
  modulesRoutes(route, modules);
  connectionsRoutes(route, new ConnectionsService(deps, cases));
  invitationsRoutes(route, invitations);
  webhooksRoutes(route, webhooks);
  connectorAppsRoutes(route, connectorApps);
  await oauthRoutes(server, route, oauth, auth, cookieOptions);
  hub.register(server);
  await hub.watchAccess();
  await webPages(server, {
    publicUrl: config.publicUrl,
    frameAncestors: (clientId) => connectorApps.frameAncestors(clientId),
    joinAnswer: (token) => join.byToken(token).catch(() => undefined),
  });
  server.addHook('onClose', () => bus.close());

  return {
    server,
    services: {
      people,
      auth,
      cases,
      ledger,
      live,
      invitations,
      modules,
      recordings,
      webhooks,
      oauth,
      connectorApps,
    },
    sweeper,
    bus,
    outbox,
    webhookWorker,
    nodes,
    metrics,
  };
}
