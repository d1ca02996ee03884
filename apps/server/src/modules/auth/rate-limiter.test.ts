import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../test/harness.js';
import { AppError } from '../../lib/errors.js';
import {
  FailOpenCounters,
  MemoryWindowCounters,
  RedisWindowCounters,
  type WindowCounters,
} from '../../lib/window-counters.js';
import { RateLimiter } from './rate-limiter.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function refusal(attempt: Promise<unknown>) {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('RateLimiter', () => {
  it('lets `limit` attempts through per window, then answers 429 with the seconds until the window closes', async () => {
    const clock = new TestClock();
    const limiter = new RateLimiter(new MemoryWindowCounters(clock), 'test', 3, 60_000);
    for (let i = 0; i < 3; i++) await limiter.consume('a');
    clock.advance(20_000);
    const err = await refusal(limiter.consume('a'));
    expect(err.status).toBe(429);
    expect(err.extra.headers?.['retry-after']).toBe('40');
    await limiter.consume('b');
    clock.advance(40_000);
    await limiter.consume('a');
  });

  it('takes an attempt back on release, and forgets them all on reset', async () => {
    const limiter = new RateLimiter(new MemoryWindowCounters(new TestClock()), 'test', 2, 60_000);
    await limiter.consume('a');
    await limiter.release('a');
    await limiter.consume('a');
    await limiter.consume('a');
    expect((await refusal(limiter.consume('a'))).status).toBe(429);
    await limiter.reset('a');
    await limiter.consume('a');
  });

  it('lets exactly `limit` of a parallel burst through', async () => {
    const limiter = new RateLimiter(new MemoryWindowCounters(new TestClock()), 'test', 5, 60_000);
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => limiter.consume('a')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
  });
});

describe('FailOpenCounters', () => {
  it('lets an attempt through uncounted when the shared counters do not answer, and reports it', async () => {
    const hanging: WindowCounters = {
      add: () => new Promise(() => {}),
      release: () => new Promise(() => {}),
      clear: () => Promise.reject(new Error('connection lost')),
    };
    const errors: unknown[] = [];
    const limiter = new RateLimiter(
      new FailOpenCounters(hanging, 50, (e) => errors.push(e)),
      'test',
      1,
      60_000,
    );
    for (let i = 0; i < 3; i++) await limiter.consume('a');
    await limiter.release('a');
    await limiter.reset('a');
    expect(errors).toHaveLength(5);
  });
});

describe('Redis window counters (cluster mode)', () => {
  it('count per key in a window that expires in Redis, give back, and clear', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const counters = new RedisWindowCounters(redis);
      const key = `test:${randomUUID()}`;
      await counters.release(key);
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push(await counters.add(key, 5_000));
      expect(counts.map((c) => c.count)).toEqual([1, 2, 3]);
      for (const c of counts) expect(c.resetInMs).toBeGreaterThan(0);
      for (const c of counts) expect(c.resetInMs).toBeLessThanOrEqual(5_000);
      await counters.release(key);
      const after = await counters.add(key, 5_000);
      expect(after.count).toBe(3);
      // Giving back keeps the window's end.
      expect(after.resetInMs).toBeLessThanOrEqual(counts[0]?.resetInMs ?? 0);
      await counters.clear(key);
      expect((await counters.add(key, 5_000)).count).toBe(1);
      const short = `test:${randomUUID()}`;
      await counters.add(short, 50);
      await new Promise((r) => setTimeout(r, 120));
      await counters.release(short);
      expect((await counters.add(short, 50)).count).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
