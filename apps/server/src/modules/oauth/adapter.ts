import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../lib/clock.js';
import { sha256 } from '../../lib/random.js';
import type { OAuthRepository } from './oauth.repository.js';

/** What the provider reads as clients: built from connector apps, never written by it. */
export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

export interface AdapterHooks {
  clients: ClientLookup;
  /** A token or grant was revoked or destroyed: cached principals must go. */
  revoked: () => void;
}

/**
 * oidc-provider's storage on our database (SQLite or PostgreSQL through Kysely).
 * The id (`jti`) of an access token, refresh token or code is the token
 * itself, so records are keyed by `model:sha256(id)` and stored without their
 * `jti`, which `find` puts back from the id it was asked for: a copy of the
 * table grants no token. Sessions keep theirs, as the provider also finds
 * them by uid (stored as a digest too).
 */
const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken', 'Grant']);

export function databaseAdapter(
  repo: OAuthRepository,
  clock: Clock,
  hooks: AdapterHooks,
): AdapterConstructor {
  return class DatabaseAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return `${this.model}:${sha256(id)}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await repo.upsertRecord({
        key: this.key(id),
        model: this.model,
        payload: JSON.stringify(this.model === 'Session' ? payload : { ...payload, jti: undefined }),
        grant_id: payload.grantId ?? null,
        client_id: payload.clientId ?? null,
        uid: payload.uid ? sha256(payload.uid) : null,
        expires_at: expiresIn ? clock.now() + expiresIn * 1000 : null,
        consumed_at: null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return hooks.clients(id);
      const payload = this.present(await repo.findRecord(this.key(id)));
      return payload && { ...payload, jti: id };
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.present(await repo.findRecordByUid(this.model, sha256(uid)));
    }

    async findByUserCode(_userCode: string): Promise<AdapterPayload | undefined> {
      // The device flow is not enabled, so nothing is ever stored by user code.
      return undefined;
    }

    async consume(id: string): Promise<void> {
      await repo.consumeRecord(this.key(id), clock.now());
    }

    async destroy(id: string): Promise<void> {
      await repo.deleteRecord(this.key(id));
      // Only these stand behind a cached principal; sessions, interactions and used codes do not.
      if (TOKEN_MODELS.has(this.model)) hooks.revoked();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await repo.deleteByGrant(grantId);
      hooks.revoked();
    }

    private present(
      row: { payload: string; expires_at: number | null; consumed_at: number | null } | undefined,
    ): AdapterPayload | undefined {
      if (!row || (row.expires_at !== null && row.expires_at <= clock.now())) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      // The provider refuses a consumed code (and revokes what it issued) when it sees `consumed`.
      return row.consumed_at === null
        ? payload
        : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
    }
  };
}
