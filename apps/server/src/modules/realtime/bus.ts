import { Redis } from 'ioredis';
import type { WindowCounters } from '../auth/rate-limiter.js';
import type { NodeRegistry } from './node-heartbeats.js';

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

/** One step, so concurrent attempts on several processes are all counted and the window opens once. */
const ADD_TO_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

// DECR keeps the key's expiry; a key that is gone (window over) stays gone.
const RELEASE_FROM_WINDOW = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

/**
 * One connection publishes, one listens (Redis requires a dedicated connection for subscribing).
 * The publishing connection also keeps the nodes' heartbeats. Both reconnect by themselves
 * (ioredis): commands wait in its offline queue meanwhile, and subscriptions are renewed.
 */
export class RedisBus implements Bus, NodeRegistry {
  private readonly topics = new Topics();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  /** The SUBSCRIBE of each topic, so a second handler waits for the same confirmation. */
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(
    url: string,
    private readonly onError: (err: Error) => void,
    onReconnecting: () => void = () => {},
  ) {
    this.publisher = new Redis(url, { maxRetriesPerRequest: null });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', onError);
      connection.on('reconnecting', onReconnecting);
    }
    this.subscriber.on('message', (channel: string, raw: string) => {
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      this.topics.deliver(channel.slice(PREFIX.length), message);
    });
  }

  /** Resolves once both connections are up, so a subscription made now is live before the first publish. */
  async ready() {
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  publish(topic: string, message: unknown) {
    // Fire and forget, but never an unhandled rejection: one published after close() (a socket
    // closing during shutdown) would otherwise end the process.
    this.publisher.publish(PREFIX + topic, JSON.stringify(message)).catch(this.onError);
  }

  async subscribe(topic: string, handler: Handler) {
    if (this.topics.add(topic, handler))
      this.subscribed.set(topic, this.subscriber.subscribe(PREFIX + topic));
    await this.subscribed.get(topic);
    return () => {
      if (!this.topics.remove(topic, handler)) return;
      this.subscribed.delete(topic);
      this.subscriber.unsubscribe(PREFIX + topic).catch(this.onError);
    };
  }

  async beat(nodeId: string, ttlMs: number) {
    await this.publisher.set(`${PREFIX}node:${nodeId}`, '1', 'PX', ttlMs);
  }

  async alive(nodeIds: string[]) {
    if (nodeIds.length === 0) return new Set<string>();
    const found = await this.publisher.mget(nodeIds.map((id) => `${PREFIX}node:${id}`));
    return new Set(nodeIds.filter((_, i) => found[i] !== null));
  }

  /** Rate-limit windows every process shares: a key per window that expires with it. */
  counters(): WindowCounters {
    const publisher = this.publisher;
    const prefixed = (key: string) => `${PREFIX}rate:${key}`;
    return {
      async add(key, windowMs) {
        const [count, ttl] = (await publisher.eval(ADD_TO_WINDOW, 1, prefixed(key), windowMs)) as [
          number,
          number,
        ];
        return { count, resetInMs: ttl > 0 ? ttl : windowMs };
      },
      async release(key) {
        await publisher.eval(RELEASE_FROM_WINDOW, 1, prefixed(key));
      },
      async clear(key) {
        await publisher.del(prefixed(key));
      },
    };
  }

  async close() {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
