import { Redis } from 'ioredis';

/**
 * The two Redis connections of a process in cluster mode: one for commands
 * (publish, heartbeats, rate-limit counters) and one that only listens, as
 * Redis requires for subscribing. Both reconnect by themselves (ioredis):
 * commands wait in its offline queue meanwhile, and subscriptions are renewed.
 */
export class RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;

  constructor(url: string, onError: (err: Error) => void, onReconnecting: () => void = () => {}) {
    this.commands = new Redis(url, { maxRetriesPerRequest: null });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    for (const connection of [this.commands, this.subscriber]) {
      connection.on('error', onError);
      connection.on('reconnecting', onReconnecting);
    }
  }

  /** Resolves once both connections are up, so a subscription made now is live before the first publish. */
  async ready() {
    await Promise.all([this.commands.ping(), this.subscriber.ping()]);
  }

  close() {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }
}
