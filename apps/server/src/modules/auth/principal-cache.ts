import type { Clock } from '../../lib/clock.js';
import { LruMap } from '../../lib/lru.js';
import type { Principal } from './principal.js';

/** How long another process may keep honouring a token after it was revoked or its user changed. */
export const PRINCIPAL_TTL_MS = 5_000;
const CAPACITY = 10_000;

interface Entry {
  principal: Principal;
  tokenId: string;
  validUntil: number;
}

/**
 * Principals of recently used bearer tokens, by token digest. Integrators send
 * the same token with every request, and looking it up cost one query per
 * request. Every change in this process that could alter the answer — a
 * revoke, any change to the user — drops the affected entries at once; changes
 * made by other processes (cluster mode, the CLI) are seen within the TTL.
 */
export class PrincipalCache {
  private readonly entries = new LruMap<string, Entry>(CAPACITY);
  private forgotten = 0;

  constructor(private readonly clock: Clock) {}

  get(tokenHash: string): Principal | undefined {
    const entry = this.entries.get(tokenHash);
    return entry && this.clock.now() < entry.validUntil ? entry.principal : undefined;
  }

  /** Read before the token is looked up and handed back to `set`, so a lookup racing a revoke is not kept. */
  version(): number {
    return this.forgotten;
  }

  /** `lifetimeMs`: what is left of the token's own life, so a cached token never outlives it. */
  set(
    tokenHash: string,
    tokenId: string,
    principal: Principal,
    version: number,
    lifetimeMs = Infinity,
  ): void {
    if (version !== this.forgotten) return;
    this.entries.set(tokenHash, {
      principal: Object.freeze(principal),
      tokenId,
      validUntil: this.clock.now() + Math.min(PRINCIPAL_TTL_MS, lifetimeMs),
    });
  }

  forgetToken(tokenId: string): void {
    this.forgotten++;
    this.entries.deleteWhere((e) => e.tokenId === tokenId);
  }

  forgetWhere(matches: (tokenId: string) => boolean): void {
    this.forgotten++;
    this.entries.deleteWhere((e) => matches(e.tokenId));
  }

  forgetUser(userId: string): void {
    this.forgotten++;
    this.entries.deleteWhere((e) => e.principal.userId === userId);
  }
}
