import path from 'node:path';
import { z } from 'zod';
import { isLoopbackHost } from '../lib/addresses.js';

const urlList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('0.0.0.0'),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for SQLite)')
      .optional(),
    LIFELINE_DATA_DIR: z.string().default('data'),
    /** Where session recordings are kept; unset: `recordings` under LIFELINE_DATA_DIR. */
    LIFELINE_RECORDINGS_DIR: z.string().optional(),
    /** How long recordings are kept, for organisations whose admins did not choose. */
    LIFELINE_RECORDING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    REDIS_URL: z.url().optional(),
    /** Behind a reverse proxy: trust its X-Forwarded-For, so rate limits see the real client address. */
    TRUST_PROXY: z.enum(['true', 'false']).default('false'),
    LIFELINE_ORG_NAME: z.string().min(1).max(200).default('My organisation'),
    LIFELINE_ADMIN_EMAIL: z.email().default('admin@lifeline.local'),
    LIFELINE_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
    LIFELINE_CASE_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
    LIFELINE_SWEEP_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
    LIFELINE_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
    /** `smtp://user:pass@host:587` or `smtps://…:465`; unset keeps e-mail in the local outbox. */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    /** `true`: SMTP only over TLS (smtps://, or STARTTLS before any password). Unset: true unless SMTP_URL is loopback. */
    SMTP_REQUIRE_TLS: z.enum(['true', 'false']).optional(),
    MAIL_FROM: z.string().min(3).optional(),
    SMS_PROVIDER: z.enum(['twilio', 'http']).optional(),
    TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
    TWILIO_ACCOUNT_SID: z.string().min(1).optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    TWILIO_FROM: z.string().min(1).optional(),
    SMS_HTTP_URL: z.url().optional(),
    SMS_HTTP_TOKEN: z.string().min(1).optional(),
    /** ISO 3166 region for phone numbers typed without a country code, e.g. `DE`. */
    SMS_DEFAULT_REGION: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
      .transform((v) => v.toUpperCase())
      .optional(),
    LIFELINE_DELIVERY_INTERVAL_SECONDS: z.coerce.number().positive().default(2),
    LIFELINE_DELIVERY_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
    LIFELINE_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(10),
    LIFELINE_DELIVERY_BACKOFF_SECONDS: z.coerce.number().positive().default(30),
    LIFELINE_WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).default(50),
    /** `true`: webhooks may target loopback, private and link-local addresses (a receiver on the same network). */
    LIFELINE_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
    /** Comma-separated `stun:` URLs handed to browsers for NAT traversal. */
    LIFELINE_STUN_URLS: z.string().optional(),
    /** Comma-separated `turn:`/`turns:` URLs of a coturn server in shared-secret mode. */
    LIFELINE_TURN_URLS: z.string().optional(),
    LIFELINE_TURN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    LIFELINE_TURN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
    /** OAuth provider (CRM connectors): lifetimes of access and refresh tokens. */
    LIFELINE_OAUTH_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
    LIFELINE_OAUTH_REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(14 * 86_400),
    /**
     * Private signing keys as a JWKS (`{"keys":[…]}`) and cookie keys (comma-separated, ≥ 32 chars each).
     * Unset, they are generated on first start and kept in the database.
     */
    LIFELINE_OAUTH_JWKS: z
      .string()
      .refine((v) => {
        try {
          const parsed: unknown = JSON.parse(v);
          return (
            typeof parsed === 'object' &&
            parsed !== null &&
            Array.isArray((parsed as { keys?: unknown }).keys)
          );
        } catch {
          return false;
        }
      }, 'must be a JSON Web Key Set: {"keys":[…]}')
      .optional(),
    LIFELINE_OAUTH_COOKIE_KEYS: z
      .string()
      .refine(
        (v) => urlList(v).every((k) => k.length >= 32),
        'must be comma-separated keys of at least 32 characters',
      )
      .optional(),
    /** `relay`: browsers use only TURN relay candidates (hides addresses; needs LIFELINE_TURN_URLS). */
    LIFELINE_ICE_TRANSPORT_POLICY: z.enum(['all', 'relay']).default('all'),
    /** The largest file agent and customer may send each other (peer to peer: it limits the receiving browser's memory, not the server's). */
    LIFELINE_FILE_TRANSFER_MAX_MB: z.coerce.number().positive().max(4096).default(500),
    /** Names this process in logs, metrics and live_sockets; unset, a random id per start. */
    LIFELINE_NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .optional(),
    /** Cluster mode: how often each process renews its heartbeat in Redis; its heartbeat lives three periods, and a node is dead two periods after it lapsed. */
    LIFELINE_NODE_HEARTBEAT_SECONDS: z.coerce.number().positive().default(5),
    /** Set: /metrics answers to `Authorization: Bearer <token>` from anywhere. Unset: loopback only. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((e, ctx) => {
    // The variables a chosen SMS provider cannot do without.
    const required =
      e.SMS_PROVIDER === 'twilio'
        ? (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const)
        : e.SMS_PROVIDER === 'http'
          ? (['SMS_HTTP_URL'] as const)
          : [];
    for (const name of required) {
      if (e[name] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `is required when SMS_PROVIDER=${e.SMS_PROVIDER}`,
        });
    }
    const turnUrls = urlList(e.LIFELINE_TURN_URLS);
    if (turnUrls.length > 0 && !e.LIFELINE_TURN_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['LIFELINE_TURN_SECRET'],
        message: 'is required with LIFELINE_TURN_URLS (coturn static-auth-secret)',
      });
    }
    if (e.LIFELINE_ICE_TRANSPORT_POLICY === 'relay' && turnUrls.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['LIFELINE_ICE_TRANSPORT_POLICY'],
        message: 'relay needs LIFELINE_TURN_URLS (there would be no candidate at all)',
      });
    }
  });

/** Every environment variable Lifeline reads (docs/OPERATIONS.md documents each one). */
export const configVariables = Object.keys(envSchema.shape);

export type Config = {
  port: number;
  host: string;
  publicUrl: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };
  redisUrl: string | undefined;
  trustProxy: boolean;
  firstRun: { orgName: string; adminEmail: string; adminPassword: string | undefined };
  caseTtlMs: number;
  sweepIntervalMs: number;
  sessionTtlMs: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  ice: {
    stunUrls: string[];
    turnUrls: string[];
    turnSecret: string | undefined;
    turnTtlMs: number;
    transportPolicy: 'all' | 'relay';
  };
  /** The largest file the session pages send each other, in bytes. */
  fileTransferMaxBytes: number;
  /** Session recordings: the directory of their files, and the retention of organisations that did not choose one. */
  recordings: { dir: string; retentionDays: number };
  /** Unset: a random id per start. */
  nodeId: string | undefined;
  /** Cluster mode: heartbeat period; a heartbeat lives three periods, and a node is dead two periods after it lapsed. */
  nodeHeartbeatMs: number;
  /** Unset: /metrics answers only on loopback. */
  metricsToken: string | undefined;
  /** Unset: e-mail stays in the local outbox. `requireTls`: never talk SMTP (or send a password) in clear. */
  mail: { smtpUrl: string; from: string; requireTls: boolean } | undefined;
  /** Unset: SMS stays in the local outbox. */
  sms:
    | { provider: 'twilio'; baseUrl: string; accountSid: string; authToken: string; from: string }
    | { provider: 'http'; url: string; token: string | undefined }
    | undefined;
  smsDefaultRegion: string | undefined;
  /** The outbox and webhook workers. */
  delivery: {
    intervalMs: number;
    /** One attempt (SMTP conversation or HTTP request) gives up after this long and counts as transient. */
    timeoutMs: number;
    maxAttempts: number;
    /** Retry n waits backoffMs · 2^(n-1), at most a day. */
    backoffMs: number;
    /** How long a worker owns a claimed job; another process takes it over after that. */
    leaseMs: number;
  };
  /** A webhook endpoint is disabled after this many failed attempts in a row. */
  webhookDisableAfter: number;
  /** Webhooks may target internal addresses (loopback, private, link-local); off by default (SSRF). */
  webhookAllowPrivate: boolean;
  oauth: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** Private JWKS; unset: generated once and kept in the database. */
    jwks: { keys: Record<string, unknown>[] } | undefined;
    /** Unset: generated once and kept in the database. */
    cookieKeys: string[] | undefined;
  };
};

export class ConfigError extends Error {}

/** The only place that reads the environment. Fails fast with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (a blank line in an .env file) means "not set", never 0 or the current directory.
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'sqlite', file: path.resolve(e.LIFELINE_DATA_DIR, 'lifeline.db') },
    redisUrl: e.REDIS_URL,
    trustProxy: e.TRUST_PROXY === 'true',
    firstRun: {
      orgName: e.LIFELINE_ORG_NAME,
      adminEmail: e.LIFELINE_ADMIN_EMAIL.toLowerCase(),
      adminPassword: e.LIFELINE_ADMIN_PASSWORD,
    },
    caseTtlMs: e.LIFELINE_CASE_TTL_SECONDS * 1000,
    sweepIntervalMs: e.LIFELINE_SWEEP_INTERVAL_SECONDS * 1000,
    sessionTtlMs: e.LIFELINE_SESSION_TTL_HOURS * 3_600_000,
    logLevel: e.LOG_LEVEL,
    ice: {
      stunUrls: urlList(e.LIFELINE_STUN_URLS),
      turnUrls: urlList(e.LIFELINE_TURN_URLS),
      turnSecret: e.LIFELINE_TURN_SECRET,
      turnTtlMs: e.LIFELINE_TURN_TTL_SECONDS * 1000,
      transportPolicy: e.LIFELINE_ICE_TRANSPORT_POLICY,
    },
    fileTransferMaxBytes: Math.floor(e.LIFELINE_FILE_TRANSFER_MAX_MB * 1024 * 1024),
    recordings: {
      dir: path.resolve(e.LIFELINE_RECORDINGS_DIR ?? path.join(e.LIFELINE_DATA_DIR, 'recordings')),
      retentionDays: e.LIFELINE_RECORDING_RETENTION_DAYS,
    },
    nodeId: e.LIFELINE_NODE_ID,
    nodeHeartbeatMs: e.LIFELINE_NODE_HEARTBEAT_SECONDS * 1000,
    metricsToken: e.METRICS_TOKEN,
    mail: e.SMTP_URL
      ? {
          smtpUrl: e.SMTP_URL,
          from: e.MAIL_FROM ?? `Lifeline <no-reply@${new URL(publicUrl).hostname}>`,
          requireTls: e.SMTP_REQUIRE_TLS
            ? e.SMTP_REQUIRE_TLS === 'true'
            : !isLoopbackHost(new URL(e.SMTP_URL).hostname),
        }
      : undefined,
    sms:
      e.SMS_PROVIDER === 'twilio'
        ? {
            provider: 'twilio',
            baseUrl: e.TWILIO_BASE_URL.replace(/\/+$/, ''),
            // Presence of these three is checked by the schema above.
            accountSid: e.TWILIO_ACCOUNT_SID ?? '',
            authToken: e.TWILIO_AUTH_TOKEN ?? '',
            from: e.TWILIO_FROM ?? '',
          }
        : e.SMS_PROVIDER === 'http'
          ? { provider: 'http', url: e.SMS_HTTP_URL ?? '', token: e.SMS_HTTP_TOKEN }
          : undefined,
    smsDefaultRegion: e.SMS_DEFAULT_REGION,
    delivery: {
      intervalMs: e.LIFELINE_DELIVERY_INTERVAL_SECONDS * 1000,
      timeoutMs: e.LIFELINE_DELIVERY_TIMEOUT_SECONDS * 1000,
      maxAttempts: e.LIFELINE_DELIVERY_MAX_ATTEMPTS,
      backoffMs: e.LIFELINE_DELIVERY_BACKOFF_SECONDS * 1000,
      // Comfortably longer than one attempt may take, so a live worker never loses its job.
      leaseMs: Math.max(60_000, e.LIFELINE_DELIVERY_TIMEOUT_SECONDS * 3000),
    },
    webhookDisableAfter: e.LIFELINE_WEBHOOK_DISABLE_AFTER,
    webhookAllowPrivate: e.LIFELINE_WEBHOOK_ALLOW_PRIVATE === 'true',
    oauth: {
      accessTokenTtlSeconds: e.LIFELINE_OAUTH_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.LIFELINE_OAUTH_REFRESH_TOKEN_TTL_SECONDS,
      jwks: e.LIFELINE_OAUTH_JWKS
        ? (JSON.parse(e.LIFELINE_OAUTH_JWKS) as { keys: Record<string, unknown>[] })
        : undefined,
      cookieKeys: e.LIFELINE_OAUTH_COOKIE_KEYS ? urlList(e.LIFELINE_OAUTH_COOKIE_KEYS) : undefined,
    },
  };
}
