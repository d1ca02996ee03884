import type { Clock } from '../../lib/clock.js';
import { tooManyRequests } from '../../lib/errors.js';

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

/** An allowance of `limit` attempts per key and window, under a name of its own in the shared counters. */
export class RateLimiter {
  constructor(
    private readonly counters: WindowCounters,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private refuse(w: WindowCount): never {
    throw tooManyRequests(Math.max(1, Math.ceil(w.resetInMs / 1000)));
  }

  /**
   * Counts the attempt, then throws a 429 (with Retry-After) if it went over
   * the allowance: one atomic step before any work, so a burst of parallel
   * attempts gets exactly the allowance a sequence would.
   */
  async consume(key: string): Promise<void> {
    const w = await this.counters.add(`${this.name}:${key}`, this.windowMs);
    if (w.count > this.limit) this.refuse(w);
  }

  /** Gives a consumed attempt back: one that succeeded, where only failures are meant to count. */
  async release(key: string): Promise<void> {
    await this.counters.release(`${this.name}:${key}`);
  }

  async reset(key: string): Promise<void> {
    await this.counters.clear(`${this.name}:${key}`);
  }
}
