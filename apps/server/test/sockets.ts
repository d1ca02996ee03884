import type { ConsoleMessage, ServerMessage } from '@lifeline/contracts';
import WebSocket from 'ws';

type Message = ServerMessage | ConsoleMessage;

/** A realtime socket as a test sees it: every message kept, and waits for the next one of a type. */
export class TestSocket {
  readonly received: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { type: string; resolve: (m: Message) => void }[] = [];
  private readonly taken = new Set<number>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (w.type !== message.type) return true;
        w.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static open(url: string, headers: Record<string, string> = {}) {
    return new TestSocket(new WebSocket(url, { headers }));
  }

  /** The next message of `type` from now on, or one already received and not yet taken by `next`. */
  next<T extends Message['type']>(type: T, timeoutMs = 5000): Promise<Extract<Message, { type: T }>> {
    const seen = this.received.findIndex((m, i) => m.type === type && !this.taken.has(i));
    if (seen >= 0) {
      this.taken.add(seen);
      return Promise.resolve(this.received[seen] as Extract<Message, { type: T }>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${type}" message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          this.taken.add(this.received.indexOf(m));
          resolve(m as Extract<Message, { type: T }>);
        },
      });
    });
  }

  send(message: unknown) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close() {
    this.ws.close();
    return this.closed;
  }
}

export const wsUrl = (baseUrl: string, path: string) => baseUrl.replace(/^http/, 'ws') + path;
