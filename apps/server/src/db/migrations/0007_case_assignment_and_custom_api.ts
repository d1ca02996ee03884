import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * When a case was last assigned, and free text an integration stores with it
 * (`custom_api` of the TeamViewer-compatible sessions API). Assignments made
 * before take their time from the audit trail.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const ms = ctx.dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('cases').addColumn('assigned_at', ms).execute();
  await db.schema.alterTable('cases').addColumn('custom_api', 'text').execute();
  await sql`
    update cases set assigned_at = (
      select max(e.created_at) from case_events e where e.case_id = cases.id and e.type = 'case.assigned'
    ) where assignee_id is not null`.execute(db);
}
