import type { Transporter } from 'nodemailer';
import { type AttemptResult, clip } from '../../lib/delivery.js';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<AttemptResult>;
  close(): void;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/**
 * SMTP through nodemailer. A 5xx reply is the server's final word (unknown
 * mailbox, refused content); 4xx replies, timeouts and network errors are
 * worth another attempt later. With `requireTls`, an `smtp://` server must
 * offer STARTTLS, which is done before the password is sent, or nothing is sent.
 */
export function smtpMailer(smtpUrl: string, timeoutMs: number, requireTls: boolean): Mailer {
  // Loaded on first use, so the CLI and installs without e-mail never pay for it.
  let transport: Promise<Transporter> | undefined;
  const open = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: smtpUrl,
        requireTLS: requireTls,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
    ));
  return {
    async send(message) {
      try {
        const info = await (await open()).sendMail(message);
        return { ok: true, providerId: info.messageId };
      } catch (err) {
        const e = err as SmtpError;
        const permanent =
          (e.responseCode !== undefined && e.responseCode >= 500) ||
          // Refused before any server reply: an address or message nodemailer itself cannot send.
          (e.responseCode === undefined && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE'));
        return { ok: false, permanent, reason: clip(e.response ?? e.message) };
      }
    },
    close: () => void transport?.then((t) => t.close()),
  };
}
