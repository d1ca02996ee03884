import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for SQLite)')
    .optional(),
  LIFELINE_DATA_DIR: z.string().default('data'),
  REDIS_URL: z.url().optional(),
  /** Behind a reverse proxy: trust its X-Forwarded-For, so rate limits see the real client address. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LIFELINE_ORG_NAME: z.string().min(1).max(200).default('My organisation'),
  LIFELINE_ADMIN_EMAIL: z.email().default('admin@lifeline.local'),
  LIFELINE_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  LIFELINE_CASE_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
  LIFELINE_SWEEP_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  LIFELINE_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  /** Comma-separated `stun:` URLs handed to browsers for NAT traversal. */
  LIFELINE_STUN_URLS: z.string().optional(),
  /** Comma-separated `turn:`/`turns:` URLs of a coturn server in shared-secret mode. */
  LIFELINE_TURN_URLS: z.string().optional(),
  LIFELINE_TURN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LIFELINE_TURN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

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
  ice: { stunUrls: string[]; turnUrls: string[]; turnSecret: string | undefined; turnTtlMs: number };
};

const urlList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);

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
  const turnUrls = urlList(e.LIFELINE_TURN_URLS);
  if (turnUrls.length > 0 && !e.LIFELINE_TURN_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  LIFELINE_TURN_SECRET: is required with LIFELINE_TURN_URLS (coturn static-auth-secret)',
    );
  }
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
      turnUrls,
      turnSecret: e.LIFELINE_TURN_SECRET,
      turnTtlMs: e.LIFELINE_TURN_TTL_SECONDS * 1000,
    },
  };
}
