import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The OAuth 2.0 provider (oidc-provider) and the connector apps that are its
 * clients. The provider's own records (sessions, interactions, codes, tokens,
 * grants) share one table keyed by a digest of their id, so a copy of the
 * database holds no usable token; its signing and cookie keys are generated
 * on first start and kept here, so every process and every restart agrees.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const ms = ctx.dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('connector_apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('allowed_origins', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('connector_apps_org')
    .on('connector_apps')
    .columns(['org_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('oauth_records')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', ms)
    .addColumn('consumed_at', ms)
    .execute();
  await db.schema.createIndex('oauth_records_grant').on('oauth_records').column('grant_id').execute();
  await db.schema.createIndex('oauth_records_client').on('oauth_records').column('client_id').execute();
  await db.schema.createIndex('oauth_records_uid').on('oauth_records').column('uid').execute();
  await db.schema.createIndex('oauth_records_expiry').on('oauth_records').column('expires_at').execute();

  await db.schema
    .createTable('oauth_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
}
