import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Custom QuickSupport modules: a branded public page per module where
 * customers open cases themselves. Cases remember the module they came from,
 * so the customer's waiting room keeps its branding.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const ms = ctx.dialect === 'postgres' ? 'bigint' : 'integer';
  const bytes = ctx.dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema
    .createTable('modules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    // Global: the slug alone is the public address `/qs/{slug}`.
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('welcome_text', 'text')
    .addColumn('accent_color', 'text', (c) => c.notNull())
    .addColumn('field_name', 'text', (c) => c.notNull())
    .addColumn('field_email', 'text', (c) => c.notNull())
    .addColumn('field_description', 'text', (c) => c.notNull())
    .addColumn('case_type', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('waiting_message', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('logo_version', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('modules_org').on('modules').columns(['org_id', 'created_at']).execute();

  // Apart from the module row, so listing modules never reads images.
  await db.schema
    .createTable('module_logos')
    .addColumn('module_id', 'text', (c) => c.primaryKey().references('modules.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .execute();

  // No foreign key: a deleted module leaves its cases as they are, just unbranded.
  await db.schema.alterTable('cases').addColumn('module_id', 'text').execute();
}
