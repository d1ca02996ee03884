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

  it('counts only failures with hit, and forgets them on reset', async () => {
    const limiter = new RateLimiter(new MemoryWindowCounters(new TestClock()), 'test', 2, 60_000);
    await limiter.hit('a');
    await limiter.assertAllowed('a');
    await limiter.hit('a');
    expect((await refusal(limiter.assertAllowed('a'))).status).toBe(429);
    await limiter.reset('a');
    await limiter.assertAllowed('a');
  });
});

describe('FailOpenCounters', () => {
  it('lets an attempt through uncounted when the shared counters do not answer, and reports it', async () => {
    const hanging: WindowCounters = {
      add: () => new Promise(() => {}),
      peek: () => new Promise(() => {}),
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
    await limiter.assertAllowed('a');
    await limiter.reset('a');
    expect(errors).toHaveLength(5);
  });
});

describe('Redis window counters (cluster mode)', () => {
  it('count per key in a window that expires in Redis, and clear', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const counters = new RedisWindowCounters(redis);
      const key = `test:${randomUUID()}`;
      expect(await counters.peek(key)).toBeUndefined();
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push(await counters.add(key, 5_000));
      expect(counts.map((c) => c.count)).toEqual([1, 2, 3]);
      for (const c of counts) expect(c.resetInMs).toBeGreaterThan(0);
      for (const c of counts) expect(c.resetInMs).toBeLessThanOrEqual(5_000);
      expect((await counters.peek(key))?.count).toBe(3);
      await counters.clear(key);
      expect(await counters.peek(key)).toBeUndefined();
      const short = `test:${randomUUID()}`;
      await counters.add(short, 50);
      await new Promise((r) => setTimeout(r, 120));
      expect(await counters.peek(short)).toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});
