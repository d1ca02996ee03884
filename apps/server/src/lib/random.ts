import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Every source of randomness the server uses, so tests can force collisions. */
export interface Random {
  /** A URL-safe secret with `bytes` bytes of entropy. */
  token(bytes: number): string;
  /** 8 random decimal digits. */
  digits8(): string;
}

export const cryptoRandom: Random = {
  token: (bytes) => randomBytes(bytes).toString('base64url'),
  digits8: () => randomInt(0, 100_000_000).toString().padStart(8, '0'),
};

export const formatSessionCode = (digits: string) =>
  `s${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5, 8)}`;

/** Secrets (session ids, API tokens) are stored only as this digest. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * UUIDv7: time-ordered, so ids sort like creation times and ties within one
 * millisecond keep their creation order in this process.
 */
export function createIdGenerator(clock: { now(): number }) {
  let lastMs = -1;
  let counter = 0;
  return function newId(): string {
    const ms = clock.now();
    if (ms > lastMs) {
      lastMs = ms;
      counter = randomInt(0, 0x800);
    } else if (++counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    const tail = randomBytes(8);
    tail[0] = ((tail[0] ?? 0) & 0x3f) | 0x80;
    const hex =
      lastMs.toString(16).padStart(12, '0') + (0x7000 | counter).toString(16) + tail.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
