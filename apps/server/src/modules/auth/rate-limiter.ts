import { tooManyRequests } from '../../lib/errors.js';
import type { WindowCount, WindowCounters } from '../../lib/window-counters.js';

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
