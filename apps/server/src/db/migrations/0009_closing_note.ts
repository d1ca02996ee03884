import type { Kysely } from 'kysely';

/** The agent's closing note: part of the outcome a CRM files with the case. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('closing_note', 'text').execute();
}
