import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

const principalColumns = [
  'users.id as user_id',
  'users.name as user_name',
  'users.role',
  'users.org_id',
  'users.active',
  'users.default_group_id',
] as const;

export class AuthRepository {
  constructor(private readonly db: Db) {}

  async insertSession(session: Insertable<Database['sessions']>) {
    await this.db.insertInto('sessions').values(session).execute();
  }

  async findSession(idHash: string) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([...principalColumns, 'sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
  }

  /** Returns whose session it was, if there was one. */
  async deleteSession(idHash: string): Promise<string | undefined> {
    const row = await this.db
      .deleteFrom('sessions')
      .where('id_hash', '=', idHash)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  async deleteExpiredSessions(now: number) {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }

  /** The principal columns of one user, for OAuth access tokens (which name their user). */
  async findPrincipalUser(userId: string) {
    return this.db
      .selectFrom('users')
      .select(principalColumns)
      .where('users.id', '=', userId)
      .executeTakeFirst();
  }

  async insertToken(token: Insertable<Database['api_tokens']>) {
    await this.db.insertInto('api_tokens').values(token).execute();
  }

  async findToken(tokenHash: string) {
    return this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        ...principalColumns,
        'api_tokens.id as token_id',
        'api_tokens.scopes',
        'api_tokens.revoked_at',
        'api_tokens.last_used_at',
      ])
      .where('api_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async touchToken(id: string, now: number) {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async listTokens(userId: string) {
    return this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'scopes', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
  }

  async revokeToken(userId: string, id: string, now: number) {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
