import type { RedisConnections } from './redis.js';

/**
 * Publish/subscribe between the parts of Lifeline that must hear about a
 * change wherever it happened: in-process on one machine, Redis in a cluster.
 * Messages are plain JSON values; delivery is asynchronous in both, so code
 * never depends on a handler having run before `publish` returns.
 */
export interface Bus {
  publish(topic: string, message: unknown): void;
  /** Resolves, with the unsubscribe function, once messages published from now on will arrive. */
  subscribe(topic: string, handler: (message: unknown) => void): Promise<() => void>;
  close(): Promise<void>;
}

type Handler = (message: unknown) => void;

class Topics {
  private readonly handlers = new Map<string, Set<Handler>>();

  /** Returns whether this is the topic's first handler. */
  add(topic: string, handler: Handler): boolean {
    let set = this.handlers.get(topic);
    const first = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    return first;
  }

  /** Returns whether that was the topic's last handler. */
  remove(topic: string, handler: Handler): boolean {
    const set = this.handlers.get(topic);
    if (!set?.delete(handler) || set.size > 0) return false;
    this.handlers.delete(topic);
    return true;
  }

  deliver(topic: string, message: unknown) {
    for (const handler of this.handlers.get(topic) ?? []) handler(message);
  }
}

export class InProcessBus implements Bus {
  private readonly topics = new Topics();

  publish(topic: string, message: unknown) {
    // A copy, as Redis would deliver: no handler can change what another receives.
    const copy = structuredClone(message);
    queueMicrotask(() => this.topics.deliver(topic, copy));
  }

  async subscribe(topic: string, handler: Handler) {
    this.topics.add(topic, handler);
    return () => void this.topics.remove(topic, handler);
  }

  async close() {}
}

const PREFIX = 'lifeline:';

/** Publish/subscribe through Redis, for the processes of a cluster. */
export class RedisBus implements Bus {
  private readonly topics = new Topics();
  /** The SUBSCRIBE of each topic, so a second handler waits for the same confirmation. */
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly onError: (err: Error) => void,
  ) {
    redis.subscriber.on('message', (channel: string, raw: string) => {
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      this.topics.deliver(channel.slice(PREFIX.length), message);
    });
  }

  publish(topic: string, message: unknown) {
    // Fire and forget, but never an unhandled rejection: one published after close() (a socket
    // closing during shutdown) would otherwise end the process.
    this.redis.commands.publish(PREFIX + topic, JSON.stringify(message)).catch(this.onError);
  }

  async subscribe(topic: string, handler: Handler) {
    if (this.topics.add(topic, handler))
      this.subscribed.set(topic, this.redis.subscriber.subscribe(PREFIX + topic));
    await this.subscribed.get(topic);
    return () => {
      if (!this.topics.remove(topic, handler)) return;
      this.subscribed.delete(topic);
      this.redis.subscriber.unsubscribe(PREFIX + topic).catch(this.onError);
    };
  }

  async close() {
    this.redis.close();
  }
}
