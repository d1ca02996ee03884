import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from './config.js';

/** The message of the ConfigError that `env` raises, failing the test if it raises none or another error. */
function configError(env: NodeJS.ProcessEnv): string {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected loadConfig to throw').toBeInstanceOf(ConfigError);
  return (caught as ConfigError).message;
}

describe('loadConfig', () => {
  it('runs with no environment at all: port 8080, SQLite under ./data, 24-hour cases', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('data', 'lifeline.db') });
    expect(path.isAbsolute((config.database as { file: string }).file)).toBe(true);
    expect(config.caseTtlMs).toBe(86_400_000);
    expect(config.redisUrl).toBeUndefined();
    expect(config.firstRun).toEqual({
      orgName: 'My organisation',
      adminEmail: 'admin@lifeline.local',
      adminPassword: undefined,
    });
  });

  it('derives the public URL from PORT when PUBLIC_URL is unset', () => {
    const config = loadConfig({ PORT: '9090' });
    expect(config.port).toBe(9090);
    expect(config.publicUrl).toBe('http://localhost:9090');
  });

  it('trims trailing slashes from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://support.example.com/' }).publicUrl).toBe(
      'https://support.example.com',
    );
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/lifeline//' }).publicUrl).toBe(
      'https://example.com/lifeline',
    );
  });

  it('keeps the SQLite file under LIFELINE_DATA_DIR, resolved to an absolute path', () => {
    const config = loadConfig({ LIFELINE_DATA_DIR: 'var/lifeline' });
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('var/lifeline/lifeline.db') });
  });

  it('selects PostgreSQL for a postgres:// or postgresql:// DATABASE_URL', () => {
    const url = 'postgres://lifeline:secret@db.internal:5432/lifeline';
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url });
    const long = 'postgresql://db.internal/lifeline';
    expect(loadConfig({ DATABASE_URL: long }).database).toEqual({ kind: 'postgres', url: long });
  });

  it('treats an empty DATABASE_URL as unset (SQLite)', () => {
    expect(loadConfig({ DATABASE_URL: '' }).database.kind).toBe('sqlite');
  });

  it('treats empty variables (blank .env lines) as unset, never as port 0 or the current directory', () => {
    const config = loadConfig({ PORT: '', LIFELINE_DATA_DIR: '', LIFELINE_CASE_TTL_SECONDS: '' });
    expect(config.port).toBe(8080);
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('data', 'lifeline.db') });
    expect(config.caseTtlMs).toBe(86_400_000);
  });

  it('converts LIFELINE_CASE_TTL_SECONDS to milliseconds', () => {
    expect(loadConfig({ LIFELINE_CASE_TTL_SECONDS: '60' }).caseTtlMs).toBe(60_000);
  });

  it('lower-cases the first-run admin e-mail and takes the configured password', () => {
    const config = loadConfig({
      LIFELINE_ADMIN_EMAIL: 'Boss@Example.COM',
      LIFELINE_ADMIN_PASSWORD: 'a long enough secret',
    });
    expect(config.firstRun.adminEmail).toBe('boss@example.com');
    expect(config.firstRun.adminPassword).toBe('a long enough secret');
  });

  it('refuses a non-PostgreSQL DATABASE_URL', () => {
    const message = configError({ DATABASE_URL: 'mysql://root@localhost/lifeline' });
    expect(message).toMatch(/^Invalid configuration/);
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('postgres://');
  });

  it('refuses PORT=abc', () => {
    const message = configError({ PORT: 'abc' });
    expect(message).toContain('PORT');
  });

  it('lists every invalid variable at once', () => {
    const message = configError({
      PORT: 'abc',
      DATABASE_URL: 'mysql://root@localhost/lifeline',
      LIFELINE_CASE_TTL_SECONDS: '0',
    });
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('LIFELINE_CASE_TTL_SECONDS');
  });

  it('refuses out-of-range ports, a bad PUBLIC_URL and a short first-run password', () => {
    expect(configError({ PORT: '70000' })).toContain('PORT');
    expect(configError({ PUBLIC_URL: 'not a url' })).toContain('PUBLIC_URL');
    expect(configError({ LIFELINE_ADMIN_PASSWORD: 'short' })).toContain('LIFELINE_ADMIN_PASSWORD');
    expect(configError({ LOG_LEVEL: 'loud' })).toContain('LOG_LEVEL');
  });
});

describe('loadConfig: invitations', () => {
  it('keeps mail and SMS local unless a provider is configured', () => {
    const config = loadConfig({});
    expect(config.mail).toBeUndefined();
    expect(config.sms).toBeUndefined();
  });

  it('reads SMTP and Twilio settings, with a From address derived from PUBLIC_URL', () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://support.example.com',
      SMTP_URL: 'smtps://u:p@mail.example.com:465',
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: 'AC1',
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_FROM: '+15005550006',
      SMS_DEFAULT_REGION: 'de',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      from: 'Lifeline <no-reply@support.example.com>',
      requireTls: true,
    });
    expect(config.sms).toEqual({
      provider: 'twilio',
      baseUrl: 'https://api.twilio.com',
      accountSid: 'AC1',
      authToken: 't',
      from: '+15005550006',
    });
    expect(config.smsDefaultRegion).toBe('DE');
  });

  it('names every variable a chosen SMS provider is missing, and a bad SMTP_URL', () => {
    const message = configError({ SMS_PROVIDER: 'twilio', TWILIO_FROM: '+1', SMTP_URL: 'http://mail' });
    expect(message).toContain('TWILIO_ACCOUNT_SID: is required when SMS_PROVIDER=twilio');
    expect(message).toContain('TWILIO_AUTH_TOKEN: is required when SMS_PROVIDER=twilio');
    expect(message).not.toContain('TWILIO_FROM');
    expect(message).toContain('SMTP_URL');
    expect(configError({ SMS_PROVIDER: 'http' })).toContain(
      'SMS_HTTP_URL: is required when SMS_PROVIDER=http',
    );
  });
});

describe('operations settings', () => {
  it('reads the node id, heartbeat, metrics token and relay-only policy, and refuses relay without TURN', () => {
    const config = loadConfig({
      LIFELINE_NODE_ID: 'app-a',
      LIFELINE_NODE_HEARTBEAT_SECONDS: '2',
      METRICS_TOKEN: 'a-long-metrics-scrape-token',
      LIFELINE_TURN_URLS: 'turn:127.0.0.1:3478',
      LIFELINE_TURN_SECRET: 'a-long-coturn-shared-secret',
      LIFELINE_ICE_TRANSPORT_POLICY: 'relay',
    });
    expect(config).toMatchObject({
      nodeId: 'app-a',
      nodeHeartbeatMs: 2000,
      metricsToken: 'a-long-metrics-scrape-token',
    });
    expect(config.ice.transportPolicy).toBe('relay');
    expect(loadConfig({}).ice.transportPolicy).toBe('all');
    expect(configError({ LIFELINE_ICE_TRANSPORT_POLICY: 'relay' })).toContain(
      'relay needs LIFELINE_TURN_URLS',
    );
    expect(configError({ LIFELINE_NODE_ID: 'a b\n' })).toContain('LIFELINE_NODE_ID');
    expect(configError({ METRICS_TOKEN: 'short' })).toContain(
      'METRICS_TOKEN: must be at least 16 characters',
    );
  });

  it('has every variable documented in docs/OPERATIONS.md', () => {
    const doc = fs.readFileSync(new URL('../../../../docs/OPERATIONS.md', import.meta.url), 'utf8');
    const missing = configVariables.filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
