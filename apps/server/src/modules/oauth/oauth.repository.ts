import type { Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/database.js';
import type { ConnectorAppRow, Database } from '../../db/schema.js';

/** All SQL of the OAuth provider's storage and of connector apps. */
export class OAuthRepository {
  constructor(private readonly db: Db) {}

  // --- oidc-provider records ---------------------------------------------------------------

  async upsertRecord(row: Database['oauth_records']) {
    await this.db
      .insertInto('oauth_records')
      .values(row)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          payload: row.payload,
          grant_id: row.grant_id,
          client_id: row.client_id,
          uid: row.uid,
          expires_at: row.expires_at,
          consumed_at: row.consumed_at,
        }),
      )
      .execute();
  }

  async findRecord(key: string) {
    return this.db.selectFrom('oauth_records').selectAll().where('key', '=', key).executeTakeFirst();
  }

  async findRecordByUid(model: string, uid: string) {
    return this.db
      .selectFrom('oauth_records')
      .selectAll()
      .where('model', '=', model)
      .where('uid', '=', uid)
      .executeTakeFirst();
  }

  async consumeRecord(key: string, at: number) {
    await this.db.updateTable('oauth_records').set({ consumed_at: at }).where('key', '=', key).execute();
  }

  async deleteRecord(key: string) {
    await this.db.deleteFrom('oauth_records').where('key', '=', key).execute();
  }

  async deleteByGrant(grantId: string) {
    await this.db.deleteFrom('oauth_records').where('grant_id', '=', grantId).execute();
  }

  /** Everything issued to these clients: deleting a connector app ends its sessions' tokens at once. */
  async deleteByClients(clientIds: string[]) {
    if (clientIds.length === 0) return;
    await this.db.deleteFrom('oauth_records').where('client_id', 'in', clientIds).execute();
  }

  async deleteExpiredRecords(now: number) {
    await this.db.deleteFrom('oauth_records').where('expires_at', '<', now).execute();
  }

  // --- accounts (Lifeline's users) --------------------------------------------------------

  async findAccount(userId: string) {
    return this.db
      .selectFrom('users')
      .select(['id', 'name', 'email', 'org_id', 'active'])
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  async organizationName(orgId: string) {
    const row = await this.db
      .selectFrom('organizations')
      .select('name')
      .where('id', '=', orgId)
      .executeTakeFirst();
    return row?.name;
  }

  // --- keys ------------------------------------------------------------------------------------

  /** Stores `value` unless a key of that name exists, and returns the one that is kept (first writer wins). */
  async ensureKey(name: string, value: string, now: number): Promise<string> {
    await this.db
      .insertInto('oauth_keys')
      .values({ name, value, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('oauth_keys')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.value;
  }

  // --- connector apps ----------------------------------------------------------------------------

  async insertApp(row: ConnectorAppRow) {
    try {
      await this.db.insertInto('connector_apps').values(row).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async listApps(orgId: string) {
    return this.db
      .selectFrom('connector_apps')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async findApp(orgId: string, id: string) {
    return this.db
      .selectFrom('connector_apps')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async findAppByClientId(clientId: string) {
    return this.db
      .selectFrom('connector_apps')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  async updateApp(id: string, patch: Updateable<Database['connector_apps']>) {
    await this.db.updateTable('connector_apps').set(patch).where('id', '=', id).execute();
  }

  async deleteApp(id: string) {
    await this.db.deleteFrom('connector_apps').where('id', '=', id).execute();
  }
}
