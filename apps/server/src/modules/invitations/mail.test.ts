import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config.js';
import { smtpMailer } from './mail.js';

// A server that offers no STARTTLS but takes a password in clear, and notes who sent one.
let server: SMTPServer;
let port = 0;
const logins: string[] = [];
const delivered: string[] = [];
beforeAll(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username}:${auth.password}`);
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        delivered.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const message = (to: string) => ({ from: 'lifeline@example.com', to, subject: 'Help', text: 'x', html: 'x' });

describe('SMTP_REQUIRE_TLS', () => {
  it('is on by default for a mail server elsewhere, off for one on this machine, and can be set', () => {
    const requireTls = (env: NodeJS.ProcessEnv) => loadConfig(env).mail?.requireTls;
    expect(requireTls({ SMTP_URL: 'smtp://u:p@mail.example.com:587' })).toBe(true);
    expect(requireTls({ SMTP_URL: 'smtp://10.0.0.5:25' })).toBe(true);
    expect(requireTls({ SMTP_URL: 'smtp://127.0.0.1:25' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://localhost:25' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://[::1]:25' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://mail.example.com', SMTP_REQUIRE_TLS: 'false' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://127.0.0.1:25', SMTP_REQUIRE_TLS: 'true' })).toBe(true);
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1', SMTP_REQUIRE_TLS: 'yes' })).toThrow(ConfigError);
  });

  it('sends neither the password nor the message to a server without STARTTLS', async () => {
    const mailer = smtpMailer(`smtp://agent:s3cret@127.0.0.1:${port}`, 5000, true);
    try {
      const result = await mailer.send(message('tls-required@example.com'));
      // nodemailer asks for STARTTLS anyway, and gives up at the refusal.
      expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('command not recognized') });
      expect(logins).toEqual([]);
      expect(delivered).not.toContain('tls-required@example.com');
    } finally {
      mailer.close();
    }
  });

  it('talks plain SMTP only where TLS is not required (a relay on this machine)', async () => {
    const mailer = smtpMailer(`smtp://agent:s3cret@127.0.0.1:${port}`, 5000, false);
    try {
      expect(await mailer.send(message('plain@example.com'))).toMatchObject({ ok: true });
      expect(logins).toEqual(['agent:s3cret']);
      expect(delivered).toContain('plain@example.com');
    } finally {
      mailer.close();
    }
  });
});
