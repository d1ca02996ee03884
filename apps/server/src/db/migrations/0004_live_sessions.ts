import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Who is connected to which case right now, one row per open socket, and the
 * remote connections (both partners online together) for audit and reports.
 * Presence lives in the database rather than in process memory so that
 * several server processes agree on it and its transitions are atomic.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const ms = ctx.dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('live_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('user_name', 'text')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('consent', 'text', (c) => c.notNull())
    .addColumn('sharing', 'text', (c) => c.notNull())
    .addColumn('connected_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('live_connections_case').on('live_connections').column('case_id').execute();
  await db.schema.createIndex('live_connections_node').on('live_connections').column('node_id').execute();

  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('agent_name', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('started_at', ms, (c) => c.notNull())
    .addColumn('ended_at', ms)
    .execute();
  await db.schema
    .createIndex('connections_case')
    .on('connections')
    .columns(['case_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('connections_org')
    .on('connections')
    .columns(['org_id', 'started_at'])
    .execute();
}
