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

  /** Throws a 429 problem (with Retry-After) once `key` has used its allowance in the current window. */
  async assertAllowed(key: string): Promise<void> {
    const w = await this.counters.peek(`${this.name}:${key}`);
    if (w && w.count >= this.limit) this.refuse(w);
  }

  async hit(key: string): Promise<void> {
    await this.counters.add(`${this.name}:${key}`, this.windowMs);
  }

  /** Counts the attempt and throws if it went over the allowance; one step, so concurrent attempts cannot slip through. */
  async consume(key: string): Promise<void> {
    const w = await this.counters.add(`${this.name}:${key}`, this.windowMs);
    if (w.count > this.limit) this.refuse(w);
  }

  async reset(key: string): Promise<void> {
    await this.counters.clear(`${this.name}:${key}`);
  }
}
