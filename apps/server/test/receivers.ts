import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** One message as an SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on loopback. `refuse` scripts answers to RCPT TO per
 * recipient: each call takes the next code from the list (e.g. [450] refuses
 * once, then accepts).
 */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const refusals = new Map<string, number[]>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refusals.get(address.address)?.shift();
      if (code === undefined) return callback();
      const err = new Error(
        code >= 500 ? 'Mailbox unavailable: no such user' : 'Mailbox busy, try again later',
      );
      (err as Error & { responseCode: number }).responseCode = code;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse(address: string, codes: number[]) {
      refusals.set(address, codes);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * What the receiver answers: a status and body (once `after` settles, if
 * given), or `hang` to never answer (a timeout).
 */
export type Answer = { status: number; body?: unknown; after?: Promise<void> } | 'hang';

/**
 * An HTTP server on loopback that records every request and answers from a
 * script, then with `fallback` once the script is used up.
 */
export async function startHttpReceiver(fallback: Answer = { status: 200, body: {} }) {
  const requests: ReceivedRequest[] = [];
  const script: Answer[] = [];
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      for (const wake of waiting.splice(0)) wake();
      const answer = script.shift() ?? fallback;
      if (answer === 'hang') return;
      void (answer.after ?? Promise.resolve()).then(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Queues answers for the next requests. */
    answer(...answers: Answer[]) {
      script.push(...answers);
    },
    /** Resolves once `count` requests have arrived in all. */
    async received(count: number) {
      while (requests.length < count) await new Promise<void>((resolve) => waiting.push(resolve));
    },
    reset() {
      requests.length = 0;
      script.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Decodes a quoted-printable MIME part, as nodemailer encodes text with long lines. */
export const decodeQuotedPrintable = (text: string) =>
  Buffer.from(
    text
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');

/**
 * A webhook receiver answering 200 and an SMTP server for a whole test file, emptied before each test:
 * `receivers.http` and `receivers.smtp` are there once `beforeAll` ran.
 */
export function useReceivers() {
  const receivers = {} as {
    http: Awaited<ReturnType<typeof startHttpReceiver>>;
    smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  };
  beforeAll(async () => {
    receivers.http = await startHttpReceiver({ status: 200 });
    receivers.smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await receivers.http.close();
    await receivers.smtp.close();
  });
  beforeEach(() => {
    receivers.http.reset();
    receivers.smtp.received.length = 0;
  });
  return receivers;
}
