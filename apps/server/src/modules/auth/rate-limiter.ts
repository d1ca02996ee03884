import type { Clock } from '../../lib/clock.js';
import { tooManyRequests } from '../../lib/errors.js';

/**
 * Fixed-window counter per key, kept in process memory. One process per key
 * space is what single-machine mode runs; cluster mode puts a shared store
 * behind the same interface.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws a 429 problem (with Retry-After) once `key` has used its allowance in the current window. */
  assertAllowed(key: string): void {
    const w = this.current(key);
    if (w && w.count >= this.limit) {
      throw tooManyRequests(Math.max(1, Math.ceil((w.start + this.windowMs - this.clock.now()) / 1000)));
    }
  }

  hit(key: string): void {
    const w = this.current(key);
    if (w) w.count += 1;
    else this.windows.set(key, { start: this.clock.now(), count: 1 });
    if (this.windows.size > 100_000) this.prune();
  }

  /** Counts the attempt and throws if it went over the allowance. */
  consume(key: string): void {
    this.assertAllowed(key);
    this.hit(key);
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string) {
    const w = this.windows.get(key);
    if (w && this.clock.now() - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private prune() {
    const now = this.clock.now();
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
