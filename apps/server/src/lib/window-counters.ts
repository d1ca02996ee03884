import type { Redis } from 'ioredis';
import type { Clock } from './clock.js';

export interface WindowCount {
  count: number;
  /** Until the window closes and the count starts again. */
  resetInMs: number;
}

/**
 * Fixed-window counters. On one machine they live in process memory; in
 * cluster mode in Redis, so every process counts the same attempts and a
 * client cannot multiply its allowance by the number of processes.
 */
export interface WindowCounters {
  /** Adds one to `key`, opening a window of `windowMs` if none is open, and answers the count. */
  add(key: string, windowMs: number): Promise<WindowCount>;
  /** Takes one back from `key`'s open window (an attempt that turned out not to count), never below 0. */
  release(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

export class MemoryWindowCounters implements WindowCounters {
  private readonly windows = new Map<string, { end: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  async add(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.clock.now();
    let w = this.current(key, now);
    if (w) w.count += 1;
    else {
      w = { end: now + windowMs, count: 1 };
      this.windows.set(key, w);
    }
    if (this.windows.size > 100_000) this.prune(now);
    return { count: w.count, resetInMs: w.end - now };
  }

  async release(key: string): Promise<void> {
    const w = this.current(key, this.clock.now());
    if (w && w.count > 0) w.count -= 1;
  }

  async clear(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private current(key: string, now: number) {
    const w = this.windows.get(key);
    if (w && now >= w.end) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private prune(now: number) {
    for (const [k, w] of this.windows) if (now >= w.end) this.windows.delete(k);
  }
}

/**
 * Shared counters that cannot be reached (Redis restarting) must not stop
 * people from signing in or joining: after `timeoutMs` the attempt is let
 * through uncounted, and the failure reported.
 */
export class FailOpenCounters implements WindowCounters {
  constructor(
    private readonly inner: WindowCounters,
    private readonly timeoutMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  private async guarded<T>(work: Promise<T>, fallback: T): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('rate-limit counters did not answer in time')),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      this.onError(err);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  add(key: string, windowMs: number) {
    return this.guarded(this.inner.add(key, windowMs), { count: 0, resetInMs: windowMs });
  }

  release(key: string) {
    return this.guarded(this.inner.release(key), undefined);
  }

  clear(key: string) {
    return this.guarded(this.inner.clear(key), undefined);
  }
}

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

/** Rate-limit windows every process of a cluster shares: a key per window that expires with it. */
export class RedisWindowCounters implements WindowCounters {
  constructor(private readonly redis: Redis) {}

  private key(key: string) {
    return `lifeline:rate:${key}`;
  }

  async add(key: string, windowMs: number) {
    const [count, ttl] = (await this.redis.eval(ADD_TO_WINDOW, 1, this.key(key), windowMs)) as [
      number,
      number,
    ];
    return { count, resetInMs: ttl > 0 ? ttl : windowMs };
  }

  async release(key: string) {
    await this.redis.eval(RELEASE_FROM_WINDOW, 1, this.key(key));
  }

  async clear(key: string) {
    await this.redis.del(this.key(key));
  }
}
