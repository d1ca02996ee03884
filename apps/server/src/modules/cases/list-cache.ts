import { LruMap } from '../../lib/lru.js';

/**
 * Recent queue pages per organisation. Every agent's console asks for the same
 * few pages again after each live event, so one query can answer them all.
 *
 * An entry is served only while (a) no case of its organisation was written
 * since it was read — writers call `invalidate` — and (b) the clock has not
 * reached the next expiry of an open case of that organisation, the only way a
 * page changes without a write. In cluster mode writes happen in other
 * processes too, so the server runs without this cache there.
 */
export class ListCache<T> {
  private readonly versions = new Map<string, number>();
  private readonly entries: LruMap<string, { version: number; validUntil: number; value: T }>;

  constructor(capacity = 1000) {
    this.entries = new LruMap(capacity);
  }

  /** Read before querying, handed back to `set`, so a write during the query is never cached as current. */
  version(orgId: string): number {
    return this.versions.get(orgId) ?? 0;
  }

  get(orgId: string, key: string, now: number): T | undefined {
    const entry = this.entries.get(`${orgId}\n${key}`);
    if (!entry || entry.version !== this.version(orgId) || now >= entry.validUntil) return undefined;
    return entry.value;
  }

  set(orgId: string, key: string, version: number, validUntil: number, value: T): void {
    this.entries.set(`${orgId}\n${key}`, { version, validUntil, value });
  }

  invalidate(orgId: string): void {
    this.versions.set(orgId, this.version(orgId) + 1);
  }
}
