import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Session recordings: whether an organisation records its sessions and for how
 * long it keeps them, and one row per recording (its bytes are in the
 * recording store, a file under the data directory).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const ms = ctx.dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .alterTable('organizations')
    .addColumn('recording_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Null: the deployment's default (LIFELINE_RECORDING_RETENTION_DAYS).
  await db.schema.alterTable('organizations').addColumn('recording_retention_days', 'integer').execute();

  // No foreign key to cases: a deleted case's recordings are removed from the store first, then here.
  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('agent_name', 'text')
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('started_at', ms, (c) => c.notNull())
    /** The last chunk's arrival, or the finish: where a recording whose agent vanished ends. */
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('finished_at', ms)
    .addColumn('chunks', 'integer', (c) => c.notNull())
    .addColumn('size_bytes', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('recordings_case')
    .on('recordings')
    .columns(['case_id', 'started_at'])
    .execute();
  await db.schema.createIndex('recordings_org').on('recordings').columns(['org_id', 'started_at']).execute();
}
